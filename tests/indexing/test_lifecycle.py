"""Failures, branch deletion, concurrency across workers and continue-as-new."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from neo4j import AsyncDriver
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowExecutionStatus

from activities.worker import running_worker
from activities.workspace import warm_key
from app.dispatcher import Dispatcher
from app.settings import Settings
from tests.support.git_server import WorkRepo, git
from tests.support.workflows import (
    activity_attempts,
    count_branch_nodes,
    local_repo,
    push,
    wait_for_status,
)
from workflows.contracts import DeleteRequest


def kept_repositories(settings: Settings, repo_id: str, branch: str) -> list[Path]:
    """The copies of a branch's repository kept by any worker under the workspace dir."""
    return list(settings.workspace_dir.glob(f"*/warm/{warm_key(repo_id, branch)}.git"))


async def test_missing_repository_fails_fast_and_a_later_push_recovers(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A clone of a repository that does not exist fails without retries; the next push works."""
    repo_dir = tmp_path / "served" / "later.git"
    ref = local_repo(f"github-{unique_id}", repo_dir)
    handle = await push(temporal_client, settings, ref, "main")
    status = await wait_for_status(
        handle, lambda s: s.last_error is not None and s.state == "idle", timeout=30
    )
    assert "RepositoryNotFound" in (status.last_error or "")
    attempts = await activity_attempts(handle, "fetch_repository")
    assert attempts == [1], "a missing repository must not be retried"
    assert status.state == "idle"

    repo = WorkRepo(tmp_path, "later")
    repo.write({"ok.py": "def ok():\n    return 1\n"})
    sha = repo.commit("now it exists")
    await push(temporal_client, settings, ref, "main", sha)
    status = await wait_for_status(handle, lambda s: s.last_indexed_sha == sha)
    assert status.last_error is None
    await handle.terminate()


async def test_branch_deletion_removes_its_graph_and_ends_the_workflow(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """Deleting a branch drops its nodes and completes its workflow; other branches stay."""
    repo = WorkRepo(tmp_path, "branches")
    repo.write({"m.py": "class Main:\n    pass\n"})
    main_sha = repo.commit("main")
    repo.checkout("feature", create=True)
    repo.write({"f.py": "def feature():\n    pass\n"})
    feature_sha = repo.commit("feature", branch="feature")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    main = await push(temporal_client, settings, ref, "main", main_sha)
    feature = await push(temporal_client, settings, ref, "feature", feature_sha)
    await wait_for_status(main, lambda s: s.last_indexed_sha == main_sha)
    await wait_for_status(feature, lambda s: s.last_indexed_sha == feature_sha)
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "feature") > 0
    main_nodes = await count_branch_nodes(neo4j_driver, ref.repo_id, "main")
    assert kept_repositories(settings, ref.repo_id, "feature")

    await Dispatcher(temporal_client, settings).delete(
        DeleteRequest(ref.repo_id, "feature", "test-delete", "branch deleted")
    )
    await feature.result()
    description = await feature.describe()
    assert description.status == WorkflowExecutionStatus.COMPLETED
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "feature") == 0
    assert await count_branch_nodes(neo4j_driver, ref.repo_id, "main") == main_nodes
    # The worker's copy of the deleted branch is gone with its graph; main's stays.
    assert not kept_repositories(settings, ref.repo_id, "feature")
    assert kept_repositories(settings, ref.repo_id, "main")
    await main.terminate()


async def test_two_workers_index_different_branches_concurrently(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A second worker on the same task queue shares the load and both graphs are right."""
    # A second client, as a second worker process would have (one client may not run two
    # workers on the same task queue).
    second_client = await Client.connect(settings.temporal_address)
    async with running_worker(settings, second_client, neo4j_driver):
        repos = []
        for n in range(4):
            repo = WorkRepo(tmp_path, f"multi{n}")
            repo.write({f"mod{n}.py": f"def only_in_{n}():\n    pass\n"})
            repos.append((local_repo(f"github-{unique_id}-{n}", repo.bare), repo.commit("c")))
        handles = await asyncio.gather(
            *(push(temporal_client, settings, ref, "main", sha) for ref, sha in repos)
        )
        for handle, (_, sha) in zip(handles, repos, strict=True):
            await wait_for_status(handle, lambda s, sha=sha: s.last_indexed_sha == sha)
        for n, (ref, _) in enumerate(repos):
            records, _, _ = await neo4j_driver.execute_query(
                "MATCH (s:Function {repo_id: $r, branch: 'main'}) RETURN s.name AS name",
                r=ref.repo_id,
                database_="neo4j",
            )
            assert [r["name"] for r in records] == [f"only_in_{n}"]
        hosts = set()
        for handle in handles:
            history = await handle.fetch_history()
            for event in history.events:
                if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                    queue = event.activity_task_scheduled_event_attributes.task_queue.name
                    if "-host-" in queue:
                        hosts.add(queue)
            await handle.terminate()
    assert len(hosts) == 2, "both workers should have run host-bound activities"


async def test_continue_as_new_keeps_the_last_indexed_sha(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """With a threshold of one run per execution, state survives continue-as-new."""
    low = dataclasses.replace(settings, max_runs_per_execution=1)
    repo = WorkRepo(tmp_path, "can")
    repo.write({"x.py": "def x():\n    pass\n"})
    first = repo.commit("one")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, low, ref, "main", first)
    status = await wait_for_status(handle, lambda s: s.last_indexed_sha == first)
    first_run = (await handle.describe()).run_id
    repo.write({"y.py": "def y():\n    pass\n"})
    second = repo.commit("two")
    await push(temporal_client, low, ref, "main", second)
    status = await wait_for_status(handle, lambda s: s.last_indexed_sha == second)
    assert status.runs == 2
    assert (await handle.describe()).run_id != first_run
    await handle.terminate()


async def test_the_next_run_of_a_branch_fetches_into_the_last_runs_repository(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A finished run's repository is kept and the next run of the branch fetches into it."""
    repo = WorkRepo(tmp_path, "warm")
    repo.write({"a.py": "def a():\n    pass\n", "b.py": "def b():\n    pass\n"})
    first = repo.commit("one")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, settings, ref, "main", first)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == first and s.state == "idle")
    repo.write({"b.py": "def b():\n    a()\n"})
    second = repo.commit("two")
    await push(temporal_client, settings, ref, "main", second)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == second and s.state == "idle")
    await handle.terminate()
    # The kept repository holds the first commit too: the second fetch went into it.
    [kept] = kept_repositories(settings, ref.repo_id, "main")
    for sha in (first, second):
        git("cat-file", "-e", f"{sha}^{{commit}}", cwd=kept)
    assert (kept / "repograph-reuses").read_text() == "1"


async def test_a_broken_kept_repository_is_fetched_afresh(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A kept repository git cannot fetch into costs a fresh fetch, not a failed run."""
    repo = WorkRepo(tmp_path, "broken")
    repo.write({"a.py": "def a():\n    pass\n"})
    first = repo.commit("one")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, settings, ref, "main", first)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == first and s.state == "idle")
    [kept] = kept_repositories(settings, ref.repo_id, "main")
    (kept / "config").write_text("this is not a git config\n")
    repo.write({"b.py": "def b():\n    pass\n"})
    second = repo.commit("two")
    await push(temporal_client, settings, ref, "main", second)
    status = await wait_for_status(
        handle, lambda s: s.last_indexed_sha == second and s.state == "idle"
    )
    assert status.last_error is None
    assert set(await activity_attempts(handle)) == {1}, "the fresh fetch is in attempt 1"
    await handle.terminate()
