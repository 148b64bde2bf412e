"""Validation of untrusted git names: branch refs, commit ids and clone URLs.

Branch names end up in workflow ids, git argv and graph keys, and clone URLs reach `git clone`,
so both are checked here before anything else sees them. Standard library only: the worker
imports this module too.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

BRANCH_PREFIX = "refs/heads/"
TAG_PREFIX = "refs/tags/"
MAX_BRANCH_BYTES = 255
# `git check-ref-format` forbids these anywhere in a ref name.
_FORBIDDEN_CHARS = frozenset(" ~^:?*[\\")
# Unicode format characters (bidi overrides, zero-width joiners) make names that look alike;
# line and paragraph separators (U+2028, U+2029) break lines in text logs and in any reader
# that splits on them as str.splitlines() does.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_OBJECT_ID = re.compile(r"(?:[0-9a-f]{40}|[0-9a-f]{64})")
_ZERO_ID = re.compile(r"0{40}|0{64}")


class GitNameError(ValueError):
    """A ref, object id or URL that must not reach git; the message says which rule it broke."""


def branch_from_ref(ref: str) -> str | None:
    """The branch of a full ref (`refs/heads/main` -> `main`); None for tags and other refs."""
    if not ref.startswith(BRANCH_PREFIX):
        return None
    return check_branch_name(ref.removeprefix(BRANCH_PREFIX))


def check_branch_name(name: str) -> str:
    """Return `name` if `git check-ref-format --branch` would accept it and it is safe to use.

    Stricter than git where git's leniency is a hazard: no leading `-` (argv injection), no
    control, format or line-separator characters, bounded length, valid UTF-8.
    """
    problem = _branch_problem(name)
    if problem is not None:
        raise GitNameError(f"branch name refused: {problem}")
    return name


def is_valid_branch_name(name: str) -> bool:
    """True if `check_branch_name` accepts `name`."""
    return _branch_problem(name) is None


def check_object_id(value: str) -> str:
    """Return a full lowercase SHA-1 or SHA-256 object id; anything else is refused."""
    if not _OBJECT_ID.fullmatch(value):
        raise GitNameError("not a full hexadecimal object id")
    return value


def is_zero_object_id(value: str) -> bool:
    """True for the all-zeros id providers send as `after` when a ref was deleted."""
    return _ZERO_ID.fullmatch(value) is not None


def check_clone_url(url: str, *, allow_local: bool = False) -> str:
    """Return `url` if git may clone it: http(s) without credentials; local paths if allowed.

    Anything else is refused because git's transports include `ext::`, which runs a command.
    """
    if _has_hidden_characters(url):
        raise GitNameError("clone URL contains whitespace or control characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (evaluated only to reject a malformed port)
    except ValueError:
        raise GitNameError("clone URL is not a valid URL") from None
    if allow_local and url.startswith("/"):
        return url  # a bare absolute path, as local development payloads carry
    if parts.scheme == "file" and allow_local:
        if not parts.path.startswith("/") or parts.netloc not in ("", "localhost"):
            raise GitNameError("file clone URL must be an absolute local path")
        return url
    if parts.scheme not in ("http", "https"):
        raise GitNameError("clone URL scheme must be http or https")
    if not parts.hostname or "@" in parts.netloc:
        # Credentials in a URL would end up in .git/config and logs.
        raise GitNameError("clone URL must name a host and carry no credentials")
    return url


def _branch_problem(name: str) -> str | None:
    if not name:
        return "empty"
    try:
        encoded = name.encode("utf-8")
    except UnicodeEncodeError:
        return "not valid UTF-8"
    if len(encoded) > MAX_BRANCH_BYTES:
        return f"longer than {MAX_BRANCH_BYTES} bytes"
    return next((problem for broken, problem in _branch_rules(name) if broken), None)


def _branch_rules(name: str) -> list[tuple[bool, str]]:
    # git check-ref-format's rules, plus the leading '-' that `--branch` refuses.
    components = name.split("/")
    return [
        (name.startswith("-"), "starts with '-'"),
        (name in ("HEAD", "@"), f"'{name}' is reserved"),
        (
            _has_forbidden_ref_characters(name),
            "contains a space, control, format or line-separator character or one of ~^:?*[\\",
        ),
        (".." in name, "contains '..'"),
        ("@{" in name, "contains '@{'"),
        (any(not part for part in components), "has an empty path component"),
        (name.endswith("."), "ends with '.'"),
        (any(part.startswith(".") for part in components), "a path component starts with '.'"),
        (any(part.endswith(".lock") for part in components), "a path component ends with '.lock'"),
    ]


# Printable ASCII holds no character of _FORBIDDEN_CATEGORIES, so the usual name or URL is
# checked without a Unicode category lookup per character.


def _has_hidden_characters(url: str) -> bool:
    if url.isascii() and url.isprintable():
        return " " in url
    return any(
        unicodedata.category(char) in _FORBIDDEN_CATEGORIES or char.isspace() for char in url
    )


def _has_forbidden_ref_characters(name: str) -> bool:
    if name.isascii() and name.isprintable():
        return not _FORBIDDEN_CHARS.isdisjoint(name)
    return any(
        char in _FORBIDDEN_CHARS or unicodedata.category(char) in _FORBIDDEN_CATEGORIES
        for char in name
    )
