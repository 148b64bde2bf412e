"""The resolution state of recently indexed branches, kept in the worker between runs.

Re-resolving the few files a narrow change reaches (`affected.py`) is cheap; building the
symbol tables, import bindings and class hierarchy of the whole branch around them is not
(about 0.3 s for the 1,800 files of CPython's standard library). So the indexer keeps each
branch's `BranchResolution` with the blob of every file it was built from, and a later run
updates it in place, but only when the branch in Neo4j still holds exactly those blobs: a run
by another worker, or an interrupted one, makes the entry useless and the run builds afresh.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass

from activities.codegraph.branch_resolution import BranchResolution
from app.settings import Settings

# Files of all kept branches together (INDEX_CACHE_FILES). An entry costs about 21 KiB per
# file beyond the extractions it shares with the extraction cache (38 MiB for CPython's
# standard library).
RESOLUTION_CACHE_FILES = Settings.index_cache_files


@dataclass(frozen=True)
class KeptResolution:
    resolution: BranchResolution
    blobs: dict[str, str]  # path -> blob id of every file the resolution was built from
    roots: str  # the module roots it was built with (`indexer.module_roots`), canonical JSON


class KeptResolutions:
    """`BranchResolution`s by branch key, least recently used dropped first."""

    def __init__(self, max_files: int = RESOLUTION_CACHE_FILES) -> None:
        self._entries: OrderedDict[str, KeptResolution] = OrderedDict()
        self._max_files = max_files

    def take(
        self, branch_key: str, blobs: Mapping[str, str], roots: str
    ) -> BranchResolution | None:
        """The kept resolution of the branch if it was built from exactly these blobs and
        module roots. It leaves the cache: whoever takes it changes it, and gives it back with
        `keep` only once the graph holds what it describes."""
        entry = self._entries.pop(branch_key, None)
        if entry is None or entry.roots != roots or entry.blobs != blobs:
            return None
        return entry.resolution

    def keep(
        self,
        branch_key: str,
        resolution: BranchResolution,
        blobs: dict[str, str],
        roots: str,
    ) -> None:
        self._entries.pop(branch_key, None)
        if len(blobs) > self._max_files:
            return
        self._entries[branch_key] = KeptResolution(resolution, blobs, roots)
        while sum(len(e.blobs) for e in self._entries.values()) > self._max_files:
            self._entries.popitem(last=False)

    def make_room(self, branch_key: str, files: int) -> None:
        """Before a run of a branch of about `files` files: drop the entries of other
        branches, least recently used first, that `keep` would drop at its end anyway, so
        that they and the tables this run builds never take the worker's memory together."""
        if files > self._max_files:
            return  # this branch will not be kept: the others stay
        others = [key for key in self._entries if key != branch_key]
        total = sum(len(self._entries[key].blobs) for key in others)
        for key in others:  # oldest first
            if total + files <= self._max_files:
                return
            total -= len(self._entries.pop(key).blobs)

    def __len__(self) -> int:
        return len(self._entries)
