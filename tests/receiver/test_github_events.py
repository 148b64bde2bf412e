"""GitHub deliveries mapped to commands: every handled event, malformed payloads, hostile input."""

from __future__ import annotations

import json
import math
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
    Ping,
    RemoveInstallation,
    RemoveRepository,
    SetupInstallation,
    SetupRepository,
    UpdateRepository,
)
from app.github_events import commands_for_github_event
from app.payloads import PayloadError, parse_json_object
from app.refs import is_valid_branch_name
from tests.receiver.webhook_fixtures import fixture_body, fixture_json, fixture_names, with_change
from workflows.contracts import DeleteRequest, PushRequest, RepoRef

DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
INSTALLATION = 51234987
SERVICE = RepoRef(
    repo_id="github-708123456",
    provider="github",
    full_name="acme-corp/widget-service",
    clone_url="https://github.com/acme-corp/widget-service.git",
    installation_id=INSTALLATION,
    default_branch="main",
)
UI_LISTED = RepoRef(
    repo_id="github-708123999",
    provider="github",
    full_name="acme-corp/widget-ui",
    clone_url="https://github.com/acme-corp/widget-ui.git",
    installation_id=INSTALLATION,
)
SERVICE_LISTED = RepoRef(
    repo_id="github-708123456",
    provider="github",
    full_name="acme-corp/widget-service",
    clone_url="https://github.com/acme-corp/widget-service.git",
    installation_id=INSTALLATION,
)
SERVICE_UPDATE = UpdateRepository(
    repo_id="github-708123456",
    provider="github",
    full_name="acme-corp/widget-service",
    delivery_id=DELIVERY,
    clone_url="https://github.com/acme-corp/widget-service.git",
    default_branch="main",
    installation_id=INSTALLATION,
)
PUSHED_SHA = "9f4a1c2e7b3d5a6f8e0c1b2a3d4e5f6a7b8c9d0e"
NEW_BRANCH_SHA = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b"

EXPECTED: dict[str, tuple[str, Outcome]] = {
    "ping": ("ping", Ping("GitHub ping")),
    "push": (
        "push",
        Dispatch(
            (IndexBranch(PushRequest(SERVICE, "main", PUSHED_SHA, "refs/heads/main", DELIVERY)),)
        ),
    ),
    "push_new_branch": (
        "push",
        Dispatch(
            (
                IndexBranch(
                    PushRequest(
                        SERVICE,
                        "feature/graph-export",
                        NEW_BRANCH_SHA,
                        "refs/heads/feature/graph-export",
                        DELIVERY,
                    )
                ),
            )
        ),
    ),
    "push_branch_deleted": (
        "push",
        Dispatch(
            (
                DeleteBranch(
                    DeleteRequest(
                        "github-708123456",
                        "feature/graph-export",
                        DELIVERY,
                        "branch deleted",
                        SERVICE,
                    )
                ),
            )
        ),
    ),
    "push_tag": ("push", Ignored("tag push")),
    "installation_created": (
        "installation",
        Dispatch((SetupRepository(SERVICE_LISTED, DELIVERY), SetupRepository(UI_LISTED, DELIVERY))),
    ),
    "installation_new_permissions_accepted": (
        "installation",
        Dispatch((SetupRepository(SERVICE_LISTED, DELIVERY), SetupRepository(UI_LISTED, DELIVERY))),
    ),
    "installation_unsuspend": (
        "installation",
        Dispatch((SetupInstallation(INSTALLATION, DELIVERY),)),
    ),
    "installation_deleted": (
        "installation",
        Dispatch(
            (
                RemoveRepository("github-708123456", "installation deleted", DELIVERY),
                RemoveRepository("github-708123999", "installation deleted", DELIVERY),
            )
        ),
    ),
    "installation_suspend": (
        "installation",
        Dispatch((RemoveInstallation(INSTALLATION, "installation suspended", DELIVERY),)),
    ),
    "installation_repositories_added": (
        "installation_repositories",
        Dispatch((SetupRepository(UI_LISTED, DELIVERY),)),
    ),
    "installation_repositories_removed": (
        "installation_repositories",
        Dispatch((RemoveRepository("github-708123999", "removed from installation", DELIVERY),)),
    ),
    "delete_branch": (
        "delete",
        Dispatch(
            (
                DeleteBranch(
                    DeleteRequest(
                        "github-708123456",
                        "feature/graph-export",
                        DELIVERY,
                        "branch deleted",
                        SERVICE,
                    )
                ),
            )
        ),
    ),
    "delete_tag": ("delete", Ignored("tag deleted")),
    "repository_renamed": ("repository", Dispatch((SERVICE_UPDATE,))),
    "repository_transferred": ("repository", Dispatch((SERVICE_UPDATE,))),
    "repository_edited_default_branch": (
        "repository",
        Dispatch(
            (
                SERVICE_UPDATE,
                IndexBranch(PushRequest(SERVICE, "main", None, "refs/heads/main", DELIVERY)),
            )
        ),
    ),
    "repository_edited_description": (
        "repository",
        Ignored("repository edited without a default branch change"),
    ),
    "repository_deleted": (
        "repository",
        Dispatch((RemoveRepository("github-708123456", "repository deleted", DELIVERY),)),
    ),
    "repository_archived": (
        "repository",
        Dispatch((RemoveRepository("github-708123456", "repository archived", DELIVERY),)),
    ),
    # Archiving removed the graph: unarchiving sets the repository up again.
    "repository_unarchived": ("repository", Dispatch((SetupRepository(SERVICE, DELIVERY),))),
}


