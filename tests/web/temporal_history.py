"""Reading back from Temporal what the receiver dispatched: workflow starts and their signals.

No worker runs in these tests, so each workflow stays open with its start and signal events in
history; `Dispatched` records every id it looked at and terminates them all at the end.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
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
from workflows.contracts import (
    RepoRef,
    SetupCommand,
    branch_workflow_id,
    installation_workflow_id,
    setup_workflow_id,
)

BRANCH_WORKFLOW = "RepoIndexingWorkflow"
SETUP_WORKFLOW = "RepoSetupWorkflow"


@dataclass(frozen=True)
class ExpectedSignal:
    """One signal-with-start the receiver must have made: where, which signal, what argument."""

    workflow_id: str
    workflow_type: str
    signal: str
    argument: Any


def expected_signal(command: Command) -> ExpectedSignal:
    """The contract of issue 3, stated independently of the dispatcher's code."""
    match command:
        case IndexBranch(request):
            workflow_id = branch_workflow_id(request.repo.repo_id, request.branch)
            return ExpectedSignal(workflow_id, BRANCH_WORKFLOW, "push", request)
        case DeleteBranch(request):
            workflow_id = branch_workflow_id(request.repo_id, request.branch)
            return ExpectedSignal(workflow_id, BRANCH_WORKFLOW, "delete", request)
        case SetupRepository(repo, delivery):
            setup = SetupCommand("setup", delivery, repo=repo, repo_id=repo.repo_id)
            return ExpectedSignal(setup_workflow_id(repo.repo_id), SETUP_WORKFLOW, "command", setup)
        case RemoveRepository(repo_id, reason, delivery):
            remove = SetupCommand("remove", delivery, repo_id=repo_id, reason=reason)
            return ExpectedSignal(setup_workflow_id(repo_id), SETUP_WORKFLOW, "command", remove)
        case UpdateRepository():
            repo = RepoRef(
                repo_id=command.repo_id,
                provider=command.provider,
                full_name=command.full_name,
                clone_url=command.clone_url or "",
                installation_id=command.installation_id,
                project_id=command.project_id,
                default_branch=command.default_branch,
            )
            update = SetupCommand("update", command.delivery_id, repo=repo, repo_id=repo.repo_id)
            return ExpectedSignal(
                setup_workflow_id(command.repo_id), SETUP_WORKFLOW, "command", update
            )
        case SetupInstallation(installation_id, delivery):
            install = SetupCommand("install", delivery, installation_id=installation_id)
            workflow_id = installation_workflow_id(installation_id)
            return ExpectedSignal(workflow_id, SETUP_WORKFLOW, "command", install)
        case RemoveInstallation(installation_id, reason, delivery):
            uninstall = SetupCommand(
                "uninstall", delivery, installation_id=installation_id, reason=reason
            )
            workflow_id = installation_workflow_id(installation_id)
            return ExpectedSignal(workflow_id, SETUP_WORKFLOW, "command", uninstall)
    raise AssertionError(f"unexpected command {command!r}")


@dataclass(frozen=True)
class Signal:
    name: str
    payloads: list[Any]


@dataclass(frozen=True)
class WorkflowRecord:
    """A workflow's type, task queue, start arguments and signals, read from its history."""

    workflow_type: str
    task_queue: str
    signals: list[Signal]
    start_payloads: list[Any]

    def decoded(self, client: Client, argument_type: type) -> list[tuple[str, Any]]:
        """Each signal as (name, argument decoded into `argument_type`)."""
        converter = client.data_converter.payload_converter
        return [
            (signal.name, converter.from_payloads(signal.payloads, [argument_type])[0])
            for signal in self.signals
        ]


class Dispatched:
    """What Temporal holds for workflow ids; terminates every id it was asked about."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._seen: set[str] = set()

    async def record(self, workflow_id: str) -> WorkflowRecord:
        self._seen.add(workflow_id)
        history = await self.client.get_workflow_handle(workflow_id).fetch_history()
        workflow_type = task_queue = ""
        signals: list[Signal] = []
        start_payloads: list[Any] = []
        for event in history.events:
            if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
                started = event.workflow_execution_started_event_attributes
                workflow_type = started.workflow_type.name
                task_queue = started.task_queue.name
                start_payloads = list(started.input.payloads)
            elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
                signaled = event.workflow_execution_signaled_event_attributes
                signals.append(Signal(signaled.signal_name, list(signaled.input.payloads)))
        return WorkflowRecord(workflow_type, task_queue, signals, start_payloads)

    async def exists(self, workflow_id: str) -> bool:
        """True if Temporal has ever seen a workflow with this id."""
        self._seen.add(workflow_id)
        try:
            await self.client.get_workflow_handle(workflow_id).describe()
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return False
            raise
        return True

    def track(self, *workflow_ids: str) -> None:
        self._seen.update(workflow_ids)

    async def terminate_all(self) -> None:
        for workflow_id in sorted(self._seen):
            with contextlib.suppress(RPCError):
                await self.client.get_workflow_handle(workflow_id).terminate("test finished")
