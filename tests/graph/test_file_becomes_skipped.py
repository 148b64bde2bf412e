"""A file that was parsed and is now skipped (it turned binary, or grew past the size limit)
keeps its File node, flagged, and nothing it used to point at: no IMPORTS, CALLS or INHERITS
out of it, as a full index of the new head has none. To resolution it is a file deleted, so
with the kept tables the run stays narrow."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from neo4j import AsyncDriver

from tests.conftest import LocalStack
from tests.graph.test_known_edges import reindex_and_compare
from tests.support.git_server import WorkRepo
from tests.support.indexing import drop_graph
from workflows.contracts import RepoRef

FILES: dict[str, str | bytes] = {
    "pkg/base.py": "class Base:\n    def run(self):\n        return 1\n",
    "pkg/app.py": ("from pkg.base import Base\n\n\nclass App(Base):\n    pass\n\n\nBase().run()\n"),
    **{f"pkg/m{n}.py": f"def m{n}():\n    return {n}\n" for n in range(8)},
}
CHANGES: dict[str, dict[str, str | bytes]] = {
    "turned binary": {"pkg/app.py": b"\x00\x01binary now\x00"},
    "marked generated": {"pkg/app.py": "# @generated\nfrom pkg.base import Base\n\nBase().run()\n"},
}


async def outgoing(driver: AsyncDriver, repo_id: str, path: str) -> list[str]:
    records, _, _ = await driver.execute_query(
        """
        MATCH (f:File {repo_id: $repo_id, path: $path})-[r]->()
        RETURN type(r) AS type ORDER BY type
        """,
        repo_id=repo_id,
        path=path,
        database_="neo4j",
    )
    return [r["type"] for r in records]


@pytest.mark.parametrize("change", sorted(CHANGES))
async def test_a_file_that_becomes_skipped_loses_its_edges(
    change: str,
    local_stack: LocalStack,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="repograph.indexer")
    repo = WorkRepo(tmp_path, "py")
    repo.write(FILES)
    repo.commit("python")
    live = RepoRef(f"github-{unique_id}", "github", "acme/py", repo.bare.resolve().as_uri())
    try:
        await reindex_and_compare(
            local_stack, neo4j_driver, repo, live, tmp_path / "runs", CHANGES[change]
        )
        assert await outgoing(neo4j_driver, live.repo_id, "pkg/app.py") == []
        kept = [r.kept_tables for r in caplog.records if r.getMessage() == "resolving"]
        assert kept[1] is True, f"the second run re-resolved the whole branch: {kept}"
    finally:
        await drop_graph(neo4j_driver, live.repo_id)
