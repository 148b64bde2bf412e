"""Benchmark of the webhook receiver against the bare signal-with-start rate of its Temporal.

`python -m bench.receiver` starts a private Redis and Temporal dev server, runs the web process
(uvicorn, as `repograph serve` runs it) in a subprocess, and measures:

1. bare: `Dispatcher.push` (one signal-with-start) from 16 concurrent tasks, the limit
   (run before and after the receiver's phases, and averaged);
2. receiver: signed GitHub push deliveries from 16 concurrent httpx senders
   (verify + parse + Redis claim/confirm + signal-with-start);
3. the same with hand-written keep-alive HTTP/1.1 senders, to show what httpx itself costs;
4. fixed rate: deliveries sent open-loop at 100/s (httpx, then lean), for the p99 target.

Deliveries spread over a few hundred repositories, so most signal a running workflow (as
repeated pushes do); each phase uses repositories of its own. The table goes to stdout and to
docs/benchmarks-receiver.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvloop
from starlette.applications import Starlette
from temporalio.client import Client

from app.commands import Dispatch, IndexBranch
from app.dispatcher import Dispatcher
from app.github_events import commands_for_github_event
from app.logs import configure_logging
from app.payloads import parse_json_object
from app.settings import Settings
from app.signatures import sign_github
from app.web import create_app
from bench._load import OTHERS, CpuClock, LeanSenders, Run, closed_loop, open_loop
from stack.services import ROOT, Redis, Temporal, free_port
from workflows.contracts import PushRequest

PUSH_FIXTURE = ROOT / "tests" / "fixtures" / "webhooks" / "github" / "push.json"
SECRET = "bench-webhook-secret"  # noqa: S105 (a throw-away secret of a private server)
RECEIVER_SHARE_TARGET = 0.8
P99_TARGET_MS = 100.0


class Repositories:
    """Signed push bodies for `count` repositories, with ids of a phase's own."""

    def __init__(self, first_id: int, count: int) -> None:
        template = json.loads(PUSH_FIXTURE.read_bytes())
        self.bodies: list[tuple[bytes, str]] = []
        self.requests: list[PushRequest] = []
        for repo_id in range(first_id, first_id + count):
            template["repository"]["id"] = repo_id
            body = json.dumps(template).encode()
            self.bodies.append((body, sign_github(body, SECRET)))
            outcome = commands_for_github_event("push", parse_json_object(body, "push"), "bench")
            assert isinstance(outcome, Dispatch)
            command = outcome.commands[0]
            assert isinstance(command, IndexBranch)
            self.requests.append(command.request)


def bare_call(dispatcher: Dispatcher, repos: Repositories) -> Callable[[int], Awaitable[bool]]:
    async def call(index: int) -> bool:
        await dispatcher.push(repos.requests[index % len(repos.requests)])
        return True

    return call


def receiver_call(http: httpx.AsyncClient, repos: Repositories) -> Callable[[int], Awaitable[bool]]:
    async def call(index: int) -> bool:
        body, signature = repos.bodies[index % len(repos.bodies)]
        headers = {
            "content-type": "application/json",
            "x-github-event": "push",
            "x-github-delivery": str(uuid.uuid4()),
            "x-hub-signature-256": signature,
        }
        response = await http.post("/webhooks/github", content=body, headers=headers)
        return response.status_code == 202 and response.json()["status"] == "accepted"

    return call


def lean_receiver_call(
    senders: LeanSenders, repos: Repositories
) -> Callable[[int], Awaitable[bool]]:
    async def call(index: int) -> bool:
        body, signature = repos.bodies[index % len(repos.bodies)]
        headers = {
            "content-type": "application/json",
            "x-github-event": "push",
            "x-github-delivery": str(uuid.uuid4()),
            "x-hub-signature-256": signature,
        }
        status, answer = await senders.post("/webhooks/github", body, headers)
        return status == 202 and json.loads(answer)["status"] == "accepted"

    return call


def app_from_env() -> Starlette:
    """The uvicorn factory of the web subprocess: the production app, configured by env."""
    settings = Settings.from_env()
    configure_logging(settings.log_format, settings.log_level)
    return create_app(settings)


