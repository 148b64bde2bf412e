"""Index benchmark: a real corpus committed with git, a private Neo4j, the issue's scenarios.

    .venv/bin/python -m bench.index [--corpus cpython|go] [--quick] [--profile]
                                    [--cprofile [SCENARIO]] [--patch NAME ...] [--no-doc]

(a) parse-only, the limit: tree-sitter parse of every file on a spawn pool of 2, no extraction,
    no Neo4j; (b) full index into an empty Neo4j (fetch, parse, upsert, persist); (c) re-index
    after a one-file change, (c2) a second one, (c3) one adding an import, (c4) one adding a
    file, (c5) one adding a class, (c6) one marking the added file generated; (d) re-index at
    an unchanged head, and the `ls-remote` (with the read of the Branch's index format) the
    workflow uses to skip it; (b2) the corpus again as a second repository. Prints the table
    and writes it to docs/benchmarks-index.md.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import datetime
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from activities.codegraph.indexer import CHUNK_BYTES, CodeGraphIndexer
from activities.codegraph.languages import detect_language
from activities.codegraph.parse_worker import parse_pool
from activities.connections import neo4j_driver
from activities.git_client import GitClient
from activities.graph_schema import create_schema
from activities.metadata_store import MetadataStore
from activities.workspace import Workspace, warm_key
from app.settings import Settings
from bench import _patches
from bench._corpus import (
    Corpus,
    add_file,
    add_import,
    add_type,
    build_repo,
    change_one_file,
    load_corpus,
    mark_added_file_generated,
)
from bench._measure import (
    GIB,
    HEADER,
    Meter,
    Row,
    chunked,
    load_average,
    machine,
    parse_chunk,
    verdict,
    warm_worker,
)
from bench._measure import markdown_table as table
from bench._profile import CallTimer, cprofile_report
from stack.services import Neo4j, free_port
from workflows.contracts import RepoRef, SnapshotRef

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks-index.md"
PROCESSES = 2
BRANCH = "main"
PHASE_HEADER = ["scenario", "phase", "wall s", "CPU s Python", "CPU s Neo4j", "Neo4j JIT s"]


def parse_only(corpus: Corpus, meter: Meter) -> tuple[Row, float]:
    """(a): returns the row and the time the pool took to spawn and import the grammar."""
    items = [(detect_language(rel) or "python", data) for rel, data in corpus.contents()]
    with parse_pool(PROCESSES) as pool:
        started = time.monotonic()
        list(pool.map(warm_worker, [0.5] * PROCESSES))
        spawn = time.monotonic() - started - 0.5
        meter.reset()
        started = time.monotonic()
        parsed = sum(pool.map(parse_chunk, chunked(items, CHUNK_BYTES)))
        seconds = time.monotonic() - started
        sample = meter.read()
    return Row("(a) parse-only (limit)", seconds, len(items), parsed / 1e6, 0, sample), spawn


@dataclass
class IndexRuns:
    """(b)-(d): one indexer (one parse pool) for all runs, as in a long-lived worker."""

    corpus: Corpus
    url: str
    scratch: Path
    settings: Settings
    meter: Meter
    timer: CallTimer | None = None
    cprofile: str | None = None  # the scenario whose persist is profiled: "b", "c4", ...
    phases: list[list[str]] = field(default_factory=list)
    profiles: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.driver = neo4j_driver(self.settings)
        self.git = GitClient(allow_file_protocol=True)
        self.indexer = CodeGraphIndexer(self.settings, self.driver, self.git)
        self.metadata = MetadataStore(self.driver, self.settings.neo4j_database)
        self.workspace = Workspace(self.scratch / "workspaces", "bench")
        self.workspace.open()
        name = self.corpus.name
        self.repo = RepoRef(f"bench-{name}", "github", f"bench/{name}", self.url)

    async def run(self, name: str) -> Row:
        # As the worker does: the last run's repository of this branch is fetched into.
        run_dir = self.workspace.new_run_dir(name.split(maxsplit=1)[0].strip("()"))
        key = warm_key(self.repo.repo_id, BRANCH)
        self.workspace.take_warm(key, run_dir / "repo.git")
        self.meter.reset()
        t0, s0 = time.monotonic(), self.meter.read()
        sha = await self.git.fetch_branch(self.url, BRANCH, run_dir / "repo.git", None)
        t1, s1 = time.monotonic(), self.meter.read()
        snapshot = SnapshotRef(self.repo, BRANCH, sha, str(run_dir))
        parsed = await self.indexer.parse(snapshot, run_dir / "repo.git", run_dir)
        t2, s2 = time.monotonic(), self.meter.read()
        if self.timer is not None:
            # Parse reads the branch's state too: reported apart, so persist's figures are its own.
            self.profiles.append(self.timer.report(name, t2 - t1, "parse"))
        await self.metadata.upsert_repository(self.repo, BRANCH)
        scenario = name.split(maxsplit=1)[0].strip("()")
        profiler = cProfile.Profile() if self.cprofile == scenario else None
        if profiler:
            profiler.enable()
        graph = await self.indexer.persist(snapshot, run_dir)
        if profiler:
            profiler.disable()
            self.profiles.append(cprofile_report(profiler))
        t3, s3 = time.monotonic(), self.meter.read()
        self.workspace.keep_warm(key, run_dir / "repo.git", self.settings.warm_repos)
        self.workspace.remove(run_dir)
        for phase, seconds, before, after in (
            ("git fetch", t1 - t0, s0, s1),
            ("parse", t2 - t1, s1, s2),
            ("persist", t3 - t2, s2, s3),
        ):
            py, neo = after.cpu_python - before.cpu_python, after.cpu_neo4j - before.cpu_neo4j
            jit = after.jit_neo4j - before.jit_neo4j
            self.phases.append(
                [name, phase, f"{seconds:.2f}", f"{py:.1f}", f"{neo:.1f}", f"{jit:.1f}"]
            )
        if self.timer is not None:
            self.profiles.append(self.timer.report(name, t3 - t2))
        written = graph.nodes_written + graph.edges_written
        row = Row(name, t3 - t0, parsed.total_files, self.corpus.total_bytes / 1e6, written, s3)
        row.name += f" [{parsed.parsed_files} parsed, {graph.graph_changes:,} changes]"
        return row

    async def idle(self, name: str, seconds: float) -> None:
        """Wait, recording in the phase table what Neo4j does meanwhile (its JIT backlog)."""
        self.meter.reset()
        before = self.meter.read()
        await asyncio.sleep(seconds)
        after = self.meter.read()
        neo, jit = after.cpu_neo4j - before.cpu_neo4j, after.jit_neo4j - before.jit_neo4j
        self.phases.append([name, "idle", f"{seconds:.2f}", "-", f"{neo:.1f}", f"{jit:.1f}"])

    async def remote_head(self) -> Row:
        self.meter.reset()
        started = time.monotonic()
        await self.git.remote_head(self.url, BRANCH, None)
        # As fetch_repository does at the head already indexed: is the graph in this format?
        if not await self.indexer.is_current(self.repo.repo_id, BRANCH):
            raise RuntimeError("the graph just indexed is not in the indexer's format")
        seconds = time.monotonic() - started
        return Row("(d') unchanged head, ls-remote no-op", seconds, 0, 0, 0, self.meter.read())

    async def query(self, cypher: str, **params: Any) -> dict[str, Any]:
        records, _, _ = await self.driver.execute_query(cypher, params)
        return records[0].data()

    async def close(self) -> None:
        await self.indexer.aclose()
        await self.driver.close()
        self.workspace.close()


async def measure(
    corpus: Corpus, repo: Any, scratch: Path, neo: Neo4j, args: argparse.Namespace
) -> dict[str, Any]:
    settings = Settings(
        neo4j_uri=neo.uri,
        parse_processes=PROCESSES,
        graph_batch_size=args.batch_size,
        index_cache_files=args.cache_files,
    )
    runs = IndexRuns(corpus, f"file://{repo.bare}", scratch, settings, Meter(neo.pid()))
    await create_schema(runs.driver, settings.neo4j_database)
    runs.cprofile = args.cprofile
    if args.profile:
        runs.timer = CallTimer()
        runs.timer.install()
    try:
        rows = [await runs.run("(b) full index, empty Neo4j")]
        size = await runs.query(
            "MATCH (n) WHERE n.repo_id = $r OPTIONAL MATCH (n)-[e]->() "
            "RETURN count(DISTINCT n) AS nodes, count(e) AS edges",
            r=runs.repo.repo_id,
        )
        if args.settle:
            await runs.idle("(b) full index, empty Neo4j", args.settle)
        change_one_file(corpus, repo)
        rows.append(await runs.run("(c) one-file change"))
        # The same again. The first small update after (b) costs Neo4j ~1.5 s more CPU, once:
        # the JVM compiling the update and delete paths (b)'s inserts never ran (the JIT
        # column). Not query planning: `CYPHER replan=skip` on every statement changed
        # nothing. A serving instance has compiled them long before.
        change_one_file(corpus, repo, nth=2)
        rows.append(await runs.run("(c2) a second one-file change"))
        # An edited import: narrow only with the resolution tables the worker kept.
        add_import(corpus, repo)
        rows.append(await runs.run("(c3) a one-file change adding an import"))
        # A new file: narrow with the kept tables, though its directory is in scope.
        add_file(corpus, repo)
        rows.append(await runs.run("(c4) a one-file change adding a file"))
        # A new class (with a base): narrow with the kept tables.
        add_type(corpus, repo)
        rows.append(await runs.run("(c5) a one-file change adding a class"))
        # The added file leaves resolution (skipped from now on): narrow with the kept tables,
        # as a file deleted, though its File node stays.
        mark_added_file_generated(corpus, repo)
        rows.append(await runs.run("(c6) the added file marked generated"))
        rows.append(await runs.run("(d) unchanged head, fetch+parse+persist"))
        rows.append(await runs.remote_head())
        # The same corpus as a second repository: the JVM is warm and the query plans are
        # settled, as on a Neo4j that has been serving for a while.
        runs.repo = RepoRef(f"{runs.repo.repo_id}-2", "github", "bench/second", runs.url)
        rows.append(await runs.run("(b2) full index, second repository (warm Neo4j)"))
        version = await runs.query("CALL dbms.components() YIELD versions, edition "
                                   "RETURN versions[0] + ' ' + edition AS v")  # fmt: skip
    finally:
        if runs.timer is not None:
            runs.timer.uninstall()
        await runs.close()
    return {"rows": rows, "phases": runs.phases, "size": size, "version": version["v"],
            "profiles": runs.profiles, "resettable": runs.meter.resettable}  # fmt: skip


def share(part: Row, whole: Row, warm: Row) -> str:
    """`part` as a share of the full index (b) and of the warm one (b2)."""
    ratio, warm_ratio = 100 * part.seconds / whole.seconds, 100 * part.seconds / warm.seconds
    return f"{ratio:.1f}%; {warm_ratio:.1f}% of b2"


def report(
    args: argparse.Namespace, corpus: Corpus, a: Row, *, spawn: float, found: dict[str, Any],
    load: tuple[str, str],
) -> str:  # fmt: skip
    b, c, c2, c3, c4, c5, c6, d, d_ls, b2 = found["rows"]
    rows = [a, b, c, c2, c3, c4, c5, c6, d, d_ls, b2]
    worker_peak = max(r.sample.worker_rss for r in rows)
    # The worker process itself (persist, resolution, kept tables) is this process here.
    main_peak = max(r.sample.main_rss for r in rows)
    targets = [
        ("full index within 2x of parse-only",
         verdict(b.seconds <= 2 * a.seconds, f"{b.seconds / a.seconds:.1f}x")),
        ("full index within 2x of parse-only, warm Neo4j (b2)",
         verdict(b2.seconds <= 2 * a.seconds, f"{b2.seconds / a.seconds:.1f}x")),
        ("one-file re-index under 5% of full index",
         verdict(c.seconds < 0.05 * b.seconds, share(c, b, b2))),
        # Warm against warm: (c2) follows (c) as (b2) follows (b).
        ("one-file re-index under 5% of full index, second change (c2) vs warm (b2)",
         verdict(c2.seconds < 0.05 * b2.seconds, share(c2, b, b2))),
        ("one-file re-index under 5% of full index, an import edit (c3) vs warm (b2)",
         verdict(c3.seconds < 0.05 * b2.seconds, share(c3, b, b2))),
        ("one-file re-index under 5% of full index, a file added (c4) vs warm (b2)",
         verdict(c4.seconds < 0.05 * b2.seconds, share(c4, b, b2))),
        ("one-file re-index under 5% of full index, a class added (c5) vs warm (b2)",
         verdict(c5.seconds < 0.05 * b2.seconds, share(c5, b, b2))),
        ("one-file re-index under 5% of full index, a file marked generated (c6) vs warm (b2)",
         verdict(c6.seconds < 0.05 * b2.seconds, share(c6, b, b2))),
        ("unchanged head under 1 s (fetch+parse+persist)",
         verdict(d.seconds < 1, f"{d.seconds:.2f}s")),
        ("unchanged head under 1 s (workflow: ls-remote no-op)",
         verdict(d_ls.seconds < 1, f"{d_ls.seconds:.3f}s")),
        ("peak worker RSS under 1 GiB (largest parse worker)",
         verdict(worker_peak < GIB, f"{worker_peak / 2**20:.0f} MiB = {worker_peak / GIB:.2f}x")),
        ("peak RSS of the worker's main process under 1 GiB",
         verdict(main_peak < GIB, f"{main_peak / 2**20:.0f} MiB = {main_peak / GIB:.2f}x")),
    ]  # fmt: skip
    size = found["size"]
    rss = "reset at the start of each scenario" if found["resettable"] else "cumulative"
    command = " ".join(
        ["--corpus", corpus.name, *(["--quick"] if args.quick else []),
         *(f"--patch {p}" for p in args.patch),
         *([f"--settle {args.settle:g}"] if args.settle else []),
         *([f"--cache-files {args.cache_files}"]
           if args.cache_files != Settings.index_cache_files else []),
         *([f"--batch-size {args.batch_size}"] if args.batch_size != Settings.graph_batch_size
           else [])]
    )  # fmt: skip
    lines = [
        f"# Index benchmark: {corpus.name}{' (quick)' if args.quick else ''}",
        "",
        f"Run {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC with "
        f"`.venv/bin/python -m bench.index {command}`.",
        "",
        *(f"- {fact}" for fact in machine(found["version"])),
        f"- Load average before / after the run: {load[0]} / {load[1]} (other work on the "
        "machine inflates wall times; CPU seconds are robust to it).",
        f"- Corpus: {len(corpus.files):,} files, {corpus.total_bytes / 1e6:.1f} MB "
        f"from `{corpus.root}`, committed into a throw-away git repository; the one-file "
        f"changes append a function to `{corpus.changed}`, then (c3) adds "
        f"`{corpus.import_line.strip()}` to it, (c4) adds `{corpus.new_file[0]}`, (c5) "
        "appends a class with a base and a method to it and (c6) marks the added file "
        "`@generated`.",
        f"- Graph after (b): {size['nodes']:,} nodes, {size['edges']:,} relationships.",
        *([f"- Monkeypatched candidate fixes: {', '.join(args.patch)}"] if args.patch else []),
        "",
        table(HEADER, [r.cells() for r in rows]),
        "",
        "files/s and MB/s are over the whole snapshot (every file is listed and compared; only "
        "new blobs are parsed). nodes+edges is what the indexer reports writing (File and "
        "definition nodes, IMPORTS/CALLS/INHERITS edges); `changes` is every change Neo4j "
        "reported. CPU s Python is this process plus its parse workers; CPU s Neo4j is the "
        f"server JVM. RSS is the kernel's high-water mark per process (VmHWM), {rss}; worker "
        "RSS is the largest parse worker; main RSS is this process, which runs persist as the "
        "worker process does (resolution, the kept tables of the last branches, the Neo4j "
        "driver) and also holds the benchmark's corpus list. (a) runs on a warm pool: spawning "
        "it and importing "
        f"the grammar took {spawn:.2f}s more, which (b) pays.",
        "",
        "Phase split (Neo4j JIT s: time the Neo4j JVM spent compiling code, its "
        "`java.ci.totalTime` counter; on a fresh JVM most of its CPU goes there, and the first "
        "run of a code path pays it, such as (c)'s updates and deletes after (b)'s inserts):",
        "",
        table(PHASE_HEADER, found["phases"]),
        "",
        "Targets:",
        "",
        table(["target", "result"], [list(t) for t in targets]),
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.index", description=__doc__)
    parser.add_argument("--corpus", choices=["cpython", "go"], default="cpython")
    parser.add_argument("--quick", action="store_true", help="only the first 300 files")
    parser.add_argument("--profile", action="store_true", help="break down persist time")
    parser.add_argument(
        "--cprofile", nargs="?", const="b", metavar="SCENARIO",
        help="cProfile the persist of a scenario: b (the default), c, c4, b2, ...",
    )  # fmt: skip
    parser.add_argument("--patch", action="append", default=[], choices=_patches.PATCHES)
    parser.add_argument("--batch-size", type=int, default=Settings.graph_batch_size)
    parser.add_argument(
        "--cache-files", type=int, default=Settings.index_cache_files, metavar="N",
        help="INDEX_CACHE_FILES: a corpus with more files keeps no resolution tables",
    )  # fmt: skip
    parser.add_argument(
        "--settle", type=float, default=0.0, metavar="S",
        help="wait S seconds between (b) and (c), showing Neo4j's CPU and JIT meanwhile",
    )  # fmt: skip
    parser.add_argument("--no-doc", action="store_true", help="do not write the docs page")
    parser.add_argument(
        "--neo4j-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an extra neo4j.conf setting for the private Neo4j (diagnosis)",
    )
    parser.add_argument(
        "--neo4j-jvm",
        action="append",
        default=[],
        metavar="OPTION",
        help="an extra JVM option for the private Neo4j (diagnosis)",
    )
    args = parser.parse_args()
    _patches.apply(args.patch)
    corpus = load_corpus(args.corpus, quick=args.quick)
    load_before = load_average()
    with tempfile.TemporaryDirectory(prefix="repograph-bench-") as tmp:
        scratch = Path(tmp)
        print(f"building a git repository of {len(corpus.files)} files ...", flush=True)
        repo = build_repo(corpus, scratch)
        neo = Neo4j("neo4j", free_port(), scratch / "neo4j", start_timeout=180, heap="2g",
                    page_cache="1g", settings=dict(s.split("=", 1) for s in args.neo4j_setting),
                    jvm_options=args.neo4j_jvm)  # fmt: skip
        print("starting a private Neo4j ...", flush=True)
        neo.start()
        try:
            print("(a) parse-only ...", flush=True)
            # Neo4j's meter too: its start-up compiling must be over, not slowing the limit.
            a, spawn = parse_only(corpus, Meter(neo.pid()))
            print("(b)-(d) indexing ...", flush=True)
            found = asyncio.run(measure(corpus, repo, scratch, neo, args))
        finally:
            neo.stop()
    text = report(args, corpus, a, spawn=spawn, found=found, load=(load_before, load_average()))
    print()
    print(text)
    for profile in found["profiles"]:
        print(profile)
    if not args.no_doc:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text)
        print(f"written to {DOC}")


if __name__ == "__main__":
    main()
