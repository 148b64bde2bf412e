"""Repository-level commands: set up (default branch resolved by the worker) and removal."""

from __future__ import annotations

from pathlib import Path

from neo4j import AsyncDriver
from temporalio.client import Client

from app.commands import RemoveRepository, SetupRepository
from app.dispatcher import Dispatcher
from app.settings import Settings
from tests.support.git_server import WorkRepo
from tests.support.workflows import local_repo, wait_for_status
from workflows.contracts import branch_workflow_id, setup_workflow_id


async def test_setup_indexes_the_default_branch_and_remove_deletes_every_branch(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A repository listed without its default branch gets it resolved and indexed; removal
    deletes the graphs of all its branches."""
    repo = WorkRepo(tmp_path, "setup", branch="trunk")
    repo.write({"core.py": "class Core:\n    pass\n"})
    sha = repo.commit("trunk")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    dispatcher = Dispatcher(temporal_client, settings)
    await dispatcher.dispatch(SetupRepository(ref, "delivery-setup"))
    await temporal_client.get_workflow_handle(setup_workflow_id(ref.repo_id)).result()
    trunk = temporal_client.get_workflow_handle(branch_workflow_id(ref.repo_id, "trunk"))
    await wait_for_status(trunk, lambda s: s.last_indexed_sha == sha)
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (r:Repository {repo_id: $r}) RETURN r.default_branch AS branch",
        r=ref.repo_id,
        database_="neo4j",
    )
    assert [r["branch"] for r in records] == ["trunk"]

    await dispatcher.dispatch(RemoveRepository(ref.repo_id, "repository deleted", "d-rm"))
    await trunk.result()
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (n) WHERE n.repo_id = $r RETURN count(n) AS n", r=ref.repo_id, database_="neo4j"
    )
    assert records[0]["n"] == 0
