"""Settings that decide what is parsed take effect on files that did not change: a worker
whose `MAX_FILE_BYTES` or `VENDORED_DIRS` differ from those the branch's graph was made with
(its index format) parses every file again, and the graph equals a full index under the new
settings. The next run at the same head writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver

from activities.codegraph.graph_writer import GraphWriter
from activities.codegraph.indexer import CodeGraphIndexer
from activities.codegraph.skipping import DEFAULT_VENDORED_DIRS
from activities.git_client import GitClient
from tests.conftest import LocalStack
from tests.support.git_server import WorkRepo
from tests.support.indexing import assert_same_as_full_index, drop_graph, index_head
from workflows.contracts import RepoRef

BIG = "from pkg.small import helper\n\n\ndef use():\n    return helper()\n" + "# pad\n" * 400
FILES: dict[str, str | bytes] = {
    "pkg/small.py": "def helper():\n    return 1\n",
    "pkg/big.py": BIG,
    "deps/lib.py": "def bundled():\n    return 2\n",
    "pkg/app.py": "from deps.lib import bundled\n\n\ndef main():\n    return bundled()\n",
}


async def files_and_edges(driver: AsyncDriver, repo_id: str) -> dict[str, tuple[str, ...]]:
    """Path -> its skip reason (or 'parsed') and the types of the code edges out of it."""
    records, _, _ = await driver.execute_query(
        """
        MATCH (f:File {repo_id: $repo_id})
        OPTIONAL MATCH (f)-[:DEFINES*0..]->(n)-[r:IMPORTS|CALLS]->()
        WITH f, type(r) AS type ORDER BY type
        RETURN f.path AS path, coalesce(f.skipped, 'parsed') AS state, collect(type) AS types
        """,
        repo_id=repo_id,
        database_="neo4j",
    )
    return {r["path"]: (r["state"], *r["types"]) for r in records}


def repo_and_two_indexers(
    local_stack: LocalStack, driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> tuple[RepoRef, CodeGraphIndexer, CodeGraphIndexer]:
    """FILES committed, and two workers: `old` skips files over 2,000 bytes (pkg/big.py);
    `new` has the default size limit and also takes `deps/` for vendored."""
    repo = WorkRepo(tmp_path, "fmt")
    repo.write(FILES)
    repo.commit("start")
    live = RepoRef(f"github-{unique_id}", "github", "acme/fmt", repo.bare.resolve().as_uri())
    git = GitClient(allow_file_protocol=True)
    old = CodeGraphIndexer(
        local_stack.settings(parse_processes=2, max_file_bytes=2000), driver, git
    )
    vendored = (*DEFAULT_VENDORED_DIRS, "deps")
    new = CodeGraphIndexer(
        local_stack.settings(parse_processes=2, vendored_dirs=vendored), driver, git
    )
    return live, old, new


async def test_new_skip_settings_reparse_the_unchanged_files(
    local_stack: LocalStack, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    live, old, new = repo_and_two_indexers(local_stack, neo4j_driver, tmp_path, unique_id)
    runs = tmp_path / "runs"
    try:
        await index_head(old, neo4j_driver, live, "main", runs)
        before = await files_and_edges(neo4j_driver, live.repo_id)
        assert before["pkg/big.py"] == ("too_large",)
        assert before["deps/lib.py"] == ("parsed",)
        assert before["pkg/app.py"] == ("parsed", "CALLS", "IMPORTS")

        parsed, _ = await index_head(new, neo4j_driver, live, "main", runs)
        assert (parsed.parsed_files, parsed.skipped_files, parsed.unchanged_files) == (3, 1, 0)
        after = await files_and_edges(neo4j_driver, live.repo_id)
        assert after["pkg/big.py"] == ("parsed", "CALLS", "IMPORTS")
        assert after["deps/lib.py"] == ("vendored",)
        # The import still names a module (the vendored file is no definition to call).
        assert after["pkg/app.py"] == ("parsed", "IMPORTS")
        await assert_same_as_full_index(new, neo4j_driver, live, "main", runs, "new settings")

        parsed, graph = await index_head(new, neo4j_driver, live, "main", runs)
        assert (parsed.parsed_files, parsed.unchanged_files) == (0, 4)
        assert graph.graph_changes == 0
    finally:
        await old.aclose()
        await new.aclose()
        await drop_graph(neo4j_driver, live.repo_id)


async def branch_format(driver: AsyncDriver, repo_id: str) -> str | None:
    records, _, _ = await driver.execute_query(
        "MATCH (b:Branch {repo_id: $repo_id}) RETURN b.index_format AS format",
        repo_id=repo_id,
        database_="neo4j",
    )
    return records[0]["format"]


async def test_a_run_in_a_new_format_that_dies_leaves_no_format_behind(
    local_stack: LocalStack,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its files are half in the new format: a worker still in the old one must parse them
    all again rather than take the branch for one of its own."""
    live, old, new = repo_and_two_indexers(local_stack, neo4j_driver, tmp_path, unique_id)
    runs = tmp_path / "runs"

    async def crash(*_: Any, **__: Any) -> None:
        raise RuntimeError("worker lost")

    try:
        await index_head(old, neo4j_driver, live, "main", runs)
        assert await branch_format(neo4j_driver, live.repo_id) is not None
        with monkeypatch.context() as patch:
            patch.setattr(GraphWriter, "create_edges", crash)
            with pytest.raises(RuntimeError, match="worker lost"):
                await index_head(new, neo4j_driver, live, "main", runs)
        assert await branch_format(neo4j_driver, live.repo_id) is None

        parsed, _ = await index_head(old, neo4j_driver, live, "main", runs)
        assert (parsed.parsed_files, parsed.skipped_files, parsed.unchanged_files) == (3, 1, 0)
        await assert_same_as_full_index(old, neo4j_driver, live, "main", runs, "back to old")
    finally:
        await old.aclose()
        await new.aclose()
        await drop_graph(neo4j_driver, live.repo_id)


async def test_a_branch_with_nothing_to_parse_records_the_format(
    indexer: CodeGraphIndexer, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    """Settled before formats were recorded, it has no file to parse again: the run that
    finds nothing to write still records the format, so a same-head push stays a no-op."""
    repo = WorkRepo(tmp_path, "docs")
    repo.write({"README.md": "# docs only\n"})
    repo.commit("docs")
    live = RepoRef(f"github-{unique_id}", "github", "acme/docs", repo.bare.resolve().as_uri())
    runs = tmp_path / "runs"
    try:
        await index_head(indexer, neo4j_driver, live, "main", runs)
        assert await indexer.is_current(live.repo_id, "main")
        await neo4j_driver.execute_query(
            "MATCH (b:Branch {repo_id: $r}) REMOVE b.index_format", r=live.repo_id
        )
        assert not await indexer.is_current(live.repo_id, "main")
        _, graph = await index_head(indexer, neo4j_driver, live, "main", runs)
        assert graph.nodes_written == 0
        assert await indexer.is_current(live.repo_id, "main")
    finally:
        await drop_graph(neo4j_driver, live.repo_id)
