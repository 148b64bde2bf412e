"""`--patch NAME`: candidate indexer fixes, applied by monkeypatching in this process only.

They exist to measure a proposed change before anyone edits activities/: the graph each one
produces is the one the unpatched code produces, on runs that are not interrupted. Measured on
the CPython corpus (see the report that came with them): `index-hints` and `noop-persist` and
`extraction-cache` pay off; `defines-create` and `symbol-labels` made no measurable difference.

- `defines-create`: DEFINES are written with CREATE instead of MERGE. `_write_files` has just
  deleted every DEFINES out of these files and their definitions, so nothing can exist to merge.
- `symbol-labels`: definitions are merged in groups of one kind with a static label, instead
  of `SET s:$(row.kind)`, whose plan needs two Eager operators per batch.
- `extraction-cache`: extractions of unchanged files come from memory (keyed by file key and
  blob id, checked against the blob ids the graph holds) instead of being read back from Neo4j
  and decompressed on every run.
- `index-hints`: `USING INDEX s:Symbol(file_key)` in the statements that look definitions up
  by file. Without it, a plan made while the graph has no CALLS/INHERITS (or DEFINES) yet
  starts from a relationship-type scan, and stays cached after the graph has grown: each
  file key then scans every such relationship in the database.
- `noop-persist`: a run that parsed nothing and deleted nothing, on a branch whose files all
  hold an edge digest, skips re-resolution: nothing can change. (Approximation for measuring:
  a run that died after writing files but before their edges leaves old digests behind, so
  the real change keeps a branch-level "resolved against" marker instead.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from neo4j import AsyncDriver

from activities.codegraph import indexer as indexer_module
from activities.codegraph.graph_rows import SymbolRow, file_key
from activities.codegraph.graph_writer import GraphWriter, StoredFile, _batches
from activities.codegraph.model import FileExtraction
from workflows.contracts import GraphOutcome, SnapshotRef

PATCHES = ("defines-create", "symbol-labels", "extraction-cache", "index-hints", "noop-persist")
_HINT = "USING INDEX s:Symbol(file_key)"
_HINTED = (  # each pattern gets the hint right after it
    "(s:Symbol {file_key: key})-[r:DEFINES]->()",
    "(s:Symbol {file_key: key})-[r:CALLS|INHERITS]->()",
    "(s:Symbol {file_key: file.key})",
    "OPTIONAL MATCH (s:Symbol {file_key: key})",
)


def _install_index_hints() -> None:
    """Rewrite the statements on their way to the driver (below any `_run` wrapper)."""
    original = AsyncDriver.execute_query

    async def hinted(self: AsyncDriver, query: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query, str):
            for pattern in _HINTED:
                query = query.replace(pattern, f"{pattern} {_HINT}")
        return await original(self, query, *args, **kwargs)

    AsyncDriver.execute_query = hinted  # type: ignore[method-assign,assignment]


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


class _ExtractionCache:
    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, FileExtraction]] = {}  # file key -> (blob, extraction)
        self.current: dict[str, str] = {}  # file key -> blob id the graph holds

    def install(self) -> None:
        cache = self
        stored_files = GraphWriter.stored_files
        stored_extractions = GraphWriter.stored_extractions
        write_files = indexer_module.CodeGraphIndexer._write_files

        async def remember_files(
            writer: GraphWriter, repo_id: str, branch: str
        ) -> dict[str, StoredFile]:
            found = await stored_files(writer, repo_id, branch)
            for path, stored in found.items():
                cache.current[file_key(repo_id, branch, path)] = stored.blob_sha
            return found

        async def cached_extractions(
            writer: GraphWriter, keys: Sequence[str]
        ) -> dict[str, FileExtraction]:
            hits = {k: cache.entries[k] for k in keys if k in cache.entries}
            hits = {k: e for k, (blob, e) in hits.items() if blob == cache.current.get(k)}
            found = {e.path: e for e in hits.values()}
            missing = [k for k in keys if k not in hits]
            found.update(await stored_extractions(writer, missing) if missing else {})
            return found

        async def remember_written(  # noqa: PLR0917 - the patched method's signature
            indexer: Any,
            writer: GraphWriter,
            repo_id: str,
            branch: str,
            rows: list[dict[str, Any]],
            extractions: dict[str, FileExtraction],
        ) -> None:
            await write_files(indexer, writer, repo_id, branch, rows, extractions)
            for row in rows:
                extraction = extractions.get(row["path"])
                if extraction is not None:
                    key = file_key(repo_id, branch, row["path"])
                    cache.entries[key] = (row["blob_sha"], extraction)

        GraphWriter.stored_files = remember_files  # type: ignore[method-assign]
        GraphWriter.stored_extractions = cached_extractions  # type: ignore[method-assign]
        indexer_module.CodeGraphIndexer._write_files = remember_written  # type: ignore[method-assign]


_original_persist = indexer_module.CodeGraphIndexer.persist


async def _noop_persist(self: Any, snapshot: SnapshotRef, out_dir: Path) -> GraphOutcome:
    plan = json.loads((out_dir / indexer_module.PLAN).read_text())
    parsed_nothing = (out_dir / indexer_module.PARSED).stat().st_size == 0
    # go.mod files are not parsed, so a changed module path must still force a re-resolution
    # (the real fix stores the go_modules map on the Branch node and compares it).
    if not (parsed_nothing and not plan["deleted"] and not plan["go_modules"]):
        return await _original_persist(self, snapshot, out_dir)
    writer = self._writer()
    repo_id, branch = snapshot.repo.repo_id, snapshot.branch
    # Every parsed file holds an edge digest unless a run died between writing and digesting.
    rows = await writer._run(
        """
        MATCH (f:File {repo_id: $repo_id, branch: $branch}) WHERE f.extraction IS NOT NULL
        RETURN count(f) AS files, count(f.edges_digest) AS digested
        """,
        repo_id=repo_id,
        branch=branch,
    )
    if rows[0]["files"] != rows[0]["digested"]:
        return await _original_persist(self, snapshot, out_dir)
    symbols = await writer._run(
        "MATCH (s:Symbol {repo_id: $repo_id, branch: $branch}) RETURN count(s) AS n",
        repo_id=repo_id,
        branch=branch,
    )
    return GraphOutcome(int(symbols[0]["n"]), int(rows[0]["files"]), 0, 0, 0.0)


def apply(names: Sequence[str]) -> None:
    for name in names:
        if name == "defines-create":
            GraphWriter.write_defines = _write_defines_create  # type: ignore[method-assign]
        elif name == "symbol-labels":
            GraphWriter.write_symbols = _write_symbols_by_label  # type: ignore[method-assign]
        elif name == "extraction-cache":
            _ExtractionCache().install()
        elif name == "index-hints":
            _install_index_hints()
        elif name == "noop-persist":
            indexer_module.CodeGraphIndexer.persist = _noop_persist  # type: ignore[method-assign]
        else:
            raise SystemExit(f"unknown patch {name!r}: one of {', '.join(PATCHES)}")
