"""What a webhook delivery asks of repograph, independent of provider and of Temporal.

The event mappers (`github_events`, `gitlab_events`) turn a verified, parsed delivery into an
`Outcome`; the dispatcher turns each command into one signal-with-start. Commands carry ids
and names only, never a credential.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.contracts import DeleteRequest, PushRequest, RepoRef


@dataclass(frozen=True)
class IndexBranch:
    """Something changed on a branch: signal `push` to `repo-index-<repo_id>-<branch>`."""

    request: PushRequest


@dataclass(frozen=True)
class DeleteBranch:
    """A branch is gone: signal `delete` to its branch workflow, which drops its graph."""

    request: DeleteRequest


@dataclass(frozen=True)
class SetupRepository:
    """A repository whose default branch the payload does not say: resolve it, then index it.

    Goes to `repo-setup-<repo_id>`, which asks the provider's API in an activity.
    """

    repo: RepoRef
    delivery_id: str


@dataclass(frozen=True)
class RemoveRepository:
    """Delete every branch graph of a repository (deleted, archived, uninstalled)."""

    repo_id: str
    reason: str
    delivery_id: str


@dataclass(frozen=True)
class UpdateRepository:
    """A repository's metadata changed (renamed, transferred, new default branch).

    Fields a payload does not carry are None: GitLab system hooks, for one, have no clone URL.
    """

    repo_id: str
    provider: str
    full_name: str
    delivery_id: str
    clone_url: str | None = None
    default_branch: str | None = None
    installation_id: int | None = None
    project_id: int | None = None


@dataclass(frozen=True)
class SetupInstallation:
    """An installation came (back) without listing its repositories: list them in an activity."""

    installation_id: int
    delivery_id: str


@dataclass(frozen=True)
class RemoveInstallation:
    """An installation went away without listing its repositories: remove all it had."""

    installation_id: int
    reason: str
    delivery_id: str


Command = (
    IndexBranch
    | DeleteBranch
    | SetupRepository
    | RemoveRepository
    | UpdateRepository
    | SetupInstallation
    | RemoveInstallation
)


@dataclass(frozen=True)
class Dispatch:
    """The delivery asks for work: dispatch every command (202 `accepted`)."""

    commands: tuple[Command, ...]


@dataclass(frozen=True)
class Ping:
    """The provider is checking the hook (200)."""

    reason: str


@dataclass(frozen=True)
class Ignored:
    """A genuine delivery that needs no work (202 `ignored`); `reason` is for logs and the reply."""

    reason: str


Outcome = Dispatch | Ping | Ignored


def github_repo_id(repository_id: int) -> str:
    """The provider-namespaced id of a GitHub repository."""
    return f"github-{repository_id}"


def gitlab_repo_id(project_id: int) -> str:
    """The provider-namespaced id of a GitLab project."""
    return f"gitlab-{project_id}"
