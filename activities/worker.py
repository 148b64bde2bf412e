"""The worker process: runs the workflows and the indexing activities.

Two Temporal workers share one process: one on the shared task queue (workflows, fetch,
metadata) and one on this process's own `host queue`, where every activity that reads the
fetched repository runs. SIGTERM stops polling, lets in-flight activities finish within
WORKER_SHUTDOWN_SECONDS, and hands the rest back to Temporal for another worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import TypeVar

from neo4j import AsyncDriver
from temporalio.client import Client
from temporalio.worker import Worker

from activities.codegraph.indexer import CodeGraphIndexer
from activities.connections import neo4j_driver, temporal_client
from activities.credentials import Credentials
from activities.git_client import GitClient
from activities.gitlab_projects import GitLabProjects
from activities.graph_schema import create_schema
from activities.host_liveness import HostLiveness
from activities.indexing import IndexingActivities
from activities.metadata_store import MetadataStore
from activities.redelivery_sweep import (
    RedeliveryActivities,
    ensure_redelivery_schedule,
    remove_redelivery_schedule,
)
from activities.setup import SetupActivities
from activities.sweep import SweepActivities, ensure_sweep_schedule
from activities.worker_metrics import WorkerMetrics, serving_worker_metrics, temporal_runtime
from activities.workspace import Workspace, worker_id
from app.settings import Settings
from workflows.redelivery_sweep import RedeliverySweepWorkflow
from workflows.repo_indexing import RepoIndexingWorkflow
from workflows.repo_setup import RepoSetupWorkflow
from workflows.stale_sweep import StaleSweepWorkflow

log = logging.getLogger("repograph.worker")
T = TypeVar("T")


@asynccontextmanager
async def running_worker(
    settings: Settings,
    client: Client,
    driver: AsyncDriver,
    *,
    metrics: WorkerMetrics | None = None,
) -> AsyncIterator[str]:
    """Run both Temporal workers until the context exits; yields the host queue name.

    Index runs are counted in `metrics` when given (run_worker serves them).
    """
    wid = worker_id()
    host_queue = f"{settings.task_queue}-host-{wid}"
    workspace = Workspace(settings.workspace_dir, wid)
    workspace.open()
    git = GitClient(allow_file_protocol=settings.allow_local_repos)
    credentials = Credentials(settings)
    metadata = MetadataStore(driver, settings.neo4j_database)
    async with AsyncExitStack() as stack:
        indexer = CodeGraphIndexer(settings, driver, git)
        stack.push_async_callback(indexer.aclose)
        indexing = IndexingActivities(
            settings,
            git=git,
            credentials=credentials,
            gitlab_projects=GitLabProjects(settings),
            workspace=workspace,
            metadata=metadata,
            indexer=indexer,
            host_queue=host_queue,
            run_observer=metrics,
        )
        setup = SetupActivities(
            settings,
            client=client,
            git=git,
            credentials=credentials,
            metadata=metadata,
            driver=driver,
        )
        sweep = SweepActivities(settings, client=client, driver=driver)
        redelivery = RedeliveryActivities(settings)
        liveness = HostLiveness(settings, client=client, workspace=workspace)
        common = {
            "max_concurrent_activities": settings.worker_max_activities,
            "graceful_shutdown_timeout": timedelta(seconds=settings.worker_shutdown_seconds),
        }
        shared = Worker(
            client,
            task_queue=settings.task_queue,
            workflows=[
                RepoIndexingWorkflow,
                RepoSetupWorkflow,
                StaleSweepWorkflow,
                RedeliverySweepWorkflow,
            ],
            activities=[
                *indexing.activities(),
                *setup.activities(),
                *sweep.activities(),
                *redelivery.activities(),
                *liveness.activities(),
            ],
            **common,  # type: ignore[arg-type]
        )
        host = Worker(client, task_queue=host_queue, activities=indexing.activities(), **common)  # type: ignore[arg-type]
        # Exit order is reversed: workers stop first, then the workspace is removed.
        stack.callback(workspace.close)
        expiry = asyncio.create_task(_expire_kept_repositories(workspace, settings))
        stack.push_async_callback(_cancelled, expiry)
        await stack.enter_async_context(shared)
        await stack.enter_async_context(host)
        log.info(
            "worker started", extra={"task_queue": settings.task_queue, "host_queue": host_queue}
        )
        yield host_queue


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _expire_kept_repositories(workspace: Workspace, settings: Settings) -> None:
    """Every few minutes, delete kept repositories unused for WARM_REPO_MAX_AGE_HOURS."""
    max_age = settings.warm_repo_max_age_hours * 3600
    while True:
        try:
            removed = await asyncio.to_thread(workspace.expire_warm, max_age)
        except OSError as exc:  # a full or failing disk must not stop the worker
            log.warning("could not expire kept repositories", extra={"error": str(exc)})
        else:
            if removed:
                log.info("expired kept repositories", extra={"removed": removed})
        await asyncio.sleep(min(max_age / 4, 300))


async def run_worker(settings: Settings) -> None:
    """Entry point of `repograph worker`: run until SIGTERM or SIGINT.

    Temporal or Neo4j being unreachable at start is waited out (with a warning and backoff)
    rather than fatal: a worker restarted during an outage must come up when it ends.
    Metrics are served on WORKER_METRICS_PORT (Temporal SDK) and the next port (repograph).
    """
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runtime = temporal_runtime(settings)
    client = await _until_ready("Temporal", lambda: temporal_client(settings, runtime), stop)
    if client is None:
        return
    driver = neo4j_driver(settings)
    try:

        async def schema() -> bool:
            await create_schema(driver, settings.neo4j_database)
            return True

        if not await _until_ready("Neo4j", schema, stop):
            return
        await ensure_sweep_schedule(client, settings)
        if settings.github_app_id:
            await ensure_redelivery_schedule(client, settings)
        else:
            await remove_redelivery_schedule(client, settings)
        metrics = WorkerMetrics()
        with serving_worker_metrics(metrics, settings):
            async with running_worker(settings, client, driver, metrics=metrics):
                await stop.wait()
                log.info(
                    "stopping: finishing in-flight activities",
                    extra={"grace_s": settings.worker_shutdown_seconds},
                )
    finally:
        await driver.close()
    log.info("worker stopped")


async def _until_ready(
    what: str, attempt: Callable[[], Awaitable[T]], stop: asyncio.Event
) -> T | None:
    """Retry `attempt` with backoff (1 s doubling to 30 s) until it succeeds or `stop` is set."""
    delay = 1.0
    while not stop.is_set():
        try:
            return await attempt()
        except Exception as exc:  # any connection failure is retried
            # Some carry no message at all (a bare TimeoutError()): their type says enough.
            first_line = (str(exc).splitlines() or [type(exc).__name__])[0]
            log.warning(
                f"{what} is not reachable yet; retrying in {delay:.0f}s",
                extra={"error": first_line[:300]},
            )
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
        delay = min(delay * 2, 30.0)
    return None
