"""A branch slower to parse than the parse activity's time: each run keeps what it parsed,
defers the rest, and the workflow runs again at once until every file is parsed. Before, the
activity timed out, was retried from nothing and failed, at every push, forever."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import math
import time
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver
from temporalio.client import Client

from activities.codegraph.extract import extract
from activities.indexing import PARSE_TIME_SHARE
from activities.worker import running_worker
from app.cli.progress import watch_run
from app.dispatcher import Dispatcher
from app.settings import Settings, Timeouts
from tests.faults.test_storage_faults import assert_graph_is_exact
from tests.support.git_server import WorkRepo
from tests.support.workflows import local_repo, push, wait_for_status
from workflows.contracts import DeleteRequest, RepoRef
from workflows.repo_indexing import DEFERRED_RETRIES

# Kotlin's error recovery is quadratic on Python-like lines: about 0.8 s of parse here.
SLOW = "".join(f"def f{i}():\n    g{i}()\n" for i in range(2_500))
PARSE_TIMEOUT = 6.0
STALLED_PARSE_TIMEOUT = 4.0


async def skip_reasons(driver: AsyncDriver, repo_id: str) -> dict[str | None, int]:
    records, _, _ = await driver.execute_query(
        "MATCH (f:File {repo_id: $r}) RETURN f.skipped AS skipped, count(*) AS n",
        r=repo_id,
        database_="neo4j",
    )
    return {r["skipped"]: r["n"] for r in records}


@pytest.mark.timeout(300)
async def test_a_branch_too_slow_for_one_parse_is_indexed_over_several_runs(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    started = time.thread_time()
    extract("Slow.kt", SLOW.encode(), "kotlin")
    one_file = time.thread_time() - started
    # Twice the work one parse may start on its one process: at least two runs.
    files = max(4, math.ceil(2 * PARSE_TIMEOUT * PARSE_TIME_SHARE / one_file))
    repo = WorkRepo(tmp_path, "slow")
    repo.write({f"src/Slow{i:02}.kt": SLOW + f"// {i}\n" for i in range(files)})
    repo.write({"src/app.py": "def main():\n    return 1\n"})
    head = repo.commit("slow to parse")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    tight = dataclasses.replace(
        settings,
        timeouts=dataclasses.replace(settings.timeouts, parse=PARSE_TIMEOUT),
        parse_file_cpu_seconds=PARSE_TIMEOUT / 2,  # the most start-up allows
        retry_initial_seconds=1,
    )
    assert isinstance(tight.timeouts, Timeouts)
    async with running_worker(tight, temporal_client, neo4j_driver):
        handle = await push(temporal_client, tight, ref, "main", head)
        status = await wait_for_status(
            handle,
            lambda s: s.state == "idle" and s.last_indexed_sha == head,
            timeout=240,
        )
        await handle.terminate()
    assert status.last_error is None
    assert status.last_result is not None
    assert status.last_result.stats.deferred_files == 0
    assert status.runs >= 2, f"{files} files of {one_file:.2f} s each were parsed in one run"
    assert await skip_reasons(neo4j_driver, ref.repo_id) == {None: files + 1}
    await assert_graph_is_exact(neo4j_driver, tight, ref.repo_id, repo, tmp_path / "fresh")


def stalled_branch(
    settings: Settings, tmp_path: Path, unique_id: str, **overrides: Any
) -> tuple[WorkRepo, RepoRef, str, Settings]:
    """A branch of one file that needs more time than the parse deadline leaves it: no run
    makes progress. Its repository, ref and head, and settings with that parse timeout."""
    defs = 7_000  # about 6 s of parse here; grown where the host is faster
    while True:
        stall = "".join(f"def f{i}():\n    g{i}()\n" for i in range(defs))
        started = time.thread_time()
        extract("Stall.kt", stall.encode(), "kotlin")
        if time.thread_time() - started > STALLED_PARSE_TIMEOUT:
            break
        defs = defs * 3 // 2
    repo = WorkRepo(tmp_path, "stalled")
    repo.write({"src/Stall.kt": stall})
    head = repo.commit("one file slower than the parse deadline")
    stalled = dataclasses.replace(
        settings,
        # The deadline falls at 80 % of it, before the file can end (it starts later), and
        # leaves the activity 0.8 s to end in.
        timeouts=dataclasses.replace(settings.timeouts, parse=STALLED_PARSE_TIMEOUT),
        # Start-up refuses a limit past the deadline; set directly, it stands for a host too
        # loaded for the file to end in time whatever its limit.
        parse_file_cpu_seconds=60.0,
        **overrides,
    )
    return repo, local_repo(f"github-{unique_id}", repo.bare), head, stalled


@pytest.mark.timeout(300)
async def test_a_run_that_parses_nothing_is_tried_again_a_few_times_then_waits_for_a_push(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """No run makes progress: the workflow retries after a doubling pause (state `waiting`,
    which `repograph index` waits through) DEFERRED_RETRIES times, then goes idle. Every run
    continues as new, which must not start the retries over."""
    repo, ref, head, stalled = stalled_branch(
        settings, tmp_path, unique_id, retry_initial_seconds=0.5, max_runs_per_execution=1
    )
    async with running_worker(stalled, temporal_client, neo4j_driver):
        handle = await push(temporal_client, stalled, ref, "main", head)
        shown = io.StringIO()
        status = await watch_run(temporal_client, handle.id, after_runs=0, wait_s=200, out=shown)
        assert "waiting" in shown.getvalue()
        assert (status.state, status.runs) == ("idle", 1 + DEFERRED_RETRIES)
        assert status.last_result is not None
        stats = status.last_result.stats
        assert (stats.parsed_files, stats.deferred_files) == (0, 1)
        assert await skip_reasons(neo4j_driver, ref.repo_id) == {"deferred": 1}

        repo.remove("src/Stall.kt")
        repo.write({"src/app.py": "def main():\n    return 1\n"})
        fixed = repo.commit("the slow file goes")
        await push(temporal_client, stalled, ref, "main", fixed)
        status = await wait_for_status(
            handle, lambda s: s.state == "idle" and s.last_indexed_sha == fixed, timeout=60
        )
        await handle.terminate()
    assert status.runs == 2 + DEFERRED_RETRIES
    assert await skip_reasons(neo4j_driver, ref.repo_id) == {None: 1}
    await assert_graph_is_exact(neo4j_driver, stalled, ref.repo_id, repo, tmp_path / "fresh")


@pytest.mark.timeout(120)
async def test_a_branch_deleted_while_waiting_to_retry_is_deleted(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A delete ends the pause at once; the run that paused must not continue as new and
    lose the delete on the way."""
    _, ref, head, stalled = stalled_branch(
        settings, tmp_path, unique_id, retry_initial_seconds=300, max_runs_per_execution=1
    )
    async with running_worker(stalled, temporal_client, neo4j_driver):
        handle = await push(temporal_client, stalled, ref, "main", head)
        await wait_for_status(handle, lambda s: s.state == "waiting", timeout=60)
        assert await skip_reasons(neo4j_driver, ref.repo_id) == {"deferred": 1}
        await Dispatcher(temporal_client, stalled).delete(
            DeleteRequest(ref.repo_id, "main", "test-delete", "branch deleted")
        )
        await asyncio.wait_for(handle.result(), timeout=60)
    assert await skip_reasons(neo4j_driver, ref.repo_id) == {}
