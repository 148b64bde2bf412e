"""The scheduled GitHub redelivery sweep, run on a real worker against a fake GitHub API."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from temporalio.client import (
    Client,
    ScheduleActionExecutionStartWorkflow,
    ScheduleHandle,
    WorkflowFailureError,
)
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.redelivery_sweep import ensure_redelivery_schedule, remove_redelivery_schedule
from app.settings import Settings, SettingsError
from tests.cli.conftest import stack_env
from tests.redelivery.conftest import APP_ID, FakeApp
from tests.support.fake_github import ago, hook_delivery
from tests.support.schedules import schedule_fixture
from tests.support.worker_process import worker_process
from workflows.contracts import (
    RedeliveryOutcome,
    RedeliverySweepOutcome,
    RedeliverySweepRequest,
    redelivery_schedule_id,
)

THREE_DAYS_MINUTES = 72 * 60


async def sweep(
    client: Client, settings: Settings, request: RedeliverySweepRequest
) -> RedeliverySweepOutcome:
    """Run the sweep workflow once, directly, on the test's task queue."""
    return await client.execute_workflow(
        "RedeliverySweepWorkflow",
        request,
        id=f"redelivery-{uuid.uuid4().hex[:8]}",
        task_queue=settings.task_queue,
        result_type=RedeliverySweepOutcome,
    )


schedule = schedule_fixture(redelivery_schedule_id)


async def test_sweep_redelivers_exactly_the_events_that_never_succeeded(
    worker: str, temporal_client: Client, settings: Settings, github: FakeApp
) -> None:
    """Over three days, only events with no successful attempt are redelivered, each once."""
    result = await sweep(
        temporal_client, settings, RedeliverySweepRequest(lookback_minutes=THREE_DAYS_MINUTES)
    )

    assert github.fake.redelivered == [22, 31]
    assert result.outcome == RedeliveryOutcome(
        events=5, never_delivered=2, redelivered=2, refused=0
    )
    since = datetime.fromisoformat(result.checked_from)
    until = datetime.fromisoformat(result.checked_until)
    assert until - since == timedelta(hours=72)
    assert abs(until - datetime.now(UTC)) < timedelta(minutes=1)


async def test_first_run_looks_back_only_its_interval(
    worker: str, temporal_client: Client, settings: Settings, github: FakeApp
) -> None:
    """Without a previous run the window is `lookback_minutes`: a 3-hour one finds one event."""
    result = await sweep(temporal_client, settings, RedeliverySweepRequest(lookback_minutes=180))

    assert github.fake.redelivered == [31]
    assert result.outcome.events == 3


async def test_a_refused_redelivery_is_counted_and_the_others_proceed(
    worker: str, temporal_client: Client, settings: Settings, github: FakeApp
) -> None:
    """GitHub refusing one redelivery (422) does not stop the others or fail the run."""
    github.fake.refuse_redelivery[22] = 422

    result = await sweep(
        temporal_client, settings, RedeliverySweepRequest(lookback_minutes=THREE_DAYS_MINUTES)
    )

    assert github.fake.redelivered == [31]
    assert result.outcome == RedeliveryOutcome(
        events=5, never_delivered=2, redelivered=1, refused=1
    )


async def test_events_refused_for_good_are_counted_but_not_redelivered(
    worker: str, temporal_client: Client, settings: Settings, github: FakeApp
) -> None:
    """A last answer of 400 or 413 would come back at every redelivery, so the event is only
    counted; a 401 (a secret fixed since) is redelivered with the usual ones."""
    github.fake.deliveries += [
        hook_delivery(71, "guid-malformed", ago(hours=5), 503),
        hook_delivery(72, "guid-malformed", ago(hours=4), 400, redelivery=True),
        hook_delivery(81, "guid-too-large", ago(hours=4), 413),
        hook_delivery(91, "guid-bad-secret", ago(hours=3), 401),
    ]

    result = await sweep(
        temporal_client, settings, RedeliverySweepRequest(lookback_minutes=THREE_DAYS_MINUTES)
    )

    assert github.fake.redelivered == [22, 91, 31]
    assert result.outcome == RedeliveryOutcome(
        events=8, never_delivered=5, redelivered=3, refused=0
    )


async def test_an_app_github_rejects_fails_the_run_without_retries(
    worker: str, temporal_client: Client, settings: Settings, github: FakeApp
) -> None:
    """A JWT GitHub refuses (wrong App id) fails the sweep at once, as GitHubAppRejected."""
    github.fake.app_id = "999"  # GitHub knows the key under another App id

    with pytest.raises(WorkflowFailureError) as failure:
        await sweep(temporal_client, settings, RedeliverySweepRequest())

    cause = failure.value.cause
    assert isinstance(cause, ActivityError)
    assert isinstance(cause.cause, ApplicationError)
    assert cause.cause.type == "GitHubAppRejected"
    assert "HTTP 401" in cause.cause.message
    assert github.fake.redelivered == []
    listed = [path for method, path, _ in github.fake.requests if method == "GET"]
    assert len(listed) == 1, listed  # no retry


