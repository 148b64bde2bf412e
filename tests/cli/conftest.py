"""Fixtures for CLI tests: `repograph` run as a subprocess, configured only through its env.

A worker runs in the test process on the test's own task queue (the root conftest's `worker`;
the CLI subprocesses reach it through Temporal like any client would); the web process, where a
test needs one, is `repograph serve` in a subprocess of its own.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client

from app.settings import Settings
from stack.services import free_port

ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_SECRET = "cli-test-webhook-secret"


@dataclass(frozen=True)
class CliRun:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def __str__(self) -> str:
        return (
            f"repograph {' '.join(self.args)} exited {self.code}\n"
            f"--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )


def base_env(**extra: str) -> dict[str, str]:
    """A clean environment: nothing of the developer's shell leaks into repograph's settings."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(ROOT)),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(extra)
    return env


def stack_env(settings: Settings, **overrides: str) -> dict[str, str]:
    """The environment that points `repograph` at the test stack with `settings`' queue."""
    env = {
        "REDIS_URL": settings.redis_url,
        "TEMPORAL_ADDRESS": settings.temporal_address,
        "TEMPORAL_TASK_QUEUE": settings.task_queue,
        "NEO4J_URI": settings.neo4j_uri,
        "ALLOW_LOCAL_REPOS": "true" if settings.allow_local_repos else "false",
        "WORKSPACE_DIR": str(settings.workspace_dir),
        "PARSE_PROCESSES": "1",
        "HEARTBEAT_TIMEOUT_SECONDS": str(settings.heartbeat_timeout_seconds),
        "IDLE_TIMEOUT_SECONDS": str(settings.idle_timeout_seconds),
    }
    return base_env(**(env | overrides))


def run_cli_sync(*args: str, env: dict[str, str], timeout: float = 60) -> CliRun:
    """`python -m app.cli ARGS` to completion, for tests that need no event loop."""
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return CliRun(args, result.returncode, result.stdout, result.stderr)


async def run_cli(*args: str, env: dict[str, str], timeout: float = 90) -> CliRun:
    """`python -m app.cli ARGS` without blocking the event loop the in-process worker runs on."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        out, err = await proc.communicate()
        raise AssertionError(
            f"repograph {' '.join(args)} did not finish within {timeout}s:\n"
            f"{out.decode()}\n{err.decode()}"
        ) from None
    assert proc.returncode is not None
    return CliRun(args, proc.returncode, out.decode(), err.decode())


@pytest.fixture
async def worker(worker: str, settings: Settings, temporal_client: Client) -> AsyncIterator[str]:
    """The root conftest's in-process worker; the workflows it ran are terminated at the end."""
    yield worker
    query = f"TaskQueue='{settings.task_queue}' AND ExecutionStatus='Running'"
    async for execution in temporal_client.list_workflows(query):
        await temporal_client.get_workflow_handle(execution.id).terminate("test finished")


@pytest.fixture
def web_process(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """`repograph serve` on a free port against the test stack; yields its base URL."""
    port = free_port()
    env = stack_env(
        settings, HOST="127.0.0.1", PORT=str(port), GITHUB_WEBHOOK_SECRET=WEBHOOK_SECRET
    )
    log = tmp_path / "web.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"],
            cwd=ROOT,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, f"the web process exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, (
                f"the web process never answered:\n{log.read_text()}"
            )
            time.sleep(0.1)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
