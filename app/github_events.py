"""GitHub App deliveries (`X-GitHub-Event` + parsed body) mapped to repograph commands."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.commands import (
    Command,
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
    github_repo_id,
)
from app.payloads import Fields
from app.refs import (
    BRANCH_PREFIX,
    TAG_PREFIX,
    GitNameError,
    check_branch_name,
    check_clone_url,
    is_zero_object_id,
)
from workflows.contracts import DeleteRequest, PushRequest, RepoRef

PROVIDER = "github"
_DEFAULT_WEB_URL = "https://github.com"
# GitHub owner and repository names: letters, digits, '-', '_', '.'.
_FULL_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class _Delivery:
    event: str
    delivery_id: str
    allow_local_repos: bool


def commands_for_github_event(
    event: str, payload: object, delivery_id: str, *, allow_local_repos: bool = False
) -> Outcome:
    """Map one verified GitHub delivery to what repograph must do.

    Raises `PayloadError` when the payload lacks what its event needs; unknown events and
    actions are `Ignored`, never errors.
    """
    handler = _HANDLERS.get(event)
    if handler is None:
        return Ignored("event not handled")
    delivery = _Delivery(event, delivery_id, allow_local_repos)
    return handler(delivery, Fields(event, payload))


def _ping(_delivery: _Delivery, _payload: Fields) -> Outcome:
    return Ping("GitHub ping")


def _push(delivery: _Delivery, payload: Fields) -> Outcome:
    ref = payload.text("ref")
    if ref.startswith(TAG_PREFIX):
        return Ignored("tag push")
    if not ref.startswith(BRANCH_PREFIX):
        return Ignored("push to a ref that is not a branch")
    repo = _repository(delivery, payload)
    after = payload.object_id("after")
    try:
        branch = check_branch_name(ref.removeprefix(BRANCH_PREFIX))
    except GitNameError as exc:
        return Ignored(str(exc))
    if payload.flag("deleted") or is_zero_object_id(after):
        return _delete_branch(delivery, repo, branch)
    return _dispatch(IndexBranch(PushRequest(repo, branch, after, ref, delivery.delivery_id)))


def _delete(delivery: _Delivery, payload: Fields) -> Outcome:
    if payload.choice("ref_type", ("branch", "tag")) == "tag":
        return Ignored("tag deleted")
    repo = _repository(delivery, payload)
    # The delete event names the ref without its `refs/heads/` prefix.
    try:
        branch = check_branch_name(payload.text("ref"))
    except GitNameError as exc:
        return Ignored(str(exc))
    return _delete_branch(delivery, repo, branch)


def _installation(delivery: _Delivery, payload: Fields) -> Outcome:
    action = payload.text("action")
    installation = payload.obj("installation")
    installation_id = installation.ident("id")
    if action in ("created", "unsuspend", "new_permissions_accepted"):
        if not payload.has("repositories"):
            return _dispatch(SetupInstallation(installation_id, delivery.delivery_id))
        return _setup_all(delivery, payload, "repositories", installation)
    if action in ("deleted", "suspend"):
        reason = "installation deleted" if action == "deleted" else "installation suspended"
        if not payload.has("repositories"):
            return _dispatch(RemoveInstallation(installation_id, reason, delivery.delivery_id))
        return _remove_all(delivery, payload, "repositories", reason)
    return Ignored("installation action not handled")


def _installation_repositories(delivery: _Delivery, payload: Fields) -> Outcome:
    action = payload.text("action")
    installation = payload.obj("installation")
    installation.ident("id")
    if action == "added":
        return _setup_all(delivery, payload, "repositories_added", installation)
    if action == "removed":
        return _remove_all(delivery, payload, "repositories_removed", "removed from installation")
    return Ignored("installation_repositories action not handled")


def _repository_event(delivery: _Delivery, payload: Fields) -> Outcome:
    action = payload.text("action")
    if action in ("deleted", "archived"):
        repo_id = github_repo_id(payload.obj("repository").ident("id"))
        return _dispatch(RemoveRepository(repo_id, f"repository {action}", delivery.delivery_id))
    if action == "unarchived":  # its graph went with `archived`: index it again
        return _dispatch(SetupRepository(_repository(delivery, payload), delivery.delivery_id))
    if action not in ("renamed", "transferred", "edited"):
        return Ignored("repository action not handled")
    changes = payload.opt_obj("changes")
    new_default = action == "edited" and changes is not None and changes.has("default_branch")
    if action == "edited" and not new_default:
        return Ignored("repository edited without a default branch change")
    repo = _repository(delivery, payload)
    update = UpdateRepository(
        repo_id=repo.repo_id,
        provider=PROVIDER,
        full_name=repo.full_name,
        delivery_id=delivery.delivery_id,
        clone_url=repo.clone_url,
        default_branch=repo.default_branch,
        installation_id=repo.installation_id,
    )
    if not new_default:
        return _dispatch(update)
    try:
        # The raw field: a refused name is unknown to `_repository`, but here it is the change.
        branch = check_branch_name(payload.obj("repository").text("default_branch"))
    except GitNameError:
        # A name git would refuse is unknown to `_repository` (the update keeps the stored
        # one), but the rest of the change still holds.
        return _dispatch(update)
    # sha None: the worker resolves the new default branch's head itself.
    push = PushRequest(repo, branch, None, BRANCH_PREFIX + branch, delivery.delivery_id)
    return _dispatch(update, IndexBranch(push))


def _repository(delivery: _Delivery, payload: Fields) -> RepoRef:
    """The RepoRef of a payload's full `repository` object (push, delete, repository events)."""
    repository = payload.obj("repository")
    installation = payload.opt_obj("installation")
    return RepoRef(
        repo_id=github_repo_id(repository.ident("id")),
        provider=PROVIDER,
        full_name=repository.text("full_name"),
        clone_url=repository.clone_url("clone_url", allow_local=delivery.allow_local_repos),
        installation_id=installation.ident("id") if installation is not None else None,
        default_branch=repository.opt_default_branch("default_branch"),
    )


