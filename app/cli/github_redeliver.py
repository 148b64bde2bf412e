"""`repograph github redeliver`: recover webhook events GitHub could not deliver to repograph.

Run it after an outage (or on a schedule): every event in the window none of whose attempts
succeeded is redelivered once, from its latest attempt, unless that attempt was refused for
good (400, 413): the same payload would be refused again. Events delivered by any attempt are
left alone, so running it twice in a row requests nothing new once the redeliveries land.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime, timedelta

from githubkit.exception import GitHubException, RequestFailed

from app.cli.command import CliError, UsageError
from app.github_deliveries import AppDeliveries, GitHubAppNotConfiguredError
from app.redelivery import DeliveryAttempt, undelivered
from app.settings import Settings


def redeliver(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_redeliver(settings, args.since, dry_run=args.dry_run))


async def _redeliver(settings: Settings, window: timedelta, *, dry_run: bool) -> int:
    try:
        deliveries = AppDeliveries(settings)
    except GitHubAppNotConfiguredError as exc:
        raise UsageError(str(exc)) from None
    cutoff = datetime.now(UTC) - window
    verb = "would redeliver" if dry_run else "redelivered"
    try:
        attempts = [attempt async for attempt in deliveries.since(cutoff)]
        never_delivered = undelivered(attempts)
        for attempt in never_delivered:
            if not attempt.retryable:
                print(_describe(attempt, "not redelivering (refused for good)"))
                continue
            if not dry_run:
                await deliveries.redeliver(attempt.id)
            print(_describe(attempt, verb))
    except RequestFailed as exc:
        raise CliError(
            f"GitHub answered HTTP {exc.response.status_code} to "
            f"{exc.request.method} {exc.request.url.path}; check GITHUB_APP_ID, the private "
            "key and GITHUB_API_URL"
        ) from None
    except GitHubException as exc:
        raise CliError(f"cannot reach GitHub at {settings.github_api_url}: {exc}") from None
    events = len({attempt.guid for attempt in attempts})
    retried = sum(attempt.retryable for attempt in never_delivered)
    print(
        f"{events} events since {cutoff:%Y-%m-%d %H:%M} UTC, {len(never_delivered)} never "
        f"delivered: {verb} {retried}"
    )
    return 0


def _describe(attempt: DeliveryAttempt, verb: str) -> str:
    event = attempt.event + (f".{attempt.action}" if attempt.action else "")
    return (
        f"{verb} {attempt.guid} ({event}, delivery {attempt.id}, last attempt "
        f"{attempt.delivered_at:%Y-%m-%d %H:%M:%S} answered {attempt.status_code} {attempt.status})"
    )