def outcome_of(event: str, document: Any, **options: bool) -> Outcome:
    body = json.dumps(document).encode()
    return commands_for_github_event(event, parse_json_object(body, event), DELIVERY, **options)


def test_every_fixture_has_an_expectation() -> None:
    """No GitHub fixture goes untested, and no expectation lacks its fixture."""
    assert sorted(EXPECTED) == fixture_names("github")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_maps_to_expected_outcome(name: str) -> None:
    """Each real-shaped GitHub delivery yields exactly the expected commands or outcome."""
    event, expected = EXPECTED[name]
    payload = parse_json_object(fixture_body("github", name), event)
    assert commands_for_github_event(event, payload, DELIVERY) == expected


@pytest.mark.parametrize(
    "event",
    ["issues", "pull_request", "create", "", "PUSH"],
    ids=["issues", "pull-request", "create", "empty", "wrong-case"],
)
def test_unhandled_events_are_ignored_whatever_the_body(event: str) -> None:
    """Events repograph does not handle are ignored without looking at the payload."""
    assert commands_for_github_event(event, ["not", "an", "object"], DELIVERY) == Ignored(
        "event not handled"
    )


@pytest.mark.parametrize(
    ("name", "event", "path", "value", "where"),
    [
        ("push", "push", ("repository",), None, "repository"),
        ("push", "push", ("repository", "id"), "708123456", "repository.id"),
        ("push", "push", ("repository", "id"), True, "repository.id"),
        ("push", "push", ("repository", "id"), 0, "repository.id"),
        ("push", "push", ("repository", "id"), 2**63, "repository.id"),
        ("push", "push", ("repository", "full_name"), "", "repository.full_name"),
        (
            "push",
            "push",
            ("repository", "clone_url"),
            "ext::sh -c touch% /tmp/x",
            "repository.clone_url",
        ),
        (
            "push",
            "push",
            ("repository", "clone_url"),
            "https://x:tok@github.com/a/b.git",
            "repository.clone_url",
        ),
        (
            "push",
            "push",
            ("repository", "clone_url"),
            "file:///srv/repo.git",
            "repository.clone_url",
        ),
        ("push", "push", ("repository",), [], "repository"),
        ("push", "push", ("installation", "id"), "51234987", "installation.id"),
        ("push", "push", ("ref",), None, "ref"),
        ("push", "push", ("ref",), 7, "ref"),
        ("push", "push", ("after",), "HEAD", "after"),
        ("push", "push", ("after",), "9F4A1C2E7B3D5A6F8E0C1B2A3D4E5F6A7B8C9D0E", "after"),
        ("push", "push", ("deleted",), "yes", "deleted"),
        ("installation_created", "installation", ("installation",), None, "installation"),
        ("installation_created", "installation", ("action",), None, "action"),
        ("installation_created", "installation", ("repositories",), {"id": 1}, "repositories"),
        (
            "installation_created",
            "installation",
            ("repositories", 1),
            "widget-ui",
            "repositories[1]",
        ),
        (
            "installation_created",
            "installation",
            ("repositories", 1, "full_name"),
            "acme-corp/../../etc",
            "repositories[1].full_name",
        ),
        (
            "installation_created",
            "installation",
            ("installation", "account", "html_url"),
            "javascript:alert(1)",
            "installation.account.html_url",
        ),
        (
            "installation_deleted",
            "installation",
            ("repositories", 0, "id"),
            None,
            "repositories[0].id",
        ),
        (
            "installation_repositories_added",
            "installation_repositories",
            ("repositories_added",),
            None,
            "repositories_added",
        ),
        (
            "installation_repositories_removed",
            "installation_repositories",
            ("installation", "id"),
            -3,
            "installation.id",
        ),
        ("delete_branch", "delete", ("ref_type",), "note", "ref_type"),
        ("delete_branch", "delete", ("ref",), None, "ref"),
        (
            "repository_renamed",
            "repository",
            ("repository", "clone_url"),
            None,
            "repository.clone_url",
        ),
        (
            "repository_edited_default_branch",
            "repository",
            ("repository", "default_branch"),
            None,
            "repository.default_branch",
        ),
        (
            "repository_edited_default_branch",
            "repository",
            ("changes",),
            "default_branch",
            "changes",
        ),
        ("repository_deleted", "repository", ("repository", "id"), 1.5, "repository.id"),
    ],
    ids=[
        "push-without-repository",
        "push-repository-id-string",
        "push-repository-id-boolean",
        "push-repository-id-zero",
        "push-repository-id-too-large",
        "push-empty-full-name",
        "push-ext-transport-clone-url",
        "push-clone-url-with-credentials",
        "push-file-clone-url",
        "push-repository-array",
        "push-installation-id-string",
        "push-without-ref",
        "push-ref-number",
        "push-after-not-a-sha",
        "push-after-uppercase",
        "push-deleted-not-boolean",
        "installation-without-installation",
        "installation-without-action",
        "installation-repositories-object",
        "installation-repository-string",
        "installation-repository-path-traversal",
        "installation-account-url-javascript",
        "installation-deleted-repository-without-id",
        "repositories-added-missing",
        "repositories-removed-negative-installation",
        "delete-unknown-ref-type",
        "delete-without-ref",
        "renamed-without-clone-url",
        "edited-default-branch-missing",
        "edited-changes-not-object",
        "deleted-repository-id-float",
    ],
)
def test_malformed_payloads_raise_payload_error_naming_the_field(
    name: str, event: str, path: tuple[str | int, ...], value: object, where: str
) -> None:
    """A payload lacking or garbling what its event needs fails with the field's JSON path."""
    document = with_change(fixture_json("github", name), path, value)
    with pytest.raises(PayloadError) as caught:
        outcome_of(event, document)
    assert caught.value.path == where
    assert caught.value.event == event


