"""Failures on the way to Temporal: a delivery is never lost, and /readyz names what is missing.

The outage tests run their own Redis and Temporal (the session's must stay up for other tests)
and stop and restart them; Temporal keeps its state across a restart in the same database file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import redis.asyncio as aioredis
from starlette.applications import Starlette
from starlette.routing import Route
from temporalio.client import Client

from app.commands import Command
from app.ledger import DEFAULT_PREFIX, LedgerUnavailableError, RedisDeliveryLedger, delivery_key
from app.metrics import ReceiverMetrics
from app.redelivery import DeliveryAttempt, deliveries_to_redeliver
from app.settings import Settings
from app.webhooks import WebhookReceiver, github_webhook
from stack.services import Redis, Temporal, free_port
from tests.receiver.webhook_fixtures import fixture_body
from tests.web.deliveries import GITHUB_SECRET, GITLAB_TOKEN, UniqueIds, github_headers
from tests.web.receiver_app import Receiver, serve
from tests.web.temporal_history import Dispatched


@dataclass
class PrivateStack:
    redis: Redis
    temporal: Temporal

    def settings(self, task_queue: str) -> Settings:
        return Settings(
            redis_url=self.redis.url,
            temporal_address=self.temporal.address,
            github_webhook_secrets=(GITHUB_SECRET,),
            gitlab_webhook_tokens=(GITLAB_TOKEN,),
            task_queue=task_queue,
        )

    async def stop(self, service: Redis | Temporal) -> None:
        await asyncio.to_thread(service.stop)

    async def start(self, service: Redis | Temporal) -> None:
        await asyncio.to_thread(service.start)


@pytest.fixture
async def private_stack(tmp_path: Path) -> AsyncIterator[PrivateStack]:
    """A Redis and a Temporal dev server of this test's own, free to stop and restart."""
    stack = PrivateStack(
        Redis("redis", free_port(), tmp_path), Temporal("temporal", free_port(), tmp_path)
    )
    try:
        await asyncio.gather(stack.start(stack.redis), stack.start(stack.temporal))
        yield stack
    finally:
        await asyncio.gather(stack.stop(stack.redis), stack.stop(stack.temporal))


async def wait_until_ready(receiver: Receiver) -> None:
    """Poll /readyz: a restarted server may take a moment after its port opens."""
    for _ in range(150):
        if (await receiver.http.get("/readyz")).status_code == 200:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("/readyz did not turn 200 within 15 s")


async def warm_up(receiver: Receiver) -> None:
    """One delivery accepted, so the receiver's Temporal connection is up before a test stops
    a service. The first signal-with-start to a fresh dev server can outlast the receiver's
    retries on a loaded machine (answered 503): that is setup, so it is tried again."""
    await wait_until_ready(receiver)
    for _ in range(10):
        response = await receiver.post_github(UniqueIds.new().body(fixture_body("github", "push")))
        if response.status_code == 202:
            return
    raise AssertionError(f"no warm-up delivery accepted: last {response.status_code}")


def push_workflow(ids: UniqueIds) -> str:
    return f"repo-index-github-{ids.ids['708123456']}-main"


async def signals_of(stack: PrivateStack, workflow_id: str) -> list[str]:
    client = await Client.connect(stack.temporal.address)
    tracker = Dispatched(client)
    try:
        record = await tracker.record(workflow_id)
    finally:
        await tracker.terminate_all()
    return [signal.name for signal in record.signals]


