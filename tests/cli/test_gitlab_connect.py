"""`repograph gitlab connect` against a local fake of GitLab's project hooks API."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import pytest

from app.signatures import gitlab_project_token
from tests.cli.conftest import base_env, run_cli_sync
from tests.support.fake_gitlab import FakeGitLab, serving

API_TOKEN = "glpat-cli-test-token"
SIGNING_TOKEN = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
PROJECT_ID = 4242
PROJECT_PATH = "acme/widgets"
BASE_URL = "https://repograph.example.com"


@pytest.fixture
def gitlab() -> Iterator[tuple[FakeGitLab, str]]:
    fake = FakeGitLab(token=API_TOKEN, projects={PROJECT_ID: PROJECT_PATH})
    with serving(fake) as url:
        yield fake, url


def gitlab_env(url: str, **overrides: str) -> dict[str, str]:
    settings = {
        "GITLAB_URL": url,
        "GITLAB_TOKEN": API_TOKEN,
        "GITLAB_WEBHOOK_TOKEN": "hook-token-new-2,hook-token-old-1",
        "GITLAB_WEBHOOK_SIGNING_TOKEN": SIGNING_TOKEN,
    }
    return base_env(**(settings | overrides))


def test_connect_twice_creates_one_hook_then_updates_it(gitlab: tuple[FakeGitLab, str]) -> None:
    """The first run creates the hook, the second finds it by URL and updates it in place."""
    fake, url = gitlab

    first = run_cli_sync("gitlab", "connect", PROJECT_PATH, "--url", BASE_URL, env=gitlab_env(url))
    second = run_cli_sync(
        "gitlab", "connect", str(PROJECT_ID), "--url", BASE_URL, env=gitlab_env(url)
    )

    assert first.code == 0, first
    assert second.code == 0, second
    assert first.stdout.startswith("created webhook 101 on acme/widgets (project 4242)"), first
    assert second.stdout.startswith("updated webhook 101 on acme/widgets (project 4242)"), second
    hooks = fake.hooks[PROJECT_ID]
    assert hooks == [
        {
            "id": 101,
            "project_id": PROJECT_ID,
            "url": f"{BASE_URL}/webhooks/gitlab",
            "push_events": True,
            "tag_push_events": True,
            "enable_ssl_verification": True,
        }
    ]
    # The hook's token is the project's own, derived from the first configured token
    # (rotation keeps the old one valid on the receiver).
    token = gitlab_project_token("hook-token-new-2", PROJECT_ID)
    assert fake.secrets[101] == {"token": token, "signing_token": SIGNING_TOKEN}
    assert [method for method, _ in fake.requests if method != "GET"] == ["POST", "PUT"]


def test_connect_leaves_other_hooks_alone_and_rotates_the_token(
    gitlab: tuple[FakeGitLab, str],
) -> None:
    """A hook to another URL is untouched; reconnecting after rotation updates the token."""
    fake, url = gitlab
    fake.hooks[PROJECT_ID] = [{"id": 7, "url": "https://ci.example.com/hook", "push_events": True}]
    env = gitlab_env(url)
    assert run_cli_sync("gitlab", "connect", PROJECT_PATH, "--url", BASE_URL, env=env).code == 0

    rotated = gitlab_env(url, GITLAB_WEBHOOK_TOKEN="hook-token-newest-3,hook-token-new-2")
    run = run_cli_sync(
        "gitlab", "connect", PROJECT_PATH, "--url", f"{BASE_URL}/webhooks/gitlab", env=rotated
    )

    assert run.code == 0, run
    assert [h["url"] for h in fake.hooks[PROJECT_ID]] == [
        "https://ci.example.com/hook",
        f"{BASE_URL}/webhooks/gitlab",
    ]
    assert fake.secrets[101]["token"] == gitlab_project_token("hook-token-newest-3", PROJECT_ID)
    assert 7 not in fake.secrets


def test_connect_sets_the_token_itself_for_a_receiver_taking_one_token_for_all(
    gitlab: tuple[FakeGitLab, str],
) -> None:
    """GITLAB_WEBHOOK_TOKEN_PER_PROJECT=false (hooks made by hand, group hooks): the hook
    sends GITLAB_WEBHOOK_TOKEN as it is."""
    fake, url = gitlab
    env = gitlab_env(url, GITLAB_WEBHOOK_TOKEN_PER_PROJECT="false")
    assert run_cli_sync("gitlab", "connect", PROJECT_PATH, "--url", BASE_URL, env=env).code == 0
    assert fake.secrets[101]["token"] == "hook-token-new-2"


def test_connect_unknown_project_fails_with_one_line(gitlab: tuple[FakeGitLab, str]) -> None:
    """A project GitLab does not know ends with exit 1 and the HTTP status, no traceback."""
    _, url = gitlab
    run = run_cli_sync("gitlab", "connect", "acme/missing", "--url", BASE_URL, env=gitlab_env(url))

    assert run.code == 1, run
    assert run.stderr.startswith(f"repograph gitlab connect: GitLab at {url} answered 404"), run
    assert len(run.stderr.strip().splitlines()) == 1, run


def test_connect_with_a_wrong_api_token_fails_with_one_line(
    gitlab: tuple[FakeGitLab, str],
) -> None:
    """GitLab refusing GITLAB_TOKEN ends with exit 1 naming the setting to check."""
    _, url = gitlab
    env = gitlab_env(url, GITLAB_TOKEN="glpat-wrong")
    run = run_cli_sync("gitlab", "connect", PROJECT_PATH, "--url", BASE_URL, env=env)

    assert run.code == 1, run
    assert "answered 401" in run.stderr, run
    assert "GITLAB_TOKEN" in run.stderr, run


@pytest.mark.parametrize(
    ("overrides", "args", "message"),
    [
        ({}, (), "pass --url"),
        ({"GITLAB_TOKEN": ""}, ("--url", BASE_URL), "set GITLAB_TOKEN"),
        (
            {"GITLAB_WEBHOOK_TOKEN": "", "GITLAB_WEBHOOK_SIGNING_TOKEN": ""},
            ("--url", BASE_URL),
            "set GITLAB_WEBHOOK_TOKEN",
        ),
        # The receiver checks the token even on signed deliveries: a hook without one gets 401.
        ({"GITLAB_WEBHOOK_TOKEN": ""}, ("--url", BASE_URL), "set GITLAB_WEBHOOK_TOKEN"),
        ({}, ("--url", "repograph.example.com"), "must be an http(s) URL"),
    ],
    ids=["no-url", "no-api-token", "no-hook-secret", "signing-token-only", "bad-url"],
)
def test_connect_missing_configuration_is_a_usage_error(
    gitlab: tuple[FakeGitLab, str], overrides: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    """Without a URL, an API token or a hook token the command exits 2 and calls nothing."""
    fake, url = gitlab
    run = run_cli_sync("gitlab", "connect", PROJECT_PATH, *args, env=gitlab_env(url, **overrides))

    assert run.code == 2, run
    assert message in run.stderr, run
    assert fake.requests == []
