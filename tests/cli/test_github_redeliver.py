"""`repograph github redeliver` against a local fake of GitHub's App webhook delivery log."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.cli.conftest import base_env, run_cli_sync
from tests.support.fake_github import (
    DELIVERY_LOG,
    FakeGitHub,
    ago,
    hook_delivery,
    make_app_key,
    serving,
)

APP_ID = "424242"


@pytest.fixture
def github() -> Iterator[tuple[FakeGitHub, str, str]]:
    """The fake API with the delivery log, two items per page; yields (fake, URL, key)."""
    private, public = make_app_key()
    fake = FakeGitHub(app_id=APP_ID, public_key=public, max_page_size=2)
    fake.deliveries = [dict(item) for item in DELIVERY_LOG]
    with serving(fake) as url:
        yield fake, url, private


def app_env(url: str, key: str) -> dict[str, str]:
    return base_env(GITHUB_API_URL=url, GITHUB_APP_ID=APP_ID, GITHUB_APP_PRIVATE_KEY=key)


def test_redeliver_requests_exactly_the_events_that_never_succeeded(
    github: tuple[FakeGitHub, str, str],
) -> None:
    """Only events with no successful attempt in the window are redelivered, each once."""
    fake, url, key = github

    run = run_cli_sync("github", "redeliver", env=app_env(url, key))

    assert run.code == 0, run
    assert fake.redelivered == [22, 31]
    lines = run.stdout.splitlines()
    assert lines[0].startswith("redelivered guid-failed-twice (push, delivery 22,"), run
    assert lines[1].startswith("redelivered guid-timed-out (push, delivery 31,"), run
    assert re.fullmatch(r"5 events since .+ UTC, 2 never delivered: redelivered 2", lines[2])
    # The log was read page by page until the window's start (two items a page).
    pages = [path for method, path, _ in fake.requests if method == "GET"]
    assert len(pages) == 4, pages
    assert "cursor=v1_2" in pages[1]


def test_redeliver_names_but_skips_events_refused_for_good(
    github: tuple[FakeGitHub, str, str],
) -> None:
    """An event last answered 413 is listed as not redelivered and counted as never delivered."""
    fake, url, key = github
    fake.deliveries.append(hook_delivery(81, "guid-too-large", ago(hours=1), 413))

    run = run_cli_sync("github", "redeliver", env=app_env(url, key))

    assert run.code == 0, run
    assert fake.redelivered == [22, 31]
    assert "not redelivering (refused for good) guid-too-large (push, delivery 81," in run.stdout
    assert re.search(r"6 events since .+ UTC, 3 never delivered: redelivered 2$", run.stdout)


def test_redeliver_since_narrows_the_window(github: tuple[FakeGitHub, str, str]) -> None:
    """`--since 3h` looks only at the last three hours and stops paging there."""
    fake, url, key = github

    run = run_cli_sync("github", "redeliver", "--since", "3h", env=app_env(url, key))

    assert run.code == 0, run
    assert fake.redelivered == [31]
    assert len([m for m, _, _ in fake.requests if m == "GET"]) == 2


def test_redeliver_dry_run_changes_nothing(github: tuple[FakeGitHub, str, str]) -> None:
    """`--dry-run` lists what it would redeliver without asking GitHub to."""
    fake, url, key = github

    run = run_cli_sync("github", "redeliver", "--dry-run", env=app_env(url, key))

    assert run.code == 0, run
    assert fake.redelivered == []
    assert "would redeliver guid-failed-twice" in run.stdout
    assert run.stdout.rstrip().endswith("2 never delivered: would redeliver 2")


def test_redeliver_with_an_unknown_app_fails_with_one_line(
    github: tuple[FakeGitHub, str, str],
) -> None:
    """A JWT GitHub rejects (wrong App id) ends with exit 1 and a hint, not a traceback."""
    fake, url, key = github
    env = app_env(url, key) | {"GITHUB_APP_ID": "999"}

    run = run_cli_sync("github", "redeliver", env=env)

    assert run.code == 1, run
    assert run.stderr.startswith(
        "repograph github redeliver: GitHub answered HTTP 401 to GET /app/hook/deliveries"
    ), run
    assert len(run.stderr.strip().splitlines()) == 1, run
    assert fake.redelivered == []


def test_redeliver_without_an_app_is_a_usage_error() -> None:
    """Without GITHUB_APP_ID and a private key the command exits 2 and says what to set."""
    run = run_cli_sync("github", "redeliver", env=base_env())

    assert run.code == 2, run
    assert "set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY" in run.stderr, run
