"""Which host queues may still have a worker, asked of Temporal (runs on the shared queue).

A host queue belongs to one worker process and dies with it: the next process polls a queue
of a new name. A branch's delete forgets its kept repositories only on the queues this says
may be live, instead of waiting for a worker that will never come. A queue counts as gone when
the worker running this check shares the queue's worker's WORKSPACE_DIR and finds that process
ended (its workspace lock released: at once after a SIGKILL, which Temporal cannot tell for up
to HOST_GONE_AFTER_SECONDS), when its worker said it was shutting down (the worker heartbeats
of servers that record them), or when nobody has polled it for HOST_GONE_AFTER_SECONDS
(Temporal lists a queue's pollers with the time of their last poll; an idle worker polls
again about every 60 s). Anything else, including a queue Temporal could not tell about,
counts as live.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import TaskQueueKind, TaskQueueType, WorkerStatus
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest, ListWorkersRequest
from temporalio.client import Client
from temporalio.service import RPCError

from activities.workspace import Workspace
from app.settings import Settings
from workflows.contracts import HostQueues

log = logging.getLogger("repograph.host_liveness")
_STOPPED = frozenset(
    {WorkerStatus.WORKER_STATUS_SHUTTING_DOWN, WorkerStatus.WORKER_STATUS_SHUTDOWN}
)


class HostLiveness:
    def __init__(
        self, settings: Settings, *, client: Client, workspace: Workspace | None = None
    ) -> None:
        self._client = client
        self._gone_after = timedelta(seconds=settings.host_gone_after_seconds)
        self._workspace = workspace
        # How activities/worker.py names a worker's host queue after its workspace directory.
        self._host_prefix = f"{settings.task_queue}-host-"

    @activity.defn(name="live_host_queues")
    async def live_host_queues(self, hosts: HostQueues) -> HostQueues:
        """The given host queues that may still have a worker, in the order given."""
        # The server's clock, as the pollers' times are: a worker's own clock may be off.
        now = activity.info().started_time
        answers = await asyncio.gather(*(self._gone(queue, now) for queue in hosts.queues))
        live = []
        for queue, why in zip(hosts.queues, answers, strict=True):
            if why is None:
                live.append(queue)
            else:
                log.info("worker is gone: " + why, extra={"host_queue": queue})
        return HostQueues(live)

    async def _gone(self, queue: str, now: datetime) -> str | None:
        """Why the queue's worker is gone, or None if it may be live."""
        if (
            self._workspace is not None
            and queue.startswith(self._host_prefix)
            and self._workspace.owner_ended(queue.removeprefix(self._host_prefix))
        ):
            return "its process ended (its workspace lock on this host was released)"
        if await self._stopped(queue):
            return "it reported shutting down"
        last_poll = await self._last_poll(queue)
        if last_poll is None:
            return "no poller is listed on its queue"
        if now - last_poll > self._gone_after:
            return f"its queue was last polled {(now - last_poll).total_seconds():.0f}s ago"
        return None

    async def _last_poll(self, queue: str) -> datetime | None:
        """When an activity poller last polled `queue` (Temporal keeps them 5 minutes)."""
        response = await self._client.workflow_service.describe_task_queue(
            DescribeTaskQueueRequest(
                namespace=self._client.namespace,
                task_queue=TaskQueue(name=queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
                task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
            )
        )
        times = [p.last_access_time.ToDatetime(tzinfo=UTC) for p in response.pollers]
        return max(times, default=None)

    async def _stopped(self, queue: str) -> bool:
        """True when the queue's worker has said it is shutting down. Servers that do not
        record worker heartbeats (older ones, or with them turned off) tell nothing here."""
        if "'" in queue or "\\" in queue:
            return False  # never spliced into a query; our own queue names have neither
        try:
            response = await self._client.workflow_service.list_workers(
                ListWorkersRequest(
                    namespace=self._client.namespace, query=f"TaskQueue = '{queue}'", page_size=100
                )
            )
        except RPCError as exc:
            log.debug("worker heartbeats unavailable", extra={"error": exc.message})
            return False
        statuses = [w.status for w in response.workers if w.task_queue == queue] + [
            w.worker_heartbeat.status
            for w in response.workers_info
            if w.worker_heartbeat.task_queue == queue
        ]
        return bool(statuses) and all(status in _STOPPED for status in statuses)

    def activities(self) -> list[Callable[..., Any]]:
        return [self.live_host_queues]