@pytest.mark.parametrize(
    "ref",
    [
        "refs/heads/-rf",
        "refs/heads/a..b",
        "refs/heads/topic.lock",
        "refs/heads/.hidden",
        "refs/heads/bad\x07bell",
        "refs/heads/with space",
        "refs/heads/x@{1}",
        "refs/heads/trailing/",
        "refs/heads/HEAD",
        "refs/heads/\u202eevil",
        "refs/heads/line\u2028break",
        "refs/heads/" + "b" * 256,
    ],
    ids=[
        "leading-dash",
        "double-dot",
        "lock-suffix",
        "leading-dot",
        "control-char",
        "space",
        "reflog-syntax",
        "trailing-slash",
        "head",
        "bidi-override",
        "line-separator",
        "too-long",
    ],
)
def test_unsafe_branch_names_are_ignored_not_dispatched(ref: str) -> None:
    """A push to a branch name git or repograph would refuse is acknowledged and ignored."""
    outcome = outcome_of("push", with_change(fixture_json("github", "push"), ("ref",), ref))
    assert isinstance(outcome, Ignored)
    assert outcome.reason.startswith("branch name refused")


@pytest.mark.parametrize(
    "ref",
    ["refs/notes/commits", "refs/pull/12/head", "main"],
    ids=["notes", "pull-request-ref", "short-name"],
)
def test_pushes_to_refs_other_than_branches_are_ignored(ref: str) -> None:
    """Only refs/heads/* is indexed; notes, pull request refs and bare names are ignored."""
    outcome = outcome_of("push", with_change(fixture_json("github", "push"), ("ref",), ref))
    assert outcome == Ignored("push to a ref that is not a branch")


def test_local_clone_urls_are_accepted_only_when_allowed() -> None:
    """A file:// clone URL is refused by default and accepted with allow_local_repos."""
    document = with_change(
        fixture_json("github", "push"), ("repository", "clone_url"), "file:///srv/git/widgets"
    )
    with pytest.raises(PayloadError):
        outcome_of("push", document)
    outcome = outcome_of("push", document, allow_local_repos=True)
    assert isinstance(outcome, Dispatch)
    command = outcome.commands[0]
    assert isinstance(command, IndexBranch)
    assert command.request.repo.clone_url == "file:///srv/git/widgets"


def test_installation_on_enterprise_server_clones_from_its_host() -> None:
    """Repositories listed by a GHES installation get clone URLs on the GHES host."""
    document = with_change(
        fixture_json("github", "installation_created"),
        ("installation", "account", "html_url"),
        "https://ghe.acme.example.com/acme-corp",
    )
    outcome = outcome_of("installation", document)
    assert isinstance(outcome, Dispatch)
    urls = [c.repo.clone_url for c in outcome.commands if isinstance(c, SetupRepository)]
    assert urls == [
        "https://ghe.acme.example.com/acme-corp/widget-service.git",
        "https://ghe.acme.example.com/acme-corp/widget-ui.git",
    ]


