"""Pushes coalesce: bursts become at most one follow-up run, and old shas never roll back."""

from __future__ import annotations

import asyncio
import shutil
import sysconfig
from pathlib import Path

from temporalio.client import Client

from app.settings import Settings
from tests.support.git_server import WorkRepo
from tests.support.workflows import local_repo, push, wait_for_status


def add_stdlib(repo: WorkRepo, *packages: str) -> None:
    """Real code to index: packages copied from this interpreter's standard library."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for package in packages:
        shutil.copytree(
            stdlib / package,
            repo.work / package,
            ignore=shutil.ignore_patterns("__pycache__", "test", "tests"),
        )


async def test_burst_of_twenty_pushes_ends_in_at_most_two_runs(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """20 pushes fired within a second while a run is in flight coalesce into one follow-up."""
    repo = WorkRepo(tmp_path, "burst")
    add_stdlib(repo, "email", "json", "asyncio", "importlib")
    first = repo.commit("a real corpus, so the first run takes a while")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, settings, ref, "main", first)
    await wait_for_status(handle, lambda s: s.state == "indexing")
    shas = []
    for n in range(20):
        repo.write({f"burst/change_{n}.py": f"def change_{n}():\n    return {n}\n"})
        shas.append(repo.commit(f"change {n}"))
    await asyncio.gather(*(push(temporal_client, settings, ref, "main", sha) for sha in shas))
    status = await wait_for_status(
        handle, lambda s: s.last_indexed_sha == shas[-1] and s.state == "idle", timeout=120
    )
    assert status.runs <= 2
    assert status.pending_sha is None
    await handle.terminate()


async def test_an_older_push_delivered_late_leaves_the_graph_at_the_newer_commit(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A push for an older sha arriving after a newer one re-resolves the head: no rollback."""
    repo = WorkRepo(tmp_path, "order")
    repo.write({"a.py": "def a():\n    pass\n"})
    older = repo.commit("older")
    repo.write({"b.py": "def b():\n    pass\n"})
    newer = repo.commit("newer")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, settings, ref, "main", newer)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == newer and s.state == "idle")
    await push(temporal_client, settings, ref, "main", older)
    status = await wait_for_status(handle, lambda s: s.runs == 2 and s.state == "idle")
    assert status.last_indexed_sha == newer
    assert status.last_result is not None
    assert status.last_result.status == "unchanged"
    await handle.terminate()
