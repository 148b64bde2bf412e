"""Drive branch workflows the way the receiver does, and wait on their `status` query."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from neo4j import AsyncDriver
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from app.dispatcher import Dispatcher
from app.settings import Settings
from workflows.contracts import BranchStatus, PushRequest, RepoRef, branch_workflow_id

# The dev server (SQLite) has stalled a signal-with-start past the client's deadline while the
# machine's two cores were saturated ("Timeout expired", CANCELLED). A provider redelivers what
# the receiver could not hand over; tests about workflows retry the same way, and a duplicate
# push only coalesces with the first.
_TRANSIENT = (RPCStatusCode.CANCELLED, RPCStatusCode.DEADLINE_EXCEEDED, RPCStatusCode.UNAVAILABLE)
PUSH_ATTEMPTS = 3


def local_repo(repo_id: str, path: Path, name: str = "acme/widgets") -> RepoRef:
    return RepoRef(
        repo_id=repo_id, provider="github", full_name=name, clone_url=path.resolve().as_uri()
    )


async def push(
    client: Client, settings: Settings, repo: RepoRef, branch: str, sha: str | None = None
) -> WorkflowHandle[Any, Any]:
    """Signal-with-start exactly as the receiver does (retried as a provider redelivers)."""
    request = PushRequest(repo, branch, sha, f"refs/heads/{branch}", f"test-{uuid.uuid4().hex}")
    for attempt in range(1, PUSH_ATTEMPTS + 1):
        try:
            await Dispatcher(client, settings).push(request)
            break
        except RPCError as exc:
            if exc.status not in _TRANSIENT or attempt == PUSH_ATTEMPTS:
                raise
            await asyncio.sleep(1.0)
    return client.get_workflow_handle(branch_workflow_id(repo.repo_id, branch))


async def wait_for_status(
    handle: WorkflowHandle[Any, Any],
    predicate: Callable[[BranchStatus], bool],
    timeout: float = 60.0,
) -> BranchStatus:
    """Poll the workflow's `status` query until `predicate` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: BranchStatus | None = None
    failure: RPCError | None = None
    while asyncio.get_running_loop().time() < deadline:
        try:
            last = await handle.query("status", result_type=BranchStatus)
        except RPCError as exc:
            # A query waits for a worker: one that was just killed or is starting times out.
            if exc.status not in _TRANSIENT:
                raise
            failure = exc
        else:
            if predicate(last):
                return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"status never matched; last: {last}; last query error: {failure}")


async def activity_attempts(handle: WorkflowHandle[Any, Any], name: str | None = None) -> list[int]:
    """The attempt number of every activity start in the history (of activity `name` only)."""
    history = await handle.fetch_history()
    scheduled = {
        e.event_id
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and name in (None, e.activity_task_scheduled_event_attributes.activity_type.name)
    }
    return [
        e.activity_task_started_event_attributes.attempt
        for e in history.events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
        and e.activity_task_started_event_attributes.scheduled_event_id in scheduled
    ]


async def count_branch_nodes(driver: AsyncDriver, repo_id: str, branch: str) -> int:
    """Nodes of one branch: its code graph, metadata and the Branch node itself."""
    records, _, _ = await driver.execute_query(
        "MATCH (n) WHERE n.repo_id = $r AND (n.branch = $b OR n.name = $b) RETURN count(n) AS n",
        r=repo_id,
        b=branch,
        database_="neo4j",
    )
    return int(records[0]["n"])


async def terminate_running(client: Client, task_queue: str) -> None:
    """Terminate every workflow still running on `task_queue` (a test's leftovers)."""
    query = f"TaskQueue='{task_queue}' AND ExecutionStatus='Running'"
    async for execution in client.list_workflows(query):
        await client.get_workflow_handle(execution.id).terminate("test finished")