async def test_temporal_down_is_503_and_the_redelivery_succeeds_once_it_is_back(
    private_stack: PrivateStack, task_queue: str, ids: UniqueIds
) -> None:
    """While Temporal is down a delivery gets 503 and its claim is released for the redelivery."""
    body = ids.body(fixture_body("github", "push"))
    async with serve(private_stack.settings(task_queue)) as receiver:
        await warm_up(receiver)
        await private_stack.stop(private_stack.temporal)

        refused = await receiver.post_github(body, delivery=ids.delivery)
        assert refused.status_code == 503
        assert refused.json()["status"] == "unavailable"
        redis_client = aioredis.Redis.from_url(private_stack.redis.url)
        try:
            key = DEFAULT_PREFIX + delivery_key("github", ids.delivery)
            assert await redis_client.exists(key) == 0
        finally:
            await redis_client.aclose()

        await private_stack.start(private_stack.temporal)
        await wait_until_ready(receiver)
        redelivered = await receiver.post_github(body, delivery=ids.delivery)
        assert (redelivered.status_code, redelivered.json()["status"]) == (202, "accepted")
        failed = "repograph_dispatch_seconds_count"
        assert await receiver.metric(failed, provider="github", result="failed") == 1
    assert await signals_of(private_stack, push_workflow(ids)) == ["push"]


async def wait_for_claim(redis_url: str, key: str) -> None:
    """Poll Redis until a request holds the claim on `key`."""
    redis_client = aioredis.Redis.from_url(redis_url)
    try:
        for _ in range(200):
            if await redis_client.get(key) == b"claimed":
                return
            await asyncio.sleep(0.01)
    finally:
        await redis_client.aclose()
    raise AssertionError(f"nobody claimed {key} within 2 s")


async def test_a_copy_answered_while_the_first_dispatch_fails_is_not_lost(
    private_stack: PrivateStack, task_queue: str, ids: UniqueIds
) -> None:
    """A copy of a delivery that arrives while the first copy's dispatch is failing is not
    acknowledged: GitHub redelivers an event only if none of its attempts got a 2xx."""
    body = ids.body(fixture_body("github", "push"))
    async with serve(private_stack.settings(task_queue)) as receiver:
        await warm_up(receiver)
        await private_stack.stop(private_stack.temporal)

        first = asyncio.create_task(receiver.post_github(body, delivery=ids.delivery))
        key = DEFAULT_PREFIX + delivery_key("github", ids.delivery)
        await wait_for_claim(private_stack.redis.url, key)
        second = await receiver.post_github(body, delivery=ids.delivery)
        answers = [(await first).status_code, second.status_code]
        assert answers == [503, 503]

        # What `repograph github redeliver` (and the scheduled sweep) asks GitHub to send again.
        now = datetime.now(UTC)
        attempts = [
            DeliveryAttempt(n, ids.delivery, now, code, "", "push")
            for n, code in enumerate(answers)
        ]
        await private_stack.start(private_stack.temporal)
        await wait_until_ready(receiver)
        for _ in deliveries_to_redeliver(attempts):
            redelivered = await receiver.post_github(body, delivery=ids.delivery)
            assert redelivered.json()["status"] == "accepted"
    assert await signals_of(private_stack, push_workflow(ids)) == ["push"]


async def test_app_starts_while_temporal_is_down_and_connects_when_it_comes_up(
    private_stack: PrivateStack, task_queue: str, ids: UniqueIds
) -> None:
    """The process starts without Temporal: /readyz names it, and deliveries flow once it is up."""
    await private_stack.stop(private_stack.temporal)
    async with serve(private_stack.settings(task_queue)) as receiver:
        assert (await receiver.http.get("/healthz")).status_code == 200
        ready = await receiver.http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["failing"] == ["temporal"]
        body = ids.body(fixture_body("github", "push"))
        assert (await receiver.post_github(body, delivery=ids.delivery)).status_code == 503

        await private_stack.start(private_stack.temporal)
        await wait_until_ready(receiver)
        response = await receiver.post_github(body, delivery=ids.delivery)
        assert (response.status_code, response.json()["status"]) == (202, "accepted")
    assert await signals_of(private_stack, push_workflow(ids)) == ["push"]


