"""Deduplication: a delivery is dispatched once, however often and however concurrently it comes."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from app.ledger import DEFAULT_PREFIX, delivery_key
from tests.receiver.webhook_fixtures import fixture_body
from tests.web.deliveries import GITLAB_TOKEN, UniqueIds, gitlab_headers, project_hook_token
from tests.web.receiver_app import Receiver
from tests.web.temporal_history import Dispatched


def branch_workflow(ids: UniqueIds, provider: str, branch: str = "main") -> str:
    repo = ids.ids["708123456"] if provider == "github" else ids.ids["48151623"]
    return f"repo-index-{provider}-{repo}-{branch}"


async def test_the_same_delivery_twice_dispatches_once(
    receiver: Receiver, dispatched: Dispatched, ids: UniqueIds
) -> None:
    """A redelivered delivery id is answered 202 `duplicate` and adds no signal."""
    body = ids.body(fixture_body("github", "push"))
    first = await receiver.post_github(body, delivery=ids.delivery)
    second = await receiver.post_github(body, delivery=ids.delivery)
    assert (first.status_code, first.json()["status"]) == (202, "accepted")
    assert second.status_code == 202
    assert second.json() == {"status": "duplicate", "delivery": ids.delivery, "workflows": []}
    record = await dispatched.record(branch_workflow(ids, "github"))
    assert [signal.name for signal in record.signals] == ["push"]
    assert await receiver.metric("repograph_webhook_duplicates_total", provider="github") == 1


async def test_twenty_concurrent_copies_dispatch_exactly_once(
    receiver: Receiver, dispatched: Dispatched, ids: UniqueIds
) -> None:
    """Twenty simultaneous posts of one delivery: one accepted, nineteen duplicates, one signal."""
    body = ids.body(fixture_body("github", "push"))
    responses = await asyncio.gather(
        *(receiver.post_github(body, delivery=ids.delivery) for _ in range(20))
    )
    assert {response.status_code for response in responses} == {202}
    statuses = sorted(response.json()["status"] for response in responses)
    assert statuses == ["accepted"] + ["duplicate"] * 19
    record = await dispatched.record(branch_workflow(ids, "github"))
    assert [signal.name for signal in record.signals] == ["push"]


async def test_a_copy_whose_claim_owner_never_answers_is_503_not_duplicate(
    receiver: Receiver, dispatched: Dispatched, redis_client: aioredis.Redis, ids: UniqueIds
) -> None:
    """A copy finding a claim that stays undecided (its process died mid-dispatch) answers 503:
    it cannot vouch for work that may never happen, and the redelivery after the claim
    expires is dispatched."""
    key = DEFAULT_PREFIX + delivery_key("github", ids.delivery)
    await redis_client.set(key, "claimed", ex=60)  # what the dead process's claim looks like
    body = ids.body(fixture_body("github", "push"))
    copy = await receiver.post_github(body, delivery=ids.delivery)
    assert (copy.status_code, copy.json()["status"]) == (503, "unavailable")
    await redis_client.delete(key)  # the claim expires
    redelivered = await receiver.post_github(body, delivery=ids.delivery)
    assert redelivered.json()["status"] == "accepted"
    record = await dispatched.record(branch_workflow(ids, "github"))
    assert [signal.name for signal in record.signals] == ["push"]


async def test_distinct_deliveries_of_one_branch_each_signal(
    receiver: Receiver, dispatched: Dispatched, ids: UniqueIds
) -> None:
    """Two pushes with different delivery ids both signal the one branch workflow."""
    body = ids.body(fixture_body("github", "push"))
    for _ in range(2):
        assert (await receiver.post_github(body)).json()["status"] == "accepted"
    record = await dispatched.record(branch_workflow(ids, "github"))
    assert [signal.name for signal in record.signals] == ["push", "push"]


@pytest.mark.parametrize(
    "id_header",
    ["Idempotency-Key", "X-Gitlab-Event-UUID", None],
    ids=["idempotency-key", "event-uuid", "no-id-body-hash"],
)
async def test_gitlab_deliveries_are_deduplicated_by_their_id_or_body(
    receiver: Receiver, dispatched: Dispatched, ids: UniqueIds, id_header: str | None
) -> None:
    """GitLab's Idempotency-Key, else X-Gitlab-Event-UUID, else the body's hash is the dedup key."""
    body = ids.body(fixture_body("gitlab", "push"))
    answers = []
    for _ in range(2):
        headers = {"content-type": "application/json", "x-gitlab-event": "Push Hook"}
        headers["x-gitlab-token"] = project_hook_token(body, GITLAB_TOKEN)
        if id_header is not None:
            headers[id_header] = ids.delivery
        response = await receiver.post_gitlab(body, headers=headers)
        answers.append((response.status_code, response.json()["status"]))
    assert answers == [(202, "accepted"), (202, "duplicate")]
    record = await dispatched.record(branch_workflow(ids, "gitlab"))
    assert [signal.name for signal in record.signals] == ["push"]


async def test_gitlab_idempotency_key_wins_over_the_event_uuid(
    receiver: Receiver, dispatched: Dispatched, ids: UniqueIds
) -> None:
    """A retry GitLab sends with a new event UUID but the same Idempotency-Key is a duplicate."""
    body = ids.body(fixture_body("gitlab", "push"))
    statuses = []
    for _ in range(2):
        headers = gitlab_headers(body)  # a fresh X-Gitlab-Event-UUID each time
        headers["idempotency-key"] = ids.delivery
        statuses.append((await receiver.post_gitlab(body, headers=headers)).json()["status"])
    assert statuses == ["accepted", "duplicate"]
    dispatched.track(branch_workflow(ids, "gitlab"))
