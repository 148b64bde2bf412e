"""Deletes that race with the remote and with runs: a late delete event, a push during a
delete, a delete during a graph write. None may leave a live branch without its graph or a
deleted one with part of it."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from activities.metadata_store import MetadataStore
from activities.worker import running_worker
from app.commands import RemoveRepository
from app.dispatcher import Dispatcher
from app.settings import Settings
from tests.faults.test_storage_faults import (
    file_count,
    stdlib_corpus,
    until_the_graph_write_starts,
)
from tests.support.git_server import WorkRepo, git
from tests.support.workflows import (
    activity_attempts,
    count_branch_nodes,
    local_repo,
    push,
    wait_for_status,
)
from workflows.contracts import DeleteRequest, RepoRef


async def indexed_branch(
    client: Client, settings: Settings, root: Path, repo_id: str
) -> tuple[WorkRepo, RepoRef, WorkflowHandle[Any, Any], str]:
    """A one-file repository whose `main` is indexed and whose workflow is idle."""
    repo = WorkRepo(root, root.name)
    repo.write({"one.py": "def one():\n    pass\n"})
    sha = repo.commit("one")
    ref = local_repo(repo_id, repo.bare)
    handle = await push(client, settings, ref, "main", sha)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == sha and s.state == "idle")
    return repo, ref, handle, sha


async def test_a_delete_event_for_a_branch_the_remote_has_indexes_it_instead(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A branch-delete event delivered late (the branch made again since, at a new commit):
    the workflow asks the remote, keeps the graph and indexes the remote's head."""
    repo, ref, handle, _ = await indexed_branch(
        temporal_client, settings, tmp_path / "again", f"github-{unique_id}"
    )
    repo.write({"b.py": "def b():\n    return 2\n"})
    second = repo.commit("made again")

    await Dispatcher(temporal_client, settings).delete(
        DeleteRequest(ref.repo_id, "main", "late-delete", "branch deleted", ref)
    )
    status = await wait_for_status(
        handle, lambda s: s.last_indexed_sha == second and s.state == "idle"
    )
    assert status.last_error is None
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
    assert await file_count(neo4j_driver, ref.repo_id) == 2
    assert await activity_attempts(handle, "delete_branch_graph") == []
    await handle.terminate()


async def test_a_delete_event_for_a_gone_branch_deletes_it_with_no_retry_limit(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """The remote agrees the branch is gone: its graph goes and the workflow ends. The delete
    was acknowledged to its sender, so the delete activity retries without limit."""
    repo = WorkRepo(tmp_path, "gone")
    repo.write({"m.py": "def m():\n    pass\n"})
    repo.commit("main")
    repo.checkout("feature", create=True)
    repo.write({"f.py": "def f():\n    pass\n"})
    sha = repo.commit("feature", branch="feature")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, settings, ref, "feature", sha)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == sha)
    git("update-ref", "-d", "refs/heads/feature", cwd=repo.bare)

    await Dispatcher(temporal_client, settings).delete(
        DeleteRequest(ref.repo_id, "feature", "delete", "branch deleted", ref)
    )
    await asyncio.wait_for(handle.result(), timeout=60)
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "feature") == 0
    history = (await handle.fetch_history()).events
    scheduled = {
        e.activity_task_scheduled_event_attributes.activity_type.name: (
            e.activity_task_scheduled_event_attributes.retry_policy.maximum_attempts
        )
        for e in history
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    }
    assert "remote_branch_head" in scheduled
    assert scheduled["delete_branch_graph"] == 0, "a delete must retry without limit"


