"""The stale-graph sweep revalidates old branch graphs and removes those whose branch is gone."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from neo4j import AsyncDriver
from temporalio.client import Client, ScheduleActionStartWorkflow, ScheduleHandle
from temporalio.service import RPCError, RPCStatusCode

from activities.metadata_store import MetadataStore
from activities.sweep import ensure_sweep_schedule
from app.settings import Settings
from tests.support.git_server import WorkRepo
from tests.support.schedules import schedule_fixture
from tests.support.workflows import count_branch_nodes, local_repo, push, wait_for_status
from workflows.contracts import (
    SweepOutcome,
    SweepRequest,
    branch_workflow_id,
    stale_sweep_schedule_id,
)

schedule = schedule_fixture(stale_sweep_schedule_id)


async def test_sweep_removes_vanished_branches_and_orphans_and_keeps_live_ones(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A branch deleted on the remote without a webhook loses its graph; a live one is kept."""
    repo = WorkRepo(tmp_path, "sweep")
    repo.write({"keep.py": "def keep():\n    pass\n"})
    main_sha = repo.commit("main")
    repo.checkout("gone", create=True)
    repo.write({"gone.py": "def gone():\n    pass\n"})
    gone_sha = repo.commit("gone", branch="gone")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    main = await push(temporal_client, settings, ref, "main", main_sha)
    gone = await push(temporal_client, settings, ref, "gone", gone_sha)
    await wait_for_status(main, lambda s: s.last_indexed_sha == main_sha and s.state == "idle")
    await wait_for_status(gone, lambda s: s.last_indexed_sha == gone_sha and s.state == "idle")
    main_nodes = await count_branch_nodes(neo4j_driver, ref.repo_id, "main")
    repo.delete_remote_branch("gone")  # and no webhook tells repograph
    await unconfirmed_since(neo4j_driver, ref.repo_id, timedelta(days=10))
    await neo4j_driver.execute_query(
        "CREATE (:File {key: $k, repo_id: $r, branch: 'deleted-long-ago', path: 'x.py'})",
        k=f"{ref.repo_id}|deleted-long-ago|x.py",
        r=ref.repo_id,
        database_="neo4j",
    )

    outcome = await temporal_client.execute_workflow(
        "StaleSweepWorkflow",
        SweepRequest(max_age_days=7),
        id=f"sweep-{unique_id}",
        task_queue=settings.task_queue,
        result_type=SweepOutcome,
    )
    assert outcome.orphans_deleted >= 1
    assert outcome.branches_revalidated >= 2
    await gone.result()
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "gone") == 0
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "deleted-long-ago") == 0
    status = await wait_for_status(main, lambda s: s.runs == 2 and s.state == "idle")
    assert status.last_indexed_sha == main_sha
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == main_nodes
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (b:Branch {repo_id: $r, name: 'main'}) RETURN b.last_checked_at AS at",
        r=ref.repo_id,
        database_="neo4j",
    )
    assert records[0]["at"] > "2001"
    await main.terminate()


async def test_sweep_deletes_a_repository_gone_for_two_periods_and_keeps_a_live_one(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A repository deleted on the provider with no webhook fails every revalidation; once
    unconfirmed for twice the age its graph goes. A branch as old whose remote answers is
    indexed again instead (the service was down, say)."""
    graphs = {}
    for name in ("deleted", "live"):
        repo = WorkRepo(tmp_path / name, name)
        repo.write({f"{name}.py": "def f():\n    pass\n"})
        sha = repo.commit(name)
        ref = local_repo(f"github-{unique_id}{name[0]}", repo.bare)
        handle = await push(temporal_client, settings, ref, "main", sha)
        await wait_for_status(handle, lambda s, sha=sha: s.last_indexed_sha == sha)
        await unconfirmed_since(neo4j_driver, ref.repo_id, timedelta(days=15))
        graphs[name] = (repo, ref, handle)
    deleted_repo, deleted, deleted_handle = graphs["deleted"]
    shutil.rmtree(deleted_repo.bare)  # the repository is gone, and no webhook said so
    _, live, live_handle = graphs["live"]
    live_nodes = await count_branch_nodes(neo4j_driver, live.repo_id, "main")

    await temporal_client.execute_workflow(
        "StaleSweepWorkflow",
        SweepRequest(max_age_days=7),
        id=f"sweep-{unique_id}",
        task_queue=settings.task_queue,
        result_type=SweepOutcome,
    )
    await asyncio.wait_for(deleted_handle.result(), timeout=60)
    assert await count_branch_nodes(neo4j_driver, deleted.repo_id, "main") == 0
    await wait_for_status(live_handle, lambda s: s.runs == 2 and s.state == "idle")
    assert await count_branch_nodes(neo4j_driver, live.repo_id, "main") == live_nodes
    await live_handle.terminate()


@pytest.mark.parametrize("made", ["now", "before-created_at"])
async def test_sweep_leaves_a_branch_that_no_run_confirmed_yet_alone(
    made: str,
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A Branch node that repository setup or a first run's graph write just made has no
    confirmed head yet: the sweep sends it no delete (which would cancel that first run), and
    one made before Branch nodes carried `created_at` is counted from that sweep on."""
    repo = WorkRepo(tmp_path, "first")
    repo.write({"a.py": "def a():\n    pass\n"})
    repo.commit("a")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    await MetadataStore(neo4j_driver, "neo4j").upsert_repository(ref, "main")
    if made == "before-created_at":
        await neo4j_driver.execute_query(
            "MATCH (b:Branch {repo_id: $r}) REMOVE b.created_at", r=ref.repo_id, database_="neo4j"
        )
    before = datetime.now(UTC).isoformat()

    await temporal_client.execute_workflow(
        "StaleSweepWorkflow",
        SweepRequest(max_age_days=7),
        id=f"sweep-{unique_id}",
        task_queue=settings.task_queue,
        result_type=SweepOutcome,
    )
    with pytest.raises(RPCError) as no_workflow:
        await temporal_client.get_workflow_handle(
            branch_workflow_id(ref.repo_id, "main")
        ).describe()
    assert no_workflow.value.status == RPCStatusCode.NOT_FOUND
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (b:Branch {repo_id: $r, name: 'main'}) RETURN b.created_at AS at",
        r=ref.repo_id,
        database_="neo4j",
    )
    assert (records[0]["at"] > before) == (made == "before-created_at")


