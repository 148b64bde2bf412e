"""The types that cross the Temporal boundary: workflow inputs, signals, queries and results.

Everything here is a frozen dataclass of plain values, so it serialises with Temporal's default
JSON converter and stays deterministic. Nothing here ever carries a token or other secret: the
receiver sends ids (installation id, project id) and the activities mint credentials themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

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
    """Signal `delete`: drop the branch's graph and end the workflow.

    `repo` is set when the remote said so (a branch-delete event): the workflow then asks the
    remote first, and indexes the branch instead of deleting it if the branch is there again,
    so a delete delivered late or twice cannot remove a live branch's graph. Without it (the
    admin API, a repository's removal) the delete is unconditional.
    """

    repo_id: str
    branch: str
    delivery_id: str
    reason: str
    repo: RepoRef | None = None
    # A delete nobody saw happen (the stale sweep's, for a branch unconfirmed for long): it
    # deletes only when the remote answers that the branch or its repository is gone, never
    # when the remote cannot be asked (a setting or credential of ours may be wrong).
    inferred: bool = False
    # Sent for a repository's removal: the last branch to go takes the Repository node along,
    # which a run ending after the removal may have written again.
    repository_removed: bool = False

    def after(self, pending: DeleteRequest | None) -> DeleteRequest:
        """This delete, arriving while `pending` is not done yet: it replaces it, but keeps a
        repository removal's duty to take the Repository node (an admin delete of the branch
        right after the removal must not leave the node behind)."""
        if pending is not None and pending.repository_removed and not self.repository_removed:
            return replace(self, repository_removed=True)
        return self


@dataclass(frozen=True)
class IndexingPolicy:
    """Timeouts and limits the workflow uses; filled from settings by whoever starts it.

    A workflow cannot read the environment, so these travel in its input and survive
    continue-as-new. Times are seconds.
    """

    idle_timeout: float = 1800
    clone_timeout: float = 300
    parse_timeout: float = 300
    metadata_timeout: float = 300
    graph_timeout: float = 600
    stale_cleanup_timeout: float = 300
    workspace_cleanup_timeout: float = 120
    heartbeat_timeout: float = 60
    # How long a host-bound activity may wait for its worker before the run starts over.
    host_schedule_timeout: float = 120
    # Forgetting a kept repository waits this long for its worker; a gone worker took it along.
    forget_schedule_timeout: float = 30
    retry_attempts: int = 3
    retry_initial_interval: float = 10
    retry_max_interval: float = 30
    # Continue-as-new after this many runs even if Temporal has not suggested it yet.
    max_runs_per_execution: int = 500
    max_restarts_per_run: int = 3


@dataclass(frozen=True)
class BranchWorkflowInput:
    """Start argument of RepoIndexingWorkflow; also the state carried by continue-as-new."""

    repo_id: str
    branch: str
    policy: IndexingPolicy = field(default_factory=IndexingPolicy)
    pending: PushRequest | None = None
    last_indexed_sha: str | None = None
    last_indexed_at: str | None = None
    runs: int = 0
    last_error: str | None = None
    last_result: IndexResult | None = None
    # Host queues of the workers that fetched this branch (most recent last): each may keep
    # a copy of the repository, deleted there when the branch's graph is deleted.
    kept_on: list[str] = field(default_factory=list)
    # Runs in a row that parsed nothing before their deadline: carried, so that continuing
    # as new does not start the bounded retries over (and over).
    deferred_retries: int = 0


@dataclass(frozen=True)
class IndexStats:
    """Counts and timings of one index run."""

    total_symbols: int = 0
    indexed_files: int = 0
    parsed_files: int = 0
    skipped_files: int = 0
    unchanged_files: int = 0
    deleted_files: int = 0
    deferred_files: int = 0  # of skipped_files: parse time ran out; the next run parses them
    nodes_written: int = 0
    edges_written: int = 0
    resolved_files: int = 0  # files whose edges were re-resolved (see GraphOutcome)
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
    # idle | indexing | waiting (to retry a run that parsed nothing in its time) | deleting
    # (removing the branch graph) | deleted | completed (idle for IDLE_TIMEOUT_SECONDS; the
    # next push starts it again)
    state: str
    last_indexed_sha: str | None
    last_indexed_at: str | None
    pending_sha: str | None
    runs: int
    last_error: str | None
    last_result: IndexResult | None


# Activity inputs and outputs. Paths name directories on the worker host that ran the fetch;
# only activities on that host's task queue (`host_queue`) may use them.


@dataclass(frozen=True)
class HostQueues:
    """Host queues of workers: asked which of them may still have a worker, and the answer."""

    queues: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FetchRequest:
    repo: RepoRef
    branch: str
    known_sha: str | None


@dataclass(frozen=True)
class FetchOutcome:
    head_sha: str
    unchanged: bool
    workspace: str | None = None
    host_queue: str | None = None
    # The repository as its provider names it, where the worker asked (a GitLab project's
    # name and clone URL by its id): the run records this rather than the payload's words.
    repo: RepoRef | None = None


@dataclass(frozen=True)
class SnapshotRef:
    repo: RepoRef
    branch: str
    commit_sha: str
    workspace: str


@dataclass(frozen=True)
class ParseOutcome:
    parsed_files: int
    skipped_files: int
    unchanged_files: int
    deleted_files: int
    total_files: int
    seconds: float
    # Of skipped_files, those not parsed because the run's parse time ran out: the next run
    # parses them (the workflow starts it at once).
    deferred_files: int = 0


@dataclass(frozen=True)
class GraphOutcome:
    total_symbols: int
    indexed_files: int
    nodes_written: int
    edges_written: int
    seconds: float
    # Changes Neo4j reported (nodes, relationships, properties, labels); 0 when nothing moved.
    graph_changes: int = 0
    # Files whose edges were re-resolved: all parsed files, or only those an edit can reach.
    resolved_files: int = 0
    # Relationships read back from Neo4j to compare with the re-resolved ones: none where the
    # kept resolution knows what the graph holds.
    edges_read_back: int = 0


@dataclass(frozen=True)
class BranchRef:
    repo_id: str
    branch: str


@dataclass(frozen=True)
class RunRecord:
    """What `record_run` stores on the Branch and its Snapshot after a run, good or failed."""

    repo: RepoRef
    branch: str
    commit_sha: str | None
    status: str
    finished_at: str
    error: str | None = None
    stats: IndexStats | None = None


SETUP_COMMAND_SIGNAL = "command"


def installation_workflow_id(installation_id: int) -> str:
    """The workflow that fans an installation's events out to its repositories."""
    return f"installation-setup-{installation_id}"


