"""What a run must do, from the commit's tree and the blob ids already in the graph. Pure.

A file is unchanged when the graph holds the same path with the same blob id; everything else
in the tree is parsed (or recorded as skipped), and every stored path missing from the tree is
deleted. A rename is therefore a delete plus an add.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from activities.codegraph.languages import detect_language
from activities.codegraph.skipping import SkipReason, SkipRules, skip_by_path, storable_path


class TreeFile(Protocol):
    """A regular file of the commit's tree (what `git ls-tree --long` lists)."""

    @property
    def path(self) -> str: ...
    @property
    def blob_sha(self) -> str: ...
    @property
    def size(self) -> int: ...


@dataclass(frozen=True)
class PlannedFile:
    path: str
    blob_sha: str
    size: int
    language: str
    skip: SkipReason | None  # known from the path and size alone; content checks come later


@dataclass(frozen=True)
class SnapshotPlan:
    to_parse: tuple[PlannedFile, ...]
    unchanged: tuple[str, ...]
    deleted: tuple[str, ...]

    @property
    def total_files(self) -> int:
        return len(self.to_parse) + len(self.unchanged)


def plan_snapshot(
    tree: Iterable[TreeFile],
    stored_blobs: Mapping[str, str],
    rules: SkipRules,
    extra_languages: Mapping[str, str] | None = None,
    *,
    reparse_all: bool = False,
    reparse: Collection[str] = (),
) -> SnapshotPlan:
    """Split the tree into files to parse and unchanged files; list the stored ones now gone.
    With `reparse_all` (the graph was made by another extractor or other settings), no file
    counts as unchanged; the stored paths in `reparse` (deferred by an earlier run) never do.
    Both stay stored, so one of them gone from the tree is still deleted."""
    to_parse: list[PlannedFile] = []
    unchanged: list[str] = []
    present: set[str] = set()
    for entry in tree:
        language = detect_language(entry.path, extra_languages)
        if language is None:
            continue  # not source code in a language we index
        path, unstorable = storable_path(entry.path)
        if path in present:
            # Two paths stored alike (an escaped one spelled out by a real one): the first in
            # tree order is the file, so every run plans the same one.
            continue
        present.add(path)
        if not reparse_all and path not in reparse and stored_blobs.get(path) == entry.blob_sha:
            unchanged.append(path)
            continue
        skip = unstorable or skip_by_path(path, entry.size, rules)
        to_parse.append(PlannedFile(path, entry.blob_sha, entry.size, language, skip))
    deleted = sorted(path for path in stored_blobs if path not in present)
    to_parse.sort(key=lambda f: f.path)
    return SnapshotPlan(tuple(to_parse), tuple(sorted(unchanged)), tuple(deleted))
