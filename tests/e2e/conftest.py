"""The whole service in processes, on the session's services, for end-to-end tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import LocalStack
from tests.support.e2e import SECRET, ServiceProcesses
from tests.support.git_server import GitHttpServer


@pytest.fixture
def git_host(tmp_path: Path) -> Iterator[GitHttpServer]:
    """Serves every bare repository under tmp_path/served over smart HTTP."""
    (tmp_path / "served").mkdir(exist_ok=True)
    server = GitHttpServer(tmp_path / "served")
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def service(
    local_stack: LocalStack, git_host: GitHttpServer, task_queue: str, tmp_path: Path
) -> AsyncIterator[ServiceProcesses]:
    """`repograph serve` plus the environment for `repograph worker` processes."""
    processes = ServiceProcesses(
        env={
            "REDIS_URL": local_stack.redis.url,
            "TEMPORAL_ADDRESS": local_stack.temporal.address,
            "TEMPORAL_TASK_QUEUE": task_queue,
            "NEO4J_URI": local_stack.neo4j.uri,
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_URL": git_host.base_url,
            "WORKSPACE_DIR": str(tmp_path / "workspaces"),
            "PARSE_PROCESSES": "1",
            "RETRY_INITIAL_SECONDS": "1",
            "HEARTBEAT_TIMEOUT_SECONDS": "5",
            "HOST_SCHEDULE_TIMEOUT_SECONDS": "10",
            "LOG_FORMAT": "json",
        },
        logs=tmp_path / "logs",
    )
    await processes.start_web()
    yield processes
    processes.stop()
