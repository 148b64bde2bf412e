"""Fixtures for the redelivery sweep: a fake GitHub App delivery log and settings that use it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from app.settings import Settings
from tests.support.fake_github import DELIVERY_LOG, FakeGitHub, make_app_key, serving

APP_ID = "515151"


@dataclass(frozen=True)
class FakeApp:
    fake: FakeGitHub
    url: str
    private_key: str


@pytest.fixture(scope="session")
def app_key() -> tuple[str, str]:
    """One App key pair for the session: githubkit caches the App's JWT in the process."""
    return make_app_key()


@pytest.fixture
def github(app_key: tuple[str, str]) -> Iterator[FakeApp]:
    """The fake GitHub API serving DELIVERY_LOG, two items per page."""
    private, public = app_key
    fake = FakeGitHub(app_id=APP_ID, public_key=public, max_page_size=2)
    fake.deliveries = [dict(item) for item in DELIVERY_LOG]
    with serving(fake) as url:
        yield FakeApp(fake, url, private)


@pytest.fixture
def settings(settings: Settings, github: FakeApp) -> Settings:
    """The test's settings with the App configured against the fake API."""
    return dataclasses.replace(
        settings,
        github_app_id=APP_ID,
        github_app_private_key=github.private_key,
        github_api_url=github.url,
    )
