"""`repograph reindex` and `repograph status`: drive and inspect the branch workflows."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid
from typing import Any

from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from app.cli.command import CliError, UsageError
from app.cli.connections import connect_temporal, open_neo4j, service_errors
from app.cli.progress import query_status, runs_so_far, watch_run
from app.cli.render import result_lines, status_record, status_table, to_json
from app.dispatcher import BRANCH_WORKFLOW, Dispatcher
from app.repositories import recorded_repository
from app.settings import Settings
from workflows.contracts import BranchStatus, PushRequest, branch_workflow_id

MAX_CONCURRENT_QUERIES = 16


def reindex(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_reindex(settings, args))


async def _reindex(settings: Settings, args: argparse.Namespace) -> int:
    async with open_neo4j(settings) as driver:
        repo = await recorded_repository(driver, settings, args.repo_id)
    if repo is None:
        raise CliError(f"repository {args.repo_id} is not in the graph; check the id")
    branch: str | None = args.branch or repo.default_branch
    if branch is None:
        raise UsageError(f"{args.repo_id} has no default branch recorded; name the branch")
    if not repo.clone_url:
        raise CliError(f"{args.repo_id} has no clone URL recorded (provider {repo.provider!r})")
    client = await connect_temporal(settings)
    workflow_id = branch_workflow_id(repo.repo_id, branch)
    started = time.monotonic()
    with service_errors(settings):
        before = (
            await runs_so_far(client, workflow_id, args.timeout, sys.stderr) if args.wait else 0
        )
        await Dispatcher(client, settings).push(
            PushRequest(repo, branch, None, f"refs/heads/{branch}", f"cli-{uuid.uuid4()}")
        )
        print(f"signalled {workflow_id}", file=sys.stderr if args.json else sys.stdout)
        if not args.wait:
            if args.json:
                print(to_json({"workflow_id": workflow_id, "signalled": True}))
            return 0
        result = await watch_run(
            client, workflow_id, after_runs=before, wait_s=args.timeout, out=sys.stderr
        )
    elapsed = time.monotonic() - started
    if args.json:
        print(to_json(status_record(result, workflow_id)))
    else:
        print("\n".join(result_lines(result, elapsed)))
    failed = result.last_result is not None and result.last_result.status == "failed"
    return 1 if failed else 0


def status(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_status(settings, args))


async def _status(settings: Settings, args: argparse.Namespace) -> int:
    client = await connect_temporal(settings)
    with service_errors(settings):
        if args.branch is not None:
            return await _one_branch(client, args.repo_id, args.branch, as_json=args.json)
        rows = await _running_branches(client, settings.task_queue, args.repo_id)
    if args.json:
        print(
            to_json(
                [
                    status_record(s, wid) if s else {"workflow_id": wid, "state": None}
                    for wid, s in rows
                ]
            )
        )
    elif not rows:
        scope = f" for {args.repo_id}" if args.repo_id else ""
        print(f"no running branch workflows{scope} on task queue {settings.task_queue!r}")
    else:
        print("\n".join(status_table(rows)))
    return 0


async def _one_branch(client: Client, repo_id: str, branch: str, *, as_json: bool) -> int:
    workflow_id = branch_workflow_id(repo_id, branch)
    handle = client.get_workflow_handle(workflow_id)
    try:
        description = await handle.describe()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise CliError(f"no workflow {workflow_id}: the branch was never indexed") from None
        raise
    current = await query_status(handle)
    execution = description.status.name if description.status else "UNKNOWN"
    if as_json:
        record: dict[str, Any] = {"workflow_id": workflow_id, "execution_status": execution}
        if current is not None:
            record.update(status_record(current, workflow_id))
        print(to_json(record))
        return 0
    print(f"{workflow_id}  ({execution})")
    if current is None:
        print("  no worker answered the status query; is a worker running?")
        return 0
    print(f"  state             {current.state}")
    print(
        f"  last indexed      {current.last_indexed_sha or '-'} at {current.last_indexed_at or '-'}"
    )
    print(f"  pending push      {current.pending_sha or '-'}")
    print(f"  runs              {current.runs}")
    if current.last_error:
        print(f"  last error        {current.last_error}")
    if current.last_result is not None and current.last_result.status == "indexed":
        print("\n".join(result_lines(current, 0.0)[1:]))
    return 0


async def _running_branches(
    client: Client, task_queue: str, repo_id: str | None
) -> list[tuple[str, BranchStatus | None]]:
    """(workflow id, status) of every running branch workflow on the queue, by workflow id."""
    if "'" in task_queue or (repo_id and "'" in repo_id):
        raise UsageError("task queue and repository id must not contain quotes")
    query = (
        f"WorkflowType='{BRANCH_WORKFLOW}' AND ExecutionStatus='Running' "
        f"AND TaskQueue='{task_queue}'"
    )
    if repo_id is not None:
        query += f" AND WorkflowId STARTS_WITH '{branch_workflow_id(repo_id, '')}'"
    workflow_ids = sorted({execution.id async for execution in client.list_workflows(query)})
    limit = asyncio.Semaphore(MAX_CONCURRENT_QUERIES)

    async def one(workflow_id: str) -> tuple[str, BranchStatus | None]:
        async with limit:
            return workflow_id, await query_status(client.get_workflow_handle(workflow_id))

    rows = await asyncio.gather(*(one(workflow_id) for workflow_id in workflow_ids))
    # A prefix also matches ids of longer repository ids; the status names the exact one.
    return [(wid, s) for wid, s in rows if repo_id is None or s is None or s.repo_id == repo_id]
