"""The packages of a JavaScript/TypeScript workspace, from its package.json files. Pure.

In a monorepo one package imports another by its name (`import * as z from "zod/v4"`,
`import { defineConfig } from "vite"`), which names no directory: npm, yarn and pnpm link
every workspace package into node_modules, and Node maps the import's subpath through the
package's `exports` (else its `main`) to a file. Workspaces are declared by globs in a
package.json's `workspaces`, a pnpm-workspace.yaml or a lerna.json; the declaring package,
and the package at the repository's root, are reached by their own names too (a package's
tests importing it as its users do).

An entry often names the build output (`./dist/node/index.js`), which the repository does
not hold: the same path under `src/` (`src/node/index.ts`) is what the build made it from,
tried after the entry itself.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import TypedDict

PACKAGE_FILE = "package.json"
WORKSPACE_FILES = frozenset({"pnpm-workspace.yaml", "lerna.json"})
# Where builds write (`dist/esm/index.js`, `lib/index.js`), and the format folders often
# below them (`dist/esm/`), which the sources under `src/` do not have.
_BUILD_DIRS = frozenset({"dist", "build", "lib", "out", "esm", "cjs"})
_FORMAT_DIRS = frozenset({"esm", "cjs", "es", "mjs", "umd", "types", "commonjs", "module"})
_DECLARATION = re.compile(r"\.d(\.[mc]?ts)$")  # `index.d.ts`: the types of `index.ts`
_MAX_TARGETS = 64  # entry paths kept per subpath (conditions nest; real ones hold a few)


class Package(TypedDict):
    dir: str  # the package's directory, from the repository root ("" at the root)
    # Subpath or subpath pattern (`.`, `./v4`, `./locales/*`) -> the paths it may load,
    # from the repository root, the likelier first.
    exports: dict[str, list[str]]
    # The package's private names for its own files (`"imports": {"#utils/*": "./src/*"}`),
    # which only its own files import (`import { log } from "#utils/log"`), alike.
    imports: dict[str, list[str]]


Packages = dict[str, Package]  # package name -> the package


def is_workspace_file(path: str) -> bool:
    """Whether the file at `path` may declare packages or workspaces: not one of an
    installed package (a committed node_modules holds thousands)."""
    *folders, name = path.split("/")
    return (name == PACKAGE_FILE or name in WORKSPACE_FILES) and "node_modules" not in folders


def workspace_packages(files: Mapping[str, str]) -> Packages:
    """The packages a file of the repository may import by name, from the text of every
    package.json, pnpm-workspace.yaml and lerna.json by path. A file that cannot be read
    gives nothing; a name two packages claim gives nothing either (the one an importer gets
    depends on how its dependencies are installed)."""
    manifests = {
        path: _json_object(text)
        for path, text in files.items()
        if posixpath.basename(path) == PACKAGE_FILE and is_workspace_file(path)
    }
    globs = _workspace_globs(files, manifests)
    found: Packages = {}
    claimed: set[str] = set()
    for path in sorted(manifests):
        manifest = manifests[path]
        folder = _folder(path)
        if manifest is None or not (folder == "" or folder in globs or _member(folder, globs)):
            continue
        name = manifest.get("name")
        if not isinstance(name, str) or not name or name in claimed:
            if isinstance(name, str):
                found.pop(name, None)
            continue
        claimed.add(name)
        found[name] = Package(
            dir=folder, exports=_entries(folder, manifest), imports=_own_imports(folder, manifest)
        )
    return found


def package_subpath(module: str) -> tuple[str, str]:
    """`@scope/ui/button` -> (`@scope/ui`, `./button`); `zod` -> (`zod`, `.`)."""
    parts = module.split("/")
    size = 2 if module.startswith("@") else 1
    rest = "/".join(parts[size:])
    return "/".join(parts[:size]), f"./{rest}" if rest else "."


def _workspace_globs(
    files: Mapping[str, str], manifests: Mapping[str, dict[str, object] | None]
) -> dict[str, list[str]]:
    """Workspace root directory -> the globs of its member packages' directories."""
    globs: dict[str, list[str]] = {}
    for path, manifest in manifests.items():
        declared = manifest.get("workspaces") if manifest else None
        if isinstance(declared, dict):  # yarn's `{"packages": [...], "nohoist": [...]}`
            declared = declared.get("packages")
        if isinstance(declared, list):
            globs.setdefault(_folder(path), []).extend(g for g in declared if isinstance(g, str))
    for path, text in files.items():
        name = posixpath.basename(path)
        if name == "pnpm-workspace.yaml":
            globs.setdefault(_folder(path), []).extend(_pnpm_packages(text))
        elif name == "lerna.json":
            lerna = _json_object(text) or {}
            declared = lerna.get("packages", ["packages/*"])
            if isinstance(declared, list):
                globs.setdefault(_folder(path), []).extend(
                    g for g in declared if isinstance(g, str)
                )
    return globs


