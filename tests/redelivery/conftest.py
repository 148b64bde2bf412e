"""Fixtures for the redelivery sweep: a fake GitHub App delivery log and settings that use it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.settings import Settings
from tests.support.fake_github import FakeGitHub, hook_delivery, make_app_key, serving

APP_ID = "515151"
NOW = datetime.now(UTC).replace(microsecond=0)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


# Each event (GUID) with its attempts; redeliveries share the GUID of the original.
DELIVERY_LOG = [
    # delivered on the second attempt: nothing to do
    hook_delivery(11, "guid-recovered", ago(hours=30), 503),
    hook_delivery(12, "guid-recovered", ago(hours=29), 202, redelivery=True),
    # failed twice: redeliver the latest attempt (22), once
    hook_delivery(21, "guid-failed-twice", ago(hours=20), 503),
    hook_delivery(22, "guid-failed-twice", ago(hours=19), 500, redelivery=True),
    # timed out (status code 0)
    hook_delivery(31, "guid-timed-out", ago(hours=2), 0),
    # fine the first time
    hook_delivery(41, "guid-ok", ago(hours=1), 202),
    hook_delivery(51, "guid-ping", ago(minutes=30), 200, event="ping"),
    # failed, but longer ago than GitHub redelivers (three days)
    hook_delivery(61, "guid-too-old", ago(hours=80), 503),
]


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
