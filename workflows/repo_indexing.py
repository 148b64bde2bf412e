"""RepoIndexingWorkflow: one long-lived workflow per branch that keeps its graph at the head.

Signals only say "something changed". Pushes that arrive while a run is in flight coalesce into
at most one follow-up run, and every run indexes the head the remote has *at fetch time*, so
out-of-order deliveries can never roll the graph back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.workflow import ActivityCancellationType

with workflow.unsafe.imports_passed_through():
    from workflows.activity_failures import describe, lost_its_host, ran_out_of_time
    from workflows.contracts import (
        DELETE_SIGNAL,
        PUSH_SIGNAL,
        STATUS_QUERY,
        BranchRef,
        BranchStatus,
        BranchWorkflowInput,
        DeleteRequest,
        FetchOutcome,
        FetchRequest,
        GraphOutcome,
        HostQueues,
        IndexResult,
        IndexStats,
        ParseOutcome,
        PushRequest,
        RepoRef,
        RunRecord,
        SnapshotRef,
    )

# Failures no retry can fix; activities raise them as non-retryable ApplicationErrors.
PERMANENT_ERRORS = [
    "RepositoryNotFound",
    "AuthenticationFailed",
    "InvalidRef",
    "InvalidInput",
    "BranchNotFound",
]


# Workers whose kept copies a branch remembers, to delete them with its graph.
MAX_KEPT_HOSTS = 8
# A run that parsed nothing before its deadline (the worker's parse pool busy with other
# branches, a loaded host) is tried again this many times, after retry_initial_interval,
# doubling: 10 s to 160 s, 310 s in all, with the defaults. Then the files wait for a push.
DEFERRED_RETRIES = 5
# How long a delete asks an unanswering remote whether the branch is gone before it decides
# without the answer (a webhook's delete is then trusted, the stale sweep's is not).
REMOTE_CHECK_GIVE_UP_SECONDS = 24 * 3600

# Activities that never heartbeat: a heartbeat timeout would kill them after
# HEARTBEAT_TIMEOUT_SECONDS whatever their own timeout, so they are scheduled without one (as
# forget_kept_repository is). record_run and delete_removed_repository are one short
# transaction each; cleanup_workspace deletes files synchronously, which would block a
# heartbeat task anyway.
SILENT_ACTIVITIES = frozenset({"record_run", "delete_removed_repository", "cleanup_workspace"})


class HostLostError(Exception):
    """The worker holding this run's checkout stopped answering; the run starts over."""


