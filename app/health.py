"""Liveness and readiness: /healthz says the process serves, /readyz that its dependencies answer.

Route traffic on /healthz (fly.toml does): the receiver takes deliveries with Redis down (fail
open), when /readyz answers 503. /readyz is for alerting: it names each dependency that failed,
so an operator knows which one to look at. Error details are reduced to the exception type:
messages may carry addresses, never worth leaking to an unauthenticated caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta

import redis.asyncio as aioredis
from starlette.requests import Request
from starlette.responses import JSONResponse
from temporalio.client import Client

CHECK_TIMEOUT_SECONDS = 1.0


async def healthz(_request: Request) -> JSONResponse:
    """The process is alive and serving; dependencies are checked by /readyz."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    """200 when Redis and Temporal both answer; 503 naming each one that does not."""
    redis_client: aioredis.Redis = request.app.state.redis
    temporal_client: Client = request.app.state.temporal
    names = ("redis", "temporal")
    results = await asyncio.gather(
        _check(lambda: _ping_redis(redis_client)),
        _check(lambda: _ping_temporal(temporal_client)),
    )
    checks = dict(zip(names, results, strict=True))
    failing = [name for name, result in checks.items() if result != "ok"]
    if failing:
        return JSONResponse(
            {"status": "unavailable", "failing": failing, "checks": checks}, status_code=503
        )
    return JSONResponse({"status": "ready", "checks": checks})


async def _ping_redis(client: aioredis.Redis) -> bool:
    return bool(await client.ping())


async def _ping_temporal(client: Client) -> bool:
    return await client.service_client.check_health(
        timeout=timedelta(seconds=CHECK_TIMEOUT_SECONDS)
    )


async def _check(probe: Callable[[], Awaitable[bool]]) -> str:
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
            healthy = await probe()
    except TimeoutError:
        return "timeout"
    except Exception as exc:  # a probe reports any failure; it never raises
        return f"unreachable ({type(exc).__name__})"
    return "ok" if healthy else "unhealthy"