async def test_sweep_revalidates_a_branch_that_never_indexed_before_it_deletes_one(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A branch whose runs all failed is counted from its Branch node's creation: after one
    period it gets a revalidation push (its graph kept when that fails too), and only after
    two the delete that asks the remote."""
    handles = {}
    for age in (10, 15):
        ref = local_repo(f"github-{unique_id}-{age}", tmp_path / f"gone-{age}.git")
        await MetadataStore(neo4j_driver, "neo4j").upsert_repository(ref, "main")
        await neo4j_driver.execute_query(
            "MATCH (b:Branch {repo_id: $r}) SET b.created_at = $at",
            r=ref.repo_id,
            at=(datetime.now(UTC) - timedelta(days=age)).isoformat(),
            database_="neo4j",
        )
        handles[age] = (
            ref,
            temporal_client.get_workflow_handle(branch_workflow_id(ref.repo_id, "main")),
        )

    await temporal_client.execute_workflow(
        "StaleSweepWorkflow",
        SweepRequest(max_age_days=7),
        id=f"sweep-{unique_id}",
        task_queue=settings.task_queue,
        result_type=SweepOutcome,
    )
    revalidated, revalidated_handle = handles[10]
    status = await wait_for_status(revalidated_handle, lambda s: s.runs == 1 and s.state == "idle")
    assert status.last_error is not None
    assert await count_branch_nodes(neo4j_driver, revalidated.repo_id, "main") == 1
    deleted, deleted_handle = handles[15]
    await asyncio.wait_for(deleted_handle.result(), timeout=60)
    assert await count_branch_nodes(neo4j_driver, deleted.repo_id, "main") == 0
    await revalidated_handle.terminate()


async def unconfirmed_since(driver: AsyncDriver, repo_id: str, age: timedelta) -> None:
    """Make the repository's branches look last confirmed `age` ago."""
    await driver.execute_query(
        "MATCH (b:Branch {repo_id: $r}) SET b.last_checked_at = $at",
        r=repo_id,
        at=(datetime.now(UTC) - age).isoformat(),
        database_="neo4j",
    )


async def test_ensure_schedule_follows_the_interval_and_age_settings(
    temporal_client: Client, settings: Settings, schedule: ScheduleHandle
) -> None:
    """Twice gives one unchanged schedule; a new interval or age updates it and keeps a pause."""
    first = await ensure_sweep_schedule(temporal_client, settings)
    second = await ensure_sweep_schedule(temporal_client, settings)
    await schedule.pause(note="operator")
    faster = dataclasses.replace(settings, sweep_interval_hours=6)
    third = await ensure_sweep_schedule(temporal_client, faster)
    fourth = await ensure_sweep_schedule(
        temporal_client, dataclasses.replace(faster, stale_age_days=2)
    )
    described = await schedule.describe()

    assert [i.every for i in described.schedule.spec.intervals] == [timedelta(hours=6)]
    action = described.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert await temporal_client.data_converter.decode(action.args, [SweepRequest]) == [
        SweepRequest(max_age_days=2)
    ]
    assert described.schedule.state.paused
    assert (first, second, third, fourth) == ("created", "unchanged", "updated", "updated")
