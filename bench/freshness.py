"""Freshness benchmark: push-to-graph latency and coalescing, through the whole service.

    .venv/bin/python -m bench.freshness [--pushes 20] [--bursts 3] [--no-doc]

Starts a private Redis, Temporal and Neo4j, then `repograph serve` and one `repograph worker`
as processes. A real repository (packages of the CPython standard library) is served over
smart HTTP. (1) Push-to-graph: commit a one-file change, send the signed GitHub push, and
time until the Branch node shows the new commit, on a warm worker. Target: p50 under 3 s.
(2) Coalescing: bursts of 20 pushes (20 new commits) sent at once; count the index runs each
burst caused (from the workflow's `status`) and the latency from the last push to the graph.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import shutil
import statistics
import sysconfig
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from neo4j import AsyncDriver, AsyncGraphDatabase
from temporalio.client import Client

from bench._measure import machine
from stack.services import Neo4j, Redis, Temporal, free_port
from tests.support.e2e import SECRET, ServiceProcesses, deliver, push_payload
from tests.support.git_server import GitHttpServer, WorkRepo
from workflows.contracts import BranchStatus, branch_workflow_id

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks-freshness.md"
PACKAGES = ("json", "email", "http", "urllib", "logging")
TARGET_P50 = 3.0


async def graph_sha(driver: AsyncDriver, repo_id: str) -> str | None:
    records, _, _ = await driver.execute_query(
        "MATCH (b:Branch {repo_id: $r, name: 'main'}) RETURN b.last_indexed_sha AS sha",
        r=repo_id,
        database_="neo4j",
    )
    return records[0]["sha"] if records else None


async def wait_for(driver: AsyncDriver, repo_id: str, sha: str, limit_s: float = 120) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit_s:
        if await graph_sha(driver, repo_id) == sha:
            return time.monotonic() - started
        await asyncio.sleep(0.02)
    raise TimeoutError(f"graph never reached {sha}")


async def run(pushes: int, bursts: int, write_doc: bool) -> None:  # noqa: PLR0915 - one story
    work = Path(tempfile.mkdtemp(prefix="repograph-bench-fresh-"))
    redis = Redis("redis", free_port(), work)
    temporal = Temporal("temporal", free_port(), work)
    neo4j = Neo4j("neo4j", free_port(), work, start_timeout=180, heap="1g", page_cache="512m")
    for service in (redis, temporal, neo4j):
        service.start()
    repo = WorkRepo(work, "fresh")
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for package in PACKAGES:
        shutil.copytree(
            stdlib / package, repo.work / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    before = repo.commit("corpus")
    git_host = GitHttpServer(work / "served")
    git_host.start()
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    service = ServiceProcesses(
        env={
            "REDIS_URL": redis.url,
            "TEMPORAL_ADDRESS": temporal.address,
            "TEMPORAL_TASK_QUEUE": queue,
            "NEO4J_URI": neo4j.uri,
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_URL": git_host.base_url,
            "WORKSPACE_DIR": str(work / "workspaces"),
        },
        logs=work / "logs",
    )
    driver = AsyncGraphDatabase.driver(neo4j.uri, auth=None, notifications_min_severity="OFF")
    number = 4_000_000 + int(time.time()) % 100_000
    repo_id = f"github-{number}"
    url = git_host.url("fresh")
    latencies: list[float] = []
    burst_rows: list[tuple[int, int, float]] = []
    try:
        await service.start_web()
        service.start_worker()
        await service.wait_for_log("worker-0", "worker started")
        client = await Client.connect(temporal.address)
        handle = client.get_workflow_handle(branch_workflow_id(repo_id, "main"))
        async with httpx.AsyncClient(timeout=30) as http:

            async def push(old: str, new: str) -> None:
                payload = push_payload(number, "acme/fresh", url, "main", old, new)
                response = await deliver(http, service.url, payload)
                assert response.status_code == 202, response.text

            await push("0" * 40, before)
            await wait_for(driver, repo_id, before, limit_s=300)  # the full first index
            for n in range(pushes):
                target = repo.work / "json" / "decoder.py"
                target.write_text(target.read_text() + f"\n\ndef added_{n}():\n    return {n}\n")
                sha = repo.commit(f"one-file change {n}")
                started = time.monotonic()
                await push(before, sha)
                await wait_for(driver, repo_id, sha)
                latencies.append(time.monotonic() - started)
                before = sha
            for b in range(bursts):
                status = await handle.query("status", result_type=BranchStatus)
                runs_before = status.runs
                shas = []
                for n in range(20):
                    target = repo.work / "email" / "utils.py"
                    target.write_text(target.read_text() + f"\n# burst {b} push {n}\n")
                    shas.append(repo.commit(f"burst {b}.{n}"))
                olds = [before, *shas[:-1]]
                await asyncio.gather(*(push(o, s) for o, s in zip(olds, shas, strict=True)))
                last_sent = time.monotonic()
                await wait_for(driver, repo_id, shas[-1])
                latency = time.monotonic() - last_sent
                status = await handle.query("status", result_type=BranchStatus)
                while status.state != "idle":
                    await asyncio.sleep(0.05)
                    status = await handle.query("status", result_type=BranchStatus)
                burst_rows.append((20, status.runs - runs_before, latency))
                before = shas[-1]
    finally:
        await driver.close()
        service.stop()
        git_host.stop()
        for service_ in (neo4j, temporal, redis):
            service_.stop()
        shutil.rmtree(work, ignore_errors=True)

    p50 = statistics.median(latencies)
    ordered = sorted(latencies)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    lines = [
        "| figure | value | limit / target | verdict |",
        "|---|---|---|---|",
        f"| push-to-graph, one-file change, p50 | {p50:.2f} s | < {TARGET_P50:.0f} s | "
        f"{'met' if p50 < TARGET_P50 else 'NOT met'} |",
        f"| push-to-graph, one-file change, p90 / max | {p90:.2f} s / {ordered[-1]:.2f} s | | |",
    ]
    for i, (sent, runs, latency) in enumerate(burst_rows, 1):
        lines.append(
            f"| burst {i}: {sent} pushes at once -> index runs | {runs} | <= 2 | "
            f"{'met' if runs <= 2 else 'NOT met'} |"
        )
        lines.append(f"| burst {i}: last push -> graph | {latency:.2f} s | | |")
    table = "\n".join(lines)
    print(table)
    if write_doc:
        DOC.parent.mkdir(exist_ok=True)
        DOC.write_text(
            f"# Freshness benchmark\n\n{datetime.date.today().isoformat()}\n\n"
            + "".join(f"- {line}\n" for line in machine("5.26"))
            + "\n"
            f"Corpus: CPython standard library packages {', '.join(PACKAGES)}, "
            "served over smart HTTP; one web and one worker process; "
            f"{pushes} one-file pushes, {bursts} bursts.\n\n{table}\n"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pushes", type=int, default=20)
    parser.add_argument("--bursts", type=int, default=3)
    parser.add_argument("--no-doc", action="store_true")
    args = parser.parse_args()
    asyncio.run(run(args.pushes, args.bursts, not args.no_doc))


if __name__ == "__main__":
    main()
