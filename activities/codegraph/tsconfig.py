"""The path aliases of a repository's tsconfig.json and jsconfig.json files. Pure.

TypeScript resolves a non-relative import through `compilerOptions.paths` (`"@/*":
["./src/*"]`) and then `baseUrl` before it looks into node_modules, and monorepos name their
packages so (`@acme/common` -> packages/common/src). Each config applies to the files below
its directory; it may take its options from another (`"extends": "../../tsconfig.base.json"`),
where `paths` is replaced whole and each path is relative to the config that set it.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Mapping

# The file names TypeScript and editors look for in each directory.
CONFIG_NAMES = frozenset({"tsconfig.json", "jsconfig.json"})
_MAX_EXTENDS = 8  # configs reached through `extends`
# Whitespace and comments, as many as follow (an unclosed `/*` runs to the end).
_BLANK = re.compile(r"(?:\s+|//[^\n]*|/\*.*?(?:\*/|\Z))*", re.DOTALL)

# {config directory: {pattern: [target, ...]}}, targets relative to the repository root.
Aliases = dict[str, dict[str, list[str]]]


def is_config(path: str) -> bool:
    """Whether the file at `path` may hold compiler options: a config, or one extended."""
    name = posixpath.basename(path)
    return name.endswith(".json") and name.startswith(("tsconfig", "jsconfig"))


def path_aliases(configs: Mapping[str, str]) -> Aliases:
    """The aliases each config directory applies, from every config file's text by path.
    A config that cannot be read gives none; a config without aliases is left out, so files
    below it fall back to the nearest config above that has some (as TypeScript would only
    with `extends`, but a repository whose packages set none of their own means the root's)."""
    options = {path: _compiler_options(text) for path, text in configs.items()}
    found: Aliases = {}
    for path in sorted(configs):
        if posixpath.basename(path) not in CONFIG_NAMES:
            continue
        aliases = _effective(path, options)
        if aliases:
            found[posixpath.dirname(path)] = aliases
    return found


def _effective(path: str, options: Mapping[str, dict[str, object] | None]) -> dict[str, list[str]]:
    """`paths` and `baseUrl` of the config at `path`, following `extends` in the repository."""
    # The first `paths` along the chain, with the directory of the config that set it.
    paths: tuple[str, dict[str, object]] | None = None
    base_url: str | None = None
    for current in _precedence(path, options):
        folder = posixpath.dirname(current)
        compiler = (options.get(current) or {}).get("compilerOptions")
        if isinstance(compiler, dict):
            if base_url is None and isinstance(compiler.get("baseUrl"), str):
                base_url = _join(folder, compiler["baseUrl"])
            if paths is None and isinstance(compiler.get("paths"), dict):
                paths = (folder, compiler["paths"])
    aliases: dict[str, list[str]] = {}
    if paths is not None:
        # Relative to baseUrl when one is set, else to the config that set them.
        start = base_url if base_url is not None else paths[0]
        for pattern, targets in paths[1].items():
            if not isinstance(targets, list) or pattern.count("*") > 1:
                continue
            kept = [_join(start, t) for t in targets if isinstance(t, str) and t.count("*") <= 1]
            if kept:
                aliases[pattern] = kept
    if base_url is not None:
        aliases.setdefault("*", [_join(base_url, "*")])
    return aliases


def _precedence(path: str, options: Mapping[str, dict[str, object] | None]) -> list[str]:
    """The config at `path` and those it extends in the repository, the one whose options win
    first. `"extends": ["./a.json", "./b.json"]` (TypeScript 5) takes b's over a's, each with
    its own chain below it."""
    found: list[str] = []
    stack = [path]
    while stack and len(found) < _MAX_EXTENDS:
        current = stack.pop()
        own = options.get(current)
        if own is None or current in found:  # unreadable, outside, or a cycle
            continue
        found.append(current)
        extends = own.get("extends")
        named = extends if isinstance(extends, list) else [extends]
        # Popped last-first: b and its chain, then a and its chain.
        stack.extend(t for e in named if (t := _extended(current, e)) is not None)
    return found


def _extended(path: str, extends: object) -> str | None:
    """The config file `extends` names inside the repository (a package's is outside)."""
    if not isinstance(extends, str) or not extends.startswith("."):
        return None
    target = _join(posixpath.dirname(path), extends)
    return target if target.endswith(".json") else f"{target}.json"


def _join(folder: str, relative: str) -> str:
    joined = posixpath.normpath(posixpath.join(folder, relative))
    return "" if joined == "." else joined


def _compiler_options(text: str) -> dict[str, object] | None:
    try:
        parsed = json.loads(_strict_json(text))
    except (ValueError, RecursionError):  # nested past Python's stack: not a config either
        return None
    return parsed if isinstance(parsed, dict) else None


def _strict_json(text: str) -> str:
    """tsconfig's JSON with comments and trailing commas, as plain JSON, in one pass."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '"':
            end = _string_end(text, i)
            out.append(text[i:end])
            i = end
            continue
        if text.startswith(("//", "/*"), i):
            i = _skip_blank(text, i)
            out.append(" ")
            continue
        after = _skip_blank(text, i + 1) if char == "," else i
        if text[after : after + 1] not in ("}", "]") or after == i:  # not a trailing comma
            out.append(char)
        i += 1
    return "".join(out)


def _skip_blank(text: str, start: int) -> int:
    """The index past the whitespace and comments at `start`."""
    found = _BLANK.match(text, start)
    return found.end() if found else start


def _string_end(text: str, start: int) -> int:
    """The index just past the JSON string that opens at `start`."""
    i = start + 1
    while i < len(text) and text[i] != '"':
        i += 2 if text[i] == "\\" else 1
    return i + 1
