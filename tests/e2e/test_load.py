"""Load: 2,000 signed pushes over 50 branches of 10 repositories, 32 senders at once, 10%
duplicates, out of order. Every request is accepted, every unique delivery is dispatched
exactly once, and every branch's graph ends at its newest commit."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from neo4j import AsyncDriver
from temporalio.client import Client

from tests.support.e2e import ServiceProcesses, deliver, push_payload
from tests.support.git_server import GitHttpServer, git
from tests.support.history import build_branches
from tests.support.signals import push_deliveries
from workflows.contracts import branch_workflow_id

REPOS, BRANCHES, COMMITS, SENDERS = 10, 5, 36, 32


async def wait_for_heads(
    driver: AsyncDriver, heads: dict[tuple[str, str], str], timeout: float
) -> dict[tuple[str, str], str | None]:
    deadline = time.monotonic() + timeout
    while True:
        records, _, _ = await driver.execute_query(
            "MATCH (b:Branch) WHERE b.repo_id IN $ids RETURN b.repo_id AS r, b.name AS n, "
            "b.last_indexed_sha AS sha",
            ids=sorted({repo_id for repo_id, _ in heads}),
            database_="neo4j",
        )
        found = {(r["r"], r["n"]): r["sha"] for r in records}
        if all(found.get(key) == sha for key, sha in heads.items()):
            return found
        if time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.5)


@pytest.mark.timeout(900)
async def test_two_thousand_deliveries_dispatch_exactly_once_and_converge(
    service: ServiceProcesses,
    git_host: GitHttpServer,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """2,000 deliveries (1,800 unique) from 32 senders: all 202, each unique one signalled
    exactly once, every branch at its newest commit, no error in any log."""
    service.start_worker()
    service.start_worker()
    rng = random.Random(20261122)
    base_number = int(unique_id[:6], 16) * 100
    heads: dict[tuple[str, str], str] = {}
    unique: list[tuple[str, dict[str, object]]] = []
    for r in range(REPOS):
        name = f"load{r}"
        bare = tmp_path / "served" / f"{name}.git"
        git("init", "--quiet", "--bare", str(bare), cwd=tmp_path)
        branches = ["main"] + [f"feature-{b}" for b in range(1, BRANCHES)]
        shas = build_branches(
            bare,
            {
                f"{name}/__init__.py": "",
                f"{name}/core.py": "class Core:\n    def run(self):\n        return 1\n",
            },
            branches,
            COMMITS,
            lambda branch, n, name=name: (
                f"{name}/{branch.replace('-', '_')}.py",
                f"from {name}.core import Core\n\n\n"
                f"def step_{n}():\n    return Core().run() + {n}\n",
            ),
        )
        number = base_number + r
        repo_id = f"github-{number}"
        for branch, chain in shas.items():
            heads[(repo_id, branch)] = chain[-1]
            before = "0" * 40
            for n, sha in enumerate(chain):
                payload = push_payload(
                    number, f"acme/{name}-{unique_id}", git_host.url(name), branch, before, sha
                )
                unique.append((f"{unique_id}-{r}-{branch}-{n}", payload))
                before = sha
    duplicates = rng.sample(unique, len(unique) // 9)  # 200: 10% of the 2,000 sent
    sends = unique + duplicates
    rng.shuffle(sends)
    assert len(sends) == 2000

    limit = asyncio.Semaphore(SENDERS)
    statuses: Counter[int] = Counter()
    outcomes: Counter[str] = Counter()
    async with httpx.AsyncClient(timeout=60) as client:

        async def send(delivery: str, payload: dict[str, object]) -> None:
            async with limit:
                response = await deliver(client, service.url, payload, delivery)
            statuses[response.status_code] += 1
            outcomes[response.json().get("status", "?")] += 1

        await asyncio.gather(*(send(d, p) for d, p in sends))
    assert statuses == Counter({202: 2000})
    assert outcomes["accepted"] == len(unique)
    assert outcomes["duplicate"] == len(duplicates)

    found = await wait_for_heads(neo4j_driver, heads, timeout=600)
    behind = {key: (found.get(key), sha) for key, sha in heads.items() if found.get(key) != sha}
    assert not behind, f"branches not at their newest commit: {list(behind.items())[:5]}"

    expected: dict[str, set[str]] = {}
    for delivery, payload in unique:
        repo_id = f"github-{payload['repository']['id']}"  # type: ignore[index]
        branch = str(payload["ref"]).removeprefix("refs/heads/")
        expected.setdefault(branch_workflow_id(repo_id, branch), set()).add(delivery)
    total = 0
    for workflow_id, deliveries in expected.items():
        seen = await push_deliveries(temporal_client, workflow_id)
        assert set(seen) == deliveries, f"{workflow_id}: wrong deliveries"
        assert max(seen.values()) == 1, f"{workflow_id}: a delivery was signalled twice"
        total += sum(seen.values())
    assert total == len(unique) == 1800

    logs = service.log_text()
    assert '"level": "ERROR"' not in logs
    assert "Traceback" not in logs
    for workflow_id in expected:
        await temporal_client.get_workflow_handle(workflow_id).terminate()
