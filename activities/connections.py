"""Clients for the services the worker and CLI talk to, built from settings."""

from __future__ import annotations

from neo4j import AsyncDriver, AsyncGraphDatabase
from temporalio.client import Client
from temporalio.runtime import Runtime

from app.clients import temporal_tls
from app.settings import Settings


def neo4j_driver(settings: Settings) -> AsyncDriver:
    """An async Neo4j driver; no auth when NEO4J_PASSWORD is empty (the local stack)."""
    auth = (settings.neo4j_user, settings.neo4j_password) if settings.neo4j_password else None
    # Notifications ("property key does not exist" on a fresh database) are noise in logs.
    return AsyncGraphDatabase.driver(
        settings.neo4j_uri, auth=auth, notifications_min_severity="OFF"
    )


async def temporal_client(settings: Settings, runtime: Runtime | None = None) -> Client:
    """A client for TEMPORAL_ADDRESS: local without TLS, Temporal Cloud with a key or mTLS.

    Workers of a client made with `runtime` report the SDK metrics that runtime exports.
    """
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        api_key=settings.temporal_api_key,
        tls=temporal_tls(settings),
        runtime=runtime,
    )
