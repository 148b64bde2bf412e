"""The Redis delivery ledger, against the real Redis of the test session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
import uvloop

from app.ledger import (
    CLAIM_TTL_SECONDS,
    DONE_TTL_SECONDS,
    LedgerUnavailableError,
    RedisDeliveryLedger,
    delivery_key,
)
from stack.services import free_port
from tests.conftest import LocalStack


@pytest.fixture
def prefix(unique_id: str) -> str:
    return f"test-{unique_id}:"


@pytest.fixture
async def ledger(redis_client: aioredis.Redis, prefix: str) -> AsyncIterator[RedisDeliveryLedger]:
    ledger = RedisDeliveryLedger(redis_client, prefix=prefix)
    yield ledger
    await ledger.aclose()


async def test_a_delivery_is_claimed_only_once(ledger: RedisDeliveryLedger) -> None:
    """The first claim wins; a second claim of the same delivery is refused."""
    assert await ledger.claim("github:d-1")
    assert not await ledger.claim("github:d-1")
    assert await ledger.claim("github:d-2")


async def test_only_a_confirmed_delivery_reads_as_confirmed(ledger: RedisDeliveryLedger) -> None:
    """`confirmed` tells a dispatched delivery from a free one and from one still in flight."""
    assert not await ledger.confirmed("github:d-state")
    assert await ledger.claim("github:d-state")
    assert not await ledger.confirmed("github:d-state")
    await ledger.confirm("github:d-state")
    assert await ledger.confirmed("github:d-state")


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
        await ledger.aclose()
        await client.aclose()


async def test_concurrent_commands_on_one_connection_each_get_their_own_reply(
    ledger: RedisDeliveryLedger,
) -> None:
    """Hundreds of claims in flight at once on the pipelined connection are answered in order."""
    first = await asyncio.gather(*(ledger.claim(f"github:many-{n}") for n in range(300)))
    await asyncio.gather(*(ledger.confirm(f"github:many-{n}") for n in range(0, 300, 2)))
    again = await asyncio.gather(*(ledger.claim(f"github:many-{n}") for n in range(300)))
    assert all(first)
    assert not any(again)


async def test_the_urls_password_and_database_are_used(local_stack: LocalStack) -> None:
    """The ledger connects as the client's URL says: AUTH with its password, SELECT its db."""
    port = local_stack.redis.port
    with_password = aioredis.Redis.from_url(f"redis://:not-configured@127.0.0.1:{port}/0")
    ledger = RedisDeliveryLedger(with_password)
    try:
        # The session's Redis has no password, so it refuses AUTH: the ledger fails open.
        with pytest.raises(LedgerUnavailableError):
            await ledger.claim("github:auth")
    finally:
        await ledger.aclose()
        await with_password.aclose()
    db5 = aioredis.Redis.from_url(f"redis://127.0.0.1:{port}/5")
    db0 = aioredis.Redis.from_url(f"redis://127.0.0.1:{port}/0")
    ledger = RedisDeliveryLedger(db5, prefix="test-db5:")
    key = f"github:{uuid.uuid4().hex}"
    try:
        assert await ledger.claim(key)
        assert await db5.exists(f"test-db5:{key}") == 1
        assert await db0.exists(f"test-db5:{key}") == 0
    finally:
        await ledger.aclose()
        await db5.aclose()
        await db0.aclose()


async def test_a_redis_that_never_answers_fails_within_the_socket_timeout() -> None:
    """A server that accepts but never replies makes the ledger fail open, not hang."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = aioredis.Redis(port=port, socket_connect_timeout=0.5, socket_timeout=0.3)
    ledger = RedisDeliveryLedger(client)
    try:
        async with asyncio.timeout(2):
            results = await asyncio.gather(
                *(ledger.claim(f"github:silent-{n}") for n in range(5)), return_exceptions=True
            )
        assert all(isinstance(result, LedgerUnavailableError) for result in results)
    finally:
        await ledger.aclose()
        await client.aclose()
        server.close()
        await server.wait_closed()


async def test_the_ledger_reconnects_after_its_connection_is_killed(
    ledger: RedisDeliveryLedger, redis_client: aioredis.Redis
) -> None:
    """After Redis closes its connection (restart, idle timeout) the ledger reconnects."""
    assert await ledger.claim("github:before-kill")
    for connection in await redis_client.client_list():
        if connection["cmd"] == "set":  # the ledger's: redis_client itself last ran CLIENT LIST
            await redis_client.client_kill_filter(_id=connection["id"])
    await asyncio.sleep(0.1)
    assert await ledger.claim("github:after-kill")
    assert not await ledger.claim("github:before-kill")


def test_the_ledger_works_on_uvloop(local_stack: LocalStack) -> None:
    """The web process runs on uvloop (under uvicorn), whose transports differ from asyncio's."""

    async def claim_confirm_release() -> list[bool]:
        client = aioredis.Redis.from_url(local_stack.redis.url)
        ledger = RedisDeliveryLedger(client, prefix=f"test-uvloop-{uuid.uuid4().hex}:")
        try:
            first = await ledger.claim("github:uv")
            second = await ledger.claim("github:uv")
            await ledger.release("github:uv")
            third = await ledger.claim("github:uv")
            await ledger.confirm("github:uv")
            return [first, second, third, await ledger.claim("github:uv")]
        finally:
            await ledger.aclose()
            await client.aclose()

    assert uvloop.run(claim_confirm_release()) == [True, False, True, False]
