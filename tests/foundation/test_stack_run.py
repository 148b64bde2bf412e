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

from stack.services import ROOT, free_port, port_open
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
def start_stack_run(local_stack: LocalStack, tmp_path: Path) -> Iterator[Callable[..., StackRun]]:
    """Start `python -m stack run` with a given PORT (and other settings); SIGTERM it (and its
    children) at the end."""
    runs: list[StackRun] = []

    def start(port: int, **settings: str) -> StackRun:
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
            **settings,
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


def wait_for_banner(run: StackRun) -> None:
    deadline = time.monotonic() + 90
    while BANNER not in run.stdout.read_text():
        assert run.proc.poll() is None, f"stack run exited early\n{run.output()}"
        assert time.monotonic() < deadline, f"no banner within 90s\n{run.output()}"
        time.sleep(0.02)


def test_the_banner_appears_once_the_web_process_answers(
    start_stack_run: Callable[..., StackRun],
) -> None:
    """When `make run` says "repograph is running", the web port already answers /healthz."""
    port = free_port()
    run = start_stack_run(port)
    wait_for_banner(run)
    try:
        health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    except httpx.ConnectError as exc:
        raise AssertionError(f"banner shown, web not answering: {exc}\n{run.output()}") from None

    assert health.status_code == 200, run.output()
    run.proc.send_signal(signal.SIGTERM)
    assert run.proc.wait(timeout=60) == 0, run.output()


def stack_status(state_dir: Path) -> dict[str, str]:
    """`make status` in a shell that has none of `make run`'s settings but its state directory:
    each process's line, by name."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(ROOT)),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "REPOGRAPH_STATE_DIR": str(state_dir),
    }
    result = subprocess.run(
        [sys.executable, "-m", "stack", "status"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return {line.split()[0]: " ".join(line.split()) for line in result.stdout.splitlines()}


def test_status_shows_the_ports_the_running_stack_uses(
    start_stack_run: Callable[..., StackRun], local_stack: LocalStack
) -> None:
    """`make status` without `make run`'s environment still names the ports that run's
    services, web process and worker listen on, as they recorded in the state directory."""
    port, metrics_port, worker_metrics_port = free_port(), free_port(), free_port()
    run = start_stack_run(
        port, METRICS_PORT=str(metrics_port), WORKER_METRICS_PORT=str(worker_metrics_port)
    )
    wait_for_banner(run)

    status = stack_status(local_stack.redis.state_dir)

    for service in (local_stack.redis, local_stack.temporal, local_stack.neo4j):
        assert status[service.name] == (
            f"{service.name} 127.0.0.1:{service.port} running (pid {service.pid()})"
        ), run.output()
    web_pid, worker_pid = (
        int(line.split("pid ")[1].split(")")[0]) for line in (status["web"], status["worker"])
    )
    assert status["web"] == (
        f"web 127.0.0.1:{port} running (pid {web_pid}); metrics 127.0.0.1:{metrics_port}"
    )
    assert status["worker"] == (
        f"worker - running (pid {worker_pid}); SDK metrics 127.0.0.1:{worker_metrics_port}, "
        f"metrics 127.0.0.1:{worker_metrics_port + 1}"
    )
    assert httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).status_code == 200
    # The worker serves its metrics once connected, which the banner does not wait for.
    deadline = time.monotonic() + 60
    while not port_open(worker_metrics_port + 1):
        assert time.monotonic() < deadline, f"worker metrics never served\n{run.output()}"
        time.sleep(0.1)

    run.proc.send_signal(signal.SIGTERM)
    assert run.proc.wait(timeout=60) == 0, run.output()
    # Stopped: the web process would start where the settings here say (PORT's default).
    assert stack_status(local_stack.redis.state_dir)["web"] == "web 127.0.0.1:8000 stopped"


def test_a_taken_web_port_stops_the_run_without_a_banner(
    start_stack_run: Callable[..., StackRun],
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
