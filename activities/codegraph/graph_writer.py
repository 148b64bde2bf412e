"""Neo4j I/O for the code graph of one branch: batched, key-sorted, idempotent writes.

Every statement is `UNWIND $rows ... MERGE` on a uniquely constrained key, in batches of
`batch_size`, rows sorted by key so concurrent writers take locks in the same order. A File's
`blob_sha` is written only after its definitions, so a run that dies half-way leaves files that
the next run sees as changed and rewrites: the graph converges on retry.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncDriver, Record

from activities.codegraph.graph_rows import EdgeRow, SymbolRow
from activities.codegraph.model import FileExtraction


@dataclass(frozen=True)
class StoredFile:
    path: str
    blob_sha: str
    edges_digest: str | None
    parsed: bool = True  # False for files recorded as skipped (they have no edges)
    deferred: bool = False  # skipped because a run's parse time ran out: parse it next run


@dataclass(frozen=True)
class ResolutionState:
    """What the Branch node says about its edges: `pending` while a run is rewriting them (a
    crash leaves it set), the module roots they were resolved with (go.mod files, tsconfig
    aliases: `indexer.module_roots`), and the (parsed files, definitions) counted when they
    were settled."""

    pending: bool
    roots: str | None
    counts: tuple[int, int] | None = None
    # A new id at every settle: while it stays, so do the branch's File nodes (`settle_resolution`).
    version: str | None = None
    # What the graph was made with besides the code (`index_format`), as of the last settle.
    index_format: str | None = None


def pack_extraction(extraction: FileExtraction) -> str:
    """Compressed JSON kept on the File node, so any worker can re-resolve without re-parsing."""
    raw = json.dumps(extraction.to_json(), separators=(",", ":")).encode()
    return base64.b64encode(zlib.compress(raw, 6)).decode()


def unpack_extraction(packed: str) -> FileExtraction:
    return FileExtraction.from_json(json.loads(zlib.decompress(base64.b64decode(packed))))


def _props_identity(props: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
    # Edge properties are scalars. `SET r += props` stores no null, so a null in a row is no
    # property on the relationship.
    if not props:
        return ()  # IMPORTS: a Go file added to a package updates ~100 per importer
    return tuple(sorted((k, v) for k, v in props.items() if v is not None))


# (type, source key, target label, target key, properties): what tells relationships apart.
EdgeIdentity = tuple[str, str, str, str, tuple[tuple[str, Any], ...]]


def _edge_identity(edge: EdgeRow) -> EdgeIdentity:
    return (edge.type, edge.src_key, edge.dst_label, edge.dst_key, _props_identity(edge.props))


def _unwanted(
    wanted: Counter[EdgeIdentity], known: Mapping[tuple[str, str], Sequence[EdgeRow]]
) -> list[EdgeRow]:
    """Take the known stored relationships off `wanted`; returns those it does not hold."""
    gone = []
    for old in (edge for rows in known.values() for edge in rows):
        identity = _edge_identity(old)
        if wanted[identity] > 0:
            wanted[identity] -= 1
        else:
            gone.append(old)
    return gone


def _batches(rows: Sequence[Any], size: int) -> list[Sequence[Any]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


class GraphWriter:
    def __init__(self, driver: AsyncDriver, database: str, batch_size: int = 2000) -> None:
        self._driver = driver
        self._database = database
        self._batch = batch_size
        self.nodes_written = 0
        self.edges_written = 0
        # Relationships read back to compare with what resolution wants (update_code_edges).
        self.edges_read_back = 0
        # Every change Neo4j reports (nodes, relationships, properties, labels), to prove that
        # a run with nothing to do writes nothing.
        self.changes = 0

    async def _run(self, query: str, **params: Any) -> list[dict[str, Any]]:
        return [record.data() for record in await self._records(query, **params)]

    async def _records(self, query: str, **params: Any) -> list[Record]:
        """The records as the driver hands them: `Record.data()` walks nested lists again,
        which costs more than the query when they hold thousands of rows."""
        records, summary, _ = await self._driver.execute_query(
            query, params, database_=self._database
        )
        counters = summary.counters
        self.changes += (
            counters.nodes_created
            + counters.nodes_deleted
            + counters.relationships_created
            + counters.relationships_deleted
            + counters.properties_set
            + counters.labels_added
            + counters.labels_removed
        )
        return records

    async def stored_files(self, repo_id: str, branch: str) -> dict[str, StoredFile]:
        # One record of lists: the driver spends ~0.1 ms per record, 0.2 s for 2,000 files.
        rows = await self._run(
            """
            MATCH (f:File {repo_id: $repo_id, branch: $branch})
            RETURN collect([f.path, f.blob_sha, f.edges_digest, f.skipped IS NULL,
                            coalesce(f.skipped = 'deferred', false)]) AS files
            // not `extraction`: reading it is costly
            """,
            repo_id=repo_id,
            branch=branch,
        )
        files = rows[0]["files"] if rows else []
        return {path: StoredFile(path, *rest) for path, *rest in files}

    async def resolution_state(self, branch_key: str) -> ResolutionState:
        rows = await self._run(
            """
            MATCH (b:Branch {key: $key})
            RETURN b.resolution_pending IS NOT NULL AS pending, b.module_roots AS roots,
                   b.graph_files AS files, b.graph_symbols AS symbols, b.graph_version AS version,
                   b.index_format AS index_format
            """,
            key=branch_key,
        )
        if not rows:
            return ResolutionState(pending=True, roots=None)
        row = rows[0]
        counts = None if row["files"] is None else (int(row["files"]), int(row["symbols"]))
        return ResolutionState(
            bool(row["pending"]), row["roots"], counts, row["version"], row["index_format"]
        )

    async def set_resolution_pending(self, branch_key: str, index_format: str) -> None:
        """The branch's edges are being rewritten. Its index format is forgotten unless it is
        this run's: a run in a new format that dies half-way leaves files of both, which a
        worker still in the old one must not take for a graph made in it."""
        await self._run(
            """
            MATCH (b:Branch {key: $key})
            SET b.resolution_pending = true,
                b.index_format = CASE WHEN b.index_format = $index_format THEN $index_format END
            """,
            key=branch_key,
            index_format=index_format,
        )

    async def set_index_format(self, branch_key: str, index_format: str) -> None:
        """For a branch with nothing to rewrite (no file its format would change)."""
        await self._run(
            "MATCH (b:Branch {key: $key}) SET b.index_format = $index_format",
            key=branch_key,
            index_format=index_format,
        )

    async def settle_resolution(
        self, branch_key: str, roots: str, counts: tuple[int, int], index_format: str
    ) -> None:
        """Every file's edges match the branch again, resolved with these module roots; the
        branch has `counts` (parsed files, definitions), made in `index_format`. A new
        `graph_version` tells whoever read the File nodes before that they may have changed."""
        await self._run(
            """
            MATCH (b:Branch {key: $key})
            SET b.resolution_pending = null, b.module_roots = $roots,
                b.graph_files = $files, b.graph_symbols = $symbols,
                b.index_format = $index_format, b.graph_version = randomUUID()
            REMOVE b.go_modules  // what module_roots was called before tsconfig aliases
            """,
            key=branch_key,
            roots=roots,
            files=counts[0],
            symbols=counts[1],
            index_format=index_format,
        )

    async def has_deferred_files(self, repo_id: str, branch: str) -> bool:
        """Whether a run ran out of parse time before some of the branch's files."""
        rows = await self._run(
            """
            MATCH (f:File {repo_id: $repo_id, branch: $branch}) WHERE f.skipped = 'deferred'
            RETURN f.path LIMIT 1
            """,
            repo_id=repo_id,
            branch=branch,
        )
        return bool(rows)

    async def branch_counts(self, repo_id: str, branch: str) -> tuple[int, int]:
        """(parsed files, definitions) of a branch, for the stats of a run that wrote nothing."""
        rows = await self._run(
            """
            MATCH (f:File {repo_id: $repo_id, branch: $branch}) WHERE f.skipped IS NULL
            WITH count(f) AS files
            MATCH (s:Symbol {repo_id: $repo_id, branch: $branch})
            RETURN files, count(s) AS symbols
            """,
            repo_id=repo_id,
            branch=branch,
        )
        return (int(rows[0]["files"]), int(rows[0]["symbols"])) if rows else (0, 0)

    async def stored_extractions(self, keys: Sequence[str]) -> dict[str, FileExtraction]:
        """Extractions of parsed (not skipped) files by File key, for resolution."""
        found: dict[str, FileExtraction] = {}
        for batch in _batches(sorted(keys), self._batch):
            rows = await self._run(
                """
                UNWIND $keys AS key MATCH (f:File {key: key})
                WHERE f.extraction IS NOT NULL
                RETURN f.path AS path, f.extraction AS packed
                """,
                keys=list(batch),
            )
            for row in rows:
                found[row["path"]] = unpack_extraction(row["packed"])
        return found

    async def clear_outgoing(self, file_keys: Sequence[str]) -> None:
        """Drop what these files point at, as they are about to be rewritten: DEFINES out of
        them and their definitions, their IMPORTS, CALLS and INHERITS (those they declare),
        and their edge digests. Definitions are written next; edges once the branch is
        resolved (`create_edges`). A run that dies in between leaves no digest, so the next
        one writes the edges. A file now skipped keeps nothing, as in a full index."""
        for batch in _batches(sorted(file_keys), self._batch):
            await self._run(
                """
                UNWIND $keys AS key
                CALL (key) {
                    MATCH (f:File {key: key})
                    SET f.edges_digest = null
                    WITH f
                    MATCH (f)-[r:DEFINES|IMPORTS|CALLS]->()
                    DELETE r
                }
                CALL (key) {
                    MATCH (s:Symbol {file_key: key})-[r:DEFINES|CALLS]->()
                    USING INDEX s:Symbol(file_key)
                    DELETE r
                }
                CALL (key) {
                    MATCH ()-[r:INHERITS {file_key: key}]->()
                    DELETE r
                }
                """,
                keys=list(batch),
            )

    async def write_symbols(self, file_keys: Sequence[str], rows: Sequence[SymbolRow]) -> None:
        """Make these files' definitions exactly `rows`: delete the ones gone, merge the rest."""
        ordered = sorted(rows, key=lambda r: r.key)
        # The keys to drop are worked out here rather than with `NOT s.key IN $keep` in
        # Cypher, which is quadratic in a file's definitions (seconds for a big file).
        wanted = {row.key for row in ordered}
        gone = [key for key in await self._symbol_keys(file_keys) if key not in wanted]
        for batch in _batches(sorted(gone), self._batch):
            await self._run(
                "UNWIND $keys AS key MATCH (s:Symbol {key: key}) DETACH DELETE s",
                keys=list(batch),
            )
        for batch in _batches(ordered, self._batch):
            await self._run(
                """
                UNWIND $rows AS row
                MERGE (s:Symbol {key: row.key})
                SET s += row.props, s:$(row.kind)
                """,
                rows=[{"key": r.key, "kind": r.kind, "props": r.props} for r in batch],
            )
        self.nodes_written += len(ordered)

    async def _symbol_keys(self, file_keys: Sequence[str]) -> list[str]:
        """Keys of the definitions stored for these files."""
        found: list[str] = []
        for batch in _batches(sorted(file_keys), self._batch):
            rows = await self._run(
                """
                UNWIND $keys AS key
                MATCH (s:Symbol {file_key: key}) USING INDEX s:Symbol(file_key)
                RETURN collect(s.key) AS keys
                """,
                keys=list(batch),
            )
            found += rows[0]["keys"] if rows else []
        return found

    async def commit_blobs(self, blobs: dict[str, str]) -> None:
        """Record each file's blob id: from now on the file counts as indexed."""
        rows = [{"key": key, "blob": blob} for key, blob in sorted(blobs.items())]
        for batch in _batches(rows, self._batch):
            await self._run(
                """
                UNWIND $rows AS row
                MATCH (f:File {key: row.key})
                SET f.blob_sha = row.blob
                """,
                rows=list(batch),
            )

    async def write_files(self, branch_key: str, rows: Sequence[dict[str, Any]]) -> None:
        """Upsert File nodes and CONTAINS; `blob_sha` is left to `commit_blobs`."""
        ordered = sorted(({**row, "blob_sha": None} for row in rows), key=lambda r: r["key"])
        for batch in _batches(ordered, self._batch):
            await self._run(
                """
                MATCH (b:Branch {key: $branch_key})
                UNWIND $rows AS row
                MERGE (f:File {key: row.key})
                SET f += row
                MERGE (b)-[:CONTAINS]->(f)
                """,
                branch_key=branch_key,
                rows=list(batch),
            )
        self.nodes_written += len(ordered)

    async def write_defines(self, edges: Sequence[tuple[str, str, str]]) -> None:
        """DEFINES from a File or a definition to a definition: (src_label, src_key, dst_key)."""
        for label in ("File", "Symbol"):
            rows = sorted(
                ({"src": src, "dst": dst} for lbl, src, dst in edges if lbl == label),
                key=lambda r: (r["src"], r["dst"]),
            )
            for batch in _batches(rows, self._batch):
                await self._run(
                    f"""
                    UNWIND $rows AS row
                    MATCH (a:{label} {{key: row.src}}), (b:Symbol {{key: row.dst}})
                    MERGE (a)-[:DEFINES]->(b)
                    """,
                    rows=list(batch),
                )

    async def delete_files(self, keys: Sequence[str]) -> int:
        """Remove files and everything they define."""
        deleted = 0
        for batch in _batches(sorted(keys), self._batch):
            rows = await self._run(
                """
                UNWIND $keys AS key
                MATCH (f:File {key: key})
                CALL (key) {
                    // What the file declared about another file's types (a Rust impl).
                    MATCH ()-[r:INHERITS {file_key: key}]->()
                    DELETE r
                }
                OPTIONAL MATCH (s:Symbol {file_key: key}) USING INDEX s:Symbol(file_key)
                WITH collect(DISTINCT f) + collect(DISTINCT s) AS nodes
                UNWIND nodes AS n
                DETACH DELETE n
                RETURN count(*) AS deleted
                """,
                keys=list(batch),
            )
            deleted += int(rows[0]["deleted"]) if rows else 0
        return deleted

    async def update_code_edges(
        self,
        files: Mapping[str, Collection[str]],
        edges: Sequence[EdgeRow],
        known: Mapping[tuple[str, str], Sequence[EdgeRow]] | None = None,
    ) -> None:
        """Bring the outgoing relationships of the given types of each file (File key ->
        IMPORTS/CALLS/INHERITS) to exactly `edges`, deleting and creating only those that
        differ; other types are left alone. For files this run did not rewrite, whose edges
        moved a little: a Go package that gained a file adds one IMPORTS to each of its
        importers, which rewriting them whole would redo, calls and all.

        The stored relationships are read back to compare, except those of a (File key,
        type) in `known`, which the caller vouches are exactly these rows: then only the
        ones to delete are looked up, for their ids.

        Digests are cleared first, so if this dies half-way the next run compares again.
        """
        known = known or {}
        identities = [_edge_identity(e) for e in edges]
        wanted = Counter(identities)
        # Relationships no longer wanted, by (source label, type): {src, id} rows.
        stale: dict[tuple[str, str], list[dict[str, str]]] = {}
        gone = _unwanted(wanted, known)
        unknown = {
            key: sorted(t for t in types if (key, t) not in known) for key, types in files.items()
        }
        await self._clear_digests([key for key, types in unknown.items() if not types])
        rows = [{"key": key, "types": types} for key, types in sorted(unknown.items()) if types]
        for batch in _batches(rows, self._batch):
            # One row per batch, not per relationship: the driver spends ~60 us on each row.
            for record in await self._records(
                """
                UNWIND $files AS file
                MATCH (f:File {key: file.key})
                SET f.edges_digest = null
                WITH f, file
                CALL (f, file) {
                    // A type in each branch, written out: expanding all and filtering by
                    // type(r) would walk every CALLS of a file whose IMPORTS alone moved.
                    WITH f WHERE 'IMPORTS' IN file.types
                    MATCH (f)-[r:IMPORTS]->(b)
                    RETURN r, b
                  UNION
                    WITH f WHERE 'CALLS' IN file.types
                    MATCH (f)-[r:CALLS]->(b)
                    RETURN r, b
                  UNION
                    WITH file WHERE 'CALLS' IN file.types
                    MATCH (s:Symbol {file_key: file.key})-[r:CALLS]->(b)
                    USING INDEX s:Symbol(file_key)
                    RETURN r, b
                  UNION
                    WITH file WHERE 'INHERITS' IN file.types
                    MATCH ()-[r:INHERITS {file_key: file.key}]->(b)
                    RETURN r, b
                }
                RETURN collect([elementId(r), type(r),
                                CASE WHEN startNode(r):File THEN 'File' ELSE 'Symbol' END,
                                startNode(r).key,
                                CASE WHEN b:Module THEN 'Module' WHEN b:File THEN 'File'
                                     ELSE 'Symbol' END,
                                b.key, properties(r)]) AS edges
                """,
                files=list(batch),
            ):
                for element_id, rel, src_label, src, dst_label, dst, props in record["edges"]:
                    self.edges_read_back += 1
                    found = (rel, src, dst_label, dst, _props_identity(props))
                    if wanted[found] > 0:
                        wanted[found] -= 1
                    else:
                        row = {"src": src, "id": element_id}
                        stale.setdefault((src_label, rel), []).append(row)
        for (src_label, rel), found_ids in (await self._ids_of(gone)).items():
            stale.setdefault((src_label, rel), []).extend(found_ids)
        for (src_label, rel), doomed in sorted(stale.items()):
            doomed.sort(key=lambda row: (row["src"], row["id"]))
            for batch in _batches(doomed, self._batch):
                # Through the source's key: `MATCH ()-[r]->() WHERE elementId(r) = ...` is
                # planned as a scan of every relationship.
                await self._run(
                    f"""
                    UNWIND $rows AS row
                    MATCH (a:{src_label} {{key: row.src}})-[r:{rel}]->()
                    WHERE elementId(r) = row.id
                    DELETE r
                    """,
                    rows=list(batch),
                )
        missing = []
        for edge, identity in zip(edges, identities, strict=True):
            if wanted[identity] > 0:
                wanted[identity] -= 1
                missing.append(edge)
        await self.create_edges(missing)

    async def _clear_digests(self, file_keys: Sequence[str]) -> None:
        for batch in _batches(sorted(file_keys), self._batch):
            await self._run(
                "UNWIND $keys AS key MATCH (f:File {key: key}) SET f.edges_digest = null",
                keys=list(batch),
            )

    async def _ids_of(
        self, edges: Sequence[EdgeRow]
    ) -> dict[tuple[str, str], list[dict[str, str]]]:
        """The {src, id} rows, by (source label, type), of these stored relationships: only
        the relationships between their end points are read."""
        gone = Counter(_edge_identity(edge) for edge in edges)
        pairs: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for edge in edges:
            pairs.setdefault((edge.src_label, edge.type), set()).add((edge.src_key, edge.dst_key))
        found: dict[tuple[str, str], list[dict[str, str]]] = {}
        for (src_label, rel), ends in sorted(pairs.items()):
            rows = [{"src": src, "dst": dst} for src, dst in sorted(ends)]
            for batch in _batches(rows, self._batch):
                for record in await self._records(
                    f"""
                    UNWIND $rows AS row
                    MATCH (a:{src_label} {{key: row.src}})-[r:{rel}]->(b)
                    WHERE b.key = row.dst
                    RETURN collect([elementId(r), a.key,
                                    CASE WHEN b:Module THEN 'Module' WHEN b:File THEN 'File'
                                         ELSE 'Symbol' END,
                                    b.key, properties(r)]) AS edges
                    """,
                    rows=list(batch),
                ):
                    for element_id, src, dst_label, dst, props in record["edges"]:
                        self.edges_read_back += 1
                        identity = (rel, src, dst_label, dst, _props_identity(props))
                        if gone[identity] > 0:
                            gone[identity] -= 1
                            found.setdefault((src_label, rel), []).append(
                                {"src": src, "id": element_id}
                            )
        return found

    async def create_edges(self, edges: Sequence[EdgeRow]) -> None:
        """Create these relationships (Module targets on first use); none is looked for first."""
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for edge in sorted(edges, key=EdgeRow.sort_key):
            groups.setdefault((edge.type, edge.src_label, edge.dst_label), []).append(
                {
                    "src": edge.src_key,
                    "dst": edge.dst_key,
                    "props": edge.props,
                    "dst_props": edge.dst_props,
                }
            )
        for (rel, src_label, dst_label), rows in sorted(groups.items()):
            merge_target = "MERGE" if dst_label == "Module" else "MATCH"
            target = (
                "(b:Module {key: row.dst}) ON CREATE SET b += row.dst_props"
                if dst_label == "Module"
                else f"(b:{dst_label} {{key: row.dst}})"
            )
            for batch in _batches(rows, self._batch):
                await self._run(
                    f"""
                    UNWIND $rows AS row
                    MATCH (a:{src_label} {{key: row.src}})
                    {merge_target} {target}
                    CREATE (a)-[r:{rel}]->(b)
                    SET r += row.props
                    """,
                    rows=list(batch),
                )
        self.edges_written += len(edges)

    async def delete_orphan_modules(self, repo_id: str, branch: str) -> int:
        rows = await self._run(
            """
            MATCH (m:Module {repo_id: $repo_id, branch: $branch})
            WHERE NOT (m)<-[:IMPORTS]-()
            DETACH DELETE m
            RETURN count(*) AS deleted
            """,
            repo_id=repo_id,
            branch=branch,
        )
        return int(rows[0]["deleted"]) if rows else 0

    async def delete_orphan_symbols(self, repo_id: str, branch: str, batch: int = 5000) -> int:
        """Definitions whose File is gone (left by an interrupted run), in bounded batches."""
        deleted = 0
        while True:
            rows = await self._run(
                """
                MATCH (s:Symbol {repo_id: $repo_id, branch: $branch})
                WHERE NOT EXISTS { MATCH (f:File {key: s.file_key}) }
                WITH s LIMIT $batch
                DETACH DELETE s
                RETURN count(*) AS deleted
                """,
                repo_id=repo_id,
                branch=branch,
                batch=batch,
            )
            count = int(rows[0]["deleted"]) if rows else 0
            deleted += count
            if count < batch:
                return deleted

    async def set_digests(self, digests: dict[str, str]) -> None:
        rows = sorted(({"key": k, "digest": d} for k, d in digests.items()), key=lambda r: r["key"])
        for batch in _batches(rows, self._batch):
            await self._run(
                """
                UNWIND $rows AS row
                MATCH (f:File {key: row.key})
                SET f.edges_digest = row.digest
                """,
                rows=list(batch),
            )
