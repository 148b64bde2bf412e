"""Persist reuses the File nodes parse read while the Branch's `graph_version` says nothing was
settled since and no persist has begun; otherwise it reads them again. On the Go standard
library that second read was most of a small change's persist."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from neo4j import AsyncDriver

from activities.codegraph.graph_writer import GraphWriter, StoredFile
from activities.codegraph.indexer import CodeGraphIndexer
from activities.git_client import GitClient
from activities.metadata_store import MetadataStore
from tests.support.git_server import WorkRepo
from tests.support.indexing import assert_same_as_full_index, drop_graph, index_head
from workflows.contracts import RepoRef, SnapshotRef

FILES: dict[str, str | bytes] = {
    "lib.py": "def helper():\n    return 1\n",
    "app.py": "from lib import helper\n\n\ndef main():\n    return helper()\n",
    **{f"more/m{n}.py": f"def m{n}():\n    return {n}\n" for n in range(6)},
}


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The branches whose File nodes were read from Neo4j, one entry per read."""
    seen: list[str] = []
    real = GraphWriter.stored_files

    async def counting(self: GraphWriter, repo_id: str, branch: str) -> dict[str, StoredFile]:
        seen.append(f"{repo_id}/{branch}")
        return await real(self, repo_id, branch)

    monkeypatch.setattr(GraphWriter, "stored_files", counting)
    return seen


async def test_persist_reuses_what_parse_read(
    indexer: CodeGraphIndexer,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    reads: list[str],
) -> None:
    repo = WorkRepo(tmp_path, "reuse")
    repo.write(FILES)
    repo.commit("start")
    url = repo.bare.resolve().as_uri()
    live = RepoRef(f"github-{unique_id}", "github", "acme/reuse", url)
    await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")
    assert len(reads) == 2  # a new branch has no version yet: persist reads too

    repo.write({"lib.py": str(FILES["lib.py"]) + "\n\ndef later():\n    return 2\n"})
    repo.commit("edit")
    reads.clear()
    _, graph = await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")
    assert reads == [f"{live.repo_id}/main"]  # parse's read only
    assert graph.nodes_written > 0

    try:
        await assert_same_as_full_index(
            indexer,
            neo4j_driver,
            live,
            "main",
            tmp_path / "runs",
            "after a persist on parse's read",
        )
    finally:
        await drop_graph(neo4j_driver, live.repo_id)


async def test_a_persist_run_again_after_it_finished_reads_again(
    indexer: CodeGraphIndexer,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    reads: list[str],
) -> None:
    """The activity's result was lost and Temporal runs persist again on the same parse: the
    branch was settled since parse read it, so persist must see what its first attempt wrote
    (a deleted file is gone, the rewritten ones carry their new digests)."""
    repo = WorkRepo(tmp_path, "again")
    repo.write(FILES)
    repo.commit("start")
    url = repo.bare.resolve().as_uri()
    live = RepoRef(f"github-{unique_id}", "github", "acme/again", url)
    await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")

    repo.write({"lib.py": "def helper():\n    return 3\n\n\ndef later():\n    return helper()\n"})
    repo.remove("more/m0.py")
    repo.commit("edit and delete")
    run_dir = tmp_path / "runs" / uuid.uuid4().hex[:8]
    run_dir.mkdir(parents=True)
    sha = await GitClient(allow_file_protocol=True).fetch_branch(
        url, "main", run_dir / "repo.git", None
    )
    snapshot = SnapshotRef(live, "main", sha, str(run_dir))
    await indexer.parse(snapshot, run_dir / "repo.git", run_dir)
    await MetadataStore(neo4j_driver, "neo4j").upsert_repository(live, "main")
    reads.clear()
    first = await indexer.persist(snapshot, run_dir)
    assert reads == []
    second = await indexer.persist(snapshot, run_dir)
    assert reads == [f"{live.repo_id}/main"]
    assert first.indexed_files == second.indexed_files == len(FILES) - 1

    try:
        await assert_same_as_full_index(
            indexer,
            neo4j_driver,
            live,
            "main",
            tmp_path / "runs",
            "after persist ran twice on one parse",
        )
    finally:
        await drop_graph(neo4j_driver, live.repo_id)
