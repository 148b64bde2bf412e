"""The delivery ledger: claim -> dispatch -> confirm, so each delivery is dispatched once.

A claim is a short-lived `SET NX`; a confirmed delivery is kept longer than any provider
redelivers (GitHub 3 days, GHES 7). If dispatch fails the claim is released so a redelivery
is processed. Redis errors surface as `LedgerUnavailableError`: the caller dispatches anyway,
since a duplicate signal only coalesces, and losing a delivery would be worse.

The ledger talks to Redis over one pipelined connection of its own (`PipelinedRedis`, in
`app/redis_pipeline.py`): two commands per delivery through redis-py's per-command machinery
cost the web process more CPU than the rest of the receiver outside Temporal
(docs/benchmarks-receiver.md).
"""

from __future__ import annotations

import hashlib
import re
from typing import Protocol

import hiredis
import redis.asyncio as aioredis

from app.redis_pipeline import PipelinedRedis

CLAIM_TTL_SECONDS = 60
DONE_TTL_SECONDS = 8 * 24 * 3600
DEFAULT_PREFIX = "repograph:delivery:"
_CLAIMED = "claimed"
_DONE = "done"
_SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Delete only a claim: a confirmed delivery must stay recorded even if a late release arrives.
_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


class LedgerUnavailableError(Exception):
    """Redis did not answer; dedup is skipped for this delivery (fail open)."""


class DeliveryLedger(Protocol):
    """Remembers which deliveries were dispatched."""

    async def claim(self, delivery_key: str) -> bool:
        """True if this caller now owns the delivery; False if it is in flight or done."""
        ...

    async def confirm(self, delivery_key: str) -> None:
        """Record the delivery as dispatched, for longer than providers redeliver."""
        ...

    async def confirmed(self, delivery_key: str) -> bool:
        """True if the delivery was dispatched and confirmed; False if in flight or free."""
        ...

    async def release(self, delivery_key: str) -> None:
        """Drop an unconfirmed claim so a redelivery is processed."""
        ...


def delivery_key(provider: str, delivery_id: str) -> str:
    """A ledger key for a provider's delivery id; odd or long ids are hashed to stay bounded."""
    if _SAFE_ID.fullmatch(delivery_id):
        return f"{provider}:{delivery_id}"
    digest = hashlib.sha256(delivery_id.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{provider}:sha256:{digest}"


class RedisDeliveryLedger:
    """`DeliveryLedger` over Redis; every key lives under `prefix`.

    `client` only says where Redis is (its URL's host, port or socket, TLS, credentials, db
    and timeouts): the ledger opens a pipelined connection of its own, closed by `aclose`.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        claim_ttl: int = CLAIM_TTL_SECONDS,
        done_ttl: int = DONE_TTL_SECONDS,
    ) -> None:
        self._redis = PipelinedRedis.like(client)
        self._prefix = prefix
        self._claim_ttl = claim_ttl
        self._done_ttl = done_ttl

    async def claim(self, delivery_key: str) -> bool:
        # The claim expires by itself, so a process that dies mid-dispatch blocks nothing for
        # long. If it expires while a slow dispatch still runs, a redelivery may dispatch
        # again: harmless, signals coalesce.
        key = self._key(delivery_key)
        reply = await self._command("claim", "SET", key, _CLAIMED, "EX", self._claim_ttl, "NX")
        return reply is not None

    async def confirm(self, delivery_key: str) -> None:
        await self._command("confirm", "SET", self._key(delivery_key), _DONE, "EX", self._done_ttl)

    async def confirmed(self, delivery_key: str) -> bool:
        reply = await self._command("confirmed", "GET", self._key(delivery_key))
        return reply == _DONE.encode()

    async def release(self, delivery_key: str) -> None:
        await self._command(
            "release", "EVAL", _RELEASE_SCRIPT, 1, self._key(delivery_key), _CLAIMED
        )

    async def aclose(self) -> None:
        """Close the ledger's connection; a later command would open a new one."""
        self._redis.close()

    async def _command(self, operation: str, *args: str | int) -> object:
        try:
            return await self._redis.execute(*args)
        except (OSError, hiredis.HiredisError) as exc:
            raise LedgerUnavailableError(f"{operation} failed: {type(exc).__name__}") from exc

    def _key(self, delivery_key: str) -> str:
        return self._prefix + delivery_key
