"""The stale-graph sweep's activity, and the Temporal Schedule that runs it (daily by default)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from neo4j import AsyncDriver
from temporalio import activity
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
)

from activities.schedules import ScheduleChange, ensure_schedule
from app.dispatcher import Dispatcher
from app.settings import Settings
from workflows.contracts import (
    DeleteRequest,
    PushRequest,
    RepoRef,
    SweepOutcome,
    SweepRequest,
    stale_sweep_schedule_id,
)

log = logging.getLogger("repograph.sweep")
BATCH = 5000
# Labels whose nodes carry (repo_id, branch) and die with their Branch.
_BRANCH_DATA = ("File", "Symbol", "Module", "Snapshot")


class SweepActivities:
    def __init__(self, settings: Settings, *, client: Client, driver: AsyncDriver) -> None:
        self._settings = settings
        self._dispatcher = Dispatcher(client, settings)
        self._driver = driver

    async def _query(self, query: str, **params: Any) -> list[dict[str, Any]]:
        records, _, _ = await self._driver.execute_query(
            query, params, database_=self._settings.neo4j_database
        )
        return [record.data() for record in records]

    @activity.defn(name="sweep_stale_graphs")
    async def sweep_stale_graphs(self, request: SweepRequest) -> SweepOutcome:
        orphans = 0
        for label in _BRANCH_DATA:
            while True:
                rows = await self._query(
                    f"""
                    MATCH (n:{label})
                    WHERE NOT EXISTS {{ MATCH (:Branch {{repo_id: n.repo_id, name: n.branch}}) }}
                    WITH n LIMIT $batch
                    DETACH DELETE n
                    RETURN count(*) AS deleted
                    """,
                    batch=BATCH,
                )
                activity.heartbeat(label)
                deleted = int(rows[0]["deleted"]) if rows else 0
                orphans += deleted
                if deleted < BATCH:
                    break
        now = datetime.now(UTC)
        await self._stamp_clockless_branches(now.isoformat())
        stale = await self._query(
            """
            MATCH (r:Repository)-[:HAS_BRANCH]->(b:Branch)
            WITH r, b, coalesce(b.last_checked_at, b.indexed_at, b.created_at, $now) AS checked
            WHERE checked < $cutoff AND r.clone_url IS NOT NULL
            RETURN r.repo_id AS repo_id, r.provider AS provider, r.full_name AS full_name,
                   r.clone_url AS clone_url, r.installation_id AS installation_id,
                   r.project_id AS project_id, b.name AS branch, checked < $expiry AS expired
            """,
            now=now.isoformat(),
            cutoff=(now - timedelta(days=request.max_age_days)).isoformat(),
            expiry=(now - timedelta(days=2 * request.max_age_days)).isoformat(),
        )
        expired = 0
        for row in stale:
            repo = RepoRef(
                row["repo_id"],
                row["provider"],
                row["full_name"],
                row["clone_url"],
                row["installation_id"],
                row["project_id"],
            )
            branch = row["branch"]
            if row["expired"]:
                # Revalidation pushes failed for a whole period (the repository deleted or the
                # app's access to it gone, with no webhook to say so). The delete is inferred:
                # only the remote's word that the branch or repository is gone deletes.
                expired += 1
                reason = f"not confirmed for {2 * request.max_age_days} days"
                await self._dispatcher.delete(
                    DeleteRequest(repo.repo_id, branch, "stale-sweep", reason, repo, inferred=True)
                )
            else:
                await self._dispatcher.push(
                    PushRequest(repo, branch, None, f"refs/heads/{branch}", "stale-sweep")
                )
            activity.heartbeat(row["repo_id"])
        log.info(
            "stale sweep",
            extra={"orphans_deleted": orphans, "revalidated": len(stale), "expired": expired},
        )
        return SweepOutcome(orphans, len(stale))

    async def _stamp_clockless_branches(self, now: str) -> None:
        """Give a Branch made before nodes carried `created_at`, and never confirmed since,
        this sweep's time: counted from now, not taken for one unconfirmed for ever."""
        while True:
            rows = await self._query(
                """
                MATCH (b:Branch)
                WHERE b.created_at IS NULL AND b.last_checked_at IS NULL AND b.indexed_at IS NULL
                WITH b LIMIT $batch
                SET b.created_at = $now
                RETURN count(*) AS stamped
                """,
                batch=BATCH,
                now=now,
            )
            activity.heartbeat("Branch")
            if not rows or int(rows[0]["stamped"]) < BATCH:
                break

    def activities(self) -> list[Callable[..., Any]]:
        return [self.sweep_stale_graphs]


async def ensure_sweep_schedule(client: Client, settings: Settings) -> ScheduleChange:
    """Create the sweep's schedule, or bring its interval and age up to date."""
    every = timedelta(hours=settings.sweep_interval_hours)
    schedule = Schedule(
        action=ScheduleActionStartWorkflow(
            "StaleSweepWorkflow",
            SweepRequest(settings.stale_age_days),
            id=f"repograph-stale-sweep-run-{settings.task_queue}",
            task_queue=settings.task_queue,
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP),
    )
    change = await ensure_schedule(client, stale_sweep_schedule_id(settings.task_queue), schedule)
    if change != "unchanged":
        log.info(
            "%s the stale-graph sweep schedule",
            change,
            extra={"every": str(every), "max_age_days": settings.stale_age_days},
        )
    return change
