"""The Redis delivery ledger, against the real Redis of the test session."""

from __future__ import annotations

import asyncio

import pytest
import redis.asyncio as aioredis

from app.ledger import (
    CLAIM_TTL_SECONDS,
    DONE_TTL_SECONDS,
    LedgerUnavailableError,
    RedisDeliveryLedger,
    delivery_key,
)
from stack.services import free_port


@pytest.fixture
def prefix(unique_id: str) -> str:
    return f"test-{unique_id}:"


@pytest.fixture
def ledger(redis_client: aioredis.Redis, prefix: str) -> RedisDeliveryLedger:
    return RedisDeliveryLedger(redis_client, prefix=prefix)


async def test_a_delivery_is_claimed_only_once(ledger: RedisDeliveryLedger) -> None:
    """The first claim wins; a second claim of the same delivery is refused."""
    assert await ledger.claim("github:d-1")
    assert not await ledger.claim("github:d-1")
    assert await ledger.claim("github:d-2")


async def test_twenty_concurrent_claims_have_exactly_one_winner(
    ledger: RedisDeliveryLedger,
) -> None:
    """Twenty simultaneous claims of one delivery produce exactly one owner."""
    results = await asyncio.gather(*(ledger.claim("github:burst") for _ in range(20)))
    assert results.count(True) == 1


async def test_a_confirmed_delivery_stays_done_for_eight_days(
    ledger: RedisDeliveryLedger, redis_client: aioredis.Redis, prefix: str
) -> None:
    """Confirming keeps the delivery for longer than GitHub's and GHES's redelivery windows."""
    assert await ledger.claim("github:d-done")
    await ledger.confirm("github:d-done")
    assert not await ledger.claim("github:d-done")
    ttl = await redis_client.ttl(prefix + "github:d-done")
    assert DONE_TTL_SECONDS - 60 < ttl <= DONE_TTL_SECONDS
    assert DONE_TTL_SECONDS > 7 * 24 * 3600


async def test_a_claim_expires_by_itself(
    ledger: RedisDeliveryLedger, redis_client: aioredis.Redis, prefix: str
) -> None:
    """An unconfirmed claim carries a short TTL, so a crashed dispatcher blocks nothing for long."""
    assert await ledger.claim("github:d-ttl")
    ttl = await redis_client.ttl(prefix + "github:d-ttl")
    assert 0 < ttl <= CLAIM_TTL_SECONDS


async def test_releasing_a_claim_lets_a_redelivery_through(ledger: RedisDeliveryLedger) -> None:
    """After a failed dispatch releases the claim, the same delivery can be claimed again."""
    assert await ledger.claim("gitlab:d-retry")
    await ledger.release("gitlab:d-retry")
    assert await ledger.claim("gitlab:d-retry")


async def test_release_never_forgets_a_confirmed_delivery(ledger: RedisDeliveryLedger) -> None:
    """A late release after confirmation leaves the delivery recorded as done."""
    assert await ledger.claim("github:d-late")
    await ledger.confirm("github:d-late")
    await ledger.release("github:d-late")
    assert not await ledger.claim("github:d-late")


async def test_keys_live_under_the_prefix(
    ledger: RedisDeliveryLedger, redis_client: aioredis.Redis, prefix: str
) -> None:
    """Every key the ledger writes starts with its configured prefix."""
    await ledger.claim("github:a")
    await ledger.confirm("gitlab:b")
    keys = [key.decode() async for key in redis_client.scan_iter(match=f"{prefix}*")]
    assert sorted(keys) == [f"{prefix}github:a", f"{prefix}gitlab:b"]


@pytest.mark.parametrize(
    ("delivery_id", "expected"),
    [
        ("72d3162e-cc78-11e3-81ab-4c9367dc0958", "github:72d3162e-cc78-11e3-81ab-4c9367dc0958"),
        ("has space", "github:sha256:"),
        ("x" * 500, "github:sha256:"),
        ("*", "github:sha256:"),
    ],
    ids=["guid", "space", "very-long", "glob-char"],
)
def test_delivery_keys_are_readable_when_safe_and_hashed_otherwise(
    delivery_id: str, expected: str
) -> None:
    """Ordinary delivery ids stay readable; odd or long ones are hashed to a bounded key."""
    key = delivery_key("github", delivery_id)
    assert key.startswith(expected)
    assert len(key) < 160


async def test_redis_down_raises_ledger_unavailable() -> None:
    """With no Redis listening, every operation raises LedgerUnavailableError and nothing else."""
    client = aioredis.Redis(port=free_port(), socket_connect_timeout=0.5, socket_timeout=0.5)
    ledger = RedisDeliveryLedger(client)
    try:
        for operation in (ledger.claim, ledger.confirm, ledger.release):
            with pytest.raises(LedgerUnavailableError):
                await operation("github:down")
    finally:
        await client.aclose()
