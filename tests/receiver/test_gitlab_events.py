"""GitLab project and system hook deliveries mapped to commands."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.commands import (
    DeleteBranch,
    Dispatch,
    Ignored,
    IndexBranch,
    Outcome,
    RemoveRepository,
    UpdateRepository,
)
from app.gitlab_events import commands_for_gitlab_event
from app.payloads import PayloadError, parse_json_object
from app.refs import is_valid_branch_name
from tests.receiver.webhook_fixtures import fixture_body, fixture_json, fixture_names, with_change
from workflows.contracts import DeleteRequest, PushRequest, RepoRef

DELIVERY = "0f8a2b9c-6d1e-4f3a-9b7c-2e5d8a1f4c6b"
PROJECT = RepoRef(
    repo_id="gitlab-48151623",
    provider="gitlab",
    full_name="acme/platform/widget-service",
    clone_url="https://gitlab.example.com/acme/platform/widget-service.git",
    project_id=48151623,
    default_branch="main",
)
PUSHED_SHA = "b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327"
INDEX_MAIN = Dispatch(
    (IndexBranch(PushRequest(PROJECT, "main", PUSHED_SHA, "refs/heads/main", DELIVERY)),)
)

EXPECTED: dict[str, tuple[str, Outcome]] = {
    "push": ("Push Hook", INDEX_MAIN),
    "push_branch_deleted": (
        "Push Hook",
        Dispatch(
            (
                DeleteBranch(
                    DeleteRequest(
                        "gitlab-48151623", "release/2026.05", DELIVERY, "branch deleted", PROJECT
                    )
                ),
            )
        ),
    ),
    "tag_push": ("Tag Push Hook", Ignored("tag push")),
    "system_push": ("System Hook", INDEX_MAIN),
    "system_project_destroy": (
        "System Hook",
        Dispatch((RemoveRepository("gitlab-48151623", "project destroyed", DELIVERY),)),
    ),
    "system_project_rename": (
        "System Hook",
        Dispatch(
            (
                UpdateRepository(
                    repo_id="gitlab-48151623",
                    provider="gitlab",
                    full_name="acme/platform/widget-svc",
                    delivery_id=DELIVERY,
                    project_id=48151623,
                ),
            )
        ),
    ),
    "system_project_transfer": (
        "System Hook",
        Dispatch(
            (
                UpdateRepository(
                    repo_id="gitlab-48151623",
                    provider="gitlab",
                    full_name="acme/services/widget-service",
                    delivery_id=DELIVERY,
                    project_id=48151623,
                ),
            )
        ),
    ),
    "system_project_update": ("System Hook", Ignored("system hook event not handled")),
}


def outcome_of(event: str, document: Any) -> Outcome:
    payload = parse_json_object(json.dumps(document).encode(), event)
    return commands_for_gitlab_event(event, payload, DELIVERY)


def test_every_fixture_has_an_expectation() -> None:
    """No GitLab fixture goes untested, and no expectation lacks its fixture."""
    assert sorted(EXPECTED) == fixture_names("gitlab")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_maps_to_expected_outcome(name: str) -> None:
    """Each real-shaped GitLab delivery yields exactly the expected commands or outcome."""
    event, expected = EXPECTED[name]
    payload = parse_json_object(fixture_body("gitlab", name), event)
    assert commands_for_gitlab_event(event, payload, DELIVERY) == expected


@pytest.mark.parametrize(
    "event",
    ["Merge Request Hook", "Pipeline Hook", "Note Hook", "push", ""],
    ids=["merge-request", "pipeline", "note", "object-kind-not-header", "empty"],
)
def test_unhandled_events_are_ignored_whatever_the_body(event: str) -> None:
    """Events other than pushes and system hooks are ignored, so GitLab never disables the hook."""
    assert commands_for_gitlab_event(event, 42, DELIVERY) == Ignored("event not handled")


def test_tag_push_is_ignored_even_with_a_broken_body() -> None:
    """Tag pushes are acknowledged without validating anything in them."""
    assert commands_for_gitlab_event("Tag Push Hook", [], DELIVERY) == Ignored("tag push")


@pytest.mark.parametrize(
    ("name", "event", "path", "value", "where"),
    [
        ("push", "Push Hook", ("project",), None, "project"),
        ("push", "Push Hook", ("project", "id"), "48151623", "project.id"),
        ("push", "Push Hook", ("project", "git_http_url"), None, "project.git_http_url"),
        (
            "push",
            "Push Hook",
            ("project", "git_http_url"),
            "git@gitlab.example.com:acme/platform/widget-service.git",
            "project.git_http_url",
        ),
        ("push", "Push Hook", ("project", "path_with_namespace"), 3, "project.path_with_namespace"),
        ("push", "Push Hook", ("after",), None, "after"),
        ("push", "Push Hook", ("ref",), ["refs/heads/main"], "ref"),
        ("system_project_destroy", "System Hook", ("project_id",), None, "project_id"),
        (
            "system_project_rename",
            "System Hook",
            ("path_with_namespace",),
            None,
            "path_with_namespace",
        ),
        ("system_project_transfer", "System Hook", ("project_id",), False, "project_id"),
        ("system_push", "System Hook", ("event_name",), 5, "event_name"),
    ],
    ids=[
        "push-without-project",
        "push-project-id-string",
        "push-without-clone-url",
        "push-ssh-clone-url",
        "push-full-name-number",
        "push-without-after",
        "push-ref-array",
        "destroy-without-project-id",
        "rename-without-path",
        "transfer-project-id-boolean",
        "system-event-name-number",
    ],
)
def test_malformed_payloads_raise_payload_error_naming_the_field(
    name: str, event: str, path: tuple[str | int, ...], value: object, where: str
) -> None:
    """A GitLab payload lacking or garbling what its event needs fails with the field's path."""
    document = with_change(fixture_json("gitlab", name), path, value)
    with pytest.raises(PayloadError) as caught:
        outcome_of(event, document)
    assert caught.value.path == where


