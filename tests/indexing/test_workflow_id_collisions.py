"""Two (repository, branch) pairs can spell one workflow id (`a-1`/`x-y`, `a-1-x`/`y`): the
branch workflow acts only on signals for its own pair (the admin API and the command line
refuse such ids: tests/receiver/test_repo_ids.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from neo4j import AsyncDriver
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from app.dispatcher import Dispatcher
from app.settings import Settings
from tests.support.git_server import WorkRepo
from tests.support.workflows import (
    activity_attempts,
    count_branch_nodes,
    local_repo,
    push,
    wait_for_status,
)
from workflows.contracts import DeleteRequest, PushRequest, branch_workflow_id


async def until_signal_handled(handle: WorkflowHandle[Any, Any], signals: int) -> None:
    """Wait until the workflow has received `signals` signals and finished a task after the
    last, so whatever its handler did shows in the history and the `status` query."""
    for _ in range(300):
        events = (await handle.fetch_history()).events
        signalled = [
            e.event_id
            for e in events
            if e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
        ]
        if len(signalled) >= signals and any(
            e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
            and e.event_id > signalled[-1]
            for e in events
        ):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the workflow never handled {signals} signals")


async def test_a_signal_for_another_pair_with_the_same_workflow_id_is_ignored(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A delete and a push for `<id>-feature`/`a` reach the workflow of `<id>`/`feature-a`:
    it neither deletes its graph nor indexes the other repository, and stays as it was."""
    repo = WorkRepo(tmp_path / "own", "own", branch="feature-a")
    repo.write({"one.py": "def one():\n    pass\n"})
    sha = repo.commit("one", branch="feature-a")
    own = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, settings, own, "feature-a", sha)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == sha and s.state == "idle")
    nodes = await count_branch_nodes(neo4j_driver, own.repo_id, "feature-a")
    other = WorkRepo(tmp_path / "other", "other", branch="feature-a")
    other.write({"two.py": "def two():\n    pass\n"})
    other.commit("two", branch="feature-a")
    foreign = local_repo(f"{own.repo_id}-feature", other.bare)
    assert branch_workflow_id(foreign.repo_id, "a") == handle.id

    dispatcher = Dispatcher(temporal_client, settings)
    await dispatcher.delete(DeleteRequest(foreign.repo_id, "a", "d-1", "deleted elsewhere"))
    await dispatcher.push(PushRequest(foreign, "a", None, "refs/heads/a", "d-2"))
    await until_signal_handled(handle, signals=3)  # the first push, then these two

    status = await wait_for_status(handle, lambda s: True)
    assert (status.repo_id, status.branch, status.runs) == (own.repo_id, "feature-a", 1)
    assert (status.state, status.pending_sha) == ("idle", None)
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    assert await activity_attempts(handle, "delete_branch_graph") == []
    assert await activity_attempts(handle, "fetch_repository") == [1]
    assert await count_branch_nodes(neo4j_driver, own.repo_id, "feature-a") == nodes
    await handle.terminate()
