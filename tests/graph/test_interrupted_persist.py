"""A persist that dies after the files are written but before the edges are must not leave a
graph that the next run takes for finished: the new definitions are committed (their blob ids
look unchanged to the next run), so only the Branch's pending mark says the edges are stale."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver

from activities.codegraph.graph_writer import GraphWriter
from activities.codegraph.indexer import CodeGraphIndexer
from tests.support.git_server import WorkRepo
from tests.support.indexing import graph_dump, index_head
from workflows.contracts import RepoRef

FILES: dict[str, str | bytes] = {
    "lib.py": "def helper():\n    return 1\n",
    "app.py": "from lib import *\n\n\ndef main():\n    return helper() + later()\n",
}


# lib.py is rewritten this run (its edges created whole); app.py is not (its edges updated).
@pytest.mark.parametrize("dies_in", ["create_edges", "update_code_edges"])
async def test_a_run_interrupted_before_its_edges_is_mended_by_the_next(
    dies_in: str,
    indexer: CodeGraphIndexer,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = WorkRepo(tmp_path, "mend")
    repo.write(FILES)
    repo.commit("start")
    url = repo.bare.resolve().as_uri()
    live = RepoRef(f"github-{unique_id}-{dies_in}", "github", "acme/mend", url)
    await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")

    # `later` appears in lib.py: app.py's call to it now resolves, but this run dies first.
    repo.write({"lib.py": str(FILES["lib.py"]) + "\n\ndef later():\n    return 2\n"})
    repo.commit("define later")

    async def crash(*_: Any, **__: Any) -> None:
        raise RuntimeError("worker lost")

    with monkeypatch.context() as patch:
        patch.setattr(GraphWriter, dies_in, crash)
        with pytest.raises(RuntimeError, match="worker lost"):
            await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")

    # Another worker starts over from the fetch: every blob id already matches the graph.
    parsed, graph = await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")
    assert parsed.parsed_files == 0
    assert graph.resolved_files == 2  # the whole branch, not the no-change short-cut

    fresh = RepoRef(f"github-{unique_id}-{dies_in}-full", "github", "acme/mend", url)
    await index_head(indexer, neo4j_driver, fresh, "main", tmp_path / "runs")
    assert await graph_dump(neo4j_driver, live.repo_id) == await graph_dump(
        neo4j_driver, fresh.repo_id
    )
    _, edges = await graph_dump(neo4j_driver, live.repo_id)
    assert any(edge[0] == "CALLS" and "later" in str(edge) for edge in edges)
