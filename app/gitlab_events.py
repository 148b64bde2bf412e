"""GitLab project and system hook deliveries (`X-Gitlab-Event` + parsed body) mapped to commands."""

from __future__ import annotations

from app.commands import (
    DeleteBranch,
    Dispatch,
    Ignored,
    IndexBranch,
    Outcome,
    RemoveRepository,
    UpdateRepository,
    gitlab_repo_id,
)
from app.payloads import Fields
from app.refs import BRANCH_PREFIX, TAG_PREFIX, GitNameError, check_branch_name, is_zero_object_id
from workflows.contracts import DeleteRequest, PushRequest, RepoRef

PROVIDER = "gitlab"
PUSH_HOOK = "Push Hook"
TAG_PUSH_HOOK = "Tag Push Hook"
SYSTEM_HOOK = "System Hook"


def commands_for_gitlab_event(
    event: str, payload: object, delivery_id: str, *, allow_local_repos: bool = False
) -> Outcome:
    """Map one verified GitLab delivery to what repograph must do.

    Raises `PayloadError` when the payload lacks what its event needs; other events are
    `Ignored` (GitLab disables hooks that keep failing, so nothing we skip may fail).
    """
    if event == TAG_PUSH_HOOK:
        return Ignored("tag push")
    if event == PUSH_HOOK:
        return _push(Fields(event, payload), delivery_id, allow_local_repos)
    if event != SYSTEM_HOOK:
        return Ignored("event not handled")
    return _system_hook(Fields(event, payload), delivery_id, allow_local_repos)


def _system_hook(payload: Fields, delivery_id: str, allow_local_repos: bool) -> Outcome:
    # System hooks name their event in the body; push events there look like project pushes.
    name = payload.opt_text("event_name") or payload.opt_text("object_kind")
    if name == "push":
        return _push(payload, delivery_id, allow_local_repos)
    if name == "tag_push":
        return Ignored("tag push")
    if name == "project_destroy":
        repo_id = gitlab_repo_id(payload.ident("project_id"))
        return Dispatch((RemoveRepository(repo_id, "project destroyed", delivery_id),))
    if name in ("project_rename", "project_transfer"):
        return Dispatch((_project_update(payload, delivery_id),))
    return Ignored("system hook event not handled")


def _push(payload: Fields, delivery_id: str, allow_local_repos: bool) -> Outcome:
    ref = payload.text("ref")
    if ref.startswith(TAG_PREFIX):
        return Ignored("tag push")
    if not ref.startswith(BRANCH_PREFIX):
        return Ignored("push to a ref that is not a branch")
    project = payload.obj("project")
    project_id = project.ident("id")
    repo = RepoRef(
        repo_id=gitlab_repo_id(project_id),
        provider=PROVIDER,
        full_name=project.text("path_with_namespace"),
        clone_url=project.clone_url("git_http_url", allow_local=allow_local_repos),
        project_id=project_id,
        default_branch=project.opt_default_branch("default_branch"),
    )
    after = payload.object_id("after")
    try:
        branch = check_branch_name(ref.removeprefix(BRANCH_PREFIX))
    except GitNameError as exc:
        return Ignored(str(exc))
    if is_zero_object_id(after):
        request = DeleteRequest(repo.repo_id, branch, delivery_id, "branch deleted", repo)
        return Dispatch((DeleteBranch(request),))
    return Dispatch((IndexBranch(PushRequest(repo, branch, after, ref, delivery_id)),))


def _project_update(payload: Fields, delivery_id: str) -> UpdateRepository:
    # System hooks carry no clone URL or default branch; the setup workflow keeps what it knew.
    project_id = payload.ident("project_id")
    return UpdateRepository(
        repo_id=gitlab_repo_id(project_id),
        provider=PROVIDER,
        full_name=payload.text("path_with_namespace"),
        delivery_id=delivery_id,
        project_id=project_id,
    )
