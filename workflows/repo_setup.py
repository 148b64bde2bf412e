"""RepoSetupWorkflow: repository- and installation-level changes, one command at a time.

Installation events list repositories without their default branch, and removals name a
repository but not its branches. This workflow does that lookup in activities (never in the
web request) and then signals the branch workflows, which own every change to a branch graph.
It ends when its queue is empty; the next command starts it again.
"""

from __future__ import annotations

from collections import deque
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from workflows.contracts import SETUP_COMMAND_SIGNAL, SetupCommand

RETRY = RetryPolicy(
    maximum_attempts=5,
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(seconds=30),
    non_retryable_error_types=[
        "RepositoryNotFound",
        "AuthenticationFailed",
        "InvalidRef",
        "InvalidInput",
    ],
)


@workflow.defn(name="RepoSetupWorkflow")
class RepoSetupWorkflow:
    def __init__(self) -> None:
        self._queue: deque[SetupCommand] = deque()
        self._done = 0
        self._errors: list[str] = []

    @workflow.signal(name=SETUP_COMMAND_SIGNAL)
    def command(self, command: SetupCommand) -> None:
        self._queue.append(command)

    @workflow.query(name="status")
    def status(self) -> dict[str, Any]:
        return {"queued": len(self._queue), "done": self._done, "errors": self._errors}

    @workflow.run
    async def run(self) -> int:
        while self._queue:
            command = self._queue.popleft()
            try:
                await self._activity("run_setup_command", command)
            except ActivityError as err:
                message = f"{command.action} failed: {err.__cause__ or err}"
                self._errors.append(message)
                workflow.logger.warning(message, extra={"delivery": command.delivery_id})
            self._done += 1
            await workflow.wait_condition(workflow.all_handlers_finished)
        return self._done

    async def _activity(self, name: str, arg: SetupCommand) -> Any:
        return await workflow.execute_activity(
            name,
            arg,
            # An installation's thousands of repositories: the activity heartbeats after
            # each, and a retry goes on after the last one done.
            start_to_close_timeout=timedelta(minutes=30),
            heartbeat_timeout=timedelta(minutes=1),
            retry_policy=RETRY,
        )
