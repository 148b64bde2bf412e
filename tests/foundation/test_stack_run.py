"""`make run` (`python -m stack run`) as a real process, on the suite's services.

The run is given the suite's state directory: it finds Redis, Temporal and Neo4j running as its
own, uses them and leaves them running, and starts only a worker and the web process.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from stack.services import ROOT, free_port
from tests.conftest import LocalStack

BANNER = "repograph is running"


@dataclass
class StackRun:
    proc: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return f"--- stdout\n{self.stdout.read_text()}\n--- stderr\n{self.stderr.read_text()}"


@pytest.fixture
def start_stack_run(local_stack: LocalStack, tmp_path: Path) -> Iterator[Callable[[int], StackRun]]:
    """Start `python -m stack run` with a given PORT; SIGTERM it (and its children) at the end."""
    runs: list[StackRun] = []

    def start(port: int) -> StackRun:
        env = {
            "PATH": os.environ["PATH"],
            "HOME": os.environ.get("HOME", str(ROOT)),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "REPOGRAPH_STATE_DIR": str(local_stack.redis.state_dir),
            "REDIS_URL": local_stack.redis.url,
            "TEMPORAL_ADDRESS": local_stack.temporal.address,
            "NEO4J_URI": local_stack.neo4j.uri,
            "TEMPORAL_TASK_QUEUE": f"stack-run-{port}",
            "WORKSPACE_DIR": str(tmp_path / "workspaces"),
            "PARSE_PROCESSES": "1",
            "PORT": str(port),
            "WORKER_METRICS_PORT": "0",
        }
        stdout, stderr = tmp_path / f"run-{port}.out", tmp_path / f"run-{port}.err"
        with stdout.open("wb") as out, stderr.open("wb") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "stack", "run"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        run = StackRun(proc, stdout, stderr)
        runs.append(run)
        return run

    yield start
    for run in runs:
        if run.proc.poll() is None:
            run.proc.send_signal(signal.SIGTERM)
        try:
            run.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            run.proc.kill()
            run.proc.wait()
    # `make run` stops only what it started: the suite's services are still up.
    assert all(s.is_running() for s in (local_stack.redis, local_stack.temporal, local_stack.neo4j))


def test_the_banner_appears_once_the_web_process_answers(
    start_stack_run: Callable[[int], StackRun],
) -> None:
    """When `make run` says "repograph is running", the web port already answers /healthz."""
    port = free_port()
    run = start_stack_run(port)

    deadline = time.monotonic() + 90
    while BANNER not in run.stdout.read_text():
        assert run.proc.poll() is None, f"stack run exited early\n{run.output()}"
        assert time.monotonic() < deadline, f"no banner within 90s\n{run.output()}"
        time.sleep(0.02)
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    except httpx.ConnectError as exc:
        raise AssertionError(f"banner shown, web not answering: {exc}\n{run.output()}") from None

    assert health.status_code == 200, run.output()
    run.proc.send_signal(signal.SIGTERM)
    assert run.proc.wait(timeout=60) == 0, run.output()


def test_a_taken_web_port_stops_the_run_without_a_banner(
    start_stack_run: Callable[[int], StackRun],
) -> None:
    """With PORT taken, `make run` never claims to be running and names PORT in its error."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = start_stack_run(port)

        code = run.proc.wait(timeout=90)

    assert code == 1, run.output()
    assert BANNER not in run.stdout.read_text(), run.output()
    assert f"port {port}" in run.stderr.read_text(), run.output()
    assert "PORT" in run.stderr.read_text(), run.output()
