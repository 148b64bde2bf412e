"""`repograph demo`: push a sample repository to the running stack and watch the graph follow.

It plays GitHub: commits to a local repository, sends a signed `push` webhook to the web
process, waits until the worker has written the commit's graph to Neo4j and prints it; then
it commits a change and pushes again to show the incremental re-index. It needs what
`make run` starts: the web process (with ALLOW_LOCAL_REPOS), a worker, Neo4j.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from app.cli.branch_graph import BranchGraph, GraphSummary
from app.cli.command import CliError
from app.cli.connections import open_neo4j
from app.cli.github_push import ZERO_SHA, DemoRepository, PushedCommit, push_payload
from app.cli.sample_repository import FIRST_VERSION, SECOND_VERSION, SampleRepository
from app.commands import github_repo_id
from app.settings import Settings
from app.signatures import sign_github

# `make run` gives the web process this secret when GITHUB_WEBHOOK_SECRET is unset, so the demo
# works out of the box on a development machine. Never used for a deployed receiver.
DEV_WEBHOOK_SECRET = "repograph-local-dev-secret"  # noqa: S105 (public by design)
BRANCH = "main"


def demo(settings: Settings, args: argparse.Namespace) -> int:
    if settings.github_webhook_secrets:
        secret = settings.github_webhook_secrets[0]
    else:
        print(
            "GITHUB_WEBHOOK_SECRET is not set: signing with the development secret `make run` "
            "gives the web process",
            file=sys.stderr,
        )
        secret = DEV_WEBHOOK_SECRET
    base_url = (args.url or f"http://127.0.0.1:{settings.port}").rstrip("/")
    asyncio.run(_Demo(settings, base_url, secret, args.dir, args.timeout).run())
    return 0


@dataclass
class _Demo:
    settings: Settings
    base_url: str
    secret: str
    directory: Path
    wait_s: float

    async def run(self) -> None:
        sample = SampleRepository(self.directory, BRANCH)
        repository = DemoRepository(
            id=_repository_number(sample.directory),
            owner="repograph-demo",
            name="shapes",
            clone_url=str(sample.origin),
        )
        repo_id = github_repo_id(repository.id)
        async with (
            httpx.AsyncClient(base_url=self.base_url, timeout=15) as http,
            open_neo4j(self.settings) as driver,
        ):
            await self._check_web(http)
            graph = BranchGraph(driver, self.settings.neo4j_database, repo_id, BRANCH)
            # A fresh origin first: a branch-delete event is checked against the remote, and
            # the earlier run's origin still has the branch.
            await asyncio.to_thread(sample.create)
            if await graph.exists():
                print(f"removing the graph of an earlier demo run ({repo_id} {BRANCH}) ...")
                await self._send(http, push_payload(repository, BRANCH, ZERO_SHA, ZERO_SHA, []))
                await graph.wait_until_gone(self.wait_s)
            print(f"sample repository  {sample.work}  (origin {sample.origin})")
            print(f"repository id      {repo_id}, branch {BRANCH}\n")

            first = await asyncio.to_thread(
                sample.commit_and_push, FIRST_VERSION, "Add shapes and a report"
            )
            snapshot = await self._push_and_wait(
                http, graph, repository, before=ZERO_SHA, commit=first, step=1
            )
            before = await graph.summary()
            _print_summary(before, snapshot)

            second = await asyncio.to_thread(
                sample.commit_and_push, SECOND_VERSION, "Add triangles to the report"
            )
            snapshot = await self._push_and_wait(
                http, graph, repository, before=first.sha, commit=second, step=2
            )
            after = await graph.summary()
            print(
                f"   incremental: {snapshot.get('parsed_files', 0)} files parsed, "
                f"{snapshot.get('unchanged_files', 0)} unchanged, "
                f"{snapshot.get('deleted_files', 0)} deleted"
            )
            _print_summary(after, snapshot, before)
        print(
            "Explore it in Neo4j, for example:\n"
            f"  MATCH (c:Class {{repo_id: '{repo_id}', branch: '{BRANCH}'}})-[:INHERITS*]->(p)"
            " RETURN c.name, collect(p.name)"
        )

    async def _check_web(self, http: httpx.AsyncClient) -> None:
        try:
            response = await http.get("/healthz")
        except httpx.HTTPError:
            raise CliError(
                f"no web process answers at {self.base_url}: start the stack with `make run` "
                "(or pass --url)"
            ) from None
        if response.status_code != 200:
            raise CliError(f"{self.base_url}/healthz answered {response.status_code}")

    async def _push_and_wait(
        self,
        http: httpx.AsyncClient,
        graph: BranchGraph,
        repository: DemoRepository,
        *,
        before: str,
        commit: PushedCommit,
        step: int,
    ) -> dict[str, Any]:
        pushed_at = datetime.now(UTC)
        started = time.monotonic()
        delivery = await self._send(
            http, push_payload(repository, BRANCH, before, commit.sha, [commit])
        )
        changed = len(commit.added) + len(commit.modified) + len(commit.removed)
        print(
            f'{step}. pushed {commit.sha[:12]} "{commit.message}" ({changed} files changed); '
            f"webhook accepted (delivery {delivery})"
        )
        snapshot = await graph.wait_for_commit(commit.sha, pushed_at, self.wait_s)
        print(f"   graph at {commit.sha[:12]} after {time.monotonic() - started:.1f}s")
        return snapshot

    async def _send(self, http: httpx.AsyncClient, payload: dict[str, Any]) -> str:
        body = json.dumps(payload).encode()
        delivery = str(uuid.uuid4())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/repograph-demo",
            "X-GitHub-Event": "push",
            "X-GitHub-Delivery": delivery,
            "X-GitHub-Hook-ID": "1",
            "X-Hub-Signature-256": sign_github(body, self.secret),
        }
        try:
            response = await http.post("/webhooks/github", content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise CliError(f"the webhook could not be sent to {self.base_url}: {exc}") from None
        if response.status_code in (200, 202):
            return delivery
        raise CliError(_refusal(response))


def _refusal(response: httpx.Response) -> str:
    detail = response.text.strip()[:300]
    hints = {
        401: "the web process has a different GITHUB_WEBHOOK_SECRET; give both the same value",
        400: "the web process must run with ALLOW_LOCAL_REPOS=true (`make run` sets it) to "
        "accept the demo's local repository",
        404: "this web process has no /webhooks/github endpoint",
        503: "the web process cannot reach Temporal",
    }
    hint = hints.get(response.status_code, "see the web process's log")
    return f"the web process answered {response.status_code} ({detail}): {hint}"


def _repository_number(directory: Path) -> int:
    # Stable per demo directory and far above real GitHub ids, so it never meets a real one.
    digest = hashlib.sha256(str(directory).encode()).hexdigest()
    return 9_000_000_000 + int(digest[:7], 16)


def _print_summary(
    summary: GraphSummary, snapshot: dict[str, Any], earlier: GraphSummary | None = None
) -> None:
    def delta(now: int, then: int | None) -> str:
        return f" ({now - then:+d})" if then is not None and now != then else ""

    kinds = ", ".join(
        f"{count} {kind.lower()}{'es' if kind == 'Class' else 's'}"
        f"{delta(count, earlier.symbols_by_kind.get(kind, 0) if earlier else None)}"
        for kind, count in summary.symbols_by_kind.items()
    )
    print(
        f"   {summary.files} files{delta(summary.files, earlier.files if earlier else None)}: "
        f"{kinds}; {snapshot.get('nodes_written', 0)} nodes and "
        f"{snapshot.get('edges_written', 0)} edges written"
    )
    if summary.inherits:
        print("   INHERITS " + ", ".join(f"{c} -> {p}" for c, p in summary.inherits))
    for caller, callee, how in summary.calls:
        print(f"   CALLS    {caller} -> {callee}" + (f"  [{how}]" if how else ""))
    print()
