"""How the branch workflow reads a failed activity: its worker lost, its own time run out, or
an error to record. Deterministic: standard library, temporalio and the contract types only."""

from __future__ import annotations

from temporalio.exceptions import ActivityError, ApplicationError, TimeoutType
from temporalio.exceptions import TimeoutError as ActivityTimeoutError

from workflows.contracts import IndexingPolicy

# The setting behind each activity's start-to-close timeout (app/settings.py, which a workflow
# cannot import) and the policy field it fills: a run that fails on one says what to raise.
TIMEOUT_SETTINGS = {
    "fetch_repository": ("CLONE_TIMEOUT_SECONDS", "clone_timeout"),
    "remote_branch_head": ("CLONE_TIMEOUT_SECONDS", "clone_timeout"),
    "parse_snapshot": ("PARSE_TIMEOUT_SECONDS", "parse_timeout"),
    "persist_graph": ("GRAPH_TIMEOUT_SECONDS", "graph_timeout"),
    "delete_branch_graph": ("GRAPH_TIMEOUT_SECONDS", "graph_timeout"),
    "cleanup_stale": ("STALE_CLEANUP_TIMEOUT_SECONDS", "stale_cleanup_timeout"),
    "record_run": ("METADATA_TIMEOUT_SECONDS", "metadata_timeout"),
    "delete_removed_repository": ("METADATA_TIMEOUT_SECONDS", "metadata_timeout"),
    "cleanup_workspace": ("WORKSPACE_CLEANUP_TIMEOUT_SECONDS", "workspace_cleanup_timeout"),
    "forget_kept_repository": ("WORKSPACE_CLEANUP_TIMEOUT_SECONDS", "workspace_cleanup_timeout"),
}
# How a host-bound activity shows that its worker is gone: no worker took it from the host's
# queue, or it stopped heartbeating.
HOST_LOST_TIMEOUTS = frozenset({TimeoutType.SCHEDULE_TO_START, TimeoutType.HEARTBEAT})


def lost_its_host(err: ActivityError) -> bool:
    """The worker holding the checkout is gone (or restarted: its workspace is not there)."""
    cause = err.cause
    if isinstance(cause, ApplicationError):
        return cause.type == "WorkspaceLost"
    return isinstance(cause, ActivityTimeoutError) and cause.type in HOST_LOST_TIMEOUTS


def ran_out_of_time(err: ActivityError) -> bool:
    """The activity ran past its start-to-close timeout on a live worker: no other worker would
    do better, so this is a failure to report, not a host to replace."""
    cause = err.cause
    return isinstance(cause, ActivityTimeoutError) and cause.type == TimeoutType.START_TO_CLOSE


def describe(err: ActivityError, policy: IndexingPolicy) -> str:
    """One line for the run's `last_error`; a timeout names the setting to raise."""
    cause = err.cause
    if isinstance(cause, ApplicationError):
        return f"{cause.type or 'Error'}: {cause.message}"
    setting = TIMEOUT_SETTINGS.get(err.activity_type)
    if ran_out_of_time(err) and setting is not None:
        name, field = setting
        # The value the workflow started with: a changed setting reaches it at its next start.
        seconds: float = getattr(policy, field)
        return (
            f"{err.activity_type} ran out of time: it took longer than {name} "
            f"({seconds:g} s in this branch's workflow); raise {name} if it needs longer"
        )
    return str(cause or err)