async def test_ensure_schedule_is_idempotent_and_follows_the_interval_setting(
    temporal_client: Client, settings: Settings, schedule: ScheduleHandle
) -> None:
    """Twice gives one unchanged schedule; a new interval updates it and keeps a pause."""
    first = await ensure_redelivery_schedule(temporal_client, settings)
    second = await ensure_redelivery_schedule(temporal_client, settings)
    described = await schedule.describe()

    assert (first, second) == ("created", "unchanged")
    assert described.id == redelivery_schedule_id(settings.task_queue)
    assert [i.every for i in described.schedule.spec.intervals] == [timedelta(minutes=15)]
    action = described.schedule.action
    assert action.workflow == "RedeliverySweepWorkflow"  # type: ignore[attr-defined]
    assert action.task_queue == settings.task_queue  # type: ignore[attr-defined]
    assert described.info.num_actions == 0

    await schedule.pause(note="operator")
    slower = dataclasses.replace(settings, redelivery_interval_minutes=30)
    third = await ensure_redelivery_schedule(temporal_client, slower)
    updated = await schedule.describe()

    assert third == "updated"
    assert [i.every for i in updated.schedule.spec.intervals] == [timedelta(minutes=30)]
    assert updated.schedule.state.paused


async def test_scheduled_runs_resume_where_the_last_one_stopped(
    worker: str,
    temporal_client: Client,
    settings: Settings,
    github: FakeApp,
    schedule: ScheduleHandle,
) -> None:
    """The second scheduled run starts at the first's end, so it sees only newer failures."""
    # From the clock, not the module's NOW: the run looks back 15 minutes from the real time,
    # and NOW is when the suite was collected, over ten minutes earlier on a slow machine.
    recent = datetime.now(UTC) - timedelta(minutes=5)
    github.fake.deliveries.append(hook_delivery(71, "guid-recent", recent, 502))
    await ensure_redelivery_schedule(temporal_client, settings)

    await schedule.trigger()
    first = await scheduled_result(temporal_client, schedule, 1)
    github.fake.deliveries.append(
        hook_delivery(81, "guid-newest", datetime.now(UTC) + timedelta(seconds=1), 0)
    )
    await schedule.trigger()
    second = await scheduled_result(temporal_client, schedule, 2)

    # The first run looked back its 15 minutes; the second from the first's end less 60 s.
    assert github.fake.redelivered == [71, 81]
    assert datetime.fromisoformat(first.checked_until) - datetime.fromisoformat(
        first.checked_from
    ) == timedelta(minutes=15)
    assert datetime.fromisoformat(second.checked_from) == datetime.fromisoformat(
        first.checked_until
    ) - timedelta(seconds=60)
    assert second.outcome == RedeliveryOutcome(
        events=1, never_delivered=1, redelivered=1, refused=0
    )


async def scheduled_result(
    client: Client, schedule: ScheduleHandle, nth: int, timeout: float = 30
) -> RedeliverySweepOutcome:
    """The result of the schedule's `nth` action, once it has completed."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        actions = (await schedule.describe()).info.recent_actions
        if len(actions) >= nth:
            started = actions[nth - 1].action
            assert isinstance(started, ScheduleActionExecutionStartWorkflow)
            handle = client.get_workflow_handle(
                started.workflow_id,
                run_id=started.first_execution_run_id,
                result_type=RedeliverySweepOutcome,
            )
            return await handle.result()
        await asyncio.sleep(0.1)
    raise AssertionError(f"the schedule never took action {nth}")


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 15.0), ("30", 30.0), ("1", 1.0), ("1440", 1440.0)]
)
def test_redelivery_interval_setting(value: str | None, expected: float) -> None:
    """REDELIVERY_INTERVAL_MINUTES defaults to 15 and accepts 1 to 1440 minutes."""
    env = {} if value is None else {"REDELIVERY_INTERVAL_MINUTES": value}

    assert Settings.from_env(env).redelivery_interval_minutes == expected


@pytest.mark.parametrize("value", ["0.5", "0", "1441", "soon"])
def test_redelivery_interval_outside_its_range_is_refused(value: str) -> None:
    """An interval under a minute, over a day or not a number stops the process at start."""
    with pytest.raises(SettingsError, match="REDELIVERY_INTERVAL_MINUTES"):
        Settings.from_env({"REDELIVERY_INTERVAL_MINUTES": value})


async def test_worker_process_keeps_the_schedule_only_while_an_app_is_configured(
    temporal_client: Client,
    settings: Settings,
    github: FakeApp,
    schedule: ScheduleHandle,
    tmp_path: Path,
) -> None:
    """`repograph worker` with GITHUB_APP_ID and a key creates the sweep's schedule at start;
    started without them, it deletes the schedule the last App left behind."""
    log = tmp_path / "worker.log"
    env = stack_env(
        settings,
        GITHUB_APP_ID=APP_ID,
        GITHUB_APP_PRIVATE_KEY=github.private_key,
        GITHUB_API_URL=github.url,
        REDELIVERY_INTERVAL_MINUTES="20",
        WORKER_METRICS_PORT="0",
    )

    with worker_process(env, log):
        described = None
        for _ in range(300):
            with contextlib.suppress(RPCError):
                described = await schedule.describe()
                break
            await asyncio.sleep(0.2)

    assert described is not None, log.read_text()
    assert [i.every for i in described.schedule.spec.intervals] == [timedelta(minutes=20)]

    without_app = stack_env(settings, WORKER_METRICS_PORT="0")
    with worker_process(without_app, log):
        gone = None
        for _ in range(300):
            try:
                await schedule.describe()
            except RPCError as exc:
                gone = exc.status
                break
            await asyncio.sleep(0.2)
    assert gone == RPCStatusCode.NOT_FOUND, f"the schedule outlived the App: {log.read_text()}"


async def test_removing_the_schedule_is_idempotent(
    temporal_client: Client, settings: Settings, schedule: ScheduleHandle
) -> None:
    await ensure_redelivery_schedule(temporal_client, settings)
    assert await remove_redelivery_schedule(temporal_client, settings) is True
    assert await remove_redelivery_schedule(temporal_client, settings) is False
    with pytest.raises(RPCError):
        await schedule.describe()
