"""The GitHub redelivery sweep's activity, and the Temporal Schedule that runs it.

The activity lists the App's webhook deliveries since the window's start and asks GitHub to
redeliver, once, every event none of whose attempts succeeded and whose latest answer a retry
can change (`deliveries_to_redeliver`, as `repograph github redeliver` does). Redelivering an
event twice is harmless: the receiver's ledger answers the second copy `duplicate`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from githubkit.exception import RequestFailed
from temporalio import activity
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from activities.schedules import ScheduleChange, ensure_schedule
from app.github_deliveries import AppDeliveries, GitHubAppNotConfiguredError
from app.redelivery import DeliveryAttempt, deliveries_to_redeliver, undelivered
from app.settings import Settings
from workflows.contracts import (
    RedeliveryOutcome,
    RedeliverySweepRequest,
    RedeliveryWindow,
    redelivery_schedule_id,
)

log = logging.getLogger("repograph.redelivery")
HEARTBEAT_EVERY = 100  # delivery log rows


class RedeliveryActivities:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @activity.defn(name="redeliver_failed_deliveries")
    async def redeliver_failed_deliveries(self, window: RedeliveryWindow) -> RedeliveryOutcome:
        try:
            deliveries = AppDeliveries(self._settings)
        except GitHubAppNotConfiguredError as exc:
            raise ApplicationError(
                str(exc), type="GitHubAppNotConfigured", non_retryable=True
            ) from None
        attempts: list[DeliveryAttempt] = []
        try:
            async for attempt in deliveries.since(datetime.fromisoformat(window.since)):
                attempts.append(attempt)
                if len(attempts) % HEARTBEAT_EVERY == 0:
                    activity.heartbeat(len(attempts))
        except RequestFailed as exc:
            raise _as_application_error(exc) from None
        never_delivered = undelivered(attempts)
        for attempt in never_delivered:
            if not attempt.retryable:
                log.warning(
                    "not redelivered: a redelivery would be answered HTTP %s again",
                    attempt.status_code,
                    extra={"guid": attempt.guid, "delivery_id": attempt.id, "event": attempt.event},
                )
        lost = deliveries_to_redeliver(attempts)
        redelivered = refused = unavailable = 0
        for attempt in lost:
            activity.heartbeat(attempt.guid)
            context = {"guid": attempt.guid, "delivery_id": attempt.id, "event": attempt.event}
            try:
                await deliveries.redeliver(attempt.id)
            except RequestFailed as exc:
                error = _as_application_error(exc)
                if error.type == "GitHubAppRejected":
                    raise error from None
                if error.non_retryable:
                    refused += 1  # e.g. too old to redeliver: no retry will change that
                else:
                    unavailable += 1
                log.warning("GitHub refused a redelivery: %s", error.message, extra=context)
                continue
            redelivered += 1
            log.info("requested redelivery", extra=context)
        if unavailable:
            # The run fails, so the next one sweeps this window again.
            raise ApplicationError(
                f"GitHub did not take {unavailable} of {len(lost)} redeliveries",
                type="RedeliveryUnavailable",
            )
        return RedeliveryOutcome(
            events=len({attempt.guid for attempt in attempts}),
            never_delivered=len(never_delivered),
            redelivered=redelivered,
            refused=refused,
        )

    def activities(self) -> list[Callable[..., Any]]:
        return [self.redeliver_failed_deliveries]


def _as_application_error(exc: RequestFailed) -> ApplicationError:
    status = exc.response.status_code
    message = f"GitHub answered HTTP {status} to {exc.request.method} {exc.request.url.path}"
    if status in (401, 403):
        return ApplicationError(
            f"{message}; check GITHUB_APP_ID and the private key",
            type="GitHubAppRejected",
            non_retryable=True,
        )
    permanent = 400 <= status < 500 and status not in (408, 429)
    return ApplicationError(message, type=f"GitHubHTTP{status}", non_retryable=permanent)


async def ensure_redelivery_schedule(client: Client, settings: Settings) -> ScheduleChange:
    """Create the sweep's schedule, or bring its interval up to date: created/updated/unchanged."""
    schedule_id = redelivery_schedule_id(settings.task_queue)
    every = timedelta(minutes=settings.redelivery_interval_minutes)
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            "RedeliverySweepWorkflow",
            RedeliverySweepRequest(lookback_minutes=settings.redelivery_interval_minutes),
            id=f"{schedule_id}-run",
            task_queue=settings.task_queue,
            execution_timeout=timedelta(hours=1),
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        # Runs missed while Temporal was down collapse into one: each run covers the gap.
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=every),
    )
    change = await ensure_schedule(client, schedule_id, schedule)
    if change != "unchanged":
        log.info("%s the GitHub redelivery schedule", change, extra={"every": str(every)})
    return change


async def remove_redelivery_schedule(client: Client, settings: Settings) -> bool:
    """Delete the sweep's schedule, if there is one: a worker started without a GitHub App
    would otherwise leave the last App's schedule failing every interval. Returns whether
    one was deleted."""
    try:
        await client.get_schedule_handle(redelivery_schedule_id(settings.task_queue)).delete()
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            return False
        raise
    log.info("deleted the GitHub redelivery schedule: no GitHub App is configured")
    return True
