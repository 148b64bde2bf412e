"""A worker SIGKILLed mid-run: the run starts over on another worker and nothing is left behind."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
from pathlib import Path

from temporalio.client import Client

from app.settings import Settings
from tests.indexing.test_coalescing import add_stdlib
from tests.support.git_server import WorkRepo
from tests.support.workflows import local_repo, push, wait_for_status

ROOT = Path(__file__).resolve().parents[2]


def start_worker(settings: Settings, log: Path) -> subprocess.Popen[bytes]:
    """`repograph worker` as its own process, configured through the environment."""
    env = {
        **os.environ,
        "REDIS_URL": settings.redis_url,
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "TEMPORAL_TASK_QUEUE": settings.task_queue,
        "NEO4J_URI": settings.neo4j_uri,
        "ALLOW_LOCAL_REPOS": "true",
        "WORKSPACE_DIR": str(settings.workspace_dir),
        "PARSE_PROCESSES": "1",
    }
    with log.open("ab") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


async def test_sigkill_mid_run_restarts_on_a_new_worker_and_sweeps_the_workspace(
    settings: Settings,
    temporal_client: Client,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """After SIGKILL during parsing, a new worker completes the run and removes the old checkout."""
    fast = dataclasses.replace(
        settings,
        heartbeat_timeout_seconds=3,
        host_schedule_timeout_seconds=5,
        retry_initial_seconds=1,
    )
    repo = WorkRepo(tmp_path, "crash")
    add_stdlib(repo, "email", "json", "asyncio", "importlib", "xml", "logging")
    sha = repo.commit("enough code to be killed in the middle of")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    log = tmp_path / "workers.log"
    first = start_worker(fast, log)
    try:
        handle = await push(temporal_client, fast, ref, "main", sha)
        # Wait until the first worker holds a checkout, i.e. the run is past the fetch.
        for _ in range(600):
            run_dirs = [p for p in fast.workspace_dir.glob("*/*") if p.is_dir()]
            if run_dirs:
                break
            await asyncio.sleep(0.05)
        assert run_dirs, f"the first worker never fetched:\n{log.read_text()[-3000:]}"
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
        second = start_worker(fast, log)
        try:
            status = await wait_for_status(handle, lambda s: s.last_indexed_sha == sha, timeout=120)
            assert status.last_result is not None
            assert status.last_result.stats.indexed_files > 100
            assert not any(p.exists() for p in run_dirs), "the dead run's checkout remains"
        finally:
            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=60) == 0, f"unclean stop:\n{log.read_text()[-3000:]}"
        await handle.terminate()
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
