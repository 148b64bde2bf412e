"""A branch's delete forgets its kept repositories on the workers still running, first, and
does not wait for workers that are gone (nor do the pushes queued behind it)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver
from temporalio.api.enums.v1 import EventType, TaskQueueType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client, WorkflowHandle, WorkflowHistory
from temporalio.testing import ActivityEnvironment
from temporalio.worker import Replayer

from activities.host_liveness import HostLiveness
from activities.worker import running_worker
from app.dispatcher import Dispatcher
from app.settings import Settings
from tests.indexing.test_lifecycle import kept_repositories
from tests.indexing.test_worker_crash import start_worker
from tests.support.git_server import WorkRepo, git
from tests.support.workflows import count_branch_nodes, local_repo, push, wait_for_status
from workflows.contracts import DeleteRequest, HostQueues, RepoRef
from workflows.repo_indexing import RepoIndexingWorkflow

HISTORIES = Path(__file__).resolve().parents[1] / "fixtures" / "histories"


def scheduled(events: Sequence[HistoryEvent], activity: str) -> list[str]:
    """The task queue of every scheduled `activity`, in history order."""
    return [
        e.activity_task_scheduled_event_attributes.task_queue.name
        for e in events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == activity
    ]


async def history_of(client: Client, handle: WorkflowHandle[Any, Any], run_id: str) -> Any:
    return await client.get_workflow_handle(handle.id, run_id=run_id).fetch_history()


def results(events: Sequence[HistoryEvent], activity: str) -> list[bytes]:
    """The JSON result of every completed `activity`, in history order."""
    ids = {
        e.event_id
        for e in events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        and e.activity_task_scheduled_event_attributes.activity_type.name == activity
    }
    return [
        e.activity_task_completed_event_attributes.result.payloads[0].data
        for e in events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED
        and e.activity_task_completed_event_attributes.scheduled_event_id in ids
    ]


async def until_polled(client: Client, queue: str) -> None:
    """Wait until Temporal lists a poller on `queue` (a worker's first poll takes a moment)."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    )
    for _ in range(100):
        if (await client.workflow_service.describe_task_queue(request)).pollers:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no poller on {queue}")


async def test_a_delete_after_a_worker_restart_does_not_wait_for_the_stopped_worker(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """Worker A indexes and keeps a copy, then stops; on worker B a delete followed by a push
    forgets nothing on A's queue, and the push is indexed at once, not after the 30 s a forget
    on A's queue would wait for a poller."""
    assert settings.indexing_policy().forget_schedule_timeout == 30
    repo = WorkRepo(tmp_path, "restart")
    repo.write({"a.py": "def a():\n    pass\n"})
    first = repo.commit("one")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    async with running_worker(settings, temporal_client, neo4j_driver) as host_a:
        handle = await push(temporal_client, settings, ref, "main", first)
        await wait_for_status(handle, lambda s: s.last_indexed_sha == first and s.state == "idle")
        assert kept_repositories(settings, ref.repo_id, "main")
    # A stopped: its directory, kept copy included, went with it.
    assert not kept_repositories(settings, ref.repo_id, "main")
    run_id = (await handle.describe()).run_id
    repo.write({"b.py": "def b():\n    pass\n"})
    second = repo.commit("two")
    async with running_worker(settings, temporal_client, neo4j_driver) as host_b:
        await Dispatcher(temporal_client, settings).delete(
            DeleteRequest(ref.repo_id, "main", "test-delete", "branch deleted")
        )
        await push(temporal_client, settings, ref, "main", second)
        # Well inside the 30 s a forget on A's queue took to time out.
        status = await wait_for_status(handle, lambda s: s.last_indexed_sha == second, timeout=20)
        assert status.last_error is None
        assert kept_repositories(settings, ref.repo_id, "main")
        await handle.terminate()
    history = await history_of(temporal_client, handle, run_id)
    deleting = history.events
    assert scheduled(deleting, "live_host_queues") == [settings.task_queue]
    assert scheduled(deleting, "forget_kept_repository") == [], "waited on the stopped worker"
    assert deleting[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
    assert host_a != host_b
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") > 0
    # The new path replays as it ran.
    await Replayer(workflows=[RepoIndexingWorkflow]).replay_workflow(history)


async def test_a_running_workers_kept_copy_is_forgotten_before_the_next_fetch(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A delete followed by a push on a running worker forgets its kept copy before the push
    fetches: the push fetches afresh instead of into the deleted branch's repository."""
    repo = WorkRepo(tmp_path, "live")
    repo.write({"a.py": "def a():\n    pass\n"})
    first = repo.commit("one")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, settings, ref, "main", first)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == first and s.state == "idle")
    [old_copy] = kept_repositories(settings, ref.repo_id, "main")
    git("cat-file", "-e", f"{first}^{{commit}}", cwd=old_copy)
    run_id = (await handle.describe()).run_id
    repo.write({"b.py": "def b():\n    pass\n"})
    second = repo.commit("two")
    await Dispatcher(temporal_client, settings).delete(
        DeleteRequest(ref.repo_id, "main", "test-delete", "branch deleted")
    )
    await push(temporal_client, settings, ref, "main", second)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == second and s.state == "idle")
    await handle.terminate()

    deleting = (await history_of(temporal_client, handle, run_id)).events
    assert scheduled(deleting, "forget_kept_repository") == [worker]
    assert results(deleting, "forget_kept_repository") == [b"true"], "no copy to forget"
    # The push's fetch did not reuse the deleted branch's copy: a fresh depth-1 fetch of the
    # new head, never reused, without the first commit.
    [new_copy] = kept_repositories(settings, ref.repo_id, "main")
    assert not (new_copy / "repograph-reuses").exists(), "fetched into the forgotten copy"
    with pytest.raises(RuntimeError):
        git("cat-file", "-e", f"{first}^{{commit}}", cwd=new_copy)


async def test_live_host_queues_tells_running_workers_from_gone_ones(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    unique_id: str,
) -> None:
    """A running worker's host queue is live; a stopped worker's and one never polled are not;
    a queue not polled within HOST_GONE_AFTER_SECONDS is not either."""
    async with running_worker(settings, temporal_client, neo4j_driver) as stopped:
        pass
    never = f"{settings.task_queue}-host-never-{unique_id}"
    async with running_worker(settings, temporal_client, neo4j_driver) as running:
        await until_polled(temporal_client, running)
        environment = ActivityEnvironment(temporal_client)
        environment.info = dataclasses.replace(
            ActivityEnvironment.default_info(), started_time=datetime.now(UTC)
        )
        liveness = HostLiveness(settings, client=temporal_client)
        answer = await environment.run(
            liveness.live_host_queues, HostQueues([stopped, running, never])
        )
        assert answer == HostQueues([running]), f"{stopped=} {running=} {never=}"
        # An idle worker holds a poll for about 60 s without polling again: a shorter
        # setting (the settings refuse one under 70 s) takes it for gone.
        await asyncio.sleep(3)
        environment.info = dataclasses.replace(environment.info, started_time=datetime.now(UTC))
        hasty = HostLiveness(
            dataclasses.replace(settings, host_gone_after_seconds=1), client=temporal_client
        )
        assert await environment.run(hasty.live_host_queues, HostQueues([running])) == HostQueues(
            []
        )


async def index_on_a_killed_worker(
    settings: Settings, temporal_client: Client, tmp_path: Path, unique_id: str
) -> tuple[WorkflowHandle[Any, Any], RepoRef, str]:
    """Index a branch on a worker process, SIGKILL it; the workflow and the killed worker's
    host queue, which Temporal still lists as polled a moment ago."""
    repo = WorkRepo(tmp_path, "killed")
    repo.write({"k.py": "def k():\n    pass\n"})
    sha = repo.commit("one")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    killed = start_worker(settings, tmp_path / "worker.log")
    try:
        handle = await push(temporal_client, settings, ref, "main", sha)
        await wait_for_status(
            handle, lambda s: s.last_indexed_sha == sha and s.state == "idle", timeout=90
        )
        assert kept_repositories(settings, ref.repo_id, "main")
        os.killpg(killed.pid, signal.SIGKILL)
        killed.wait()
    finally:
        if killed.poll() is None:
            os.killpg(killed.pid, signal.SIGKILL)
    [host_a] = set(scheduled((await handle.fetch_history()).events, "parse_snapshot"))
    return handle, ref, host_a


async def test_a_delete_right_after_a_sigkill_does_not_wait_for_the_killed_worker(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A SIGKILLed worker reports nothing and polled a moment ago, so Temporal cannot tell it
    is gone; the next worker on its WORKSPACE_DIR can (its lock was released, and that
    worker's start removed its directory): the delete asks no forget of it and does not wait
    the forget's 30 s schedule-to-start on its queue."""
    assert settings.indexing_policy().forget_schedule_timeout == 30
    handle, ref, host_a = await index_on_a_killed_worker(
        settings, temporal_client, tmp_path, unique_id
    )
    async with running_worker(settings, temporal_client, neo4j_driver):
        # The new worker swept the killed one's directory as it started.
        assert not kept_repositories(settings, ref.repo_id, "main")
        started = time.monotonic()
        await Dispatcher(temporal_client, settings).delete(
            DeleteRequest(ref.repo_id, "main", "test-delete", "branch deleted")
        )
        await asyncio.wait_for(handle.result(), timeout=60)
        took = time.monotonic() - started
    events = (await handle.fetch_history()).events
    assert scheduled(events, "live_host_queues") == [settings.task_queue]
    assert scheduled(events, "forget_kept_repository") == [], f"waited on {host_a}"
    # Measured 10.5 s (40.8 s with the forget): the workflow task first waits 10 s on the
    # killed worker's sticky queue (the SDK's sticky schedule-to-start timeout), then 0.4 s.
    assert took < 15, f"the delete took {took:.1f}s"
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == 0


async def test_a_worker_killed_a_moment_ago_elsewhere_is_still_waited_for_briefly(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """Checked from another WORKSPACE_DIR (another machine), a worker SIGKILLed a moment ago
    looks alive: the delete asks it to forget and ends when that forget's schedule-to-start
    runs out, once. Its kept copy stays until a worker starts on its WORKSPACE_DIR."""
    quick = dataclasses.replace(settings, host_schedule_timeout_seconds=3)
    handle, ref, host_a = await index_on_a_killed_worker(
        quick, temporal_client, tmp_path, unique_id
    )
    elsewhere = dataclasses.replace(quick, workspace_dir=tmp_path / "other-machine")
    async with running_worker(elsewhere, temporal_client, neo4j_driver):
        await Dispatcher(temporal_client, quick).delete(
            DeleteRequest(ref.repo_id, "main", "test-delete", "branch deleted")
        )
        await asyncio.wait_for(handle.result(), timeout=60)
    events = (await handle.fetch_history()).events
    assert scheduled(events, "live_host_queues") == [quick.task_queue]
    assert scheduled(events, "forget_kept_repository") == [host_a]
    timed_out = [e for e in events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT]
    assert len(timed_out) == 1, "one short wait on the killed worker's queue, not retried"
    assert kept_repositories(quick, ref.repo_id, "main")
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == 0


async def test_a_delete_recorded_before_the_live_host_check_replays_unchanged() -> None:
    """A history recorded by the code before the check (forgets scheduled on a stopped and a
    running worker's queue) replays without a nondeterminism error."""
    path = HISTORIES / "delete_forgets_on_every_kept_host.json"
    history = WorkflowHistory.from_json("repo-index-recorded-main", path.read_text())
    assert len(scheduled(history.events, "forget_kept_repository")) == 2
    await Replayer(workflows=[RepoIndexingWorkflow]).replay_workflow(history)
