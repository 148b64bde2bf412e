"""A default branch from a GitHub payload is used only if it is a safe branch name."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from app.commands import Dispatch, IndexBranch, Outcome, UpdateRepository
from app.github_events import commands_for_github_event
from app.payloads import parse_json_object
from tests.receiver.webhook_fixtures import fixture_json, with_change

DELIVERY = "5b2c3a10-0d1e-11ef-9a0b-4c9367dc0958"
HOSTILE = ["-c\ncore.sshCommand=x", "--upload-pack=touch /tmp/x", "a..b", "HEAD", "x" * 300]
HOSTILE_IDS = ["option-with-newline", "option", "double-dot", "head", "too-long"]


def outcome_of(event: str, document: Any) -> Outcome:
    body = json.dumps(document).encode()
    return commands_for_github_event(event, parse_json_object(body, event), DELIVERY)


def with_default_branch(name: str, branch: str) -> Any:
    return with_change(fixture_json("github", name), ("repository", "default_branch"), branch)


@pytest.mark.parametrize("action", ["renamed", "transferred"])
@pytest.mark.parametrize("branch", HOSTILE, ids=HOSTILE_IDS)
def test_a_refused_default_branch_on_rename_or_transfer_becomes_unknown(
    action: str, branch: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The metadata update is still dispatched, without the refused name, and a warning says so."""
    document = with_default_branch("repository_renamed", branch)
    document["action"] = action
    with caplog.at_level(logging.WARNING, logger="repograph.webhooks"):
        outcome = outcome_of("repository", document)
    assert isinstance(outcome, Dispatch)
    (update,) = outcome.commands
    assert isinstance(update, UpdateRepository)
    assert update.repo_id == "github-708123456"
    assert update.default_branch is None
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "branch name refused" in record.getMessage()


def test_a_valid_default_branch_on_rename_is_passed_on() -> None:
    """A safe default branch still reaches the update unchanged."""
    outcome = outcome_of("repository", with_default_branch("repository_renamed", "release/2.x"))
    assert isinstance(outcome, Dispatch)
    (update,) = outcome.commands
    assert isinstance(update, UpdateRepository)
    assert update.default_branch == "release/2.x"


@pytest.mark.parametrize("branch", HOSTILE, ids=HOSTILE_IDS)
def test_a_refused_default_branch_on_edit_indexes_nothing_and_keeps_the_stored_one(
    branch: str,
) -> None:
    """A default branch change to a refused name is no branch to index, and the update
    leaves the recorded default branch (None: unknown); the rest of it still holds."""
    document = with_default_branch("repository_edited_default_branch", branch)
    outcome = outcome_of("repository", document)
    assert isinstance(outcome, Dispatch)
    (update,) = outcome.commands
    assert isinstance(update, UpdateRepository)
    assert update.default_branch is None
    assert update.full_name == "acme-corp/widget-service"


def test_a_push_carries_no_refused_default_branch() -> None:
    """A push's repository keeps its pushed branch but drops a refused default branch."""
    outcome = outcome_of("push", with_default_branch("push", HOSTILE[0]))
    assert isinstance(outcome, Dispatch)
    (command,) = outcome.commands
    assert isinstance(command, IndexBranch)
    assert command.request.repo.default_branch is None
    assert command.request.branch == "main"
