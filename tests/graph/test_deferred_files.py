"""A parse that runs out of time records the files it did not reach as `deferred`; the next run
at the same head parses exactly those, and the graph is then the full index's."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from neo4j import AsyncDriver

from activities.codegraph.indexer import CodeGraphIndexer
from activities.git_client import GitClient
from tests.conftest import LocalStack
from tests.graph.test_shared_blobs import files_and_symbols
from tests.support.git_server import WorkRepo, git
from tests.support.indexing import assert_same_as_full_index, drop_graph, index_head
from workflows.contracts import RepoRef

FILES: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "pkg/base.py": "class Base:\n    def run(self):\n        return 1\n",
    "pkg/app.py": (
        "from pkg.base import Base\n\n\nclass App(Base):\n    def go(self):\n"
        "        return helper()\n\n\ndef helper():\n    return Base().run()\n"
    ),
    "cmd/main.go": "package main\n\nfunc main() {\n\trun()\n}\n\nfunc run() {}\n",
}
# The second commit: one file changed, one added.
SECOND: dict[str, str | bytes] = {
    "pkg/base.py": "class Base:\n    def run(self):\n        return 2\n",
    "pkg/extra.py": "from pkg.app import helper\n\nhelper()\n",
}
# Kotlin's error recovery is quadratic on Python-like lines: ~3 s of parse at this size. It
# sorts after the other files, so they are parsed before the deadline cuts it.
STALL = "".join(f"def f{i}():\n    g{i}()\n" for i in range(5_000))


@asynccontextmanager
async def indexed_repo(
    local_stack: LocalStack,
    driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    files: dict[str, str | bytes],
    cpu_seconds: float = 1.0,
) -> AsyncIterator[tuple[WorkRepo, RepoRef, CodeGraphIndexer]]:
    """A repository of `files` in one commit and an indexer (two parse processes, a limit of
    `cpu_seconds` per file); its graph is dropped after."""
    repo = WorkRepo(tmp_path, "deferred")
    repo.write(files)
    repo.commit("first")
    live = RepoRef(f"github-{unique_id}", "github", "acme/deferred", repo.bare.resolve().as_uri())
    settings = local_stack.settings(parse_processes=2, parse_file_cpu_seconds=cpu_seconds)
    indexer = CodeGraphIndexer(settings, driver, GitClient(allow_file_protocol=True))
    try:
        yield repo, live, indexer
    finally:
        await indexer.aclose()
        await drop_graph(driver, live.repo_id)


async def test_files_past_the_deadline_are_deferred_then_parsed_by_the_next_run(
    local_stack: LocalStack,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="repograph.indexer")
    # Filler, so that two changed files are a narrow change (under a fifth of the branch).
    filler = {f"util/m{i}.py": f"def m{i}():\n    return {i}\n" for i in range(12)}
    runs = tmp_path / "runs"
    async with indexed_repo(
        local_stack, neo4j_driver, tmp_path, unique_id, {**FILES, **filler}
    ) as (
        repo,
        live,
        indexer,
    ):
        await index_head(indexer, neo4j_driver, live, "main", runs)
        repo.write(SECOND)
        repo.commit("second")
        # Out of time before the first file: both changed files wait, nothing is lost.
        parsed, _ = await index_head(
            indexer, neo4j_driver, live, "main", runs, deadline=time.monotonic() - 1
        )
        assert (parsed.parsed_files, parsed.deferred_files, parsed.unchanged_files) == (0, 2, 15)
        files = await files_and_symbols(neo4j_driver, live.repo_id)
        assert files["pkg/base.py"] == ("python", "deferred")
        assert files["pkg/extra.py"] == ("python", "deferred")
        assert files["pkg/app.py"] == ("python", None, "App", "helper")
        assert not await indexer.is_current(live.repo_id, "main")

        # The same head again: only the deferred files are parsed, and resolved as files
        # added (they had no extraction) through the tables the worker kept.
        caplog.clear()
        parsed, _ = await index_head(indexer, neo4j_driver, live, "main", runs)
        assert (parsed.parsed_files, parsed.deferred_files, parsed.unchanged_files) == (2, 0, 15)
        kept = [r.kept_tables for r in caplog.records if r.getMessage() == "resolving"]
        assert kept == [True]
        assert await indexer.is_current(live.repo_id, "main")
        await assert_same_as_full_index(
            indexer, neo4j_driver, live, "main", runs, "after the deferred files"
        )
        _, graph = await index_head(indexer, neo4j_driver, live, "main", runs)
        assert (graph.nodes_written, graph.edges_written, graph.graph_changes) == (0, 0, 0)


async def test_a_deferred_file_removed_or_renamed_before_its_next_run_leaves_no_trace(
    local_stack: LocalStack, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    """A deferred file is still a stored file: gone from the next commit, its node goes too."""
    runs = tmp_path / "runs"
    async with indexed_repo(local_stack, neo4j_driver, tmp_path, unique_id, FILES) as (
        repo,
        live,
        indexer,
    ):
        await index_head(indexer, neo4j_driver, live, "main", runs)
        repo.write(SECOND)
        repo.commit("second")
        parsed, _ = await index_head(
            indexer, neo4j_driver, live, "main", runs, deadline=time.monotonic() - 1
        )
        assert parsed.deferred_files == 2

        repo.remove("pkg/extra.py")
        git("mv", "pkg/base.py", "pkg/core.py", cwd=repo.work)
        repo.write({"pkg/app.py": str(FILES["pkg/app.py"]).replace("pkg.base", "pkg.core")})
        repo.commit("third: the deferred files removed and renamed")
        parsed, _ = await index_head(indexer, neo4j_driver, live, "main", runs)
        assert (parsed.parsed_files, parsed.deleted_files, parsed.deferred_files) == (2, 2, 0)
        files = await files_and_symbols(neo4j_driver, live.repo_id)
        assert sorted(files) == ["cmd/main.go", "pkg/__init__.py", "pkg/app.py", "pkg/core.py"]
        assert await indexer.is_current(live.repo_id, "main")
        await assert_same_as_full_index(
            indexer, neo4j_driver, live, "main", runs, "after the deferred files went"
        )


async def test_a_file_cut_by_the_deadline_is_deferred_and_the_files_before_it_are_kept(
    local_stack: LocalStack, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    """With its own limit (2 s of CPU) beyond the deadline, the slow file is deferred, not
    judged too slow; the next run judges it by its own limit, as a full index does."""
    runs = tmp_path / "runs"
    files = {**FILES, "zz/Stall.kt": STALL}
    async with indexed_repo(
        local_stack, neo4j_driver, tmp_path, unique_id, files, cpu_seconds=2.0
    ) as (_, live, indexer):
        parsed, _ = await index_head(
            indexer, neo4j_driver, live, "main", runs, deadline=time.monotonic() + 0.8
        )
        assert (parsed.parsed_files, parsed.deferred_files) == (4, 1)
        files = await files_and_symbols(neo4j_driver, live.repo_id)
        assert files["zz/Stall.kt"] == ("kotlin", "deferred")
        assert files["pkg/base.py"] == ("python", None, "Base")

        parsed, _ = await index_head(indexer, neo4j_driver, live, "main", runs)
        assert (parsed.parsed_files, parsed.skipped_files, parsed.unchanged_files) == (0, 1, 4)
        files = await files_and_symbols(neo4j_driver, live.repo_id)
        assert files["zz/Stall.kt"] == ("kotlin", "parse_timeout")
        assert await indexer.is_current(live.repo_id, "main")
        await assert_same_as_full_index(
            indexer, neo4j_driver, live, "main", runs, "after the cut file"
        )
