"""One branch snapshot into Neo4j: parse only changed blobs, then write only what changed.

`parse` lists the commit's files with their blob ids, compares them with the blob ids stored on
the branch's File nodes, and parses new or changed blobs on all cores, streaming rows to
`parsed.jsonl` in the run directory. `persist` writes those files' nodes, deletes vanished
files, re-resolves in memory the edges of every file the change can reach (`affected.py`: the
modified files and the files naming a function they add or remove; with the resolution tables
this worker kept from the branch's last run, also the files an edited import, a changed type or
an added or deleted file reaches; else the whole branch) and rewrites the outgoing edges of
exactly the files whose edges changed, detected by a digest stored per file. The graph after an
incremental run therefore equals a full index of the commit.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import posixpath
import time
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Collection, Iterable, Iterator
from contextlib import aclosing, contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypedDict

from neo4j import AsyncDriver

from activities.codegraph.affected import MAX_CHANGED_SHARE, affected_files
from activities.codegraph.branch_resolution import BoundEdges, BranchResolution, parse_go_mod
from activities.codegraph.cargo import MANIFEST, crate_roots
from activities.codegraph.file_chunks import FileChunk, prepare_chunk
from activities.codegraph.graph_rows import (
    DigestParts,
    EdgeRow,
    branch_key,
    changed_edge_types,
    digest_part,
    edges_digest_parts,
    file_key,
    joined_digest,
)
from activities.codegraph.graph_writer import GraphWriter, ResolutionState, StoredFile
from activities.codegraph.index_format import grammar_versions, index_format
from activities.codegraph.kept_resolutions import KeptResolutions
from activities.codegraph.model import FileExtraction
from activities.codegraph.msbuild import ProjectUsings, is_msbuild_file, project_usings
from activities.codegraph.npm_workspaces import Packages, is_workspace_file, workspace_packages
from activities.codegraph.parse_worker import ParseItem, parse_files, parse_pool, row_line
from activities.codegraph.skipping import SkipReason, SkipRules
from activities.codegraph.snapshot_plan import SnapshotPlan, plan_snapshot
from activities.codegraph.tsconfig import Aliases, is_config, path_aliases
from activities.git_client import GitClient, TreeEntry
from app.settings import Settings
from workflows.contracts import GraphOutcome, ParseOutcome, SnapshotRef

log = logging.getLogger("repograph.indexer")
PARSED = "parsed.jsonl"
PLAN = "plan.json"
CHUNK_BYTES = 512 * 1024  # parse work is shipped to processes in chunks of about this size
WRITE_CHUNK_FILES = 200
# Each added, deleted or retyped file (types added, removed or renamed) costs the kept
# resolution tables a pass over the branch's definitions (~30 ms on CPython's stdlib); beyond
# this many, building them afresh is cheaper.
KEPT_UPDATE_MAX_FILES = 10
# go.mod, tsconfig, Cargo.toml, MSBuild and package.json files larger than this are not read
# (real ones are a few KiB).
MAX_ROOT_FILE_BYTES = 256 * 1024


class ModuleRoots(TypedDict):
    go: dict[str, str]  # directory -> the module path its go.mod declares
    js: Aliases  # directory -> the path aliases of the tsconfig there
    rust: dict[str, str]  # crate name -> its library root, from the Cargo.toml files
    cs: ProjectUsings  # C# project directory -> its `<Using>` items, from the MSBuild files
    npm: Packages  # JavaScript workspace package name -> its directory and exports


# Extractions kept in memory between runs (LRU, INDEX_CACHE_FILES); about 70 KiB each for
# CPython-sized files.
EXTRACTION_CACHE_FILES = Settings.index_cache_files


class ExtractionCache:
    """Extractions of recently indexed files by File key and blob id, so a re-index reads back
    from Neo4j (and decompresses) only the unchanged files this worker has not seen. Exact: an
    extraction is a function of the path, the blob and the language, all in the lookup."""

    def __init__(self, limit: int = EXTRACTION_CACHE_FILES) -> None:
        self._entries: OrderedDict[str, tuple[str, FileExtraction]] = OrderedDict()
        self._limit = limit

    def get(self, key: str, blob_sha: str | None) -> FileExtraction | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != blob_sha:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: str, blob_sha: str, extraction: FileExtraction) -> None:
        self._entries[key] = (blob_sha, extraction)
        self._entries.move_to_end(key)
        while len(self._entries) > self._limit:
            self._entries.popitem(last=False)


class CodeGraphIndexer:
    """Implements the worker's SnapshotIndexer with tree-sitter and Neo4j."""

    def __init__(self, settings: Settings, driver: AsyncDriver, git: GitClient) -> None:
        self._settings = settings
        self._driver = driver
        self._git = git
        self._rules = SkipRules(
            max_bytes=settings.max_file_bytes,
            vendored_dirs=settings.vendored_dirs,
            parse_cpu_seconds=settings.parse_file_cpu_seconds,
        )
        self._format = index_format(self._rules, settings.extra_languages, grammar_versions())
        workers = settings.parse_processes or os.cpu_count() or 1
        self._pool = parse_pool(workers)
        self._workers = workers
        self._extractions = ExtractionCache(settings.index_cache_files)
        self._resolutions = KeptResolutions(settings.index_cache_files)

    async def aclose(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _writer(self) -> GraphWriter:
        return GraphWriter(
            self._driver, self._settings.neo4j_database, self._settings.graph_batch_size
        )

    async def parse(
        self, snapshot: SnapshotRef, repo_dir: Path, out_dir: Path, deadline: float | None = None
    ) -> ParseOutcome:
        """Plan the run and parse what it must into `out_dir`. Past `deadline` (a
        `time.monotonic()` value) no file is started: the rest is recorded as deferred, and
        the next run parses it."""
        started = time.monotonic()
        repo_id, branch = snapshot.repo.repo_id, snapshot.branch
        tree = await self._git.list_blobs(repo_dir, snapshot.commit_sha)
        writer = self._writer()
        # The version first: a settle between the two reads then shows as a new version.
        state = await writer.resolution_state(branch_key(repo_id, branch))
        stored = await writer.stored_files(repo_id, branch)
        reparse = bool(stored) and state.index_format != self._format
        if reparse:
            log.info(
                "index format changed: parsing every file again",
                extra={"repo_id": repo_id, "branch": branch, "files": len(stored)},
            )
        plan = plan_snapshot(
            tree,
            {p: f.blob_sha for p, f in stored.items()},
            self._rules,
            self._settings.extra_languages,
            reparse_all=reparse,
            # A deferred file is parsed now, whatever its blob; gone, it is deleted.
            reparse={p for p, f in stored.items() if f.deferred},
        )
        roots = await self._module_roots(repo_dir, tree)
        (out_dir / PLAN).write_text(
            json.dumps(
                {
                    "unchanged": plan.unchanged,
                    "deleted": plan.deleted,
                    "to_parse": [f.path for f in plan.to_parse],
                    "roots": roots,
                    "index_format": self._format,
                    "stored": {
                        "version": None if state.pending else state.version,
                        "files": [asdict(f) for f in stored.values()],
                    },
                }
            )
        )
        skipped = await self._parse_to_disk(plan, repo_dir, out_dir / PARSED, deadline)
        deferred = skipped[SkipReason.DEFERRED]
        if deferred:
            log.warning(
                "parse time ran out: files deferred to the next run",
                extra={"repo_id": repo_id, "branch": branch, "files": deferred},
            )
        return ParseOutcome(
            parsed_files=len(plan.to_parse) - skipped.total(),
            skipped_files=skipped.total(),
            unchanged_files=len(plan.unchanged),
            deleted_files=len(plan.deleted),
            total_files=plan.total_files,
            seconds=round(time.monotonic() - started, 3),
            deferred_files=deferred,
        )

    async def _module_roots(self, repo_dir: Path, tree: list[TreeEntry]) -> ModuleRoots:
        """What imports resolve against besides the files: the module path each go.mod
        declares, by directory (Go), the path aliases of the tsconfig.json and jsconfig.json
        files (TypeScript: `tsconfig.path_aliases`) and the workspace's library crates
        (Rust: `cargo.crate_roots`), the usings C# projects declare in their MSBuild files
        (`msbuild.project_usings`) and the packages of a JavaScript workspace, from its
        package.json files (`npm_workspaces.workspace_packages`)."""
        wanted: dict[str, list[str]] = defaultdict(list)  # blob -> paths (copies share one)
        for entry in tree:
            name = posixpath.basename(entry.path)
            root_file = (
                name in ("go.mod", MANIFEST)
                or is_config(entry.path)
                or is_msbuild_file(name)
                or is_workspace_file(entry.path)
            )
            if root_file and entry.size <= MAX_ROOT_FILE_BYTES:
                wanted[entry.blob_sha].append(entry.path)
        go_modules: dict[str, str] = {}
        configs: dict[str, str] = {}
        manifests: dict[str, str] = {}
        msbuild: dict[str, str] = {}
        npm: dict[str, str] = {}
        if wanted:
            async for sha, content in self._git.read_blobs(repo_dir, list(wanted)):
                text = content.decode("utf-8", errors="replace")
                for path in wanted[sha]:
                    name = posixpath.basename(path)
                    if name == MANIFEST:
                        manifests[path] = text
                    elif is_msbuild_file(name):
                        msbuild[path] = text
                    elif is_workspace_file(path):
                        npm[path] = text
                    elif name != "go.mod":
                        configs[path] = text
                    elif module := parse_go_mod(text):
                        go_modules[posixpath.dirname(path)] = module
        return {
            "go": go_modules,
            "js": path_aliases(configs),
            "rust": crate_roots(manifests),
            "cs": project_usings(msbuild),
            "npm": workspace_packages(npm),
        }

    async def _parse_to_disk(
        self, plan: SnapshotPlan, repo_dir: Path, out: Path, deadline: float | None
    ) -> Counter[str]:
        """Parse every planned file on all cores; rows stream to `out`. Returns the files
        skipped, by reason. Past `deadline` the files not parsed yet are deferred."""
        skipped: Counter[str] = Counter()
        paths = _blobs_to_parse(plan)
        in_flight: set[asyncio.Future[list[tuple[str | None, str]]]] = set()
        limit = self._workers * 2
        with out.open("w") as sink:
            for planned in plan.to_parse:
                if planned.skip is not None:
                    sink.write(
                        row_line(planned.path, planned.blob_sha, planned.language, planned.skip)
                    )
                    skipped[planned.skip] += 1
            chunk: list[ParseItem] = []
            size = 0
            async with aclosing(self._git.read_blobs(repo_dir, list(paths))) as blobs:
                async for sha, content in blobs:
                    if deadline is not None and time.monotonic() >= deadline:
                        break
                    for language, names in paths.pop(sha).items():
                        chunk.append((names, sha, language, content))
                    size += len(content)
                    if size >= CHUNK_BYTES:
                        in_flight.add(self._submit(chunk, deadline))
                        chunk, size = [], 0
                        if len(in_flight) >= limit:
                            await _drain(in_flight, sink, skipped, first_only=True)
            if chunk:
                in_flight.add(self._submit(chunk, deadline))
            await _drain(in_flight, sink, skipped, first_only=False)
            # Blobs not read when the deadline passed: deferred like the files not started.
            for sha, by_language in paths.items():
                for language, names in by_language.items():
                    for path in names:
                        sink.write(row_line(path, sha, language, SkipReason.DEFERRED))
                        skipped[SkipReason.DEFERRED] += 1
        return skipped

    def _submit(
        self, chunk: list[ParseItem], deadline: float | None
    ) -> asyncio.Future[list[tuple[str | None, str]]]:
        return asyncio.wrap_future(
            self._pool.submit(parse_files, chunk, self._rules.parse_cpu_seconds, deadline)
        )

    async def persist(self, snapshot: SnapshotRef, out_dir: Path) -> GraphOutcome:
        started = time.monotonic()
        repo_id, branch = snapshot.repo.repo_id, snapshot.branch
        bkey = branch_key(repo_id, branch)
        writer = self._writer()
        plan = json.loads((out_dir / PLAN).read_text())
        state = await writer.resolution_state(bkey)
        stored = StoredFiles(
            repo_id, branch, await _stored_files_now(writer, repo_id, branch, plan, state)
        )
        # A plan from a worker before tsconfig aliases held only the go.mod map.
        plan.setdefault("roots", {"go": plan.get("go_modules", {}), "js": {}, "rust": {}})
        plan["roots"].setdefault("cs", {})  # and one from before C# project usings
        plan["roots"].setdefault("npm", {})  # and one from before JavaScript workspaces
        roots = _canonical(plan["roots"])
        settled = not state.pending and state.roots == roots
        if settled and self._nothing_to_write(out_dir, plan, stored.files.values()):
            if state.index_format != plan["index_format"]:
                # Only when no file was stored (else parse planned them all again).
                await writer.set_index_format(bkey, plan["index_format"])
            files, symbols = state.counts or await writer.branch_counts(repo_id, branch)
            return GraphOutcome(
                total_symbols=symbols,
                indexed_files=files,
                nodes_written=0,
                edges_written=0,
                seconds=round(time.monotonic() - started, 3),
                graph_changes=writer.changes,
            )
        self._resolutions.make_room(bkey, len(plan["unchanged"]) + len(plan["to_parse"]))
        # Until the edges are settled again a crash must not look like a finished run: the
        # next run then resolves the whole branch (and never takes the no-change short-cut).
        await writer.set_resolution_pending(bkey, plan["index_format"])
        change = await self._write_change(writer, snapshot, out_dir, plan, stored, settled=settled)
        with _gc_paused():
            resolution, resolved, previous = self._resolution(bkey, stored, plan["roots"], change)
            calls_kept = _calls_kept(resolution.calls_stable & resolved, stored, change.written)
            edges = resolution.edges(only=resolved, without_calls=calls_kept)
        if calls_kept:
            log.info(
                "importers re-resolved without their calls",
                extra={"repo_id": repo_id, "branch": branch, "files": len(calls_kept)},
            )
        await _rewrite_changed_edges(
            writer,
            stored,
            edges,
            resolved,
            change.written,
            previous=previous,
            calls_kept=calls_kept,
            current=resolution.bound_edges(),
            memo=resolution.digest_parts,
        )
        await writer.delete_orphan_modules(repo_id, branch)
        extractions = change.extractions
        symbols = sum(len(e.definitions) for e in extractions.values())
        counts = (len(extractions), symbols)
        await writer.settle_resolution(bkey, roots, counts, plan["index_format"])
        self._resolutions.keep(bkey, resolution, change.blobs, roots)
        return GraphOutcome(
            total_symbols=symbols,
            indexed_files=len(extractions),
            nodes_written=writer.nodes_written,
            edges_written=writer.edges_written,
            seconds=round(time.monotonic() - started, 3),
            graph_changes=writer.changes,
            resolved_files=len(resolved),
            edges_read_back=writer.edges_read_back,
        )

    async def _write_change(
        self,
        writer: GraphWriter,
        snapshot: SnapshotRef,
        out_dir: Path,
        plan: dict[str, Any],
        stored: StoredFiles,
        *,
        settled: bool,
    ) -> BranchChange:
        """Write the parsed files' nodes and delete the vanished files, keeping what
        resolution needs: every parsed file's extraction, and the old and new extractions of
        the modified, added and deleted files (read before they are overwritten). A file
        parsed before and skipped now counts as deleted; skipped before and parsed now, as
        added."""
        before = await self._previous_extractions(writer, plan, stored, settled)
        deleted: dict[str, FileExtraction] = {}
        if before is not None:
            deleted = {path: before.pop(path) for path in plan["deleted"] if path in before}
        extractions: dict[str, FileExtraction] = {}
        blobs: dict[str, str] = {}
        written = await self._write_parsed(writer, snapshot, out_dir / PARSED, extractions, blobs)
        await writer.delete_files([stored.key(path) for path in plan["deleted"]])
        if before is not None:
            # Gone from resolution: parsed before, skipped now (generated, binary, too large,
            # deferred). Its File node stays, flagged, but to resolution it is a file deleted.
            deleted.update((p, before.pop(p)) for p in sorted(before.keys() - extractions.keys()))
        after = {path: extractions[path] for path in before or ()}
        # New to resolution: parsed now and not before (a skipped file has no extraction).
        added = {
            p: extractions[p]
            for p in plan["to_parse"]
            if p in extractions and not _was_parsed(stored, p)
        }
        extractions.update(await self._extractions_of(writer, stored, plan["unchanged"]))
        blobs.update((p, stored.files[p].blob_sha) for p in extractions.keys() - blobs.keys())
        return BranchChange(before, after, added, deleted, extractions, blobs, written)

    def _resolution(
        self, bkey: str, stored: StoredFiles, roots: ModuleRoots, change: BranchChange
    ) -> tuple[BranchResolution, set[str], BoundEdges]:
        """The branch's resolution after `change` (the kept one brought up to date, else built
        afresh with these module roots), the files whose edges are to be resolved again, and
        the IMPORTS and INHERITS rows the kept one had before (empty when built afresh)."""
        resolution, scope, previous = self._kept_resolution(bkey, stored, _canonical(roots), change)
        if resolution is None:
            scope = _resolution_scope(change, stored)
        extractions = change.extractions
        resolved = set(extractions) if scope is None else scope & extractions.keys()
        log.info(
            "resolving",
            extra={
                "repo_id": stored.repo_id,
                "branch": stored.branch,
                "files": len(resolved),
                "kept_tables": resolution is not None,
            },
        )
        if resolution is None:
            resolution = BranchResolution(
                stored.repo_id,
                stored.branch,
                extractions,
                roots["go"],
                js_aliases=roots["js"],
                rust_crates=roots["rust"],
                cs_usings=roots["cs"],
                js_packages=roots["npm"],
            )
        return resolution, resolved, previous

    def _kept_resolution(
        self, bkey: str, stored: StoredFiles, roots: str, change: BranchChange
    ) -> tuple[BranchResolution | None, set[str] | None, BoundEdges]:
        """The branch's kept resolution brought up to this run's narrow change, the files to
        re-resolve (None: all) and its IMPORTS and INHERITS rows from before the change, if
        this worker holds one built from exactly the blobs the branch had before the run.
        With it, an edited import, a type added, removed or renamed, and an added, deleted or
        renamed file are narrow changes too."""
        blobs = {path: file.blob_sha for path, file in stored.files.items() if file.parsed}
        kept = self._resolutions.take(bkey, blobs, roots)
        after = change.after
        if kept is None or change.before is None or not kept.can_update(after):
            return None, None, {}
        retyped = kept.retyped(after)
        if len(change.added) + len(change.deleted) + len(retyped) > KEPT_UPDATE_MAX_FILES:
            return None, None, {}
        scope = _resolution_scope(change, stored, kept_tables=True)
        if scope is None:
            return None, None, {}
        previous = kept.bound_edges()
        return kept, kept.update(after, scope, change.added, list(change.deleted)), previous

    async def _previous_extractions(
        self, writer: GraphWriter, plan: dict[str, Any], stored: StoredFiles, settled: bool
    ) -> dict[str, FileExtraction] | None:
        """The stored extractions of the modified and the deleted files, read before they are
        overwritten, or None when the run must resolve the whole branch (too many changes, a
        module roots change or an interrupted run). A file stored as skipped has no extraction and
        no part in resolution: deleted, it is left out; parsed now, it counts as added."""
        to_parse = plan.get("to_parse")
        if not settled or to_parse is None:
            return None
        if len(to_parse) + len(plan["deleted"]) > MAX_CHANGED_SHARE * max(len(stored.files), 1):
            return None
        modified = [path for path in to_parse if _was_parsed(stored, path)]
        if any(path not in stored.files for path in plan["deleted"]):
            return None  # another run changed the branch since this one was planned
        deleted = [path for path in plan["deleted"] if stored.files[path].parsed]
        found = await self._extractions_of(writer, stored, [*modified, *deleted])
        return found if found.keys() == {*modified, *deleted} else None

    async def _extractions_of(
        self, writer: GraphWriter, stored: StoredFiles, paths: list[str]
    ) -> dict[str, FileExtraction]:
        """Stored extractions of these paths at their stored blobs: from memory, else Neo4j."""
        found: dict[str, FileExtraction] = {}
        missing = []
        for path in paths:
            key = stored.key(path)
            cached = self._extractions.get(key, stored.blob(path))
            if cached is not None:
                found[path] = cached
            else:
                missing.append(key)
        for path, extraction in (await writer.stored_extractions(missing)).items():
            found[path] = extraction
            self._extractions.put(stored.key(path), stored.files[path].blob_sha, extraction)
        return found

    @staticmethod
    def _nothing_to_write(
        out_dir: Path, plan: dict[str, Any], stored: Iterable[StoredFile]
    ) -> bool:
        """No file changed and every edge digest is in place."""
        if plan["deleted"] or (out_dir / PARSED).stat().st_size > 0:
            return False
        return all(file.edges_digest is not None for file in stored if file.parsed)

    async def is_current(self, repo_id: str, branch: str) -> bool:
        """Whether the graph of the branch's indexed head is whole and in this worker's index
        format; if not, indexing that head again does something."""
        writer = self._writer()
        state = await writer.resolution_state(branch_key(repo_id, branch))
        if state.index_format != self._format:
            return False
        return not await writer.has_deferred_files(repo_id, branch)

    async def cleanup_stale(self, snapshot: SnapshotRef) -> int:
        """Remove what an exact run cannot leave but an interrupted one can: orphans."""
        writer = self._writer()
        repo_id, branch = snapshot.repo.repo_id, snapshot.branch
        return await writer.delete_orphan_symbols(repo_id, branch) + (
            await writer.delete_orphan_modules(repo_id, branch)
        )

    async def _write_parsed(
        self,
        writer: GraphWriter,
        snapshot: SnapshotRef,
        parsed: Path,
        extractions: dict[str, FileExtraction],
        blobs: dict[str, str],
    ) -> set[str]:
        """Write the parsed files chunk by chunk and return their File keys; their extractions
        and blob ids go into `extractions` and `blobs`. Each chunk is decoded in a thread while
        the one before it is being written."""
        repo_id, branch = snapshot.repo.repo_id, snapshot.branch
        bkey = branch_key(repo_id, branch)
        written: set[str] = set()
        ready: FileChunk | None = None
        for lines in _chunks(_lines(parsed), WRITE_CHUNK_FILES):
            upcoming = asyncio.create_task(asyncio.to_thread(prepare_chunk, repo_id, branch, lines))
            try:
                if ready is not None:
                    written.update(await self._write_chunk(writer, bkey, ready, extractions, blobs))
            finally:
                ready = await upcoming  # even when the write failed: never leave a task behind
        if ready is not None:
            written.update(await self._write_chunk(writer, bkey, ready, extractions, blobs))
        return written

    async def _write_chunk(
        self,
        writer: GraphWriter,
        bkey: str,
        chunk: FileChunk,
        extractions: dict[str, FileExtraction],
        blobs: dict[str, str],
    ) -> list[str]:
        keys = chunk.keys
        # Order matters for crash safety: a file's blob id is committed last, so a file
        # whose definitions were not all written still looks changed to the next run.
        await writer.clear_outgoing(keys)
        await writer.write_symbols(keys, chunk.symbols)
        await writer.write_files(bkey, chunk.file_rows)
        await writer.write_defines(chunk.defines)
        await writer.commit_blobs(chunk.blobs)
        for path, (fkey, blob, extraction) in chunk.extractions.items():
            extractions[path] = extraction
            blobs[path] = blob
            self._extractions.put(fkey, blob, extraction)
        return keys


def _blobs_to_parse(plan: SnapshotPlan) -> dict[str, dict[str, list[str]]]:
    """Blob -> language -> paths of the files to parse: a blob is parsed once per language it
    is stored as (an empty file is one blob, whatever its name)."""
    paths: dict[str, dict[str, list[str]]] = {}
    for planned in plan.to_parse:
        if planned.skip is None:
            by_language = paths.setdefault(planned.blob_sha, {})
            by_language.setdefault(planned.language, []).append(planned.path)
    return paths


async def _drain(
    in_flight: set[asyncio.Future[list[tuple[str | None, str]]]],
    sink: Any,
    skipped: Counter[str],
    *,
    first_only: bool,
) -> None:
    """Write finished chunks' rows to `sink`, counting their skip reasons into `skipped`."""
    while in_flight:
        done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
        for future in done:
            in_flight.discard(future)
            for reason, line in future.result():
                if reason is not None:
                    skipped[reason] += 1
                sink.write(line)
        if first_only:
            break


_NO_FILE = StoredFile(path="", blob_sha="", edges_digest=None)


@dataclass(frozen=True)
class BranchChange:
    """What a persist wrote, as resolution needs it."""

    # Old extractions of the modified files that still parse, or None when the whole branch
    # is to be resolved (see `_previous_extractions`); `after` holds their new ones.
    before: dict[str, FileExtraction] | None
    after: dict[str, FileExtraction]
    added: dict[str, FileExtraction]  # parsed now and not before (new, or skipped before)
    deleted: dict[str, FileExtraction]  # last extractions: files gone, or skipped now
    extractions: dict[str, FileExtraction]  # every parsed file of the branch now
    blobs: dict[str, str]  # the blob id of each of those
    written: set[str]  # File keys written by this run


@dataclass(frozen=True)
class StoredFiles:
    """The File nodes of one branch as read at the start of a persist, by path."""

    repo_id: str
    branch: str
    files: dict[str, StoredFile]

    def key(self, path: str) -> str:
        return file_key(self.repo_id, self.branch, path)

    def blob(self, path: str) -> str | None:
        known = self.files.get(path)
        return known.blob_sha if known else None


def _was_parsed(stored: StoredFiles, path: str) -> bool:
    known = stored.files.get(path)
    return known is not None and known.parsed


async def _rewrite_changed_edges(
    writer: GraphWriter,
    stored: StoredFiles,
    edges: dict[str, list[EdgeRow]],
    resolved: set[str],
    written: set[str],
    *,
    previous: BoundEdges,
    calls_kept: Collection[str] = (),
    current: BoundEdges,
    memo: DigestParts,
) -> None:
    """Rewrite the outgoing edges of each resolved file that was just written or whose edge
    digest differs from the stored one; the others keep theirs untouched. A written file's
    edges are created whole (writing it cleared its old ones: `clear_outgoing`); another
    file's are brought up to date edge by edge, reading back only the edge types whose part
    of the digest moved, as only a few edges usually did, and not even those where
    `previous` (the kept resolution's rows from before this run) has that part of the
    stored digest. The files of `calls_kept` come without CALLS rows: theirs stay as
    stored, and so does that part of their digest.

    The IMPORTS and INHERITS parts of the new digests are remembered in `memo` against the
    lists of `current` (the resolution's rows now) they were hashed from, for the next run
    to check its `previous` without hashing it; this run's `previous` is checked first."""
    prefix = branch_key(stored.repo_id, stored.branch) + "|"
    parts = {path: edges_digest_parts(edges.get(path, ()), prefix) for path in resolved}
    for path in calls_kept:
        parts[path]["CALLS"] = digest_part(stored.files[path].edges_digest, "CALLS") or ""
    digests = {path: joined_digest(p) for path, p in parts.items()}
    rewrite = sorted(
        path
        for path, digest in digests.items()
        if stored.key(path) in written or stored.files.get(path, _NO_FILE).edges_digest != digest
    )
    await writer.create_edges(
        [e for p in rewrite if stored.key(p) in written for e in edges.get(p, ())]
    )
    moved = {
        path: changed_edge_types(stored.files.get(path, _NO_FILE).edges_digest, digests[path])
        for path in rewrite
        if stored.key(path) not in written
    }
    known = _known_edges(moved, previous, stored, prefix, memo)
    for path, by_type in parts.items():
        # `edges` holds exactly these lists' rows of the type (`BranchResolution.edges`).
        for edge_type, by_path in current.items():
            if path in by_path:
                memo.remember(path, edge_type, by_path[path], by_type[edge_type])
    memo.keep_only(current)
    await writer.update_code_edges(
        {stored.key(p): types for p, types in moved.items()},
        [e for p, types in moved.items() for e in edges.get(p, ()) if e.type in types],
        known=known,
    )
    await writer.set_digests({stored.key(p): digests[p] for p in rewrite})


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector over resolution: a burst of allocation (tables,
    rows) that makes no reference cycles. Each full collection scans every object, the
    worker's kept tables included: 2.2 million for Go's tree, where collections took 1 s of
    the 2.5 s a file added to `strings` spent resolving, and 20 % of resolving the whole
    tree. Reference counting still frees whatever is not in a cycle."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _calls_kept(stable: set[str], stored: StoredFiles, written: set[str]) -> set[str]:
    """The files of `stable` (whose CALLS the run cannot have moved) whose stored CALLS can
    stand: not rewritten by this run, and with a whole digest to say what they are (an
    interrupted run leaves none)."""
    return {
        path
        for path in stable
        if stored.key(path) not in written
        and path in stored.files
        and digest_part(stored.files[path].edges_digest, "CALLS") is not None
    }


def _known_edges(
    moved: dict[str, tuple[str, ...]],
    previous: BoundEdges,
    stored: StoredFiles,
    prefix: str,
    memo: DigestParts,
) -> dict[tuple[str, str], list[EdgeRow]]:
    """The stored edges of each (File key, edge type) to update that `previous` holds: its
    rows count only where they hash to that type's part of the file's stored digest, which
    says what the graph holds, so a graph that moved away from the kept resolution (however
    it could) costs a read-back, never a wrong edge. What rows hash to comes from `memo`
    for the lists the last run hashed, which is sound because those lists never change."""
    known: dict[tuple[str, str], list[EdgeRow]] = {}
    for path, types in moved.items():
        stored_digest = stored.files.get(path, _NO_FILE).edges_digest
        for edge_type in types:
            rows = previous.get(edge_type, {}).get(path)
            if rows is None:
                continue
            if memo.part(path, edge_type, rows, prefix) == digest_part(stored_digest, edge_type):
                known[stored.key(path), edge_type] = rows
    return known


async def _stored_files_now(
    writer: GraphWriter, repo_id: str, branch: str, plan: dict[str, Any], state: ResolutionState
) -> dict[str, StoredFile]:
    """The branch's File nodes as they are now. Parse read them; while the branch is neither
    pending (a persist has begun, maybe an earlier attempt of this one) nor settled again
    since (a new `graph_version`), that is still what Neo4j holds, and the second read (0.1 s
    for CPython's 1,800 files, most of a small change's persist on a big branch) is saved."""
    seen = plan.get("stored") or {"version": None}
    unchanged = seen["version"] is not None and seen["version"] == state.version
    if unchanged and not state.pending:
        return {row["path"]: StoredFile(**row) for row in seen["files"]}
    return await writer.stored_files(repo_id, branch)


def _resolution_scope(
    change: BranchChange, stored: StoredFiles, *, kept_tables: bool = False
) -> set[str] | None:
    """The files to re-resolve (None: all)."""
    if change.before is None:
        return None
    scope = affected_files(
        change.before,
        change.after,
        change.extractions,
        kept_tables=kept_tables,
        added=change.added,
        deleted=change.deleted,
    )
    if scope is not None:
        # Files left without a digest by an interrupted run are mended here too.
        scope |= {p for p, f in stored.files.items() if f.parsed and f.edges_digest is None}
    return scope


def _canonical(roots: ModuleRoots) -> str:
    """The module roots as stored on the Branch: a change re-resolves the whole branch."""
    return json.dumps(roots, sort_keys=True, separators=(",", ":"))


def _lines(path: Path) -> Iterator[str]:
    with path.open() as source:
        yield from source


def _chunks(lines: Iterator[str], size: int) -> Iterator[list[str]]:
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
