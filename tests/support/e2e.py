"""The whole service as users run it: `repograph serve` and `repograph worker` processes on the
test session's Redis, Temporal and Neo4j, fed with signed GitHub push deliveries over HTTP.

Repositories are real git repositories served over smart HTTP (`GitHttpServer`), the way the
worker reaches GitHub; nothing inside the service is faked.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from app.signatures import sign_github
from stack.services import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET = "e2e-webhook-secret"
ZERO = "0" * 40


def push_payload(
    repo_number: int, full_name: str, clone_url: str, branch: str, before: str, after: str
) -> dict[str, Any]:
    """A GitHub `push` payload with the fields GitHub sends (no App installation: public)."""
    owner, name = full_name.split("/")
    return {
        "ref": f"refs/heads/{branch}",
        "before": before,
        "after": after,
        "created": before == ZERO,
        "deleted": after == ZERO,
        "forced": False,
        "base_ref": None,
        "compare": f"https://github.com/{full_name}/compare/{before[:12]}...{after[:12]}",
        "commits": [],
        "head_commit": {"id": after, "message": "change", "timestamp": "2026-11-22T00:00:00Z"},
        "repository": {
            "id": repo_number,
            "node_id": f"R_{repo_number}",
            "name": name,
            "full_name": full_name,
            "private": False,
            "owner": {"login": owner, "id": 1000 + repo_number, "type": "Organization"},
            "html_url": f"https://github.com/{full_name}",
            "clone_url": clone_url,
            "default_branch": "main",
        },
        "pusher": {"name": "dev", "email": "dev@example.com"},
        "sender": {"login": "dev", "id": 7, "type": "User"},
    }


@dataclass
class ServiceProcesses:
    """Web and worker processes configured through the environment, as in production."""

    env: dict[str, str]
    logs: Path
    port: int = field(default_factory=free_port)
    web: subprocess.Popen[bytes] | None = None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _spawn(self, command: str, name: str) -> subprocess.Popen[bytes]:
        self.logs.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, **self.env, "PORT": str(self.port)}
        with (self.logs / f"{name}.log").open("ab") as sink:
            return subprocess.Popen(
                [sys.executable, "-m", "app.cli", command],
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    async def start_web(self) -> None:
        self.web = self._spawn("serve", "web")
        async with httpx.AsyncClient() as client:
            for _ in range(300):
                try:
                    if (await client.get(f"{self.url}/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"web never became ready:\n{self.log_text()[-3000:]}")

    def start_worker(self) -> subprocess.Popen[bytes]:
        worker = self._spawn("worker", f"worker-{len(self.workers)}")
        self.workers.append(worker)
        return worker

    async def wait_for_log(self, name: str, text: str, timeout: float = 60) -> None:
        """Wait until process log `name` (e.g. "worker-0") contains `text`."""
        path = self.logs / f"{name}.log"
        for _ in range(int(timeout * 10)):
            if path.exists() and text in path.read_text(errors="replace"):
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{name} never logged {text!r}:\n{self.log_text()[-3000:]}")

    def kill_worker(self, worker: subprocess.Popen[bytes]) -> None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    def stop(self) -> None:
        for proc in [*self.workers, *([self.web] if self.web else [])]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*self.workers, *([self.web] if self.web else [])]:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def log_text(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')}"
            for path in sorted(self.logs.glob("*.log"))
        )


async def deliver(
    client: httpx.AsyncClient,
    url: str,
    payload: dict[str, Any] | bytes,
    delivery_id: str | None = None,
    event: str = "push",
    secret: str = SECRET,
) -> httpx.Response:
    """POST one signed GitHub delivery, as GitHub does."""
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return await client.post(
        f"{url}/webhooks/github",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery_id or str(uuid.uuid4()),
            "X-Hub-Signature-256": sign_github(body, secret),
            "User-Agent": "GitHub-Hookshot/e2e",
        },
    )
