"""A default branch git would refuse, from a payload or the provider API, is resolved instead."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from neo4j import AsyncDriver
from temporalio.client import Client

from app.commands import SetupRepository, UpdateRepository
from app.dispatcher import Dispatcher
from app.settings import Settings
from tests.support.git_server import WorkRepo
from tests.support.workflows import local_repo, wait_for_status
from workflows.contracts import branch_workflow_id, setup_workflow_id

REFUSED = "-c\ncore.sshCommand=x"


async def graph_names(driver: AsyncDriver, repo_id: str) -> tuple[list[str], list[str]]:
    """The Repository's recorded default branch and the names of its Branch nodes."""
    records, _, _ = await driver.execute_query(
        """
        MATCH (r:Repository {repo_id: $r}) OPTIONAL MATCH (r)-[:HAS_BRANCH]->(b:Branch)
        RETURN r.default_branch AS default, collect(b.name) AS branches
        """,
        r=repo_id,
        database_="neo4j",
    )
    return [r["default"] for r in records], [b for r in records for b in r["branches"]]


async def test_a_refused_default_branch_is_resolved_from_the_remote_and_never_stored(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """Setup asks the remote for the default branch instead of using a refused one, and an
    update carrying a refused one leaves the recorded default branch as it was."""
    repo = WorkRepo(tmp_path, "setup", branch="trunk")
    repo.write({"core.py": "class Core:\n    pass\n"})
    sha = repo.commit("trunk")
    ref = dataclasses.replace(local_repo(f"github-{unique_id}", repo.bare), default_branch=REFUSED)
    dispatcher = Dispatcher(temporal_client, settings)
    setup = temporal_client.get_workflow_handle(setup_workflow_id(ref.repo_id))
    await dispatcher.dispatch(SetupRepository(ref, "delivery-setup"))
    await asyncio.wait_for(setup.result(), 60)
    trunk = temporal_client.get_workflow_handle(branch_workflow_id(ref.repo_id, "trunk"))
    await wait_for_status(trunk, lambda s: s.last_indexed_sha == sha)
    assert await graph_names(neo4j_driver, ref.repo_id) == (["trunk"], ["trunk"])

    update = UpdateRepository(
        ref.repo_id, "github", "acme/renamed", "delivery-update", ref.clone_url, REFUSED
    )
    await dispatcher.dispatch(update)
    await asyncio.wait_for(setup.result(), 60)
    assert await graph_names(neo4j_driver, ref.repo_id) == (["trunk"], ["trunk"])
    await trunk.terminate()
