"""The CLI's pure parts: durations, redelivery selection, cursors, hook URLs, the demo payload."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli.arguments import parse_duration
from app.cli.github_push import ZERO_SHA, DemoRepository, PushedCommit, push_payload
from app.cli.targets import local_repo_id
from app.commands import DeleteBranch, Dispatch, IndexBranch
from app.github_deliveries import next_cursor
from app.github_events import commands_for_github_event
from app.gitlab_hooks import HookSpec, webhook_url
from app.redelivery import DeliveryAttempt, deliveries_to_redeliver
from app.signatures import gitlab_project_token
from workflows.contracts import PushRequest, RepoRef

T0 = datetime(2026, 5, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("30m", 1800), ("72h", 259200), ("3d", 259200), ("1h30m", 5400), ("1.5h", 5400)],
)
def test_parse_duration_accepts_units_and_combinations(text: str, seconds: float) -> None:
    """Durations combine s/m/h/d parts into one timedelta."""
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "72", "h", "3 days", "-1h", "0m", "1h 30m", "1w"])
def test_parse_duration_refuses_anything_else(text: str) -> None:
    """Bare numbers, unknown units, spaces and zero are refused."""
    with pytest.raises(ValueError, match="duration"):
        parse_duration(text)


def attempt(ident: int, guid: str, minutes: int, code: int, status: str = "") -> DeliveryAttempt:
    return DeliveryAttempt(ident, guid, T0 + timedelta(minutes=minutes), code, status, "push")


def test_redelivery_picks_the_latest_attempt_of_each_event_that_never_succeeded() -> None:
    """An event with any 2xx attempt is skipped; otherwise its newest attempt, oldest first."""
    attempts = [
        attempt(5, "c", 50, 503),
        attempt(1, "a", 10, 503),
        attempt(2, "a", 20, 202),
        attempt(3, "b", 30, 500),
        attempt(4, "b", 40, 0, "Timed out"),
        attempt(6, "d", 5, 204),
    ]

    assert [a.id for a in deliveries_to_redeliver(attempts)] == [4, 5]


@pytest.mark.parametrize(
    ("code", "redelivered"),
    [
        (0, True),
        (500, True),
        (503, True),
        (401, True),
        (403, True),
        (404, True),
        (408, True),
        (429, True),
        (400, False),
        (413, False),
        (422, False),
    ],
)
def test_redelivery_skips_answers_a_retry_cannot_change(code: int, redelivered: bool) -> None:
    """Outages, timeouts and fixable auth or routing answers are redelivered; a payload the
    receiver refused (400, 413) is not, since the same bytes would be refused again."""
    chosen = deliveries_to_redeliver([attempt(1, "a", 0, 503), attempt(2, "a", 10, code)])
    assert [a.id for a in chosen] == ([2] if redelivered else [])


def test_redelivery_counts_status_ok_as_success() -> None:
    """GitHub's `OK` status marks success even where the code is unusual."""
    assert deliveries_to_redeliver([attempt(1, "a", 0, 0, "OK")]) == []


def test_next_cursor_reads_the_next_link_only() -> None:
    """The cursor comes from the rel="next" link; the last page has none."""
    link = (
        '<https://api.github.com/app/hook/deliveries?per_page=100&cursor=v1_123>; rel="next", '
        '<https://api.github.com/app/hook/deliveries?per_page=100>; rel="first"'
    )
    assert next_cursor(link) == "v1_123"
    assert next_cursor('<https://api.github.com/x?cursor=v1_1>; rel="prev"') is None
    assert next_cursor(None) is None


def test_webhook_url_appends_the_gitlab_path_once() -> None:
    """A base URL gets /webhooks/gitlab; a full hook URL is kept as it is."""
    assert webhook_url("https://r.example.com/") == "https://r.example.com/webhooks/gitlab"
    assert webhook_url("https://r.example.com/webhooks/gitlab") == (
        "https://r.example.com/webhooks/gitlab"
    )


def test_hook_spec_keeps_secrets_out_of_its_repr() -> None:
    """A HookSpec printed in a log or traceback shows no token."""
    spec = HookSpec("https://r.example.com/webhooks/gitlab", "tok-secret", "whsec_c2VjcmV0")
    assert "secret" not in repr(spec)
    assert spec.attributes(7)["token"] == gitlab_project_token("tok-secret", 7)
    shared = HookSpec(spec.url, "tok-secret", None, per_project=False)
    assert shared.attributes(7)["token"] == "tok-secret"


def test_local_repo_id_is_stable_per_path() -> None:
    """The same path always gives the same id, another path another one."""
    assert local_repo_id(Path("/src/a")) == local_repo_id(Path("/src/a"))
    assert local_repo_id(Path("/src/a")) != local_repo_id(Path("/src/b"))
    assert local_repo_id(Path("/src/a")).startswith("local-")


DEMO = DemoRepository(id=9_000_000_001, owner="repograph-demo", name="shapes", clone_url="/d/o.git")
COMMIT = PushedCommit("a" * 40, "b" * 40, "msg", "2026-05-01T00:00:00+00:00", "n", "e", ("x.py",))


def test_demo_push_maps_to_an_index_command_like_a_real_push() -> None:
    """The receiver's own GitHub mapper turns the demo's payload into IndexBranch."""
    payload = push_payload(DEMO, "main", ZERO_SHA, COMMIT.sha, [COMMIT])

    outcome = commands_for_github_event("push", payload, "d-1", allow_local_repos=True)

    repo = RepoRef(
        "github-9000000001", "github", "repograph-demo/shapes", "/d/o.git", None, None, "main"
    )
    assert outcome == Dispatch(
        (IndexBranch(PushRequest(repo, "main", COMMIT.sha, "refs/heads/main", "d-1")),)
    )


def test_demo_branch_deletion_maps_to_a_delete_command() -> None:
    """A push from and to the zero sha is GitHub's branch deletion."""
    payload = push_payload(DEMO, "main", ZERO_SHA, ZERO_SHA, [])

    outcome = commands_for_github_event("push", payload, "d-2", allow_local_repos=True)

    assert isinstance(outcome, Dispatch)
    assert isinstance(outcome.commands[0], DeleteBranch)
    assert payload["deleted"] is True
