"""INDEX_CACHE_FILES bounds what a worker keeps between runs: a branch over it is resolved
afresh on every change, one within it updates the tables kept from its last run."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from neo4j import AsyncDriver

from activities.codegraph.indexer import CodeGraphIndexer
from activities.git_client import GitClient
from tests.conftest import LocalStack
from tests.support.git_server import WorkRepo
from tests.support.indexing import graph_dump, index_head
from workflows.contracts import RepoRef

FILES = {
    "shapes.py": "class Shape:\n    def area(self):\n        return 0\n",
    "square.py": "from shapes import Shape\n\n\nclass Square(Shape):\n    pass\n",
    "main.py": "from square import Square\n\n\ndef run():\n    return Square().area()\n",
    # Enough files for one changed file to count as a narrow change (MAX_CHANGED_SHARE).
    **{f"tools/t{n}.py": f"def tool_{n}():\n    return {n}\n" for n in range(7)},
}


@pytest.mark.parametrize(("cache_files", "kept"), [(len(FILES) - 1, False), (len(FILES), True)])
async def test_only_a_branch_within_the_limit_keeps_its_tables(
    local_stack: LocalStack,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    caplog: pytest.LogCaptureFixture,
    cache_files: int,
    kept: bool,
) -> None:
    caplog.set_level(logging.INFO, logger="repograph.indexer")
    settings = local_stack.settings(parse_processes=1, index_cache_files=cache_files)
    indexer = CodeGraphIndexer(settings, neo4j_driver, GitClient(allow_file_protocol=True))
    repo = WorkRepo(tmp_path, "shapes")
    repo.write(FILES)
    repo.commit("shapes")
    live = RepoRef(f"github-{unique_id}", "github", "acme/shapes", repo.bare.resolve().as_uri())
    try:
        await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")
        shapes = repo.work / "shapes.py"
        shapes.write_text(shapes.read_text() + "\n\nclass Circle(Shape):\n    pass\n")
        repo.commit("a new class")
        caplog.clear()
        await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")
        used = [r.kept_tables for r in caplog.records if r.getMessage() == "resolving"]
        assert used == [kept]
        fresh = RepoRef(f"github-{unique_id}-full", "github", "acme/shapes", live.clone_url)
        await index_head(indexer, neo4j_driver, fresh, "main", tmp_path / "runs")
        assert await graph_dump(neo4j_driver, live.repo_id) == await graph_dump(
            neo4j_driver, fresh.repo_id
        )
    finally:
        await indexer.aclose()
