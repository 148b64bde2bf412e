"""`repograph index PATH_OR_URL`: index a repository through the real branch workflow.

The command sends the same signal-with-start a webhook would, follows the run through the
workflow's `status` query (progress on stderr) and prints the result on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import uuid

from app.cli.connections import connect_temporal, service_errors
from app.cli.progress import has_worker, runs_so_far, watch_run
from app.cli.render import result_lines, status_record, to_json
from app.cli.targets import resolve_target
from app.dispatcher import Dispatcher
from app.settings import Settings
from workflows.contracts import PushRequest, branch_workflow_id


def index(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_index(settings, args))


async def _index(settings: Settings, args: argparse.Namespace) -> int:
    target = await resolve_target(args.location, settings, branch=args.branch, repo_id=args.repo_id)
    client = await connect_temporal(settings)
    workflow_id = branch_workflow_id(target.repo.repo_id, target.branch)
    progress = sys.stderr
    started = time.monotonic()
    with service_errors(settings):
        if not await has_worker(client, settings.task_queue):
            print(
                f"no worker has polled task queue {settings.task_queue!r} recently; "
                "start one with `repograph worker`",
                file=progress,
            )
        before = await runs_so_far(client, workflow_id, args.timeout, progress)
        request = PushRequest(
            target.repo,
            target.branch,
            target.head_sha,
            f"refs/heads/{target.branch}",
            f"cli-{uuid.uuid4()}",
        )
        await Dispatcher(client, settings).push(request)
        print(
            f"indexing {target.repo.full_name} {target.branch} at {target.head_sha[:12]} "
            f"as {target.repo.repo_id} ({workflow_id})",
            file=progress,
        )
        status = await watch_run(
            client, workflow_id, after_runs=before, wait_s=args.timeout, out=progress
        )
    elapsed = time.monotonic() - started
    failed = status.last_result is not None and status.last_result.status == "failed"
    if args.json:
        print(to_json({**status_record(status, workflow_id), "elapsed_s": round(elapsed, 3)}))
    else:
        print("\n".join(result_lines(status, elapsed)))
        if not failed:
            print(f"  total    {elapsed:.2f}s")
    return 1 if failed else 0
