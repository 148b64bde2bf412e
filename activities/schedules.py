"""Create-or-update of the worker's Temporal Schedules (the stale and redelivery sweeps).

Every worker start brings each schedule up to its settings: a schedule that is only created
would keep the interval and arguments of the first start forever.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

from temporalio.api.common.v1 import Payload
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

ScheduleChange = Literal["created", "updated", "unchanged"]


async def ensure_schedule(client: Client, schedule_id: str, wanted: Schedule) -> ScheduleChange:
    """Create `wanted`, or give the existing schedule its action, spec and policy when the
    workflow, its arguments or the intervals differ (a policy change alone goes unnoticed);
    a pause set by an operator stays."""
    try:
        await client.create_schedule(schedule_id, wanted)
    except ScheduleAlreadyRunningError:
        pass
    else:
        return "created"
    action = _start_workflow(wanted)
    # A described schedule holds its workflow's arguments as payloads: compare in that form.
    args = await client.data_converter.encode(action.args)
    changed = False

    def refresh(current: ScheduleUpdateInput) -> ScheduleUpdate | None:
        nonlocal changed
        existing = current.description.schedule
        changed = not _runs_as_wanted(existing, wanted.spec, action, args)
        if not changed:
            return None
        return ScheduleUpdate(
            dataclasses.replace(
                existing, action=wanted.action, spec=wanted.spec, policy=wanted.policy
            )
        )

    await client.get_schedule_handle(schedule_id).update(refresh)
    return "updated" if changed else "unchanged"


def _start_workflow(schedule: Schedule) -> ScheduleActionStartWorkflow:
    action = schedule.action
    if not isinstance(action, ScheduleActionStartWorkflow):
        raise TypeError(f"schedule action must start a workflow, not {type(action).__name__}")
    return action


def _runs_as_wanted(
    existing: Schedule,
    spec: ScheduleSpec,
    action: ScheduleActionStartWorkflow,
    args: Sequence[Payload],
) -> bool:
    """Whether `existing` already starts `action` with `args`, at `spec`'s intervals."""
    old = existing.action
    return (
        isinstance(old, ScheduleActionStartWorkflow)
        and old.workflow == action.workflow
        and old.id == action.id
        and old.task_queue == action.task_queue
        and old.execution_timeout == action.execution_timeout
        and list(old.args) == list(args)
        and [i.every for i in existing.spec.intervals] == [i.every for i in spec.intervals]
    )