def _member(folder: str, globs: Mapping[str, list[str]]) -> bool:
    """Whether the directory `folder` is a package of some workspace: a glob of a root above
    it matches it, and none of that root's `!` globs does."""
    for root, patterns in globs.items():
        if root and not folder.startswith(root + "/"):
            continue
        relative = folder[len(root) + 1 :] if root else folder
        taken = [p for p in patterns if not p.startswith("!")]
        left_out = [p[1:] for p in patterns if p.startswith("!")]
        if any(_glob_matches(p, relative) for p in taken) and not any(
            _glob_matches(p, relative) for p in left_out
        ):
            return True
    return False


def _glob_matches(pattern: str, folder: str) -> bool:
    """Whether a workspace glob matches the directory path `folder`: `*` and `?` within one
    folder name, `**` across any number of folders. Folder by folder, keeping the set of
    places the glob may be at, so a hostile glob (`**/**/**/...`, `*a*a*a*`) costs at most
    its length times the path's, never a regular expression's backtracking."""
    steps = [step for step in pattern.strip().removeprefix("./").split("/") if step]
    if len(steps) > _MAX_GLOB_STEPS or any(step.count("*") > _MAX_STARS for step in steps):
        return False
    places = _across_any(steps, {0})
    for name in folder.split("/") if folder else ():
        moved = set()
        for at in places:
            if at < len(steps) and steps[at] == "**":
                moved.add(at)  # `**` takes this folder and may take more
            elif at < len(steps) and fnmatchcase(name, steps[at]):
                moved.add(at + 1)
        places = _across_any(steps, moved)
        if not places:
            return False
    return len(steps) in places


def _across_any(steps: list[str], places: set[int]) -> set[int]:
    """`places` and those after any `**` at them, which may take no folder at all."""
    found = set(places)
    for start in sorted(places):
        at = start
        while at < len(steps) and steps[at] == "**":
            at += 1
            found.add(at)
    return found


_MAX_GLOB_STEPS = 32  # folders in one workspace glob; real ones have two or three
_MAX_STARS = 4  # `*` in one folder name of a glob (`fnmatch` backtracks over them)


def _pnpm_packages(text: str) -> list[str]:
    """The globs under `packages:` in a pnpm-workspace.yaml: a block list, or a flow list
    (`packages: [a, b]`). The rest of the file is pnpm's settings."""
    found: list[str] = []
    inside = False
    for raw in text.splitlines():
        content = raw.split(" #", 1)[0].rstrip()
        if not content.strip() or content.lstrip().startswith("#"):
            continue
        if not raw[0].isspace() and not content.startswith("-"):  # a top-level key
            key, _, value = content.partition(":")
            inside = key.strip() == "packages"
            if inside and value.strip().startswith("["):
                found.extend(_unquoted(v) for v in value.strip()[1:].rstrip("]").split(","))
                inside = False
            continue
        item = content.lstrip()
        if inside and item.startswith("-"):
            found.append(_unquoted(item[1:]))
    return [glob for glob in found if glob]


def _unquoted(value: str) -> str:
    return value.strip().strip("'\"")


