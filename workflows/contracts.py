"""The types that cross the Temporal boundary: workflow inputs, signals, queries and results.

Everything here is a frozen dataclass of plain values, so it serialises with Temporal's default
JSON converter and stays deterministic. Nothing here ever carries a token or other secret: the
receiver sends ids (installation id, project id) and the activities mint credentials themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field

TASK_QUEUE_DEFAULT = "repo-indexing-queue"
PUSH_SIGNAL = "push"
DELETE_SIGNAL = "delete"
STATUS_QUERY = "status"


def branch_workflow_id(repo_id: str, branch: str) -> str:
    """The one workflow that owns a branch's graph: `repo-index-<repo_id>-<branch>`."""
    return f"repo-index-{repo_id}-{branch}"


def setup_workflow_id(repo_id: str) -> str:
    """The per-repository workflow that resolves default branches and removes repositories."""
    return f"repo-setup-{repo_id}"


@dataclass(frozen=True)
class RepoRef:
    """Identifies a repository and how to reach it, without any credential.

    `repo_id` is namespaced by provider (`github-<id>`, `gitlab-<id>`). `installation_id` is
    set for GitHub App repositories, `project_id` for GitLab ones; activities use them to mint
    or look up a token.
    """

    repo_id: str
    provider: str
    full_name: str
    clone_url: str
    installation_id: int | None = None
    project_id: int | None = None
    default_branch: str | None = None


@dataclass(frozen=True)
class PushRequest:
    """Signal `push`: something changed on the branch; the worker resolves the head itself."""

    repo: RepoRef
    branch: str
    sha: str | None
    ref: str
    delivery_id: str


@dataclass(frozen=True)
class DeleteRequest:
    """Signal `delete`: drop the branch's graph and end the workflow."""

    repo_id: str
    branch: str
    delivery_id: str
    reason: str


@dataclass(frozen=True)
class BranchWorkflowInput:
    """Start argument of RepoIndexingWorkflow; also the state carried by continue-as-new."""

    repo_id: str
    branch: str
    pending: PushRequest | None = None
    last_indexed_sha: str | None = None
    last_indexed_at: str | None = None
    runs: int = 0
    last_error: str | None = None
    last_result: IndexResult | None = None


@dataclass(frozen=True)
class IndexStats:
    """Counts and timings of one index run."""

    total_symbols: int = 0
    indexed_files: int = 0
    parsed_files: int = 0
    skipped_files: int = 0
    unchanged_files: int = 0
    deleted_files: int = 0
    nodes_written: int = 0
    edges_written: int = 0
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class IndexResult:
    """The outcome of one run, in the shape of the original design."""

    status: str
    repo: str
    commit_sha: str | None
    stats: IndexStats = field(default_factory=IndexStats)
    stale_nodes_deleted: int = 0


@dataclass(frozen=True)
class BranchStatus:
    """Answer of the `status` query."""

    repo_id: str
    branch: str
    state: str
    last_indexed_sha: str | None
    last_indexed_at: str | None
    pending_sha: str | None
    runs: int
    last_error: str | None
    last_result: IndexResult | None
