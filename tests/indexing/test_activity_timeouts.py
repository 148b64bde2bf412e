"""An activity's own timeout: on a live worker the run fails naming the setting to raise
rather than taking it for a lost worker, and an activity that does not heartbeat has the time
its setting gives it, not HEARTBEAT_TIMEOUT_SECONDS."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver
from temporalio.client import Client

from activities.codegraph.indexer import CodeGraphIndexer
from activities.metadata_store import MetadataStore
from activities.worker import running_worker
from activities.workspace import Workspace
from app.settings import Settings, Timeouts
from tests.support.git_server import WorkRepo
from tests.support.workflows import activity_attempts, local_repo, push, wait_for_status
from workflows.activity_failures import TIMEOUT_SETTINGS
from workflows.contracts import RunRecord

GRAPH_TIMEOUT = 2.0


async def test_a_graph_write_past_its_timeout_fails_naming_graph_timeout_seconds(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A persist that heartbeats but needs longer than GRAPH_TIMEOUT_SECONDS is tried its 3
    attempts on the same checkout, with one fetch, and the error says to raise the setting."""
    slow = dataclasses.replace(
        settings, timeouts=Timeouts(graph=GRAPH_TIMEOUT), retry_initial_seconds=0.5
    )

    async def too_slow(*_: Any, **__: Any) -> None:
        await asyncio.sleep(GRAPH_TIMEOUT * 2)  # persist_graph heartbeats meanwhile

    monkeypatch.setattr(CodeGraphIndexer, "persist", too_slow)
    repo = WorkRepo(tmp_path, "big")
    repo.write({"one.py": "def one():\n    pass\n"})
    sha = repo.commit("one")
    async with running_worker(slow, temporal_client, neo4j_driver):
        handle = await push(
            temporal_client, slow, local_repo(f"github-{unique_id}", repo.bare), "main", sha
        )
        status = await wait_for_status(
            handle, lambda s: s.last_result is not None and s.state == "idle"
        )
        await handle.terminate()

    assert status.last_result is not None
    assert status.last_result.status == "failed"
    assert status.last_error == (
        "persist_graph ran out of time: it took longer than GRAPH_TIMEOUT_SECONDS "
        "(2 s in this branch's workflow); raise GRAPH_TIMEOUT_SECONDS if it needs longer"
    )
    assert await activity_attempts(handle, "fetch_repository") == [1]
    # One scheduling whose third attempt was the last (retries leave only the last start).
    assert await activity_attempts(handle, "persist_graph") == [3]


async def test_record_run_and_workspace_cleanup_may_outlast_the_heartbeat_timeout(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Neither heartbeats: a run record and a workspace removal that take longer than
    HEARTBEAT_TIMEOUT_SECONDS (well inside their own timeouts) succeed on their first attempt."""
    short = dataclasses.replace(settings, heartbeat_timeout_seconds=1, retry_initial_seconds=0.5)
    slow_for = short.heartbeat_timeout_seconds * 2
    record_run = MetadataStore.record_run
    remove = Workspace.remove

    async def slow_record(self: MetadataStore, record: RunRecord) -> None:
        await asyncio.sleep(slow_for)  # Neo4j under load
        await record_run(self, record)

    def slow_remove(self: Workspace, path: Path) -> bool:
        time.sleep(slow_for)  # a big checkout on a slow disk: rmtree blocks as this does
        return remove(self, path)

    monkeypatch.setattr(MetadataStore, "record_run", slow_record)
    monkeypatch.setattr(Workspace, "remove", slow_remove)
    repo = WorkRepo(tmp_path, "slow")
    repo.write({"one.py": "def one():\n    pass\n"})
    sha = repo.commit("one")
    async with running_worker(short, temporal_client, neo4j_driver):
        ref = local_repo(f"github-{unique_id}", repo.bare)
        handle = await push(temporal_client, short, ref, "main", sha)
        status = await wait_for_status(
            handle, lambda s: s.last_result is not None and s.state == "idle"
        )
        await handle.terminate()

    assert status.last_result is not None
    assert (status.last_result.status, status.last_error) == ("indexed", None)
    assert status.last_indexed_sha == sha
    assert await activity_attempts(handle, "cleanup_workspace") == [1]
    assert await activity_attempts(handle, "record_run") == [1]


@pytest.mark.parametrize(("activity", "setting"), sorted(TIMEOUT_SETTINGS.items()))
def test_each_timeout_message_names_the_setting_that_sets_that_timeout(
    activity: str, setting: tuple[str, str]
) -> None:
    """The name a timed-out run tells the operator to raise is the variable that fills the
    activity's timeout (the workflow cannot import the settings, so it keeps its own table)."""
    name, field = setting

    policy = Settings.from_env(environ={name: "700"}).indexing_policy()

    assert getattr(policy, field) == 700
