"""Connections for operator commands, with failures turned into one-line `CliError`s.

The CLI connects exactly as the worker does (`activities.connections`), so a deployment that
reaches Temporal Cloud or Neo4j Aura from the worker reaches them from the CLI too.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

from neo4j import AsyncDriver
from neo4j.exceptions import DriverError, Neo4jError
from temporalio.client import Client
from temporalio.service import RPCError

from activities.connections import neo4j_driver, temporal_client
from app.cli.command import CliError
from app.settings import Settings

CONNECT_TIMEOUT_SECONDS = 10.0


async def connect_temporal(settings: Settings) -> Client:
    """A connected Temporal client, or a CliError naming the address and the reason."""
    try:
        return await asyncio.wait_for(temporal_client(settings), CONNECT_TIMEOUT_SECONDS)
    except TimeoutError:
        reason = f"no answer within {CONNECT_TIMEOUT_SECONDS:.0f}s"
    except (RuntimeError, RPCError, OSError) as exc:
        reason = _first_line(exc)
    raise CliError(
        f"cannot reach Temporal at {settings.temporal_address} "
        f"(namespace {settings.temporal_namespace}): {reason}; check TEMPORAL_ADDRESS"
    )


@asynccontextmanager
async def open_neo4j(settings: Settings) -> AsyncIterator[AsyncDriver]:
    """A Neo4j driver that has answered once; closed when the block ends."""
    driver = neo4j_driver(settings)
    try:
        try:
            await asyncio.wait_for(driver.verify_connectivity(), CONNECT_TIMEOUT_SECONDS)
        except TimeoutError:
            raise CliError(
                f"cannot reach Neo4j at {settings.neo4j_uri}: no answer within "
                f"{CONNECT_TIMEOUT_SECONDS:.0f}s; check NEO4J_URI"
            ) from None
        except (Neo4jError, DriverError, OSError) as exc:
            raise CliError(
                f"cannot reach Neo4j at {settings.neo4j_uri}: {_first_line(exc)}; "
                "check NEO4J_URI, NEO4J_USER and NEO4J_PASSWORD"
            ) from None
        with service_errors(settings):
            yield driver
    finally:
        await driver.close()


@contextmanager
def service_errors(settings: Settings) -> Iterator[None]:
    """Turn a Temporal or Neo4j failure in the middle of a command into a CliError."""
    try:
        yield
    except RPCError as exc:
        raise CliError(
            f"Temporal at {settings.temporal_address} refused the call: {_first_line(exc)}"
        ) from None
    except (Neo4jError, DriverError) as exc:
        raise CliError(f"Neo4j at {settings.neo4j_uri} failed: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
