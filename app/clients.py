"""The web process's connections to Redis, Temporal and Neo4j, tuned to answer a request in time.

All are opened without waiting for the server: the process starts (and /readyz says what is
missing) even when Redis or Temporal is down, and each request finds out on its own. Neo4j is
used only by the admin API, which answers 503 while it is unreachable. Timeouts
and retries are short because a provider gives up on a delivery after about ten seconds, and
a quick 503 (Temporal) or fail-open (Redis) beats a timeout the provider cannot tell apart.
"""

from __future__ import annotations

from datetime import timedelta

import redis.asyncio as aioredis
from neo4j import AsyncDriver, AsyncGraphDatabase
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from temporalio.client import Client
from temporalio.service import GrpcCompression, RetryConfig, RPCError, TLSConfig

from app.settings import Settings

REDIS_SOCKET_TIMEOUT_SECONDS = 0.5
# One immediate retry covers a pooled connection that a Redis restart has closed.
REDIS_RETRIES = 1
# Temporal RPCs retry UNAVAILABLE for at most this long before the delivery is answered 503.
TEMPORAL_RETRY = RetryConfig(
    initial_interval_millis=100,
    max_interval_millis=1000,
    max_elapsed_time_millis=3000,
    max_retries=5,
)
TEMPORAL_CONNECT_TIMEOUT = timedelta(seconds=2)
NEO4J_CONNECT_TIMEOUT_SECONDS = 2.0
NEO4J_RETRY_SECONDS = 2.0
# The lazy client reports a failed (re)connect as a RuntimeError with this prefix.
_CONNECT_FAILURE_PREFIX = "Failed client connect"


def open_redis(settings: Settings) -> aioredis.Redis:
    """A Redis client for the delivery ledger; connects on first use."""
    return aioredis.Redis.from_url(
        settings.redis_url,
        socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), REDIS_RETRIES),
    )


def open_neo4j(settings: Settings) -> AsyncDriver:
    """A Neo4j driver for the admin API; connects on first use and gives up within seconds."""
    auth = (settings.neo4j_user, settings.neo4j_password) if settings.neo4j_password else None
    return AsyncGraphDatabase.driver(
        settings.neo4j_uri,
        auth=auth,
        notifications_min_severity="OFF",
        connection_timeout=NEO4J_CONNECT_TIMEOUT_SECONDS,
        connection_acquisition_timeout=NEO4J_CONNECT_TIMEOUT_SECONDS * 2,
        max_transaction_retry_time=NEO4J_RETRY_SECONDS,
    )


def temporal_tls(settings: Settings) -> TLSConfig | bool:
    """mTLS with the client certificate when one is set, else plain TLS or none (local)."""
    if settings.temporal_tls_cert and settings.temporal_tls_key:
        return TLSConfig(
            client_cert=settings.temporal_tls_cert.encode(),
            client_private_key=settings.temporal_tls_key.encode(),
        )
    return settings.temporal_tls


async def connect_temporal(settings: Settings) -> Client:
    """A Temporal client that connects on its first call and reconnects after an outage."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        lazy=True,
        retry_config=TEMPORAL_RETRY,
        connect_timeout=TEMPORAL_CONNECT_TIMEOUT,
        api_key=settings.temporal_api_key,
        tls=temporal_tls(settings),
        # A signal-with-start request is about 1.5 KB: gzip saves a few hundred bytes and costs
        # the web process ~0.08 ms of CPU per delivery (bench.receiver), and the server inflates.
        grpc_compression=GrpcCompression.NONE,
    )


def is_temporal_unavailable(exc: BaseException) -> bool:
    """True if `exc` means Temporal did not take the call (down, unreachable, overloaded)."""
    if isinstance(exc, RPCError | OSError | TimeoutError):
        return True
    return isinstance(exc, RuntimeError) and str(exc).startswith(_CONNECT_FAILURE_PREFIX)