def _setup_all(delivery: _Delivery, payload: Fields, key: str, installation: Fields) -> Outcome:
    # Installation events list repositories without clone URL or default branch; the clone URL
    # follows from the account's web host (github.com or a GHES host).
    web_url = _web_url(installation)
    installation_id = installation.ident("id")
    commands: list[Command] = []
    for repository in payload.objects(key):
        full_name = _full_name(repository)
        ref = RepoRef(
            repo_id=github_repo_id(repository.ident("id")),
            provider=PROVIDER,
            full_name=full_name,
            clone_url=f"{web_url}/{full_name}.git",
            installation_id=installation_id,
        )
        commands.append(SetupRepository(ref, delivery.delivery_id))
    return _dispatch(*commands) if commands else Ignored("no repositories listed")


def _remove_all(delivery: _Delivery, payload: Fields, key: str, reason: str) -> Outcome:
    commands: list[Command] = [
        RemoveRepository(github_repo_id(repository.ident("id")), reason, delivery.delivery_id)
        for repository in payload.objects(key)
    ]
    return _dispatch(*commands) if commands else Ignored("no repositories listed")


def _full_name(repository: Fields) -> str:
    full_name = repository.text("full_name")
    if not _FULL_NAME.fullmatch(full_name):
        repository.fail("full_name", "must be 'owner/name'")
    return full_name


def _web_url(installation: Fields) -> str:
    account = installation.opt_obj("account")
    html_url = account.opt_text("html_url") if account is not None else None
    if html_url is None:
        return _DEFAULT_WEB_URL
    try:
        parts = urlsplit(html_url)
        return check_clone_url(f"{parts.scheme}://{parts.netloc}")
    except ValueError:  # urlsplit's own errors and GitNameError alike
        installation.obj("account").fail("html_url", "must be an http(s) URL")


def _delete_branch(delivery: _Delivery, repo: RepoRef, branch: str) -> Outcome:
    # With the repository, so the workflow can ask the remote before deleting (a redelivered
    # delete must not remove a branch made again since).
    request = DeleteRequest(repo.repo_id, branch, delivery.delivery_id, "branch deleted", repo)
    return _dispatch(DeleteBranch(request))


def _dispatch(*commands: Command) -> Dispatch:
    return Dispatch(tuple(commands))


_HANDLERS: dict[str, Callable[[_Delivery, Fields], Outcome]] = {
    "ping": _ping,
    "push": _push,
    "delete": _delete,
    "installation": _installation,
    "installation_repositories": _installation_repositories,
    "repository": _repository_event,
}
