"""The library crates of a repository's Cargo workspace, from its Cargo.toml files. Pure.

Another crate of the workspace is imported by its name (`use grep_searcher::Searcher`, for
the package `grep-searcher` in crates/searcher), which names no directory: resolution
starts such a path at that crate's library root.
"""

from __future__ import annotations

import posixpath
import tomllib
from collections.abc import Mapping

MANIFEST = "Cargo.toml"


def crate_roots(manifests: Mapping[str, str]) -> dict[str, str]:
    """Crate name -> the path of its library root (`src/lib.rs`, or `[lib] path`), from the
    text of every Cargo.toml by path. A manifest that cannot be read, or a package without
    a library target's name, gives nothing; a name two packages claim gives nothing either
    (the one a file depends on is in its own manifest, which resolution does not read)."""
    found: dict[str, str] = {}
    claimed: set[str] = set()
    for path, text in sorted(manifests.items()):
        try:
            manifest = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError):  # nested past Python's stack
            continue
        package, lib = manifest.get("package"), manifest.get("lib")
        package = package if isinstance(package, dict) else {}
        lib = lib if isinstance(lib, dict) else {}
        name = lib.get("name", package.get("name"))
        root = lib.get("path", "src/lib.rs")
        if not isinstance(name, str) or not isinstance(root, str):
            continue
        crate = name.replace("-", "_")
        library = posixpath.normpath(posixpath.join(posixpath.dirname(path), root))
        if crate in claimed:
            found.pop(crate, None)
            continue
        claimed.add(crate)
        found[crate] = library
    return found
