"""Storage faults during a run: Neo4j restarting mid-write, and a full workspace disk.

Each ends with the branch at its newest commit, a graph equal to a clean full index of that
commit, and no duplicate nodes.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import AsyncDriver
from temporalio.client import Client

from activities.codegraph.indexer import CodeGraphIndexer
from activities.git_client import GitClient
from activities.worker import running_worker
from app.settings import Settings
from tests.conftest import LocalStack
from tests.indexing.test_coalescing import add_stdlib
from tests.support.git_server import WorkRepo
from tests.support.indexing import graph_dump, index_head
from tests.support.workflows import local_repo, push, wait_for_status


async def assert_graph_is_exact(
    driver: AsyncDriver, settings: Settings, repo_id: str, repo: WorkRepo, scratch: Path
) -> None:
    """The branch graph equals a fresh full index of the same commit, without duplicates."""
    records, _, _ = await driver.execute_query(
        "MATCH (n) WHERE n.repo_id = $r AND n.key IS NOT NULL "
        "RETURN count(n) AS n, count(DISTINCT n.key) AS keys",
        r=repo_id,
        database_="neo4j",
    )
    assert records[0]["n"] == records[0]["keys"], "duplicate nodes"
    fresh = local_repo(f"{repo_id}-fresh", repo.bare)
    indexer = CodeGraphIndexer(settings, driver, GitClient(allow_file_protocol=True))
    try:
        await index_head(indexer, driver, fresh, "main", scratch)
    finally:
        await indexer.aclose()
    mine, theirs = await graph_dump(driver, repo_id), await graph_dump(driver, fresh.repo_id)
    for part in (0, 1):
        only_mine = [str(x)[:200] for x in mine[part] if x not in theirs[part]][:3]
        only_theirs = [str(x)[:200] for x in theirs[part] if x not in mine[part]][:3]
        assert mine[part] == theirs[part], f"only live: {only_mine}; only fresh: {only_theirs}"


async def file_count(driver: AsyncDriver, repo_id: str) -> int:
    records, _, _ = await driver.execute_query(
        "MATCH (f:File {repo_id: $r}) RETURN count(f) AS n", r=repo_id, database_="neo4j"
    )
    return int(records[0]["n"])


def stdlib_corpus(root: Path, name: str) -> tuple[WorkRepo, str]:
    """A repository of seven standard-library packages (~600 files) in one commit: big
    enough that its graph write takes seconds."""
    repo = WorkRepo(root, name)
    add_stdlib(repo, "email", "json", "asyncio", "importlib", "xml", "logging", "http")
    return repo, repo.commit("corpus")


async def until_the_graph_write_starts(driver: AsyncDriver, repo_id: str) -> None:
    """Wait (up to a minute) for the first File node of `repo_id`."""
    for _ in range(1200):
        if await file_count(driver, repo_id) > 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the graph write never started")


@pytest.mark.timeout(400)
async def test_neo4j_restart_during_a_graph_write_converges(
    local_stack: LocalStack,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """Neo4j stops while the graph is being written; the retried write converges exactly."""
    quick = dataclasses.replace(settings, retry_initial_seconds=1, parse_processes=2)
    repo, sha = stdlib_corpus(tmp_path, "restart")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    async with running_worker(quick, temporal_client, neo4j_driver):
        handle = await push(temporal_client, quick, ref, "main", sha)
        await until_the_graph_write_starts(neo4j_driver, ref.repo_id)
        await asyncio.to_thread(local_stack.neo4j.stop)
        await asyncio.sleep(1)
        await asyncio.to_thread(local_stack.neo4j.start)
        status = await wait_for_status(handle, lambda s: s.last_indexed_sha == sha, timeout=240)
        await handle.terminate()
    assert status.last_error is None
    await assert_graph_is_exact(neo4j_driver, quick, ref.repo_id, repo, tmp_path / "fresh")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs to hold the worker's workspace, so tests can fill it."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.timeout(300)
async def test_full_workspace_disk_fails_the_run_and_the_next_push_recovers(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    small_disk: Path,
) -> None:
    """A clone into a full disk fails (recorded, nothing half-written); after space is freed
    the next push indexes the newest commit exactly."""
    on_disk = dataclasses.replace(
        settings, workspace_dir=small_disk / "workspaces", retry_initial_seconds=1
    )
    repo = WorkRepo(tmp_path, "bulky")
    add_stdlib(repo, "email", "json", "asyncio")
    sha = repo.commit("corpus")
    filler = small_disk / "filler"
    subprocess.run(
        ["dd", "if=/dev/zero", f"of={filler}", "bs=1M", "count=16"],
        capture_output=True,
        check=False,
    )
    ref = local_repo(f"github-{unique_id}", repo.bare)
    async with running_worker(on_disk, temporal_client, neo4j_driver):
        handle = await push(temporal_client, on_disk, ref, "main", sha)
        status = await wait_for_status(
            handle, lambda s: s.last_error is not None and s.state == "idle", timeout=120
        )
        assert status.last_indexed_sha is None
        assert await file_count(neo4j_driver, ref.repo_id) == 0
        filler.unlink()
        repo.write({"email/added.py": "def added():\n    pass\n"})
        newest = repo.commit("after the disk was freed")
        await push(temporal_client, on_disk, ref, "main", newest)
        status = await wait_for_status(handle, lambda s: s.last_indexed_sha == newest, timeout=120)
        await handle.terminate()
    assert status.last_error is None
    await assert_graph_is_exact(neo4j_driver, settings, ref.repo_id, repo, tmp_path / "fresh")