def _entries(folder: str, manifest: Mapping[str, object]) -> dict[str, list[str]]:
    """Subpath -> the paths it may load, from `exports` (a string, conditions, or a map of
    subpaths), else from `source` (Parcel's field for the sources), `module`, `main` and
    `types`, with `index` last and every subpath reaching the file it spells."""
    exports = manifest.get("exports")
    subpaths: dict[str, object]
    if isinstance(exports, dict) and any(str(k).startswith(".") for k in exports):
        subpaths = {k: v for k, v in exports.items() if isinstance(k, str) and k.startswith(".")}
    elif exports is not None:
        subpaths = {".": exports}
    else:
        # These are paths without `./` as often as with it (`"main": "index.js"`).
        fields = (manifest.get(f) for f in ("source", "module", "main", "types", "typings"))
        named = [f"./{f.removeprefix('./')}" for f in fields if isinstance(f, str)]
        subpaths = {".": [*named, "./index"], "./*": "./*"}
    return _resolved(folder, subpaths)


def _own_imports(folder: str, manifest: Mapping[str, object]) -> dict[str, list[str]]:
    """`#name` -> the paths it may load, from `imports`; a target that is a package
    (`"#dep": "left-pad"`) is the registry's, not a path."""
    imports = manifest.get("imports")
    if not isinstance(imports, dict):
        return {}
    return _resolved(folder, {k: v for k, v in imports.items() if str(k).startswith("#")})


def _resolved(folder: str, subpaths: Mapping[str, object]) -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    for subpath, value in subpaths.items():
        targets = list(dict.fromkeys(_targets(value)))[:_MAX_TARGETS]
        if targets:
            entries[subpath] = _likelier_first(folder, targets)
    return entries


def _likelier_first(folder: str, targets: list[str]) -> list[str]:
    """The paths `targets` may load, from the repository root: the graph is of the code, so
    sources first, then the sources a build output was made from, then the output itself
    (a repository may commit its bundles: axios' dist/), and type declarations last
    (`"types": "./index.d.ts"` often comes first among the conditions)."""
    ordered: list[str] = []
    for group in (
        [t for t in targets if not _DECLARATION.search(t)],
        [t for t in targets if _DECLARATION.search(t)],
    ):
        built = [t for t in group if _sources_of(t)]
        ordered += [t for t in group if t not in built]
        ordered += [source for t in built for source in _sources_of(t)]
        ordered += built
    return list(dict.fromkeys(_join(folder, t) for t in ordered))


def _targets(value: object) -> Iterator[str]:
    """The paths a subpath's value names, in the order of its conditions (`import` before
    `require` where written so); `null` (a subpath kept private) names none. A walk, not
    recursion: the nesting is the file's."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            if current.startswith("./"):  # anything else is invalid as an export target
                yield current
        elif isinstance(current, list):
            stack.extend(reversed(current))
        elif isinstance(current, dict):
            stack.extend(reversed(list(current.values())))


def _sources_of(target: str) -> list[str]:
    """Where the sources of a built entry are, if it is one: `./dist/node/index.js` ->
    `src/node/index.js` (whose `.ts` the import probes find), `./dist/esm/index.d.ts` ->
    `src/esm/index`, then `src/index`."""
    parts = target.removeprefix("./").split("/")
    if len(parts) < 2 or parts[0] not in _BUILD_DIRS:
        return []
    stem = _DECLARATION.sub("", parts[-1])
    found = ["/".join(["src", *parts[1:-1], stem])]
    if len(parts) > 2 and parts[1] in _FORMAT_DIRS:
        found.append("/".join(["src", *parts[2:-1], stem]))
    return found


def _join(folder: str, relative: str) -> str:
    joined = posixpath.normpath(posixpath.join(folder, relative))
    return "" if joined == "." else joined


def _folder(path: str) -> str:
    return posixpath.dirname(path)


def _json_object(text: str) -> dict[str, object] | None:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # a file nested past Python's stack is no package
        return None
    return parsed if isinstance(parsed, dict) else None