@workflow.defn(name="RepoIndexingWorkflow")
class RepoIndexingWorkflow:
    @workflow.init
    def __init__(self, start: BranchWorkflowInput) -> None:
        self._repo_id = start.repo_id
        self._branch = start.branch
        self._policy = start.policy
        self._pending: PushRequest | None = start.pending
        self._delete: DeleteRequest | None = None
        self._last_sha = start.last_indexed_sha
        self._last_at = start.last_indexed_at
        self._runs = start.runs
        self._last_error = start.last_error
        self._last_result: IndexResult | None = start.last_result
        self._state = "idle"
        self._kept_on = list(start.kept_on)
        self._deferred_retries = start.deferred_retries
        # A push signalled after the delete: the branch was made again, to index afresh.
        self._pushed_since_delete = False

    @workflow.signal(name=PUSH_SIGNAL)
    def push(self, request: PushRequest) -> None:
        if self._is_foreign(PUSH_SIGNAL, request.repo.repo_id, request.branch):
            return
        # Newest wins: the run resolves the head itself, so older requests add nothing.
        self._pending = request
        if self._delete is not None:
            self._pushed_since_delete = True

    @workflow.signal(name=DELETE_SIGNAL)
    def delete(self, request: DeleteRequest) -> None:
        if self._is_foreign(DELETE_SIGNAL, request.repo_id, request.branch):
            return
        merged = request.after(self._delete)
        if merged is not request and workflow.patched("keep-repository-removed"):
            request = merged
        self._delete = request
        # A push before this delete made the branch again for an earlier one: this one wins.
        self._pushed_since_delete = False

    def _is_foreign(self, signal: str, repo_id: str, branch: str) -> bool:
        """True for a signal meant for another (repository, branch) whose workflow id is this
        one's (`a-1`/`x-y` and `a-1-x`/`y` both give `repo-index-a-1-x-y`): acting on it would
        index or delete the wrong graph. Our own pair is the first start's; continue-as-new
        carries it. Patched: histories from before acted on such signals."""
        if (repo_id, branch) == (self._repo_id, self._branch):
            return False
        if not workflow.patched("ignore-foreign-signals"):
            return False
        workflow.logger.warning(
            f"ignoring a {signal} signal for repository {repo_id!r} branch {branch!r}: this "
            f"workflow indexes repository {self._repo_id!r} branch {self._branch!r}, and the "
            "two share its workflow id",
            extra=self._context() | {"signal_repo_id": repo_id, "signal_branch": branch},
        )
        return True

    @workflow.query(name=STATUS_QUERY)
    def status(self) -> BranchStatus:
        return BranchStatus(
            repo_id=self._repo_id,
            branch=self._branch,
            state=self._state,
            last_indexed_sha=self._last_sha,
            last_indexed_at=self._last_at,
            pending_sha=self._pending.sha if self._pending else None,
            runs=self._runs,
            last_error=self._last_error,
            last_result=self._last_result,
        )

    @workflow.run
    async def run(self, start: BranchWorkflowInput) -> IndexResult | None:
        runs_here = 0
        while True:
            if not await self._wait_for_work():
                break
            if self._delete is not None:
                if not await self._remove_branch(self._delete):
                    continue  # the branch is on the remote: indexed instead
                if self._pushed_since_delete and workflow.patched("index-after-delete"):
                    # Made again while it was being deleted: start afresh, with no memory of
                    # the deleted graph (its head, its kept copies), to index what is there.
                    await workflow.wait_condition(workflow.all_handlers_finished)
                    workflow.continue_as_new(
                        BranchWorkflowInput(
                            self._repo_id, self._branch, self._policy, pending=self._pending
                        )
                    )
                break
            request = self._pending
            assert request is not None  # noqa: S101 - _wait_for_work guarantees it
            self._pending = None
            run = asyncio.create_task(self._index(request))
            await workflow.wait_condition(self._run_done_or_deleted(run))
            if not run.done():
                self._log("cancelling the run in flight: branch is being deleted")
                run.cancel()
            try:
                await run
            except asyncio.CancelledError:
                continue
            runs_here += 1
            # Not with a delete pending: the carried state does not hold it (a cancel that
            # reached a run as it ended is swallowed, so the run can end normally). Patched:
            # histories from before continued as new there.
            if (not self._deleting() or not workflow.patched("delete-before-continue")) and (
                workflow.info().is_continue_as_new_suggested()
                or runs_here >= self._policy.max_runs_per_execution
            ):
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(self._carried_state())
        self._state = "deleted" if self._delete else "completed"
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._last_result

    def _deleting(self) -> bool:
        # A method, not `self._delete is None` inline: a signal may set it during any await.
        return self._delete is not None

    def _run_done_or_deleted(self, run: asyncio.Task[None]) -> Callable[[], bool]:
        return lambda: run.done() or self._deleting()

    async def _wait_for_work(self) -> bool:
        """Wait for a push or a delete; False when the idle period passes with neither."""

        def has_work() -> bool:
            return self._pending is not None or self._delete is not None

        if has_work():
            return True
        self._state = "idle"
        try:
            await workflow.wait_condition(
                has_work, timeout=timedelta(seconds=self._policy.idle_timeout)
            )
        except TimeoutError:
            # A signal may land in the same task as the timer: never end with work pending.
            return has_work()
        return True

    async def _index(self, request: PushRequest) -> None:
        self._state = "indexing"
        self._runs += 1
        for attempt in range(1, self._policy.max_restarts_per_run + 1):
            try:
                result = await self._index_once(request)
            except HostLostError:
                if self._deleting() and workflow.patched("no-restart-when-deleting"):
                    # A cancelled activity whose worker died ends in a timeout, not a cancel:
                    # starting the run over would write the graph again before the delete.
                    return
                self._log(f"worker holding the checkout was lost; restarting (attempt {attempt})")
                continue
            except ActivityError as err:
                if self._deleting() and workflow.patched("no-failure-when-deleting"):
                    # Cancelled for a delete: recording a failure would write the branch's
                    # metadata back just before the delete (or after a repository's removal).
                    return
                if _error_type(err) == "BranchNotFound":
                    # The branch is gone (a missed delete, or a stale-graph revalidation):
                    # its graph goes with it. The remote is asked again first (`repo`): a
                    # push signalled meanwhile may be the branch made again since the fetch,
                    # and the delete would drop it.
                    again = workflow.patched("not-found-asks-again")
                    self._delete = DeleteRequest(
                        self._repo_id,
                        self._branch,
                        request.delivery_id,
                        "branch no longer exists on the remote",
                        repo=request.repo if again else None,
                    )
                    return
                await self._record_failure(request, describe(err, self._policy))
                return
            self._last_result = result
            self._last_error = None
            if result.status == "indexed":
                self._last_sha = result.commit_sha
                self._last_at = workflow.now().isoformat()
                await self._continue_deferred(request, result.stats)
            return
        await self._record_failure(request, "the worker holding the checkout was lost repeatedly")

    async def _index_once(self, request: PushRequest) -> IndexResult:
        fetch: FetchOutcome = await self._activity(
            "fetch_repository",
            FetchRequest(request.repo, self._branch, self._last_sha),
            self._policy.clone_timeout,
            FetchOutcome,
        )
        repo = fetch.repo or request.repo
        if fetch.unchanged:
            self._log("head already indexed; nothing to do", fetch.head_sha)
            await self._activity(
                "record_run",
                RunRecord(
                    repo, self._branch, fetch.head_sha, "unchanged", workflow.now().isoformat()
                ),
                self._policy.metadata_timeout,
            )
            return IndexResult("unchanged", repo.full_name, fetch.head_sha)
        assert fetch.workspace  # noqa: S101 - set whenever unchanged is False
        assert fetch.host_queue  # noqa: S101 - same
        self._remember_host(fetch.host_queue)
        snapshot = SnapshotRef(repo, self._branch, fetch.head_sha, fetch.workspace)
        self._log("indexing", fetch.head_sha)
        try:
            parse: ParseOutcome = await self._on_host(
                "parse_snapshot",
                snapshot,
                fetch.host_queue,
                self._policy.parse_timeout,
                ParseOutcome,
            )
            graph: GraphOutcome = await self._on_host(
                "persist_graph",
                snapshot,
                fetch.host_queue,
                self._policy.graph_timeout,
                GraphOutcome,
            )
            stale: int = await self._activity(
                "cleanup_stale", snapshot, self._policy.stale_cleanup_timeout, int
            )
        except GeneratorExit:
            # The worker evicted this workflow from its cache (shutdown): no await may run
            # now. The workspace is swept by the next worker to start on that host.
            raise
        except BaseException:
            # Failed or cancelled (branch deleted): the fetched repository must still go.
            await self._cleanup_workspace(snapshot, fetch.host_queue)
            raise
        await self._cleanup_workspace(snapshot, fetch.host_queue)
        stats = IndexStats(
            total_symbols=graph.total_symbols,
            indexed_files=graph.indexed_files,
            parsed_files=parse.parsed_files,
            skipped_files=parse.skipped_files,
            deferred_files=parse.deferred_files,
            unchanged_files=parse.unchanged_files,
            deleted_files=parse.deleted_files,
            nodes_written=graph.nodes_written,
            edges_written=graph.edges_written,
            resolved_files=graph.resolved_files,
            timings={"parse_s": parse.seconds, "graph_s": graph.seconds},
        )
        result = IndexResult("indexed", repo.full_name, fetch.head_sha, stats, stale)
        await self._activity(
            "record_run",
            RunRecord(
                repo,
                self._branch,
                fetch.head_sha,
                "indexed",
                workflow.now().isoformat(),
                stats=stats,
            ),
            self._policy.metadata_timeout,
        )
        self._log(
            f"indexed {stats.indexed_files} files, {stats.total_symbols} symbols", fetch.head_sha
        )
        return result

    async def _continue_deferred(self, request: PushRequest, stats: IndexStats) -> None:
        """Run again at once when parse time ran out before some files: the next run parses
        just those (a push that came meanwhile serves as well). A run that parsed no file at
        all is tried again after a pause, a few times, so a busy worker delays the files but
        a branch where no file ever fits in the time is not retried in a loop."""
        if not stats.deferred_files or self._pending is not None:
            self._deferred_retries = 0
            return
        if stats.parsed_files + stats.skipped_files > stats.deferred_files:
            self._deferred_retries = 0
            self._log(f"{stats.deferred_files} files deferred for lack of parse time; continuing")
            self._pending = request
            return
        context = self._context() | {"deferred_files": stats.deferred_files}
        if self._deferred_retries >= DEFERRED_RETRIES:
            self._deferred_retries = 0
            workflow.logger.warning(
                f"no file parsed in the parse time in {DEFERRED_RETRIES + 1} runs; "
                "the deferred files wait for the next push",
                extra=context,
            )
            return
        delay = self._policy.retry_initial_interval * 2**self._deferred_retries
        self._deferred_retries += 1
        workflow.logger.warning(
            f"no file parsed in the parse time; trying again in {delay:g}s", extra=context
        )
        self._state = "waiting"
        try:
            await workflow.wait_condition(
                lambda: self._pending is not None or self._delete is not None,
                timeout=timedelta(seconds=delay),
            )
        except TimeoutError:
            # A push or a delete that lands with the timer comes first.
            if self._pending is None and self._delete is None:
                self._pending = request

    async def _record_failure(self, request: PushRequest, message: str) -> None:
        self._last_error = message
        self._last_result = IndexResult("failed", request.repo.full_name, None)
        workflow.logger.warning("index run failed", extra=self._context() | {"error": message})
        try:
            await self._activity(
                "record_run",
                RunRecord(
                    request.repo,
                    self._branch,
                    None,
                    "failed",
                    workflow.now().isoformat(),
                    error=message,
                ),
                self._policy.metadata_timeout,
            )
        except ActivityError as err:
            workflow.logger.warning("could not record the failure", extra={"error": str(err)})

    async def _remove_branch(self, request: DeleteRequest) -> bool:
        """Delete the branch's graph. False when it stays: the remote still has the branch
        (a delete delivered late, or the branch made again; a run is queued instead), or an
        inferred delete could not ask the remote."""
        self._state = "deleting"
        if request.repo is not None and workflow.patched("delete-asks-the-remote"):
            try:
                head = await self._remote_head(request.repo)
            except ActivityError as err:
                if request.inferred:
                    workflow.logger.warning(
                        f"not deleting ({request.reason}): the remote could not be asked",
                        extra=self._context() | {"error": describe(err, self._policy)},
                    )
                    self._drop_delete(request)
                    return False
                workflow.logger.warning(
                    "could not ask the remote about a deleted branch; trusting the event",
                    extra=self._context() | {"error": describe(err, self._policy)},
                )
                head = None
            if head is not None:
                self._log(f"not deleting ({request.reason}): the remote has the branch", head)
                self._drop_delete(request)
                ref = f"refs/heads/{self._branch}"
                self._pending = self._pending or PushRequest(
                    request.repo, self._branch, head, ref, request.delivery_id
                )
                return False
        self._log(f"deleting branch graph ({request.reason})")
        # No retry limit: the delete was acknowledged to its sender, and a graph left behind
        # would outlive the branch (or a removed repository) for good.
        deleted: int = await self._activity(
            "delete_branch_graph",
            BranchRef(self._repo_id, self._branch),
            self._policy.graph_timeout,
            int,
            retry=self._retry_policy(attempts=0),
        )
        self._log(f"deleted {deleted} nodes")
        if request.repository_removed and workflow.patched("delete-removed-repository"):
            # The removal deleted the Repository node when it sent the deletes, but a run that
            # ended after that (a cancel reaches an activity only at its next heartbeat, and
            # one that completes meanwhile swallows it) wrote it again. Each branch's delete
            # comes after its own run's writes, so the last one to check finds no Branch left.
            await self._activity(
                "delete_removed_repository",
                BranchRef(self._repo_id, self._branch),
                self._policy.metadata_timeout,
                bool,
                retry=self._retry_policy(attempts=0),
            )
        if workflow.patched("forget-kept-repositories"):
            await self._forget_kept_repositories()
        return True

    async def _remote_head(self, repo: RepoRef) -> str | None:
        """The branch's head on the remote; None when the remote says it is not there.
        ActivityError when the remote cannot be asked (our settings or credentials), or has
        not answered for a day: asked again until then, since deleting a live branch's graph
        and dropping a real delete are both wrong."""
        head: str | None = await self._activity(
            "remote_branch_head",
            FetchRequest(repo, self._branch, None),
            self._policy.clone_timeout,
            retry=self._retry_policy(attempts=0),
            give_up_after=REMOTE_CHECK_GIVE_UP_SECONDS,
        )
        return head

    def _drop_delete(self, request: DeleteRequest) -> None:
        """Set aside the delete being handled; a newer one that came meanwhile stays."""
        if self._delete is request:
            self._delete = None
            self._pushed_since_delete = False

    def _remember_host(self, host_queue: str) -> None:
        if host_queue in self._kept_on:
            self._kept_on.remove(host_queue)
        # Bounded history; a worker further back has long dropped its copy for age.
        self._kept_on = [*self._kept_on, host_queue][-MAX_KEPT_HOSTS:]

    async def _forget_kept_repositories(self) -> None:
        """Best effort: delete the kept copies of the repository on the workers that fetched
        it. A worker that is gone took its copy along (its directory is removed when it stops,
        or by the next worker to start on its WORKSPACE_DIR); others expire copies by age.
        Awaited: a copy forgotten after a later run kept a fresh one would delete that."""
        hosts = self._kept_on
        # Patched: histories from before waited on every kept host, gone or not.
        if hosts and workflow.patched("forget-on-live-hosts-only"):
            hosts = await self._live_hosts(hosts)
        branch = BranchRef(self._repo_id, self._branch)
        results = await asyncio.gather(
            *(
                workflow.execute_activity(
                    "forget_kept_repository",
                    branch,
                    result_type=bool,
                    task_queue=host,
                    start_to_close_timeout=timedelta(
                        seconds=self._policy.workspace_cleanup_timeout
                    ),
                    schedule_to_start_timeout=timedelta(
                        seconds=self._policy.forget_schedule_timeout
                    ),
                    retry_policy=self._retry_policy(),
                )
                for host in hosts
            ),
            return_exceptions=True,
        )
        for host, result in zip(hosts, results, strict=True):
            if isinstance(result, ActivityError):
                workflow.logger.warning(
                    "could not forget a kept repository",
                    extra=self._context() | {"host_queue": host, "error": str(result)},
                )
            elif isinstance(result, BaseException):
                raise result
        self._kept_on = []

    async def _live_hosts(self, hosts: list[str]) -> list[str]:
        """The `hosts` whose worker may still be running: a queue whose worker is gone has
        no poller, and a forget there would only end on its schedule-to-start timeout. If
        Temporal cannot be asked, all of them (each forget then waits for its worker)."""
        try:
            answer: HostQueues = await workflow.execute_activity(
                "live_host_queues",
                HostQueues(list(hosts)),
                result_type=HostQueues,
                # Worth no longer than the wait on a gone worker that it saves.
                start_to_close_timeout=timedelta(seconds=self._policy.forget_schedule_timeout),
                retry_policy=self._retry_policy(attempts=1),
            )
        except ActivityError as err:
            workflow.logger.warning(
                "could not tell which workers are gone; forgetting on every one",
                extra=self._context() | {"error": str(err)},
            )
            return hosts
        live = [host for host in hosts if host in answer.queues]
        gone = [host for host in hosts if host not in answer.queues]
        if gone:
            workflow.logger.info(
                "not forgetting kept repositories on stopped workers",
                extra=self._context() | {"host_queues": gone},
            )
        return live

    async def _cleanup_workspace(self, snapshot: SnapshotRef, host_queue: str) -> None:
        # Best effort: a workspace whose host died is swept when a worker starts there again.
        try:
            await self._on_host(
                "cleanup_workspace",
                snapshot,
                host_queue,
                self._policy.workspace_cleanup_timeout,
            )
        except (ActivityError, HostLostError) as err:
            workflow.logger.warning("workspace cleanup failed", extra={"error": str(err)})

    async def _activity(
        self,
        name: str,
        arg: Any,
        timeout_s: float,
        result_type: type | None = None,
        *,
        retry: RetryPolicy | None = None,
        give_up_after: float | None = None,
    ) -> Any:
        return await workflow.execute_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=timedelta(seconds=timeout_s),
            schedule_to_close_timeout=timedelta(seconds=give_up_after) if give_up_after else None,
            heartbeat_timeout=self._heartbeat_timeout(name),
            retry_policy=retry or self._retry_policy(),
            cancellation_type=self._cancellation_type(),
        )

    async def _on_host(
        self,
        name: str,
        arg: Any,
        host_queue: str,
        timeout_s: float,
        result_type: type | None = None,
    ) -> Any:
        """Run an activity on the worker that holds the checkout; HostLostError if it is gone."""
        try:
            return await workflow.execute_activity(
                name,
                arg,
                result_type=result_type,
                task_queue=host_queue,
                start_to_close_timeout=timedelta(seconds=timeout_s),
                schedule_to_start_timeout=timedelta(seconds=self._policy.host_schedule_timeout),
                heartbeat_timeout=self._heartbeat_timeout(name),
                retry_policy=self._retry_policy(),
                cancellation_type=self._cancellation_type(),
            )
        except ActivityError as err:
            if self._host_lost(err):
                raise HostLostError(str(err)) from err
            raise

    def _host_lost(self, err: ActivityError) -> bool:
        if lost_its_host(err):
            return True
        # Its own time ran out on a live worker: a failure naming the setting, not 3 restarts
        # of 3 attempts each. Patched: histories from before restarted the run on it too.
        return ran_out_of_time(err) and not workflow.patched("own-timeout-is-not-host-loss")

    def _heartbeat_timeout(self, name: str) -> timedelta | None:
        if name in SILENT_ACTIVITIES:
            return None
        return timedelta(seconds=self._policy.heartbeat_timeout)

    def _cancellation_type(self) -> ActivityCancellationType:
        """A run cancelled for a delete waits for its activities to stop: one still writing
        the graph after the delete would leave part of it behind."""
        if workflow.patched("wait-for-cancelled-activities"):
            return ActivityCancellationType.WAIT_CANCELLATION_COMPLETED
        return ActivityCancellationType.TRY_CANCEL

    def _retry_policy(self, attempts: int | None = None) -> RetryPolicy:
        """The activities' retries; `attempts` 0 retries without limit."""
        return RetryPolicy(
            maximum_attempts=self._policy.retry_attempts if attempts is None else attempts,
            initial_interval=timedelta(seconds=self._policy.retry_initial_interval),
            maximum_interval=timedelta(seconds=self._policy.retry_max_interval),
            backoff_coefficient=2.0,
            non_retryable_error_types=PERMANENT_ERRORS,
        )

    def _carried_state(self) -> BranchWorkflowInput:
        return BranchWorkflowInput(
            repo_id=self._repo_id,
            branch=self._branch,
            policy=self._policy,
            pending=self._pending,
            last_indexed_sha=self._last_sha,
            last_indexed_at=self._last_at,
            runs=self._runs,
            last_error=self._last_error,
            last_result=self._last_result,
            kept_on=list(self._kept_on),
            deferred_retries=self._deferred_retries,
        )

    def _context(self, sha: str | None = None) -> dict[str, Any]:
        return {"repo_id": self._repo_id, "branch": self._branch, "sha": sha}

    def _log(self, message: str, sha: str | None = None) -> None:
        workflow.logger.info(message, extra=self._context(sha))


def _error_type(err: ActivityError) -> str | None:
    return err.cause.type if isinstance(err.cause, ApplicationError) else None
