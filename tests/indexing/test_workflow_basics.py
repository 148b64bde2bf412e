"""The branch workflow indexes a real git repository into Neo4j and keeps it at the head."""

from __future__ import annotations

from pathlib import Path

from neo4j import AsyncDriver
from temporalio.client import Client

from app.settings import Settings
from tests.support.git_server import WorkRepo
from tests.support.workflows import local_repo, push, wait_for_status


async def test_push_indexes_the_branch_head(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A push makes the workflow fetch the head, parse it and write its files and symbols."""
    repo = WorkRepo(tmp_path, "widgets")
    repo.write(
        {
            "pkg/__init__.py": "",
            "pkg/shapes.py": "class Shape:\n    def area(self):\n        return 0\n",
        }
    )
    sha = repo.commit("first")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, settings, ref, "main", sha)
    status = await wait_for_status(handle, lambda s: s.last_indexed_sha == sha)
    assert status.last_result is not None
    assert status.last_result.status == "indexed"
    assert status.last_result.stats.indexed_files == 2
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (:Branch {repo_id: $r, name: 'main'})-[:CONTAINS]->(f:File)-[:DEFINES*]->(s:Symbol) "
        "RETURN f.path AS path, s.qualified_name AS name, labels(s) AS labels ORDER BY name",
        r=ref.repo_id,
        database_="neo4j",
    )
    assert [(r["path"], r["name"]) for r in records] == [
        ("pkg/shapes.py", "Shape"),
        ("pkg/shapes.py", "Shape.area"),
    ]
    await handle.terminate()
