"""A branch slower to parse than the parse activity's time: each run keeps what it parsed,
defers the rest, and the workflow runs again at once until every file is parsed. Before, the
activity timed out, was retried from nothing and failed, at every push, forever."""

from __future__ import annotations

import dataclasses
import math
import time
from pathlib import Path

import pytest
from neo4j import AsyncDriver
from temporalio.client import Client

from activities.codegraph.extract import extract
from activities.indexing import PARSE_TIME_SHARE
from activities.worker import running_worker
from app.settings import Settings, Timeouts
from tests.faults.test_storage_faults import assert_graph_is_exact
from tests.support.git_server import WorkRepo
from tests.support.workflows import local_repo, push, wait_for_status
from workflows.repo_indexing import DEFERRED_RETRIES

# Kotlin's error recovery is quadratic on Python-like lines: about 0.8 s of parse here.
SLOW = "".join(f"def f{i}():\n    g{i}()\n" for i in range(2_500))
PARSE_TIMEOUT = 6.0


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


@pytest.mark.timeout(300)
async def test_a_run_that_parses_nothing_is_tried_again_a_few_times_then_waits_for_a_push(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """The only file needs more time than the parse deadline leaves it: no run makes progress.
    The workflow retries after a doubling pause DEFERRED_RETRIES times, then goes idle."""
    stall = SLOW + SLOW.replace("def f", "def h")  # twice the lines: about 3 s of parse
    started = time.thread_time()
    extract("Stall.kt", stall.encode(), "kotlin")
    one_file = time.thread_time() - started
    repo = WorkRepo(tmp_path, "stalled")
    repo.write({"src/Stall.kt": stall})
    head = repo.commit("one file slower than the parse deadline")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    stalled = dataclasses.replace(
        settings,
        # The deadline falls at 80 % of this, before the file can end (it starts later).
        timeouts=dataclasses.replace(settings.timeouts, parse=max(one_file, 2.0)),
        # Start-up refuses a limit past the deadline; set directly, it stands for a host too
        # loaded for the file to end in time whatever its limit.
        parse_file_cpu_seconds=60.0,
        retry_initial_seconds=0.25,
    )
    async with running_worker(stalled, temporal_client, neo4j_driver):
        handle = await push(temporal_client, stalled, ref, "main", head)
        status = await wait_for_status(
            handle, lambda s: s.state == "idle" and s.runs > 1, timeout=200
        )
        assert status.runs == 1 + DEFERRED_RETRIES
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
