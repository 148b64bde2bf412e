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
        parse_file_cpu_seconds=60.0,
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