class WebProcess:
    """The web app under uvicorn (one worker, uvloop) in a subprocess, configured by env."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        env = os.environ | {
            "HOST": "127.0.0.1",
            "PORT": str(settings.port),
            "REDIS_URL": settings.redis_url,
            "TEMPORAL_ADDRESS": settings.temporal_address,
            "TEMPORAL_TASK_QUEUE": settings.task_queue,
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "LOG_LEVEL": "WARNING",
        }
        self._log = log_path.open("ab")
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.receiver:app_from_env",
            "--host",
            "127.0.0.1",
            "--port",
            str(settings.port),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{settings.port}"

    async def wait_ready(self) -> None:
        async with asyncio.timeout(30), httpx.AsyncClient(base_url=self.url) as http:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"web process exited with {self.process.returncode}")
                try:
                    if (await http.get("/readyz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = ""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal"):
            memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB RAM"
    return (
        f"{os.cpu_count()} vCPU {cpu}{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; Redis, Temporal dev server (SQLite), the web "
        f"process (uvicorn, one worker) and the senders all on this machine"
    )


PROCESSES = ("senders", "web", "temporal", "redis")


@dataclass(frozen=True)
class Phases:
    """Every measured phase of one benchmark run."""

    bare: Run
    receiver: Run
    lean: Run
    fixed: Run
    fixed_lean: Run


def report(args: argparse.Namespace, phases: Phases, load: tuple[float, float]) -> str:
    def share(run: Run) -> tuple[str, str]:
        ratio = run.rate / phases.bare.rate if phases.bare.rate else 0.0
        target = f">= {RECEIVER_SHARE_TARGET:.0%} of bare ({ratio:.0%})"
        return target, "met" if ratio >= RECEIVER_SHARE_TARGET else "not met"

    def latency(run: Run) -> tuple[str, str]:
        p99 = run.percentile_ms(0.99)
        return f"p99 < {P99_TARGET_MS:g} ms", "met" if p99 < P99_TARGET_MS else "not met"

    rate = f"{args.rate:g}/s"
    rows = [
        ("bare signal-with-start (the limit)", phases.bare, ("-", "-")),
        ("receiver, httpx senders", phases.receiver, share(phases.receiver)),
        ("receiver, lean keep-alive senders", phases.lean, share(phases.lean)),
        (f"receiver at a fixed {rate}, httpx", phases.fixed, latency(phases.fixed)),
        (
            f"receiver at a fixed {rate}, lean senders",
            phases.fixed_lean,
            latency(phases.fixed_lean),
        ),
    ]
    sqlite = (
        "default pragmas" if args.durable_temporal else "`journal_mode=wal`, `synchronous=normal`"
    )
    lines = [
        "# Receiver benchmark",
        "",
        f"Machine: {machine()}. Load average (1 min) {load[0]:.2f} before the run, "
        f"{load[1]:.2f} after (anything above the benchmark's own ~2 is other work).",
        "",
        f"Command: `.venv/bin/python -m bench.receiver`. Closed loop: {args.concurrency} "
        f"concurrent senders for {args.seconds:g} s per phase; open loop: {rate} for "
        f"{args.rate_seconds:g} s, latency from the scheduled send. Signed GitHub pushes spread "
        f"over {args.repos} repositories per phase, so most signal a running workflow. Temporal "
        f"dev server on a SQLite file with {sqlite}. The receiver is verify + parse + Redis "
        "claim/confirm + signal-with-start, behind uvicorn (one worker, uvloop, httptools).",
        "",
        "| phase | calls | errors | calls/s | p50 ms | p99 ms | target | status | other work |",
        "|---|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for label, run, (target, status) in rows:
        others = max(0.0, run.cpu_seconds.get(OTHERS, 0.0) / run.seconds)
        lines.append(
            f"| {label} | {len(run.latencies)} | {run.errors} | {run.rate:.0f} | "
            f"{run.percentile_ms(0.5):.1f} | {run.percentile_ms(0.99):.1f} | {target} | {status} "
            f"| {others:.2f} cores |"
        )
    lines += [
        "",
        "`other work`: cores busy with processes outside the benchmark during the phase. "
        "CPU time per call in ms, by process (everything shares the same cores):",
        "",
        "| phase | " + " | ".join(PROCESSES) + " |",
        "|---|" + "---:|" * len(PROCESSES),
    ]
    for label, run, _ in rows:
        cells = " | ".join(f"{run.cpu_ms_per_call(name):.2f}" for name in PROCESSES)
        lines.append(f"| {label} | {cells} |")
    lines += ["", *cpu_summary(phases)]
    return "\n".join(lines) + "\n"


def cpu_summary(phases: Phases) -> list[str]:
    """The web process's CPU per delivery, and what the CPU per call allows on these cores."""

    def total(run: Run) -> float:
        return sum(run.cpu_ms_per_call(name) for name in PROCESSES)

    def cores(run: Run) -> float:
        return sum(run.cpu_seconds.get(name, 0.0) for name in PROCESSES) / run.seconds

    web = phases.lean.cpu_ms_per_call("web")
    client = phases.bare.cpu_ms_per_call("senders")
    bare, lean = total(phases.bare), total(phases.lean)
    return [
        f"**Web process CPU per delivery: {web:.2f} ms** (closed loop, lean senders). The bare "
        f"loop's sender spends {client:.2f} ms per signal-with-start in the same Temporal client "
        f"code, so about {web - client:.2f} ms per delivery is the receiver's own: HTTP, "
        "verification, parsing, the Redis claim and confirm, metrics. All processes together "
        f"spend {bare:.2f} ms per bare call and {lean:.2f} ms per delivery: on cores run flat "
        f"out the receiver would reach {bare / lean:.0%} of the bare rate (the bare loop kept "
        f"{cores(phases.bare):.2f} cores busy, the receiver {cores(phases.lean):.2f}).",
        "",
        "Two kinds of senders: the httpx phases measure the receiver with a realistic client, "
        "but httpx spends about as much CPU per request as the web process (the `senders` "
        "column), on the same two cores, so that figure is dominated by the load generator. "
        "The lean senders (hand-written keep-alive HTTP/1.1) cost a tenth of that and show what "
        "the receiver itself sustains; GitHub's and GitLab's senders are not on our cores. The "
        "web process runs with LOG_LEVEL=WARNING, so the per-delivery INFO lines are not "
        "written.",
    ]


