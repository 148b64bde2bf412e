"""Fixtures for workflow tests: a real worker on a private task queue, and helpers to drive it."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver
from temporalio.client import Client, WorkflowHandle

from activities.worker import running_worker
from app.dispatcher import Dispatcher
from app.settings import Settings
from tests.conftest import LocalStack
from workflows.contracts import BranchStatus, PushRequest, RepoRef, branch_workflow_id


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


def local_repo(repo_id: str, path: Path, name: str = "acme/widgets") -> RepoRef:
    return RepoRef(
        repo_id=repo_id, provider="github", full_name=name, clone_url=path.resolve().as_uri()
    )


async def push(
    client: Client, settings: Settings, repo: RepoRef, branch: str, sha: str | None = None
) -> WorkflowHandle[Any, Any]:
    """Signal-with-start exactly as the receiver does."""
    await Dispatcher(client, settings).push(
        PushRequest(repo, branch, sha, f"refs/heads/{branch}", f"test-{uuid.uuid4().hex}")
    )
    return client.get_workflow_handle(branch_workflow_id(repo.repo_id, branch))


async def wait_for_status(
    handle: WorkflowHandle[Any, Any],
    predicate: Callable[[BranchStatus], bool],
    timeout: float = 60.0,
) -> BranchStatus:
    """Poll the workflow's `status` query until `predicate` holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    last: BranchStatus | None = None
    while asyncio.get_running_loop().time() < deadline:
        last = await handle.query("status", result_type=BranchStatus)
        if predicate(last):
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"status never matched; last: {last}")