async def test_a_branch_made_again_just_after_a_run_found_it_gone_is_indexed_not_deleted(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A run finds the branch gone (a delete the webhooks missed), and the branch is made
    again at once, before the graph goes: the workflow asks the remote again before deleting,
    finds it, and indexes its new head. The push that announces it may have been signalled
    during that run, and a delete with no such check would drop it with the graph."""
    repo = WorkRepo(tmp_path, "back")
    repo.write({"m.py": "def m():\n    pass\n"})
    repo.commit("main")
    repo.checkout("feature", create=True)
    repo.write({"f.py": "def f():\n    pass\n"})
    first = repo.commit("feature", branch="feature")
    repo.write({"g.py": "def g():\n    pass\n"})
    again = repo.commit("made again", branch="feature")
    git("update-ref", "refs/heads/feature", first, cwd=repo.bare)
    ref = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, settings, ref, "feature", first)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == first and s.state == "idle")
    git("update-ref", "-d", "refs/heads/feature", cwd=repo.bare)
    # The next git command naming the branch finds it gone; right after it, it is made again.
    bin_dir, marker = tmp_path / "bin", tmp_path / "made-again"
    bin_dir.mkdir()
    wrapper = bin_dir / "git"
    wrapper.write_text(
        "#!/bin/sh\n"
        '/usr/bin/git "$@"; status=$?\n'
        f'case "$*" in *refs/heads/feature*) [ -e "{marker}" ] || {{ touch "{marker}";'
        f' /usr/bin/git --git-dir="{repo.bare}" update-ref refs/heads/feature {again}; }};; esac\n'
        "exit $status\n"
    )
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")

    await push(temporal_client, settings, ref, "feature", first)
    status = await wait_for_status(
        handle, lambda s: s.last_indexed_sha == again and s.state == "idle"
    )
    assert marker.exists()
    assert status.last_error is None
    assert await activity_attempts(handle, "remote_branch_head") != []
    assert await activity_attempts(handle, "delete_branch_graph") == []
    assert await file_count(neo4j_driver, ref.repo_id) == 3
    await handle.terminate()


async def test_a_push_during_a_delete_indexes_the_branch_afresh(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A push signalled after a delete (the branch made again at once, at the same commit)
    is not lost with the deleted graph: the branch is indexed again from nothing."""
    _, ref, handle, sha = await indexed_branch(
        temporal_client, settings, tmp_path / "quick", f"github-{unique_id}"
    )
    nodes = await count_branch_nodes(neo4j_driver, ref.repo_id, "main")

    await Dispatcher(temporal_client, settings).delete(
        DeleteRequest(ref.repo_id, "main", "admin-delete", "deleted through the admin API")
    )
    await push(temporal_client, settings, ref, "main", sha)
    status = await wait_for_status(
        handle, lambda s: s.last_indexed_sha == sha and s.state == "idle" and s.runs == 1
    )
    assert status.last_error is None
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == nodes
    assert await activity_attempts(handle, "delete_branch_graph") == []  # the new execution
    await handle.terminate()


async def test_a_delete_after_the_push_that_followed_a_delete_wins(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """Delete, push, delete: the last word is a delete, so the branch is not indexed again."""
    _, ref, handle, sha = await indexed_branch(
        temporal_client, settings, tmp_path / "last", f"github-{unique_id}"
    )

    dispatcher = Dispatcher(temporal_client, settings)
    await dispatcher.delete(DeleteRequest(ref.repo_id, "main", "d1", "deleted through the API"))
    await push(temporal_client, settings, ref, "main", sha)
    await dispatcher.delete(DeleteRequest(ref.repo_id, "main", "d2", "deleted through the API"))
    await asyncio.wait_for(handle.result(), timeout=30)
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == 0


async def test_an_inferred_delete_keeps_the_graph_when_the_remote_cannot_be_asked(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """The stale sweep's delete needs the remote's word: a remote that cannot be asked (here a
    clone URL the settings now refuse) keeps the graph. A webhook's delete is trusted then."""
    _, ref, handle, _ = await indexed_branch(
        temporal_client, settings, tmp_path / "unasked", f"github-{unique_id}"
    )
    nodes = await count_branch_nodes(neo4j_driver, ref.repo_id, "main")
    refused = dataclasses.replace(ref, clone_url="https://elsewhere.example/acme/widgets.git")

    dispatcher = Dispatcher(temporal_client, settings)
    inferred = DeleteRequest(ref.repo_id, "main", "sweep", "stale", refused, inferred=True)
    await dispatcher.delete(inferred)
    for _ in range(300):
        if await activity_attempts(handle, "remote_branch_head"):
            break
        await asyncio.sleep(0.1)
    await wait_for_status(handle, lambda s: s.state == "idle")
    assert await activity_attempts(handle, "remote_branch_head") == [1]
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == nodes
    assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING

    await dispatcher.delete(DeleteRequest(ref.repo_id, "main", "hook", "branch deleted", refused))
    await asyncio.wait_for(handle.result(), timeout=60)
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == 0


@pytest.mark.timeout(300)
async def test_a_delete_during_a_graph_write_leaves_nothing_behind(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """The run writing the graph is cancelled, and the delete waits until it has stopped:
    no write of the cancelled run lands after the delete."""
    quick = dataclasses.replace(settings, parse_processes=2, heartbeat_timeout_seconds=20)
    repo, sha = stdlib_corpus(tmp_path, "big")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    async with running_worker(quick, temporal_client, neo4j_driver):
        handle = await push(temporal_client, quick, ref, "main", sha)
        await until_the_graph_write_starts(neo4j_driver, ref.repo_id)
        await Dispatcher(temporal_client, quick).delete(
            DeleteRequest(ref.repo_id, "main", "delete", "deleted through the admin API")
        )
        await asyncio.wait_for(handle.result(), timeout=120)
        assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == 0
        await asyncio.sleep(3)  # longer than a chunk's write: a late one would show by now
        assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == 0
    persist_ended, delete_scheduled = await activity_events(handle)
    assert persist_ended < delete_scheduled, "the delete began while the graph was being written"
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (n {repo_id: $r}) WHERE NOT n:Repository RETURN count(n) AS n",
        r=ref.repo_id,
        database_="neo4j",
    )
    assert records[0]["n"] == 0


@pytest.mark.timeout(300)
async def test_removing_a_repository_reaches_a_branch_on_its_first_run(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A branch whose first run has not written its Branch node yet is still told to delete:
    neither its graph nor its Repository node may be written after the repository's removal."""
    quick = dataclasses.replace(settings, parse_processes=1)
    repo, sha = stdlib_corpus(tmp_path, "first")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    async with running_worker(quick, temporal_client, neo4j_driver):
        handle = await push(temporal_client, quick, ref, "main", sha)
        await wait_for_status(handle, lambda s: s.state == "indexing")
        assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == 0
        await Dispatcher(temporal_client, quick).dispatch(
            RemoveRepository(ref.repo_id, "repository deleted", "remove")
        )
        await asyncio.wait_for(handle.result(), timeout=120)
        assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == 0
    assert await file_count(neo4j_driver, ref.repo_id) == 0
    assert await repository_count(neo4j_driver, ref.repo_id) == 0


def test_a_later_delete_keeps_a_repository_removals_duty() -> None:
    """A delete signalled while a repository removal's is pending replaces it (its reason and
    delivery), but the branch's delete still takes the Repository node along: an admin
    delete right after the removal must not leave the node a finishing run wrote again."""
    removal = DeleteRequest("github-1", "main", "remove", "repo deleted", repository_removed=True)
    admin = DeleteRequest("github-1", "main", "admin", "deleted through the admin API")
    merged = admin.after(removal)
    assert merged.repository_removed
    assert merged.delivery_id == "admin"
    assert admin.after(None) is admin
    assert admin.after(admin) is admin
    assert removal.after(admin) is removal


async def test_a_removed_repository_node_goes_with_its_last_branch(
    neo4j_driver: AsyncDriver, unique_id: str
) -> None:
    """The Repository node of a removed repository is deleted only once no Branch of it is
    left, even one its removal already cut from it: each branch's delete checks after its own."""
    store = MetadataStore(neo4j_driver, "neo4j")
    ref = RepoRef(f"github-{unique_id}", "github", "acme/widgets", "https://example.com/w.git")
    await store.upsert_repository(ref, "main")
    await store.upsert_repository(ref, "feature")
    await store.delete_repository(ref.repo_id)  # the removal, before either branch's delete
    await store.upsert_repository(ref, "main")  # a run of main that ended after it

    await store.delete_branch(ref.repo_id, "main")
    assert not await store.delete_repository_without_branches(ref.repo_id)
    assert await repository_count(neo4j_driver, ref.repo_id) == 1
    await store.delete_branch(ref.repo_id, "feature")
    assert await store.delete_repository_without_branches(ref.repo_id)
    assert await repository_count(neo4j_driver, ref.repo_id) == 0


async def repository_count(driver: AsyncDriver, repo_id: str) -> int:
    records, _, _ = await driver.execute_query(
        "MATCH (r:Repository {repo_id: $r}) RETURN count(r) AS n", r=repo_id, database_="neo4j"
    )
    return int(records[0]["n"])


async def activity_events(handle: WorkflowHandle[Any, Any]) -> tuple[int, int]:
    """The event ids of persist_graph's end (however it ended) and of the delete's start."""
    events = (await handle.fetch_history()).events
    scheduled = {
        e.event_id: e.activity_task_scheduled_event_attributes.activity_type.name
        for e in events
        if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    }
    [persist] = [event_id for event_id, name in scheduled.items() if name == "persist_graph"]
    [delete] = [event_id for event_id, name in scheduled.items() if name == "delete_branch_graph"]
    ends = {
        EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED: "activity_task_completed_event_attributes",
        EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED: "activity_task_failed_event_attributes",
        EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED: "activity_task_canceled_event_attributes",
        EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: "activity_task_timed_out_event_attributes",
    }
    [ended] = [
        e.event_id
        for e in events
        if e.event_type in ends and getattr(e, ends[e.event_type]).scheduled_event_id == persist
    ]
    return ended, delete
