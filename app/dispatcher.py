"""Commands become Temporal signal-with-start calls: the only way work enters the system.

Signal-with-start is idempotent in effect: a duplicate only adds a signal that coalesces with
the first, so dispatching a delivery twice (a Redis outage, a redelivery) does no harm.
Workflows are named by string so the web process never imports workflow code.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import Iterable, Sequence

from temporalio.client import Client
from temporalio.common import RawValue, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from app.commands import (
    Command,
    DeleteBranch,
    IndexBranch,
    RemoveInstallation,
    RemoveRepository,
    SetupInstallation,
    SetupRepository,
    UpdateRepository,
)
from app.settings import Settings
from workflows.contracts import (
    DELETE_SIGNAL,
    PUSH_SIGNAL,
    SETUP_COMMAND_SIGNAL,
    STATUS_QUERY,
    BranchStatus,
    BranchWorkflowInput,
    DeleteRequest,
    PushRequest,
    RepoRef,
    SetupCommand,
    branch_workflow_id,
    installation_workflow_id,
    setup_workflow_id,
)

BRANCH_WORKFLOW = "RepoIndexingWorkflow"
# What may go between quotes in a visibility query: the admin API's repository ids.
_QUOTABLE = re.compile(r"[A-Za-z0-9._-]+")
SETUP_WORKFLOW = "RepoSetupWorkflow"
MAX_CONCURRENT_STARTS = 16
# Branches whose converted start argument is kept (about 1 KB each): repeated pushes to a
# branch reuse it.
START_INPUTS_KEPT = 4096


class Dispatcher:
    """Signal-with-start per command, on the configured task queue."""

    def __init__(self, client: Client, settings: Settings) -> None:
        self._client = client
        self._settings = settings
        # Settings are frozen, so the policy every branch workflow starts with never changes.
        self._policy = settings.indexing_policy()
        self._start_input = functools.lru_cache(START_INPUTS_KEPT)(self._convert_start_input)

    async def push(self, request: PushRequest) -> str:
        return await self._branch_signal(request.repo.repo_id, request.branch, PUSH_SIGNAL, request)

    async def running_branches(self, repo_id: str) -> list[str]:
        """Branches of `repo_id` whose workflow is running: a branch on its first run has no
        Branch node yet. Found by workflow id prefix, each confirmed by its `status` (another
        repository's id may extend this one: `a-1` and `a-1-x`). Visibility lags by a moment."""
        if not _QUOTABLE.fullmatch(repo_id):
            return []  # never spliced into a query; provider ids always match
        prefix = branch_workflow_id(repo_id, "")
        query = (
            f"WorkflowType = '{BRANCH_WORKFLOW}' AND ExecutionStatus = 'Running' "
            f"AND WorkflowId STARTS_WITH '{prefix}'"
        )
        branches = set()
        async for execution in self._client.list_workflows(query):
            handle = self._client.get_workflow_handle(execution.id)
            try:
                status = await handle.query(STATUS_QUERY, result_type=BranchStatus)
            except RPCError as exc:
                if exc.status != RPCStatusCode.NOT_FOUND:
                    raise  # a busy server: the caller retries rather than miss a branch
                continue  # gone since it was listed
            if status.repo_id == repo_id:
                branches.add(status.branch)
        return sorted(branches)

    async def delete(self, request: DeleteRequest) -> str:
        return await self._branch_signal(request.repo_id, request.branch, DELETE_SIGNAL, request)

    async def _branch_signal(self, repo_id: str, branch: str, signal: str, arg: object) -> str:
        workflow_id = branch_workflow_id(repo_id, branch)
        await self._signal_with_start(
            BRANCH_WORKFLOW, workflow_id, signal, arg, self._start_input(repo_id, branch)
        )
        return workflow_id

    def _convert_start_input(self, repo_id: str, branch: str) -> RawValue:
        """A branch workflow's start argument, converted once per branch (`_start_input`).

        Temporal reads it only when the signal starts the workflow, yet the client converts it
        on every call, and with the policy in it that was ~40 us of the web process's CPU per
        delivery. The payload is the client's own converter's; codecs still apply to it. (A
        converter that depends on the serialization context would need converting per call.)
        """
        start = BranchWorkflowInput(repo_id, branch, policy=self._policy)
        (payload,) = self._client.data_converter.payload_converter.to_payloads([start])
        return RawValue(payload)

    async def setup(self, command: SetupCommand, workflow_id: str) -> str:
        await self._signal_with_start(SETUP_WORKFLOW, workflow_id, SETUP_COMMAND_SIGNAL, command)
        return workflow_id

    async def _signal_with_start(
        self, workflow: str, workflow_id: str, signal: str, arg: object, *start_args: object
    ) -> None:
        await self._client.start_workflow(
            workflow,
            args=start_args,
            id=workflow_id,
            task_queue=self._settings.task_queue,
            start_signal=signal,
            start_signal_args=[arg],
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        )

    async def dispatch(self, command: Command) -> str:
        """Send one command to the workflow that owns it; returns that workflow's id."""
        match command:
            case IndexBranch(request):
                return await self.push(request)
            case DeleteBranch(request):
                return await self.delete(request)
            case SetupRepository(repo, delivery):
                return await self.setup(
                    SetupCommand("setup", delivery, repo=repo, repo_id=repo.repo_id),
                    setup_workflow_id(repo.repo_id),
                )
            case RemoveRepository(repo_id, reason, delivery):
                return await self.setup(
                    SetupCommand("remove", delivery, repo_id=repo_id, reason=reason),
                    setup_workflow_id(repo_id),
                )
            case UpdateRepository():
                return await self.setup(
                    _update_command(command), setup_workflow_id(command.repo_id)
                )
            case SetupInstallation(installation_id, delivery):
                return await self.setup(
                    SetupCommand("install", delivery, installation_id=installation_id),
                    installation_workflow_id(installation_id),
                )
            case RemoveInstallation(installation_id, reason, delivery):
                return await self.setup(
                    SetupCommand(
                        "uninstall", delivery, installation_id=installation_id, reason=reason
                    ),
                    installation_workflow_id(installation_id),
                )
        raise TypeError(f"unknown command {type(command).__name__}")

    async def dispatch_all(self, commands: Iterable[Command]) -> list[str]:
        """Dispatch concurrently (bounded); raises if any dispatch failed, after all finish."""
        commands = tuple(commands)
        if len(commands) == 1:
            # Most deliveries (a push) carry one command: no semaphore or gather to pay for.
            return [await self.dispatch(commands[0])]
        limit = asyncio.Semaphore(MAX_CONCURRENT_STARTS)

        async def bounded(command: Command) -> str:
            async with limit:
                return await self.dispatch(command)

        results: Sequence[str | BaseException] = await asyncio.gather(
            *(bounded(command) for command in commands), return_exceptions=True
        )
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return [result for result in results if isinstance(result, str)]


def _update_command(command: UpdateRepository) -> SetupCommand:
    repo = RepoRef(
        repo_id=command.repo_id,
        provider=command.provider,
        full_name=command.full_name,
        clone_url=command.clone_url or "",
        installation_id=command.installation_id,
        project_id=command.project_id,
        default_branch=command.default_branch,
    )
    return SetupCommand("update", command.delivery_id, repo=repo, repo_id=command.repo_id)