def test_installation_with_an_empty_repository_list_is_ignored() -> None:
    """An installation that lists no repositories has nothing to index."""
    document = with_change(fixture_json("github", "installation_created"), ("repositories",), [])
    assert outcome_of("installation", document) == Ignored("no repositories listed")


@pytest.mark.parametrize(
    "body",
    [
        b'{"ref": "refs/heads/main", "after": "9f4a',
        b"[]",
        b'[{"ref": "refs/heads/main"}]',
        b'"push"',
        b"null",
        b"",
        b"[" * 100_000,
        b'{"n": NaN}',
        b'{"n": ' + b"9" * 5000 + b"}",
        b'{"ref": "\xff\xfe"}',
    ],
    ids=[
        "truncated",
        "empty-array",
        "array-of-objects",
        "string",
        "null",
        "empty-body",
        "deeply-nested",
        "nan",
        "huge-integer",
        "invalid-utf8",
    ],
)
def test_bodies_that_are_not_a_json_object_are_malformed(body: bytes) -> None:
    """Truncated, non-object, deeply nested or non-standard JSON is a PayloadError, nothing else."""
    with pytest.raises(PayloadError):
        parse_json_object(body, "push")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'\xef\xbb\xbf{"ref": "main"}', {"ref": "main"}),
        ('{"ref": "main"}'.encode("utf-16"), {"ref": "main"}),
        (b'{"ref": "\\ud800"}', {"ref": "\ud800"}),
        (b'{"size": 1e400}', {"size": float("inf")}),
    ],
    ids=["utf8-bom", "utf16", "lone-surrogate-escape", "float-overflow"],
)
def test_bodies_the_standard_library_reads_are_still_read(body: bytes, expected: object) -> None:
    """What the fast parser refuses but json.loads reads is read as json.loads reads it."""
    assert parse_json_object(body, "push") == expected


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@given(document=st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_a_json_object_parses_as_the_standard_library_parses_it(document: dict[str, Any]) -> None:
    """Any JSON object within 64-bit integers reads back equal to json.loads's reading of it."""
    if _has_huge_integer(document) or _has_non_finite_float(document):
        return  # NaN and infinities are not JSON; huge integers are the one known difference
    body = json.dumps(document).encode()
    expected = json.loads(body)
    assert parse_json_object(body, "push") == expected


def _has_non_finite_float(value: object) -> bool:
    if isinstance(value, dict):
        return any(_has_non_finite_float(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_non_finite_float(item) for item in value)
    return isinstance(value, float) and not math.isfinite(value)


def _has_huge_integer(value: object) -> bool:
    # Integers beyond 64 bits come back as floats from the fast parser; no field we read
    # accepts either (ids are at most 2**63 - 1).
    if isinstance(value, dict):
        return any(_has_huge_integer(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_huge_integer(item) for item in value)
    return isinstance(value, int) and not -(2**63) <= value < 2**64


events = st.sampled_from(
    ["ping", "push", "delete", "installation", "installation_repositories", "repository", "x"]
)
actions = st.sampled_from(
    [
        "created",
        "deleted",
        "suspend",
        "unsuspend",
        "new_permissions_accepted",
        "added",
        "removed",
        "renamed",
        "transferred",
        "edited",
        "archived",
    ]
)


def assert_only_safe_outcomes(event: str, payload: object) -> None:
    try:
        outcome = commands_for_github_event(event, payload, DELIVERY)
    except PayloadError:
        return
    if isinstance(outcome, Dispatch):
        for command in outcome.commands:
            if isinstance(command, IndexBranch | DeleteBranch):
                assert is_valid_branch_name(command.request.branch)


@given(event=events, payload=json_values)
def test_arbitrary_json_raises_nothing_but_payload_error(event: str, payload: object) -> None:
    """Any JSON value under any event name yields an outcome or a PayloadError, nothing else."""
    assert_only_safe_outcomes(event, payload)


@given(
    name=st.sampled_from(sorted(EXPECTED)),
    data=st.data(),
    value=json_values,
    action=actions,
)
def test_real_payloads_with_one_field_garbled_raise_nothing_but_payload_error(
    name: str, data: st.DataObject, value: object, action: str
) -> None:
    """Replacing any one field of a real payload never escapes as KeyError or TypeError."""
    event, _ = EXPECTED[name]
    document = fixture_json("github", name)
    if "action" in document:
        document["action"] = data.draw(st.sampled_from([document["action"], action]))
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