@dataclass(frozen=True)
class SetupCommand:
    """Signal `command` to RepoSetupWorkflow; commands for one id run one at a time, in order.

    `action` is one of: `setup` (resolve the default branch, then index it), `update` (new
    metadata; index a new default branch), `remove` (delete every branch graph),
    `install` / `uninstall` (the same for every repository of `installation_id`).
    """

    action: str
    delivery_id: str
    repo: RepoRef | None = None
    repo_id: str | None = None
    installation_id: int | None = None
    reason: str = ""


def stale_sweep_schedule_id(task_queue: str) -> str:
    """The stale-graph sweep's schedule: one per task queue (deployments may share a namespace)."""
    return f"repograph-stale-sweep-{task_queue}"


@dataclass(frozen=True)
class SweepRequest:
    """Input of StaleSweepWorkflow: revalidate graphs not confirmed for `max_age_days`."""

    max_age_days: float = 7


@dataclass(frozen=True)
class SweepOutcome:
    orphans_deleted: int
    branches_revalidated: int


def redelivery_schedule_id(task_queue: str) -> str:
    """The redelivery sweep's schedule: one per task queue, as deployments may share a namespace."""
    return f"repograph-github-redelivery-{task_queue}"


@dataclass(frozen=True)
class RedeliverySweepRequest:
    """Input of RedeliverySweepWorkflow: a run resumes where the last successful one stopped.

    The first run looks back `lookback_minutes`; no window starts earlier than
    `max_lookback_hours` ago, as GitHub redelivers only the last three days.
    """

    lookback_minutes: float = 15
    max_lookback_hours: float = 72
    # Re-read this much before the last run's end: GitHub's clock and ours may disagree.
    overlap_seconds: float = 60


@dataclass(frozen=True)
class RedeliveryWindow:
    """Activity input: redeliver the lost events of deliveries at or after `since` (ISO 8601)."""

    since: str


@dataclass(frozen=True)
class RedeliveryOutcome:
    """Events in the window, those never delivered, those redelivered and those GitHub refused."""

    events: int
    never_delivered: int
    redelivered: int
    refused: int


@dataclass(frozen=True)
class RedeliverySweepOutcome:
    """Result of RedeliverySweepWorkflow; the next run resumes at `checked_until`."""

    checked_from: str
    checked_until: str
    outcome: RedeliveryOutcome
