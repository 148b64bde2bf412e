"""Follow a branch workflow through Temporal's `status` query until a new run has finished.

A run is ours when the workflow's run counter passes the value read before the push signal;
the workflow is idle again only once no push is pending, so a push that arrived during an
earlier run is waited for too. State changes are printed as they are seen.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from typing import Any, TextIO

from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import (
    Client,
    WorkflowExecutionStatus,
    WorkflowHandle,
    WorkflowQueryRejectedError,
)
from temporalio.service import RPCError, RPCStatusCode

from app.cli.command import CliError
from workflows.contracts import STATUS_QUERY, BranchStatus

POLL_SECONDS = 0.25
QUERY_TIMEOUT = timedelta(seconds=5)
# What a query gets when no worker answers it (none polls, or none in time).
_UNANSWERED = (
    RPCStatusCode.DEADLINE_EXCEEDED,
    RPCStatusCode.FAILED_PRECONDITION,
    RPCStatusCode.UNAVAILABLE,
)


async def query_status(handle: WorkflowHandle[Any, Any]) -> BranchStatus | None:
    """The workflow's `status`, or None while no worker answers queries."""
    try:
        status: BranchStatus = await handle.query(
            STATUS_QUERY, result_type=BranchStatus, rpc_timeout=QUERY_TIMEOUT
        )
    except WorkflowQueryRejectedError:
        return None
    except RPCError as exc:
        if exc.status in _UNANSWERED:
            return None
        raise
    return status


async def runs_so_far(client: Client, workflow_id: str, wait_s: float, out: TextIO) -> int:
    """How many runs the branch workflow has made; 0 when it is not running (a new one starts)."""
    handle = client.get_workflow_handle(workflow_id)
    try:
        description = await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return 0
        raise
    if description.status != WorkflowExecutionStatus.RUNNING:
        return 0
    deadline = time.monotonic() + wait_s
    while (status := await query_status(handle)) is None:
        if time.monotonic() > deadline:
            raise CliError(f"no worker answered {workflow_id} within {wait_s:.0f}s")
        print("waiting for a worker to answer the status query ...", file=out, flush=True)
        await asyncio.sleep(1)
    return status.runs


async def has_worker(client: Client, task_queue: str) -> bool:
    """True if a worker has polled the task queue recently (Temporal keeps a short list)."""
    response = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    return bool(response.pollers)


async def watch_run(
    client: Client, workflow_id: str, *, after_runs: int, wait_s: float, out: TextIO
) -> BranchStatus:
    """Poll until a run after `after_runs` has finished; print each state change on `out`."""
    handle = client.get_workflow_handle(workflow_id)
    started = time.monotonic()
    shown: str | None = None
    while True:
        status = await query_status(handle)
        # "waiting": a run parsed nothing in its time and the branch tries again shortly.
        finished = (
            status is not None
            and status.runs > after_runs
            and status.state not in ("indexing", "waiting")
        )
        label = "done" if finished else _label(status, after_runs)
        elapsed = time.monotonic() - started
        if label != shown:
            print(f"[{elapsed:6.1f}s] {label}", file=out, flush=True)
            shown = label
        if finished and status is not None:
            return status
        if status is not None and status.state in ("completed", "deleted"):
            raise CliError(f"{workflow_id} ended ({status.state}) before indexing")
        if elapsed > wait_s:
            raise CliError(
                f"no result within {wait_s:.0f}s; {workflow_id} keeps running "
                "(see `repograph status`)"
            )
        await asyncio.sleep(POLL_SECONDS)


def _label(status: BranchStatus | None, after_runs: int) -> str:
    if status is None:
        return "waiting for a worker"
    if status.runs <= after_runs:
        return "queued behind the run in progress" if status.state == "indexing" else "queued"
    return f"{status.state} (run {status.runs})"
