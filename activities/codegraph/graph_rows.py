"""Rows for Neo4j from extractions and resolved edges: keys, properties, per-file digests. Pure.

Keys are composite strings because Community edition enforces only single-property
uniqueness. A definition's key does not contain its line numbers, so editing a file keeps the
keys (and the incoming edges) of the definitions that survive the edit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from activities.codegraph.model import FileExtraction

# The relationships a file's resolution writes, in the order of their parts in its digest.
CODE_EDGE_TYPES = ("IMPORTS", "CALLS", "INHERITS")


def _escape(part: str) -> str:
    return part.replace("%", "%25").replace("|", "%7C")


def branch_key(repo_id: str, branch: str) -> str:
    """`<repo_id>|<branch>`; a `|` or `%` in a part is escaped so keys never collide."""
    return f"{repo_id}|{_escape(branch)}"


def file_key(repo_id: str, branch: str, path: str) -> str:
    return f"{branch_key(repo_id, branch)}|{_escape(path)}"


def module_key(repo_id: str, branch: str, name: str) -> str:
    return f"{branch_key(repo_id, branch)}|module:{name}"


def module_props(repo_id: str, branch: str, name: str) -> dict[str, Any]:
    return {
        "key": module_key(repo_id, branch, name),
        "repo_id": repo_id,
        "branch": branch,
        "name": name,
    }


def symbol_keys(repo_id: str, branch: str, extraction: FileExtraction) -> list[str]:
    """One key per definition, in order; repeats of a (kind, name) in a file get `#2`, `#3`."""
    seen: dict[tuple[str, str], int] = {}
    keys = []
    prefix = file_key(repo_id, branch, extraction.path)
    for definition in extraction.definitions:
        ident = (definition.kind, definition.qualified_name)
        seen[ident] = seen.get(ident, 0) + 1
        ordinal = f"#{seen[ident]}" if seen[ident] > 1 else ""
        keys.append(f"{prefix}|{definition.kind}:{definition.qualified_name}{ordinal}")
    return keys


@dataclass(frozen=True)
class SymbolRow:
    key: str
    kind: str
    parent_key: str | None  # the enclosing definition; None when the File defines it
    props: dict[str, Any]


@dataclass(frozen=True)
class EdgeRow:
    """One relationship; labels are fixed words so queries can use the key constraints."""

    type: str
    src_label: str
    src_key: str
    dst_label: str
    dst_key: str
    props: dict[str, Any] = field(default_factory=dict)
    dst_props: dict[str, Any] | None = None  # set for Module targets, created on first use

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.type, self.src_key, self.dst_key, self.dst_label)


def symbol_rows(repo_id: str, branch: str, extraction: FileExtraction) -> list[SymbolRow]:
    keys = symbol_keys(repo_id, branch, extraction)
    # A definition's parent is the first definition with the parent's qualified name.
    first_by_name: dict[str, str] = {}
    for definition, key in zip(extraction.definitions, keys, strict=True):
        first_by_name.setdefault(definition.qualified_name, key)
    fkey = file_key(repo_id, branch, extraction.path)
    rows = []
    for definition, key in zip(extraction.definitions, keys, strict=True):
        parent = first_by_name.get(definition.parent) if definition.parent else None
        rows.append(
            SymbolRow(
                key=key,
                kind=definition.kind,
                parent_key=parent if parent != key else None,
                props={
                    "key": key,
                    "repo_id": repo_id,
                    "branch": branch,
                    "file_key": fkey,
                    "path": extraction.path,
                    "language": extraction.language,
                    "kind": definition.kind,
                    "name": definition.name,
                    "qualified_name": definition.qualified_name,
                    "start_line": definition.start_line,
                    "end_line": definition.end_line,
                    # A Kotlin extension function's (`fun String.slugify()`); null clears
                    # the one a definition of this key had before.
                    "receiver_type": definition.extends,
                },
            )
        )
    return rows


def edges_digest(edges: Iterable[EdgeRow], prefix: str = "") -> str:
    """A stable fingerprint of a file's outgoing code edges, one part per type (IMPORTS,
    CALLS, INHERITS, joined by `:`): equal parts, equal edges of that type. A run then reads
    back only the types that moved (`changed_edge_types`).

    Keys are hashed without `prefix` (the branch key), so the digest depends only on the code.
    """
    return joined_digest(edges_digest_parts(edges, prefix))


def joined_digest(parts: dict[str, str]) -> str:
    """`edges_digest` from its parts (in `CODE_EDGE_TYPES` order, as `edges_digest_parts`
    gives them)."""
    return ":".join(parts[t] for t in CODE_EDGE_TYPES)


def edges_digest_parts(edges: Iterable[EdgeRow], prefix: str = "") -> dict[str, str]:
    """The parts of `edges_digest` by edge type."""

    def rel(key: str) -> str:
        return key.removeprefix(prefix)

    canonical: dict[str, list[tuple[str, str, str, str]]] = {t: [] for t in CODE_EDGE_TYPES}
    # Most edges carry one of a few property sets; encoding each once halves the cost.
    encoded: dict[tuple[tuple[str, Any], ...], str] = {}
    for e in edges:
        items = tuple(e.props.items())  # edge properties must be scalars: hashable
        props = encoded.get(items)
        if props is None:
            # A key among them (INHERITS' `file_key`) is hashed without the branch key too.
            neutral = {k: rel(v) if isinstance(v, str) else v for k, v in e.props.items()}
            props = encoded[items] = json.dumps(neutral, sort_keys=True)
        canonical[e.type].append((rel(e.src_key), e.dst_label, rel(e.dst_key), props))
    return {
        t: hashlib.sha256(json.dumps(sorted(rows)).encode()).hexdigest()[:16]
        for t, rows in canonical.items()
    }


class DigestParts:
    """The digest part (`edges_digest_parts`) of row lists seen before, by (path, edge type)
    and the identity of the list, so a list hashed once is not hashed again: checking a
    kept resolution's rows against the stored digest (`indexer._known_edges`) would
    otherwise hash every row of the ~1,200 importers of a Go package that gained a file.

    Sound only for lists nobody changes after they are remembered, which holds for
    `BranchResolution`'s rows: `update` replaces a file's lists, never changes them. The
    list itself is held, so its identity cannot be reused by another.
    """

    def __init__(self) -> None:
        self._parts: dict[tuple[str, str], tuple[Sequence[EdgeRow], str]] = {}

    def remember(self, path: str, edge_type: str, rows: Sequence[EdgeRow], part: str) -> None:
        self._parts[path, edge_type] = (rows, part)

    def part(self, path: str, edge_type: str, rows: Sequence[EdgeRow], prefix: str) -> str:
        """The part of `rows`, all of type `edge_type`, as `edges_digest_parts` gives it."""
        seen = self._parts.get((path, edge_type))
        if seen is not None and seen[0] is rows:
            return seen[1]
        return edges_digest_parts(rows, prefix)[edge_type]

    def keep_only(self, current: dict[str, dict[str, list[EdgeRow]]]) -> None:
        """Forget the lists that are no longer `current` (edge type -> path -> rows): they
        can never be asked for again, and would be kept alive for nothing."""
        self._parts = {
            key: seen
            for key, seen in self._parts.items()
            if current.get(key[1], {}).get(key[0]) is seen[0]
        }

    def __len__(self) -> int:
        return len(self._parts)


def digest_part(digest: str | None, edge_type: str) -> str | None:
    """The part of a stored `edges_digest` for one edge type (None without one)."""
    parts = (digest or "").split(":")
    if len(parts) != len(CODE_EDGE_TYPES):
        return None
    return parts[CODE_EDGE_TYPES.index(edge_type)]


def changed_edge_types(old: str | None, new: str) -> tuple[str, ...]:
    """The edge types whose part differs between two digests (all of them when `old` is
    missing or from before digests had parts)."""
    old_parts, new_parts = (old or "").split(":"), new.split(":")
    if len(old_parts) != len(new_parts):
        return CODE_EDGE_TYPES
    return tuple(t for t, a, b in zip(CODE_EDGE_TYPES, old_parts, new_parts, strict=True) if a != b)


def sorted_edges(edges: Sequence[EdgeRow]) -> list[EdgeRow]:
    return sorted(edges, key=EdgeRow.sort_key)
