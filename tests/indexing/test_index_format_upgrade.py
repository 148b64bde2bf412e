"""A push at the head already indexed is a no-op, unless the branch's graph was made in another
index format (an older extractor, other grammars or skip settings): then the head is indexed
again, every file parsed, and the branch carries this worker's format."""

from __future__ import annotations

from pathlib import Path

from neo4j import AsyncDriver
from temporalio.client import Client

from activities.codegraph.graph_rows import branch_key
from app.settings import Settings
from tests.support.git_server import WorkRepo
from tests.support.workflows import local_repo, push, wait_for_status


async def branch_format(driver: AsyncDriver, key: str) -> str | None:
    records, _, _ = await driver.execute_query(
        "MATCH (b:Branch {key: $key}) RETURN b.index_format AS format", key=key
    )
    return records[0]["format"] if records else None


async def test_the_same_head_is_indexed_again_in_a_new_format(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    repo = WorkRepo(tmp_path, "format")
    repo.write({"a.py": "def a():\n    return b()\n", "b.py": "def b():\n    return 1\n"})
    head = repo.commit("start")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    key = branch_key(ref.repo_id, "main")
    handle = await push(temporal_client, settings, ref, "main", head)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == head and s.state == "idle")
    current = await branch_format(neo4j_driver, key)
    assert current is not None

    # The same head again: nothing to do.
    await push(temporal_client, settings, ref, "main", head)
    status = await wait_for_status(handle, lambda s: s.runs == 2 and s.state == "idle")
    assert status.last_result is not None
    assert status.last_result.status == "unchanged"

    # As if an older release had made the graph.
    await neo4j_driver.execute_query(
        "MATCH (b:Branch {key: $key}) SET b.index_format = 'older'", key=key
    )
    await push(temporal_client, settings, ref, "main", head)
    status = await wait_for_status(handle, lambda s: s.runs == 3 and s.state == "idle")
    assert status.last_result is not None
    assert status.last_result.status == "indexed"
    stats = status.last_result.stats
    assert (stats.parsed_files, stats.unchanged_files) == (2, 0)  # every file, none changed
    assert await branch_format(neo4j_driver, key) == current
    await handle.terminate()
