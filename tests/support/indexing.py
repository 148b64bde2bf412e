"""Drive one snapshot through the indexer directly (no workflow), and dump a branch's graph."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path
from typing import Any

from neo4j import AsyncDriver

from activities.codegraph.indexer import CodeGraphIndexer
from activities.git_client import GitClient
from activities.metadata_store import MetadataStore
from workflows.contracts import GraphOutcome, ParseOutcome, RepoRef, SnapshotRef


async def index_head(
    indexer: CodeGraphIndexer,
    driver: AsyncDriver,
    repo: RepoRef,
    branch: str,
    scratch: Path,
    *,
    deadline: float | None = None,
) -> tuple[ParseOutcome, GraphOutcome]:
    """Fetch the branch head into a fresh directory and run parse (with its `deadline`, a
    `time.monotonic()` value) + persist + stale cleanup."""
    git = GitClient(allow_file_protocol=True)
    run_dir = scratch / uuid.uuid4().hex[:8]
    run_dir.mkdir(parents=True)
    sha = await git.fetch_branch(repo.clone_url, branch, run_dir / "repo.git", None)
    snapshot = SnapshotRef(repo, branch, sha, str(run_dir))
    parsed = await indexer.parse(snapshot, run_dir / "repo.git", run_dir, deadline)
    await MetadataStore(driver, "neo4j").upsert_repository(repo, branch)
    graph = await indexer.persist(snapshot, run_dir)
    await indexer.cleanup_stale(snapshot)
    return parsed, graph


# Written by `record_run` after a workflow run, not by the indexer: not part of the graph.
RUN_METADATA = frozenset(
    {
        "indexed_at",
        "last_run_at",
        "last_checked_at",
        "last_indexed_sha",
        "last_status",
        "last_error",
        "graph_version",  # a new id at every settle
        "created_at",  # when the Branch node was made
    }
)


async def graph_dump(driver: AsyncDriver, repo_id: str) -> tuple[list[Any], list[Any]]:
    """Every node and relationship of the repository's code graph, with keys made repo-neutral.

    Run metadata is dropped; everything else (labels, properties, relationship properties) is kept.
    """
    prefix = f"{repo_id}|"

    def neutral(value: Any) -> Any:
        if isinstance(value, str) and value.startswith(prefix):
            return "REPO|" + value[len(prefix) :]
        return "REPO" if value == repo_id else value

    def props(mapping: dict[str, Any]) -> tuple[tuple[str, Any], ...]:
        return tuple(sorted((k, neutral(v)) for k, v in mapping.items() if k not in RUN_METADATA))

    nodes, _, _ = await driver.execute_query(
        """
        MATCH (n) WHERE n.repo_id = $r AND (n:File OR n:Symbol OR n:Module OR n:Branch)
        RETURN labels(n) AS labels, properties(n) AS props
        """,
        r=repo_id,
        database_="neo4j",
    )
    edges, _, _ = await driver.execute_query(
        """
        MATCH (a)-[rel]->(b) WHERE a.repo_id = $r AND (a:File OR a:Symbol OR a:Branch)
          AND NOT b:Snapshot
        RETURN type(rel) AS type, a.key AS src, b.key AS dst, properties(rel) AS props
        """,
        r=repo_id,
        database_="neo4j",
    )
    node_rows = sorted((tuple(sorted(r["labels"])), props(r["props"])) for r in nodes)
    edge_rows = sorted(
        (r["type"], neutral(r["src"]), neutral(r["dst"]), props(r["props"])) for r in edges
    )
    return node_rows, edge_rows


def assert_same_graph(
    incremental: tuple[list[Any], list[Any]], full: tuple[list[Any], list[Any]], context: str
) -> None:
    """Two `graph_dump`s are equal; else say which rows only one of them has."""
    for what, mine, theirs in zip(("nodes", "edges"), incremental, full, strict=True):
        extra = [_short(x) for x in mine if x not in theirs][:5]
        missing = [_short(x) for x in theirs if x not in mine][:5]
        assert mine == theirs, (
            f"{what} differ {context}: only incremental {extra}; only full {missing}"
        )


def _short(row: object) -> str:
    """A row without its bulky packed extraction, for readable failure messages."""
    return str(row).split("('extraction'")[0][:300]


async def drop_graph(driver: AsyncDriver, repo_id: str) -> None:
    """Delete every node of the repository's code graph."""
    await driver.execute_query(
        "MATCH (n) WHERE n.repo_id = $r DETACH DELETE n", r=repo_id, database_="neo4j"
    )


async def assert_same_as_full_index(
    indexer: CodeGraphIndexer,
    driver: AsyncDriver,
    live: RepoRef,
    branch: str,
    scratch: Path,
    context: str,
) -> None:
    """Index the branch head afresh into a clean repo_id and compare it with `live`'s graph."""
    fresh = dataclasses.replace(live, repo_id=f"{live.repo_id}-full")
    try:
        await index_head(indexer, driver, fresh, branch, scratch)
        assert_same_graph(
            await graph_dump(driver, live.repo_id), await graph_dump(driver, fresh.repo_id), context
        )
    finally:
        await drop_graph(driver, fresh.repo_id)