class TunedTemporal(Temporal):
    """The dev server with SQLite in WAL mode: commits stop waiting for an fsync each."""

    def command(self) -> list[str]:
        return [
            *super().command(),
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
        ]


async def benchmark(args: argparse.Namespace) -> str:
    load_before = os.getloadavg()[0]
    state = Path(tempfile.mkdtemp(prefix="bench-receiver-"))
    redis = Redis("redis", free_port(), state)
    temporal = (Temporal if args.durable_temporal else TunedTemporal)(
        "temporal", free_port(), state
    )
    web: WebProcess | None = None
    try:
        await asyncio.gather(asyncio.to_thread(redis.start), asyncio.to_thread(temporal.start))
        settings = Settings(
            redis_url=redis.url,
            temporal_address=temporal.address,
            task_queue=f"bench-{uuid.uuid4().hex[:8]}",
            port=free_port(),
            github_webhook_secrets=(SECRET,),
        )
        web = WebProcess(settings, state / "web.log")
        await web.wait_ready()
        clock = CpuClock(
            {
                "senders": os.getpid(),
                "web": web.process.pid,
                "temporal": temporal.pid() or 0,
                "redis": redis.pid() or 0,
            }
        )
        dispatcher = Dispatcher(await Client.connect(temporal.address), settings)
        # Room for the open loop's backlog, but no connection storm when the server stalls.
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(base_url=web.url, limits=limits, timeout=30) as http:
            senders = LeanSenders(settings.port)
            first_ids = iter(range(10**9, 2 * 10**9, 10**6))

            def fresh() -> Repositories:
                return Repositories(next(first_ids), args.repos)

            async def closed(name: str, call: Callable[[int], Awaitable[bool]]) -> Run:
                print(f"{name}: {args.concurrency} concurrent", file=sys.stderr)
                return await clock.measure(closed_loop(name, call, args.concurrency, args.seconds))

            async def fixed(name: str, call: Callable[[int], Awaitable[bool]]) -> Run:
                print(f"{name}: {args.rate:g}/s", file=sys.stderr)
                return await clock.measure(open_loop(name, call, args.rate, args.rate_seconds))

            try:
                await closed_loop("warm-up", bare_call(dispatcher, fresh()), args.concurrency, 2)
                await closed_loop("warm-up", receiver_call(http, fresh()), args.concurrency, 2)
                # The bare phase runs before and after the receiver's, so a drift in the
                # machine's other load weighs on both sides alike.
                bare = await closed("bare", bare_call(dispatcher, fresh()))
                receiver = await closed("receiver", receiver_call(http, fresh()))
                lean = await closed("lean", lean_receiver_call(senders, fresh()))
                bare += await closed("bare", bare_call(dispatcher, fresh()))
                phases = Phases(
                    bare=bare,
                    receiver=receiver,
                    lean=lean,
                    fixed=await fixed("fixed", receiver_call(http, fresh())),
                    fixed_lean=await fixed("fixed-lean", lean_receiver_call(senders, fresh())),
                )
            finally:
                await senders.close()
        return report(args, phases, (load_before, os.getloadavg()[0]))
    finally:
        if web is not None:
            web.stop()
        redis.stop()
        temporal.stop()
        shutil.rmtree(state, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.receiver", description=__doc__)
    parser.add_argument("--seconds", type=float, default=15, help="per closed-loop phase")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rate", type=float, default=100, help="deliveries/s, open loop")
    parser.add_argument("--rate-seconds", type=float, default=15)
    parser.add_argument("--repos", type=int, default=200)
    parser.add_argument(
        "--durable-temporal",
        action="store_true",
        help="run the dev server with SQLite's default (fsync per commit) pragmas",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks-receiver.md")
    args = parser.parse_args(argv)
    # uvloop, as uvicorn uses in the web process: the senders then steal less CPU from it.
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        table = runner.run(benchmark(args))
    print(table)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(table)
    print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
