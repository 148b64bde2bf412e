"""Real services for the test suite: Redis, the Temporal dev server and Neo4j.

The session starts its own private instances on free ports (in parallel, from the same
`stack.services` classes `make run` uses), so tests never touch a developer's data and fault
tests may stop and restart them. A service that cannot start fails the suite; nothing skips.
Tests isolate themselves by unique ids: a task queue, a Redis key prefix, a repo_id.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from neo4j import AsyncDriver, AsyncGraphDatabase
from temporalio.client import Client

from activities.worker import running_worker
from app.settings import Settings
from stack.services import Neo4j, Redis, Temporal, free_port


@dataclass(frozen=True)
class LocalStack:
    redis: Redis
    temporal: Temporal
    neo4j: Neo4j

    def settings(self, **overrides: object) -> Settings:
        """Settings that point every process at this stack."""
        base: dict[str, object] = {
            "redis_url": self.redis.url,
            "temporal_address": self.temporal.address,
            "neo4j_uri": self.neo4j.uri,
        }
        base.update(overrides)
        return Settings(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """Start Redis, Temporal and Neo4j for this test session and stop them at its end."""
    state: Path = tmp_path_factory.mktemp("stack")
    stack = LocalStack(
        redis=Redis("redis", free_port(), state),
        temporal=Temporal("temporal", free_port(), state),
        neo4j=Neo4j("neo4j", free_port(), state, start_timeout=180, heap="1g", page_cache="256m"),
    )
    services = (stack.redis, stack.temporal, stack.neo4j)
    try:
        with ThreadPoolExecutor(len(services)) as pool:
            for future in [pool.submit(service.start) for service in services]:
                future.result()
        yield stack
    finally:
        for service in services:
            service.stop()


@pytest.fixture(scope="session")
async def redis_client(local_stack: LocalStack) -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(local_stack.redis.url)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
async def temporal_client(local_stack: LocalStack) -> Client:
    return await Client.connect(local_stack.temporal.address)


@pytest.fixture(scope="session")
async def neo4j_driver(local_stack: LocalStack) -> AsyncIterator[AsyncDriver]:
    from activities.graph_schema import create_schema

    driver = AsyncGraphDatabase.driver(
        local_stack.neo4j.uri, auth=None, notifications_min_severity="OFF"
    )
    await driver.verify_connectivity()
    await create_schema(driver, "neo4j")
    yield driver
    await driver.close()


@pytest.fixture(scope="session")
def neo4j_database() -> str:
    return "neo4j"


@pytest.fixture
def settings(local_stack: LocalStack, task_queue: str, tmp_path: Path) -> Settings:
    """Settings for one test: its own task queue and workspace, local repos allowed."""
    return local_stack.settings(
        task_queue=task_queue,
        allow_local_repos=True,
        workspace_dir=tmp_path / "workspaces",
        parse_processes=1,
        heartbeat_timeout_seconds=5,
        idle_timeout_seconds=600,
    )


@pytest.fixture
async def worker(
    settings: Settings, temporal_client: Client, neo4j_driver: AsyncDriver
) -> AsyncIterator[str]:
    """A real worker (both task queues) running for the duration of the test."""
    async with running_worker(settings, temporal_client, neo4j_driver) as host_queue:
        yield host_queue


@pytest.fixture
def unique_id() -> str:
    """A short id no other test uses: for repo ids, key prefixes, branch names."""
    return uuid.uuid4().hex[:12]


@pytest.fixture
def task_queue(unique_id: str) -> str:
    """A task queue of this test's own, so no other test's worker picks up its tasks."""
    return f"test-{unique_id}"
