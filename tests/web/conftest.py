"""Fixtures for the receiver tests: an app per test on its own task queue, and Temporal readers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client

from app.settings import Settings
from tests.conftest import LocalStack
from tests.web.deliveries import (
    GITHUB_PREVIOUS_SECRET,
    GITHUB_SECRET,
    GITLAB_SYSTEM_TOKEN,
    GITLAB_TOKEN,
    UniqueIds,
)
from tests.web.receiver_app import Receiver, serve
from tests.web.temporal_history import Dispatched


def receiver_settings(stack: LocalStack, task_queue: str, **overrides: object) -> Settings:
    """Settings with both GitHub secrets (rotation), a GitLab token and the test's task queue."""
    options: dict[str, object] = {
        "github_webhook_secrets": (GITHUB_SECRET, GITHUB_PREVIOUS_SECRET),
        "gitlab_webhook_tokens": (GITLAB_TOKEN,),
        "gitlab_system_hook_tokens": (GITLAB_SYSTEM_TOKEN,),
        "task_queue": task_queue,
    }
    options.update(overrides)
    return stack.settings(**options)


@pytest.fixture
def settings(local_stack: LocalStack, task_queue: str) -> Settings:
    return receiver_settings(local_stack, task_queue)


@pytest.fixture
async def receiver(settings: Settings) -> AsyncIterator[Receiver]:
    """The app, through its lifespan, against the session's Redis and Temporal."""
    async with serve(settings) as running:
        yield running


@pytest.fixture
async def dispatched(temporal_client: Client) -> AsyncIterator[Dispatched]:
    """Reads workflows back from Temporal; terminates every one the test looked at."""
    tracker = Dispatched(temporal_client)
    yield tracker
    await tracker.terminate_all()


@pytest.fixture
def ids() -> UniqueIds:
    """Repository, installation, project and delivery ids of this test's own."""
    return UniqueIds.new()