def test_system_hook_without_event_name_falls_back_to_object_kind() -> None:
    """A system hook push that only says `object_kind` is still recognised as a push."""
    document = with_change(fixture_json("gitlab", "system_push"), ("event_name",))
    assert outcome_of("System Hook", document) == INDEX_MAIN


@pytest.mark.parametrize(
    "ref",
    ["refs/heads/--upload-pack=x", "refs/heads/a//b", "refs/heads/nul\x00byte"],
    ids=["option-injection", "empty-component", "nul-byte"],
)
def test_unsafe_branch_names_are_ignored(ref: str) -> None:
    """Branch names that could reach git as options or break refs are ignored, not indexed."""
    outcome = outcome_of("Push Hook", with_change(fixture_json("gitlab", "push"), ("ref",), ref))
    assert isinstance(outcome, Ignored)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


def assert_only_safe_outcomes(event: str, payload: object) -> None:
    try:
        outcome = commands_for_gitlab_event(event, payload, DELIVERY)
    except PayloadError:
        return
    if isinstance(outcome, Dispatch):
        for command in outcome.commands:
            if isinstance(command, IndexBranch | DeleteBranch):
                assert is_valid_branch_name(command.request.branch)


@given(
    event=st.sampled_from(["Push Hook", "Tag Push Hook", "System Hook", "Issue Hook"]),
    payload=json_values,
)
def test_arbitrary_json_raises_nothing_but_payload_error(event: str, payload: object) -> None:
    """Any JSON value under any GitLab event yields an outcome or a PayloadError, nothing else."""
    assert_only_safe_outcomes(event, payload)


@given(name=st.sampled_from(sorted(EXPECTED)), data=st.data(), value=json_values)
def test_real_payloads_with_one_field_garbled_raise_nothing_but_payload_error(
    name: str, data: st.DataObject, value: object
) -> None:
    """Replacing any one field of a real GitLab payload never escapes as another exception."""
    event, _ = EXPECTED[name]
    document = fixture_json("gitlab", name)
    path: list[str | int] = []
    node: Any = document
    while isinstance(node, dict | list) and node and data.draw(st.booleans()):
        key = data.draw(
            st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node)))
        )
        path.append(key)
        node = node[key]
    if path:
        document = with_change(document, tuple(path), value)
    assert_only_safe_outcomes(event, document)


def test_a_refused_default_branch_is_unknown_and_the_push_still_indexes() -> None:
    """A project's default branch git would refuse is dropped, not passed on to name a Branch
    node; the push itself is still indexed."""
    document = with_change(
        fixture_json("gitlab", "push"), ("project", "default_branch"), "-c\ncore.sshCommand=x"
    )
    outcome = outcome_of("Push Hook", document)
    assert isinstance(outcome, Dispatch)
    (index,) = outcome.commands
    assert isinstance(index, IndexBranch)
    assert index.request.repo.default_branch is None
    assert index.request.branch == "main"
