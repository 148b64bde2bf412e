"""Read one branch's graph back from Neo4j: index progress, counts and example edges."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from neo4j import AsyncDriver

from activities.codegraph.graph_rows import branch_key
from app.cli.command import CliError

POLL_SECONDS = 0.25


@dataclass(frozen=True)
class GraphSummary:
    files: int
    symbols_by_kind: dict[str, int]
    calls: list[tuple[str, str, str]] = field(default_factory=list)  # caller, callee, how
    inherits: list[tuple[str, str]] = field(default_factory=list)


class BranchGraph:
    """Queries scoped to one (repo_id, branch); every one passes the database."""

    def __init__(self, driver: AsyncDriver, database: str, repo_id: str, branch: str) -> None:
        self._driver = driver
        self._database = database
        self.repo_id = repo_id
        self.branch = branch
        self._key = branch_key(repo_id, branch)

    async def _rows(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        records, _, _ = await self._driver.execute_query(
            cypher,
            repo_id=self.repo_id,
            branch=self.branch,
            key=self._key,
            database_=self._database,
            **params,
        )
        return [record.data() for record in records]

    async def exists(self) -> bool:
        return bool(await self._rows("MATCH (b:Branch {key: $key}) RETURN b.name AS name"))

    async def wait_until_gone(self, wait_s: float) -> None:
        deadline = time.monotonic() + wait_s
        while await self.exists():
            if time.monotonic() > deadline:
                raise CliError(f"the graph of {self.repo_id} {self.branch} was not removed")
            await asyncio.sleep(POLL_SECONDS)

    async def wait_for_commit(self, sha: str, pushed_at: datetime, wait_s: float) -> dict[str, Any]:
        """Poll the Branch node until `sha` is indexed; returns that run's Snapshot properties.

        A run that failed after `pushed_at` ends the wait with its error.
        """
        deadline = time.monotonic() + wait_s
        while True:
            rows = await self._rows(
                """
                MATCH (b:Branch {key: $key})
                OPTIONAL MATCH (b)-[:HAS_SNAPSHOT]->(s:Snapshot {commit_sha: $sha})
                RETURN b.last_indexed_sha AS sha, b.last_status AS status,
                       b.last_error AS error, b.last_run_at AS run_at,
                       properties(s) AS snapshot
                """,
                sha=sha,
            )
            row = rows[0] if rows else None
            if row is not None and row["sha"] == sha and row["snapshot"] is not None:
                return dict(row["snapshot"])
            if row is not None and row["status"] == "failed" and _after(row["run_at"], pushed_at):
                raise CliError(f"indexing failed: {row['error']}")
            if time.monotonic() > deadline:
                raise CliError(
                    f"{sha[:12]} was not indexed within {wait_s:.0f}s; is a worker running on "
                    "this task queue? (`make run` starts one)"
                )
            await asyncio.sleep(POLL_SECONDS)

    async def summary(self, examples: int = 6) -> GraphSummary:
        files = await self._rows(
            "MATCH (f:File {repo_id: $repo_id, branch: $branch}) RETURN count(f) AS n"
        )
        kinds = await self._rows(
            """
            MATCH (n:Symbol {repo_id: $repo_id, branch: $branch})
            UNWIND [label IN labels(n) WHERE label <> 'Symbol'] AS kind
            RETURN kind, count(*) AS n ORDER BY kind
            """
        )
        # Cross-file calls first: they are what a graph adds over reading one file.
        calls = await self._rows(
            """
            MATCH (a:Symbol {repo_id: $repo_id, branch: $branch})-[c:CALLS]->(t:Symbol)
            RETURN a.path + ':' + a.qualified_name AS caller,
                   t.path + ':' + t.qualified_name AS callee,
                   coalesce(c.resolution, '') AS how, a.path = t.path AS same_file
            ORDER BY same_file, caller, callee LIMIT $limit
            """,
            limit=examples,
        )
        inherits = await self._rows(
            """
            MATCH (a:Symbol {repo_id: $repo_id, branch: $branch})-[:INHERITS]->(t:Symbol)
            RETURN a.qualified_name AS child, t.qualified_name AS parent
            ORDER BY child, parent
            """
        )
        return GraphSummary(
            files=int(files[0]["n"]),
            symbols_by_kind={str(row["kind"]): int(row["n"]) for row in kinds},
            calls=[(row["caller"], row["callee"], row["how"]) for row in calls],
            inherits=[(row["child"], row["parent"]) for row in inherits],
        )


def _after(timestamp: object, moment: datetime) -> bool:
    try:
        return datetime.fromisoformat(str(timestamp)) >= moment
    except ValueError:
        return False