async def test_redis_down_still_dispatches_and_dedup_resumes_when_it_is_back(
    private_stack: PrivateStack, task_queue: str, ids: UniqueIds
) -> None:
    """Without Redis a delivery is dispatched anyway (counted as fail-open); dedup resumes later."""
    body = ids.body(fixture_body("github", "push"))
    async with serve(private_stack.settings(task_queue)) as receiver:
        await warm_up(receiver)
        await private_stack.stop(private_stack.redis)

        response = await receiver.post_github(body, delivery=ids.delivery)
        assert (response.status_code, response.json()["status"]) == (202, "accepted")
        fail_open = "repograph_ledger_fail_open_total"
        assert await receiver.metric(fail_open, operation="claim") == 1
        ready = await receiver.http.get("/readyz")
        assert (ready.status_code, ready.json()["failing"]) == (503, ["redis"])

        await private_stack.start(private_stack.redis)
        await wait_until_ready(receiver)
        # Nothing was recorded while Redis was down, so this redelivery dispatches (harmless:
        # the signal coalesces); from then on the ledger deduplicates again.
        again = await receiver.post_github(body, delivery=ids.delivery)
        assert again.json()["status"] == "accepted"
        once_more = await receiver.post_github(body, delivery=ids.delivery)
        assert once_more.json()["status"] == "duplicate"
    assert await signals_of(private_stack, push_workflow(ids)) == ["push", "push"]


async def test_readyz_is_200_when_redis_and_temporal_answer(receiver: Receiver) -> None:
    """/readyz reports both dependencies ok; /healthz only says the process serves."""
    ready = await receiver.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"redis": "ok", "temporal": "ok"}}
    assert (await receiver.http.get("/healthz")).json() == {"status": "ok"}


class BrokenDispatcher:
    """Stands in for a bug of ours in the dispatch path (not for Temporal, which is real)."""

    async def dispatch_all(self, commands: Iterable[Command]) -> list[str]:
        raise ValueError("a bug")


async def post_to_a_broken_dispatch(
    ledger: RedisDeliveryLedger, settings: Settings, ids: UniqueIds
) -> httpx.Response:
    """POST a GitHub push to a receiver over `ledger` whose dispatch raises a bug of ours."""
    receiver = WebhookReceiver(settings, ledger, BrokenDispatcher(), ReceiverMetrics())
    app = Starlette(routes=[Route("/webhooks/github", github_webhook, methods=["POST"])])
    app.state.receiver = receiver
    transport = httpx.ASGITransport(app=app)
    body = ids.body(fixture_body("github", "push"))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
            return await http.post(
                "/webhooks/github",
                content=body,
                headers=github_headers(body, delivery=ids.delivery),
            )
    finally:
        await ledger.aclose()


async def test_a_bug_in_dispatch_is_a_logged_500_and_the_claim_is_released(
    settings: Settings,
    redis_client: aioredis.Redis,
    ids: UniqueIds,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An unexpected exception is answered 500 with a logged traceback, never left claimed."""
    response = await post_to_a_broken_dispatch(RedisDeliveryLedger(redis_client), settings, ids)
    assert response.status_code == 500
    assert response.json()["status"] == "error"
    assert any(record.exc_info for record in caplog.records)
    key = DEFAULT_PREFIX + delivery_key("github", ids.delivery)
    assert await redis_client.exists(key) == 0


class LostReplyLedger(RedisDeliveryLedger):
    """Redis takes the claim, but its reply never arrives (a timeout after the write)."""

    async def claim(self, delivery_key: str) -> bool:
        await super().claim(delivery_key)
        raise LedgerUnavailableError("claim failed: TimeoutError")


async def test_a_claim_whose_reply_was_lost_is_released_when_the_dispatch_fails(
    settings: Settings, redis_client: aioredis.Redis, ids: UniqueIds
) -> None:
    """The claim may be in Redis though unanswered: a failed dispatch still releases it, so
    the provider's redelivery is dispatched rather than answered `duplicate`."""
    response = await post_to_a_broken_dispatch(LostReplyLedger(redis_client), settings, ids)
    assert response.status_code == 500
    assert await redis_client.exists(DEFAULT_PREFIX + delivery_key("github", ids.delivery)) == 0
