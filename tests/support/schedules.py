"""A fixture for the Temporal Schedule of the test's task queue, deleted when the test ends."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from temporalio.client import Client, ScheduleHandle
from temporalio.service import RPCError

from app.settings import Settings


def schedule_fixture(schedule_id: Callable[[str], str]) -> Any:
    """A `schedule` fixture: the handle of `schedule_id(task queue)`, deleted afterwards."""

    @pytest.fixture(name="schedule")
    async def schedule(
        temporal_client: Client, settings: Settings
    ) -> AsyncIterator[ScheduleHandle]:
        handle = temporal_client.get_schedule_handle(schedule_id(settings.task_queue))
        yield handle
        with contextlib.suppress(RPCError):  # the test never created it
            await handle.delete()

    return schedule
