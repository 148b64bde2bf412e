"""`--patch NAME`: candidate indexer fixes, applied by monkeypatching in this process only.

They exist to measure a proposed change before anyone edits activities/: the graph each one
produces is the one the unpatched code produces, on runs that are not interrupted. Measured on
the CPython corpus: `defines-create` and `symbol-labels` made no measurable difference.

- `defines-create`: DEFINES are written with CREATE instead of MERGE. `_write_files` has just
  deleted every DEFINES out of these files and their definitions, so nothing can exist to merge.
- `symbol-labels`: definitions are merged in groups of one kind with a static label, instead
  of `SET s:$(row.kind)`, whose plan needs two Eager operators per batch.

`extraction-cache`, `index-hints` and `noop-persist`, measured the same way, paid off and are
now part of the indexer itself (the no-change short-cut with the Branch marker this file's
approximation asked for).

- `no-kept-resolutions`: the opposite, a baseline: the worker keeps no resolution tables
  between runs, as before they were kept, to measure what keeping them saves.
- `no-retyped-update`: a baseline too: the kept tables refuse a modified file whose types
  changed, as before they took one in, so (c5) re-resolves the whole branch afresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from activities.codegraph.branch_resolution import BranchResolution
from activities.codegraph.graph_rows import SymbolRow
from activities.codegraph.graph_writer import GraphWriter, _batches
from activities.codegraph.kept_resolutions import KeptResolutions
from activities.codegraph.model import FileExtraction

PATCHES = ("defines-create", "symbol-labels", "no-kept-resolutions", "no-retyped-update")
_can_update = BranchResolution.can_update


async def _write_defines_create(self: GraphWriter, edges: Sequence[tuple[str, str, str]]) -> None:
    for label in ("File", "Symbol"):
        rows = sorted(
            ({"src": src, "dst": dst} for lbl, src, dst in edges if lbl == label),
            key=lambda r: (r["src"], r["dst"]),
        )
        for batch in _batches(rows, self._batch):
            await self._run(
                f"""
                UNWIND $rows AS row
                MATCH (a:{label} {{key: row.src}}) MATCH (b:Symbol {{key: row.dst}})
                CREATE (a)-[:DEFINES]->(b)
                """,
                rows=list(batch),
            )


async def _write_symbols_by_label(
    self: GraphWriter, file_keys: Sequence[str], rows: Sequence[SymbolRow]
) -> None:
    ordered = sorted(rows, key=lambda r: r.key)
    by_kind: dict[str, list[SymbolRow]] = {}
    for row in ordered:
        by_kind.setdefault(row.kind, []).append(row)
    for kind, group in sorted(by_kind.items()):
        if not kind.isidentifier():
            raise ValueError(f"unexpected definition kind {kind!r}")
        for batch in _batches(group, self._batch):
            await self._run(
                "UNWIND $rows AS row MERGE (s:Symbol {key: row.key}) "
                f"SET s += row.props, s:{kind}",
                rows=[{"key": r.key, "props": r.props} for r in batch],
            )
    self.nodes_written += len(ordered)
    # The original's sweep of definitions that are gone, unchanged.
    keep: dict[str, list[str]] = {key: [] for key in file_keys}
    for row in ordered:
        keep.setdefault(row.props["file_key"], []).append(row.key)
    files = [{"key": key, "keep": keys} for key, keys in sorted(keep.items())]
    for batch in _batches(files, self._batch):
        await self._run(
            """
            UNWIND $files AS file
            MATCH (s:Symbol {file_key: file.key}) WHERE NOT s.key IN file.keep
            DETACH DELETE s
            """,
            files=list(batch),
        )


def _keep_nothing(self: KeptResolutions, branch_key: str, *args: Any) -> None:
    return None


def _same_types_only(self: BranchResolution, changed: dict[str, FileExtraction]) -> bool:
    return _can_update(self, changed) and not self.retyped(changed)


def apply(names: Sequence[str]) -> None:
    for name in names:
        if name == "defines-create":
            GraphWriter.write_defines = _write_defines_create  # type: ignore[method-assign]
        elif name == "symbol-labels":
            GraphWriter.write_symbols = _write_symbols_by_label  # type: ignore[method-assign]
        elif name == "no-kept-resolutions":
            KeptResolutions.keep = _keep_nothing  # type: ignore[method-assign]
        elif name == "no-retyped-update":
            BranchResolution.can_update = _same_types_only  # type: ignore[assignment,method-assign]
        else:
            raise SystemExit(f"unknown patch {name!r}: one of {', '.join(PATCHES)}")
