"""Fixtures for the admin API tests: the web app with ADMIN_TOKEN set, and a real worker."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from temporalio.client import Client

from app.settings import Settings
from tests.support.workflows import terminate_running
from tests.web.receiver_app import Receiver, serve

ADMIN_TOKEN = "admin-token-0123456789abcdef"
BEARER = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def admin_settings(settings: Settings) -> Settings:
    """The test's settings (own task queue, local repositories allowed) with the admin API on."""
    return dataclasses.replace(settings, admin_token=ADMIN_TOKEN)


@pytest.fixture
def repo_id(unique_id: str) -> str:
    """A GitHub repository id of this test's own, in the form the admin API accepts."""
    return f"github-{int(unique_id, 16)}"


@pytest.fixture
async def admin(admin_settings: Settings, temporal_client: Client) -> AsyncIterator[Receiver]:
    """The web app through its lifespan; branch workflows it started are terminated after."""
    async with serve(admin_settings) as running:
        yield running
    await terminate_running(temporal_client, admin_settings.task_queue)
