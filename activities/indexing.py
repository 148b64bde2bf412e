"""The indexing activities: fetch, parse, persist, clean up. One instance per worker process.

`fetch_repository` runs on the shared task queue and returns this worker's own `host_queue`;
every activity that touches the fetched repository is then scheduled there, so they all run
where the files are. Failures that no retry can fix become non-retryable ApplicationErrors.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.clone_urls import CloneUrlError, clone_url_for
from activities.credentials import CredentialError, Credentials
from activities.git_client import GitClient, GitError
from activities.gitlab_projects import GitLabProjects
from activities.metadata_store import MetadataStore
from activities.workspace import Workspace, warm_key
from app.refs import GitNameError, check_branch_name
from app.settings import Settings
from workflows.contracts import (
    BranchRef,
    FetchOutcome,
    FetchRequest,
    GraphOutcome,
    ParseOutcome,
    RepoRef,
    RunRecord,
    SnapshotRef,
)

log = logging.getLogger("repograph.activities")
HEARTBEAT_EVERY = 5.0
# The share of its activity timeout a parse spends starting files (see `parse_deadline`).
PARSE_TIME_SHARE = 0.8

_GIT_ERROR_TYPES = {
    "not_found": "RepositoryNotFound",
    "auth": "AuthenticationFailed",
    "invalid_ref": "InvalidRef",
    "branch_gone": "BranchNotFound",
}


class SnapshotIndexer(Protocol):
    """The code-graph side of a run: parse changed blobs, then write the graph delta."""

    async def parse(
        self, snapshot: SnapshotRef, repo_dir: Path, out_dir: Path, deadline: float | None = None
    ) -> ParseOutcome: ...

    async def persist(self, snapshot: SnapshotRef, out_dir: Path) -> GraphOutcome: ...

    async def cleanup_stale(self, snapshot: SnapshotRef) -> int: ...

    async def is_current(self, repo_id: str, branch: str) -> bool:
        """Whether the branch's graph was made in this worker's index format (extractor,
        grammars, skip settings) and has no file deferred for lack of parse time: if not, a
        run at the same head still re-indexes."""
        ...


class RunObserver(Protocol):
    """Told of every recorded run (the worker's metrics)."""

    def observe_run(self, record: RunRecord) -> None: ...


@contextlib.asynccontextmanager
async def heartbeating(every: float = HEARTBEAT_EVERY) -> AsyncIterator[None]:
    """Heartbeat in the background while the body works, so cancellation and death are noticed.

    Beats at least three times per heartbeat timeout: one late beat on a busy machine must not
    make Temporal presume the activity dead.
    """
    timeout = activity.info().heartbeat_timeout
    if timeout:
        every = min(every, max(timeout.total_seconds() / 3, 0.2))

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(every)

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def parse_deadline(info: activity.Info) -> float | None:
    """The `time.monotonic()` after which a parse starts no more files, so that it ends in
    its time and the run keeps what it parsed (the rest is deferred to the next run) instead
    of timing out and starting again from nothing, forever, on a branch too slow to parse."""
    timeout = info.start_to_close_timeout
    if not timeout:
        return None
    # Time for what follows the last parse: reading the rows of in-flight files and writing
    # the deferred ones (tenths of a second); the rest is slack for a loaded host.
    return time.monotonic() + timeout.total_seconds() * PARSE_TIME_SHARE


class IndexingActivities:
    def __init__(
        self,
        settings: Settings,
        *,
        git: GitClient,
        credentials: Credentials,
        gitlab_projects: GitLabProjects,
        workspace: Workspace,
        metadata: MetadataStore,
        indexer: SnapshotIndexer,
        host_queue: str,
        run_observer: RunObserver | None = None,
    ) -> None:
        self._settings = settings
        self._git = git
        self._credentials = credentials
        self._gitlab_projects = gitlab_projects
        self._workspace = workspace
        self._metadata = metadata
        self._indexer = indexer
        self._host_queue = host_queue
        self._run_observer = run_observer

    @activity.defn(name="fetch_repository")
    async def fetch_repository(self, request: FetchRequest) -> FetchOutcome:
        """Resolve the branch head; unless already indexed, fetch it into a new workspace."""
        context = {"repo_id": request.repo.repo_id, "branch": request.branch}
        branch, url = self._remote(request)
        async with heartbeating():
            token = await self._token(request)
            try:
                url, repo = await self._provider_remote(request, url)
                head = await self._git.remote_head(url, branch, token)
                if head == request.known_sha:
                    if await self._indexer.is_current(request.repo.repo_id, branch):
                        return FetchOutcome(head, unchanged=True, repo=repo)
                    log.info(
                        "head already indexed, but in another index format or with deferred files: "
                        "indexing it again",
                        extra=context | {"sha": head},
                    )
                run_dir = self._workspace.new_run_dir(f"{request.repo.repo_id}-{branch}")
                try:
                    head = await self._fetch(request, url, branch, run_dir / "repo.git", token)
                except BaseException:
                    self._workspace.remove(run_dir)
                    raise
            except GitError as exc:
                raise _as_application_error(exc) from None
        log.info("fetched", extra=context | {"sha": head, "workspace": str(run_dir)})
        return FetchOutcome(
            head, unchanged=False, workspace=str(run_dir), host_queue=self._host_queue, repo=repo
        )

    @activity.defn(name="remote_branch_head")
    async def remote_branch_head(self, request: FetchRequest) -> str | None:
        """The branch's head on the remote, or None when the remote answers that the branch,
        or its repository, is not there. When the remote cannot be asked (a clone URL or
        branch name refused, credentials refused or not minted) this raises, non-retryable:
        that says nothing of the branch."""
        context = {"repo_id": request.repo.repo_id, "branch": request.branch}
        branch, url = self._remote(request)
        async with heartbeating():
            token = await self._token(request)
            try:
                url, _ = await self._provider_remote(request, url)
                return await self._git.remote_head(url, branch, token)
            except GitError as exc:
                if exc.kind not in ("branch_gone", "not_found"):
                    raise _as_application_error(exc) from None
                log.info("the remote has no such branch", extra=context | {"kind": exc.kind})
                return None

    def _remote(self, request: FetchRequest) -> tuple[str, str]:
        """The branch name and clone URL to hand git, both checked: untrusted payload data."""
        try:
            return check_branch_name(request.branch), clone_url_for(request.repo, self._settings)
        except (GitNameError, CloneUrlError) as exc:
            raise ApplicationError(str(exc), type="InvalidInput", non_retryable=True) from None

    async def _provider_remote(self, request: FetchRequest, url: str) -> tuple[str, RepoRef | None]:
        """For a GitLab project, the clone URL the GitLab API gives for its id, and the
        repository as the API names it: a payload could pair the id with another project's
        URL and name, or give a false default branch (see `gitlab_projects`). Otherwise
        `url`, and None. Raises `GitError`."""
        repo = request.repo
        if repo.provider != "gitlab" or repo.project_id is None or urlsplit(url).scheme == "file":
            return url, None
        project = await self._gitlab_projects.project(repo.project_id)
        named = dataclasses.replace(
            repo,
            full_name=project.full_name,
            clone_url=project.clone_url,
            default_branch=project.default_branch,
        )
        try:
            project_url = clone_url_for(named, self._settings)
        except CloneUrlError as exc:
            raise ApplicationError(
                f"GitLab's clone URL for project {repo.project_id} is refused: {exc}",
                type="InvalidInput",
                non_retryable=True,
            ) from None
        if project_url != url or project.full_name != repo.full_name:
            log.warning(
                "the payload names the project otherwise than GitLab does; using GitLab's",
                extra={
                    "repo_id": repo.repo_id,
                    "project_id": repo.project_id,
                    "payload_url": url,
                    "project_url": project_url,
                    "payload_name": repo.full_name,
                    "project_name": project.full_name,
                },
            )
        return project_url, named

    async def _fetch(
        self, request: FetchRequest, url: str, branch: str, repo: Path, token: str | None
    ) -> str:
        """Fetch into the repository kept from the branch's last run on this worker, if any;
        if that fails, once more into a new one (a kept repository is only a shortcut)."""
        if not self._workspace.take_warm(warm_key(request.repo.repo_id, branch), repo):
            return await self._git.fetch_branch(url, branch, repo, token)
        try:
            return await self._git.fetch_branch(url, branch, repo, token)
        except GitError as exc:
            # A kept repository can be damaged (a disk full mid-fetch, a killed worker); the
            # branch is still on the host, and a fresh fetch sends no `have` lines to trip on.
            log.warning(
                "fetch into the kept repository failed; fetching afresh",
                extra={"repo_id": request.repo.repo_id, "branch": branch, "error": str(exc)},
            )
        self._workspace.remove(repo)
        return await self._git.fetch_branch(url, branch, repo, token)

    async def _token(self, request: FetchRequest) -> str | None:
        try:
            return await self._credentials.token_for(request.repo)
        except CredentialError as exc:
            if exc.permanent:
                raise ApplicationError(
                    str(exc), type="AuthenticationFailed", non_retryable=True
                ) from None
            raise

    @activity.defn(name="parse_snapshot")
    async def parse_snapshot(self, snapshot: SnapshotRef) -> ParseOutcome:
        run_dir = self._run_dir(snapshot)
        async with heartbeating():
            return await self._indexer.parse(
                snapshot, run_dir / "repo.git", run_dir, parse_deadline(activity.info())
            )

    @activity.defn(name="persist_graph")
    async def persist_graph(self, snapshot: SnapshotRef) -> GraphOutcome:
        run_dir = self._run_dir(snapshot)
        async with heartbeating():
            await self._metadata.upsert_repository(snapshot.repo, snapshot.branch)
            return await self._indexer.persist(snapshot, run_dir)

    @activity.defn(name="cleanup_stale")
    async def cleanup_stale(self, snapshot: SnapshotRef) -> int:
        async with heartbeating():
            return await self._indexer.cleanup_stale(snapshot)

    @activity.defn(name="cleanup_workspace")
    async def cleanup_workspace(self, snapshot: SnapshotRef) -> bool:
        run_dir = Path(snapshot.workspace)
        key = warm_key(snapshot.repo.repo_id, snapshot.branch)
        self._workspace.keep_warm(key, run_dir / "repo.git", self._settings.warm_repos)
        return self._workspace.remove(run_dir)

    @activity.defn(name="record_run")
    async def record_run(self, record: RunRecord) -> None:
        await self._metadata.record_run(record)
        if self._run_observer is not None:
            self._run_observer.observe_run(record)

    @activity.defn(name="delete_branch_graph")
    async def delete_branch_graph(self, branch: BranchRef) -> int:
        started = time.monotonic()
        async with heartbeating():
            deleted = await self._metadata.delete_branch(branch.repo_id, branch.branch)
        log.info(
            "deleted branch graph",
            extra={
                "repo_id": branch.repo_id,
                "branch": branch.branch,
                "nodes": deleted,
                "seconds": round(time.monotonic() - started, 3),
            },
        )
        return deleted

    @activity.defn(name="delete_removed_repository")
    async def delete_removed_repository(self, branch: BranchRef) -> bool:
        """After the graph of a removed repository's branch: delete the Repository node if no
        Branch of it is left, the last branch's delete removing what a late run wrote."""
        deleted = await self._metadata.delete_repository_without_branches(branch.repo_id)
        log.info(
            "deleted removed repository" if deleted else "removed repository has branches left",
            extra={"repo_id": branch.repo_id, "branch": branch.branch},
        )
        return deleted

    @activity.defn(name="forget_kept_repository")
    async def forget_kept_repository(self, branch: BranchRef) -> bool:
        """Delete this worker's kept repository of a branch whose graph was deleted: the code
        must not stay on disk after access to it ends (runs on the host queue)."""
        dropped = self._workspace.drop_warm(warm_key(branch.repo_id, branch.branch))
        log.info(
            "forgot kept repository" if dropped else "no kept repository to forget",
            extra={"repo_id": branch.repo_id, "branch": branch.branch},
        )
        return dropped

    def _run_dir(self, snapshot: SnapshotRef) -> Path:
        path = Path(snapshot.workspace)
        if not path.is_dir() or self._workspace.dir not in path.resolve().parents:
            # This worker does not hold the checkout: the run must start over from fetch.
            raise ApplicationError(
                f"workspace {snapshot.workspace} is not on this worker",
                type="WorkspaceLost",
                non_retryable=True,
            )
        return path

    def activities(self) -> list[Callable[..., Any]]:
        return [
            self.fetch_repository,
            self.remote_branch_head,
            self.parse_snapshot,
            self.persist_graph,
            self.cleanup_stale,
            self.cleanup_workspace,
            self.record_run,
            self.delete_branch_graph,
            self.delete_removed_repository,
            self.forget_kept_repository,
        ]


def _as_application_error(exc: GitError) -> ApplicationError:
    kind = _GIT_ERROR_TYPES.get(exc.kind)
    if kind is None:
        return ApplicationError(str(exc), type="GitError")
    return ApplicationError(str(exc), type=kind, non_retryable=True)
