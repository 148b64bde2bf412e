"""`make run`: bring the stack up, start the web and worker processes, stop it all on a signal.

Only what this run started is stopped at the end, so a stack that was already running (for
example started by `make up` for a debugging session) survives.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from http.client import HTTPException
from pathlib import Path
from types import FrameType

from app.cli.demo import DEV_WEBHOOK_SECRET
from app.settings import Settings
from stack import records
from stack.records import pid_alive
from stack.services import ROOT, Service, refuse_taken_port, wait_until_ready
from stack.services import Neo4j as Neo4jService

SUPERVISOR_PID = "supervisor.pid"
# The web process imports the app and opens its clients (none waits for its server) before it
# listens: seconds on a busy machine. A minute is a hang, not a slow start.
WEB_START_TIMEOUT = 60.0


def _spawn(
    name: str, args: list[str], env: dict[str, str], directory: Path
) -> subprocess.Popen[bytes]:
    print(f"starting {name}: {' '.join(args[1:])}", flush=True)
    # Own session: a Ctrl-C reaches the supervisor only, which then stops the children in order.
    return subprocess.Popen(
        args, env=env, cwd=ROOT, stdin=subprocess.DEVNULL, start_new_session=True
    )


def process_ports(settings: Settings) -> dict[str, dict[str, int]]:
    """Where the web and worker processes of `settings` listen, as `make status` shows it."""
    web = {"": settings.port}
    if settings.metrics_port:
        web["metrics"] = settings.metrics_port
    worker = {}
    if settings.worker_metrics_port:
        worker = {
            "SDK metrics": settings.worker_metrics_port,
            "metrics": settings.worker_metrics_port + 1,
        }
    return {"web": web, "worker": worker}


def _banner(settings: Settings, services: list[Service]) -> None:
    base = f"http://127.0.0.1:{settings.port}"
    # METRICS_PORT moves /metrics off the web port, which then answers 404 for it.
    metrics = f"http://127.0.0.1:{settings.metrics_port or settings.port}/metrics"
    ui = next((s for s in services if s.name == "temporal"), None)
    neo4j_local = any(isinstance(s, Neo4jService) for s in services)
    lines = [
        "",
        "repograph is running. Ctrl-C stops everything this command started.",
        f"  GitHub webhook   POST {base}/webhooks/github",
        f"  GitLab webhook   POST {base}/webhooks/gitlab",
        f"  health           {base}/healthz   readiness {base}/readyz   metrics {metrics}",
        f"  Temporal         {settings.temporal_address} (namespace {settings.temporal_namespace}, "
        f"task queue {settings.task_queue})",
    ]
    if ui is not None and "UI" in ui.ports():
        lines.append(f"  Temporal UI      http://127.0.0.1:{ui.ports()['UI']}")
    lines.append(
        f"  Neo4j            {settings.neo4j_uri}" + (" (local, no auth)" if neo4j_local else "")
    )
    lines.append(f"  Redis            {settings.redis_url.split('@')[-1]}")
    if not settings.github_webhook_secrets:
        lines.append(
            f"  Webhook secret   {DEV_WEBHOOK_SECRET} (local default; set GITHUB_WEBHOOK_SECRET)"
        )
    lines.append("  Try it:          .venv/bin/repograph demo   (in another terminal)")
    print("\n".join(lines) + "\n", flush=True)


def _web_answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except (OSError, HTTPException):  # refused, an HTTP error, or not HTTP at all
        return False


def run(settings: Settings, services: list[Service], directory: Path) -> int:
    from stack.__main__ import down, up

    directory.mkdir(parents=True, exist_ok=True)
    stopping = False

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        if not stopping:
            print(f"\nreceived {signal.Signals(signum).name}; stopping ...", flush=True)
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    (directory / SUPERVISOR_PID).write_text(f"{os.getpid()}\n")

    started: list[Service] = []
    children: dict[str, subprocess.Popen[bytes]] = {}
    code = 0
    try:
        # Before the services start: Neo4j alone takes a while to learn that the web can't.
        refuse_taken_port("web", settings.port, "PORT")
        started = up(services)
        env = dict(os.environ)
        # The demo and local development index repositories from this machine's disk.
        env.setdefault("ALLOW_LOCAL_REPOS", "true")
        # A known secret so `repograph demo` and curl examples can sign deliveries locally.
        env.setdefault("GITHUB_WEBHOOK_SECRET", DEV_WEBHOOK_SECRET)
        python = sys.executable
        setup = subprocess.run(
            [python, "-m", "app.cli", "setup-db"], env=env, cwd=ROOT, check=False
        )
        if setup.returncode != 0:
            print("setup-db failed; see the message above", file=sys.stderr)
            return 1
        children["worker"] = _spawn("worker", [python, "-m", "app.cli", "worker"], env, directory)
        children["web"] = _spawn("web", [python, "-m", "app.cli", "serve"], env, directory)
        for name, ports in process_ports(settings).items():
            records.record(directory, name, children[name].pid, ports)
        # The banner says where to send webhooks: print it once they would be answered.
        wait_until_ready(
            "web",
            settings.port,
            lambda: stopping or _web_answers(settings.port),
            WEB_START_TIMEOUT,
            children["web"],
            explain=lambda: "see its log above (PORT sets its port)",
        )
        if not stopping:
            _banner(settings, services)
        while not stopping:
            for name, child in children.items():
                if child.poll() is not None:
                    print(f"{name} exited with {child.returncode}; stopping", file=sys.stderr)
                    stopping, code = True, 1
            time.sleep(0.2)
    finally:
        for child in reversed(children.values()):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for name, child in children.items():
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                print(f"{name} did not stop within 30s; killing it", file=sys.stderr)
                child.kill()
                child.wait()
        for name in children:
            records.forget(directory, name)
        down(started)
        (directory / SUPERVISOR_PID).unlink(missing_ok=True)
    return code


def stop_supervisor(directory: Path, timeout: float = 60.0) -> None:
    """`make stop` while `make run` is running elsewhere: ask it to stop and wait for it."""
    pid_file = directory / SUPERVISOR_PID
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    if not pid_alive(pid):
        pid_file.unlink(missing_ok=True)
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
