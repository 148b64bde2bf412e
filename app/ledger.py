"""The delivery ledger: claim -> dispatch -> confirm, so each delivery is dispatched once.

A claim is a short-lived `SET NX`; a confirmed delivery is kept longer than any provider
redelivers (GitHub 3 days, GHES 7). If dispatch fails the claim is released so a redelivery
is processed. Redis errors surface as `LedgerUnavailableError`: the caller dispatches anyway,
since a duplicate signal only coalesces, and losing a delivery would be worse.
"""

from __future__ import annotations

import hashlib
import re
from typing import Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError

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
    """`DeliveryLedger` over redis.asyncio; every key lives under `prefix`."""

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        claim_ttl: int = CLAIM_TTL_SECONDS,
        done_ttl: int = DONE_TTL_SECONDS,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._claim_ttl = claim_ttl
        self._done_ttl = done_ttl
        self._release = client.register_script(_RELEASE_SCRIPT)

    async def claim(self, delivery_key: str) -> bool:
        # The claim expires by itself, so a process that dies mid-dispatch blocks nothing for
        # long. If it expires while a slow dispatch still runs, a redelivery may dispatch
        # again: harmless, signals coalesce.
        try:
            acquired = await self._client.set(
                self._key(delivery_key), _CLAIMED, nx=True, ex=self._claim_ttl
            )
        except (RedisError, OSError) as exc:
            raise LedgerUnavailableError(f"claim failed: {type(exc).__name__}") from exc
        return bool(acquired)

    async def confirm(self, delivery_key: str) -> None:
        try:
            await self._client.set(self._key(delivery_key), _DONE, ex=self._done_ttl)
        except (RedisError, OSError) as exc:
            raise LedgerUnavailableError(f"confirm failed: {type(exc).__name__}") from exc

    async def release(self, delivery_key: str) -> None:
        try:
            await self._release(keys=[self._key(delivery_key)], args=[_CLAIMED])
        except (RedisError, OSError) as exc:
            raise LedgerUnavailableError(f"release failed: {type(exc).__name__}") from exc

    def _key(self, delivery_key: str) -> str:
        return self._prefix + delivery_key
