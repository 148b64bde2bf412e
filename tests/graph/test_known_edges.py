"""A re-index on the kept tables knows the IMPORTS and INHERITS the graph holds, so it does not
read them back from Neo4j to compare (`GraphWriter.update_code_edges`, `known`).

A Go package that gains a file gains an IMPORTS from every file importing the package; on the
Go standard library that read-back was most of a one-file add (9.6 s of 19.9 s for `strings`).
The kept resolution's rows from before the run count only where they hash to the stored digest,
and the graph must still come out equal to a full index of the same commit.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from neo4j import AsyncDriver

from activities.codegraph import graph_rows
from activities.codegraph.graph_rows import DigestParts, EdgeRow, edges_digest, edges_digest_parts
from activities.codegraph.graph_writer import StoredFile
from activities.codegraph.indexer import StoredFiles, _known_edges
from tests.conftest import LocalStack
from tests.graph.conftest import make_indexer
from tests.graph.test_incremental_identity import goroot
from tests.support.git_server import WorkRepo
from tests.support.indexing import assert_same_as_full_index, drop_graph, index_head
from workflows.contracts import GraphOutcome, RepoRef


async def imports_of(driver: AsyncDriver, repo_id: str, path: str) -> list[str]:
    """Paths of the files with an IMPORTS edge to the file at `path`."""
    records, _, _ = await driver.execute_query(
        """
        MATCH (f:File {repo_id: $repo_id})-[:IMPORTS]->(:File {repo_id: $repo_id, path: $path})
        RETURN f.path AS path ORDER BY path
        """,
        repo_id=repo_id,
        path=path,
        database_="neo4j",
    )
    return [r["path"] for r in records]


async def reindex_and_compare(
    local_stack: LocalStack,
    driver: AsyncDriver,
    repo: WorkRepo,
    live: RepoRef,
    scratch: Path,
    change: dict[str, str],
) -> GraphOutcome:
    """Index the head, commit `change`, index again on the same indexer (its kept tables) and
    check the graph against a full index of the new head; returns the second run's outcome."""
    indexer = make_indexer(local_stack, driver)
    full_indexer = make_indexer(local_stack, driver)
    try:
        await index_head(indexer, driver, live, "main", scratch)
        repo.write(change)
        repo.commit("change")
        _, graph = await index_head(indexer, driver, live, "main", scratch)
        await assert_same_as_full_index(full_indexer, driver, live, "main", scratch, "")
        return graph
    finally:
        await indexer.aclose()
        await full_indexer.aclose()


async def test_a_go_package_gaining_a_file_reads_no_import_back(
    local_stack: LocalStack,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nor does it hash the importers' kept rows again to check them against their stored
    digests: the first run remembered what they hash to (`DigestParts`)."""
    hashed_kept_rows: list[int] = []
    digest_parts = graph_rows.edges_digest_parts

    def counting(edges: Sequence[EdgeRow], prefix: str = "") -> dict[str, str]:
        hashed_kept_rows.append(len(edges))
        return digest_parts(edges, prefix)

    # Only `DigestParts.part` (and `edges_digest`, unused by persist) call it through the
    # module; the indexer has its own name for it.
    monkeypatch.setattr(graph_rows, "edges_digest_parts", counting)
    repo = WorkRepo(tmp_path, "go")
    src = goroot() / "src"
    skip = shutil.ignore_patterns("testdata")
    for package in ("sort", "container", "path"):
        shutil.copytree(src / package, repo.work / package, ignore=skip)
    shutil.copy(src / "go.mod", repo.work / "go.mod")
    repo.commit("go packages")
    live = RepoRef(f"github-{unique_id}", "github", "acme/go", repo.bare.resolve().as_uri())
    added = "sort/zz_extra.go"
    try:
        graph = await reindex_and_compare(
            local_stack,
            neo4j_driver,
            repo,
            live,
            tmp_path / "runs",
            {added: "package sort\n\n// Extra is new.\nfunc Extra() int {\n\treturn 1\n}\n"},
        )
        importers = await imports_of(neo4j_driver, live.repo_id, added)
        # container/heap and sort's own external tests (package sort_test) import "sort".
        assert "container/heap/heap.go" in importers
        assert len(importers) >= 5, importers
        assert graph.edges_read_back == 0
        assert hashed_kept_rows == []
    finally:
        await drop_graph(neo4j_driver, live.repo_id)


async def test_an_import_that_moves_is_looked_up_alone(
    local_stack: LocalStack, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    """`require('./lib')` reaches lib.js once there is one, not lib/index.js: app.js's IMPORTS
    to lib/index.js goes, while both files stay. That relationship alone is looked up, by its
    ends, not app.js's other IMPORTS; its CALLS, which the kept tables do not know, are read
    back as before."""
    repo = WorkRepo(tmp_path, "js")
    repo.write(
        {
            "app.js": (
                "const lib = require('./lib');\n"
                "const other = require('./other');\n"
                "const util = require('./util');\n\n"
                "function main() {\n  return lib.run();\n}\n"
            ),
            "lib/index.js": "function run() {\n  return 1;\n}\n\nmodule.exports = { run };\n",
            "other.js": "function other() {\n  return 2;\n}\n",
            "util.js": "function util() {\n  return 3;\n}\n",
            # Enough other files that one added file is a narrow change (MAX_CHANGED_SHARE).
            **{f"more/m{n}.js": f"function m{n}() {{\n  return {n};\n}}\n" for n in range(6)},
        }
    )
    repo.commit("js")
    live = RepoRef(f"github-{unique_id}", "github", "acme/js", repo.bare.resolve().as_uri())
    try:
        graph = await reindex_and_compare(
            local_stack,
            neo4j_driver,
            repo,
            live,
            tmp_path / "runs",
            {"lib.js": "function run() {\n  return 2;\n}\n\nmodule.exports = { run };\n"},
        )
        assert await imports_of(neo4j_driver, live.repo_id, "lib.js") == ["app.js"]
        assert await imports_of(neo4j_driver, live.repo_id, "lib/index.js") == []
        assert await imports_of(neo4j_driver, live.repo_id, "util.js") == ["app.js"]
        # app.js's one CALLS read back, and the IMPORTS to delete looked up: not its other two.
        assert graph.edges_read_back == 2
    finally:
        await drop_graph(neo4j_driver, live.repo_id)


def test_rows_count_as_known_only_where_they_hash_to_the_stored_digest() -> None:
    """A kept resolution's rows stand for the graph's edges only where they hash to that
    type's part of the stored digest; elsewhere the writer reads back as before."""
    prefix = "r|main|"
    path = "a.py"
    key = f"{prefix}{path}"
    imports = [EdgeRow("IMPORTS", "File", key, "File", f"{prefix}b.py")]
    inherits = [EdgeRow("INHERITS", "Symbol", f"{key}|Class:A", "Symbol", f"{key}|Class:B")]
    stored_digest = edges_digest([*imports, *inherits], prefix)
    stored = StoredFiles("r", "main", {path: StoredFile(path, "blob", stored_digest)})
    moved = {path: ("IMPORTS", "INHERITS")}

    kept = {"IMPORTS": {path: imports}, "INHERITS": {path: inherits}}
    same = _known_edges(moved, kept, stored, prefix, DigestParts())
    assert same == {(key, "IMPORTS"): imports, (key, "INHERITS"): inherits}

    drifted = [EdgeRow("IMPORTS", "File", key, "File", f"{prefix}c.py")]
    assert _known_edges(moved, {"IMPORTS": {path: drifted}}, stored, prefix, DigestParts()) == {}
    unknown = StoredFiles("r", "main", {path: StoredFile(path, "blob", None)})
    assert _known_edges(moved, {"IMPORTS": {path: imports}}, unknown, prefix, DigestParts()) == {}


def test_remembered_parts_stand_for_the_very_list_they_were_hashed_from() -> None:
    """`DigestParts` answers from memory only for the list object it remembered; an equal
    list in another object is hashed, and a list no longer current is forgotten."""
    prefix = "r|main|"
    key = f"{prefix}a.py"
    rows = [EdgeRow("IMPORTS", "File", key, "File", f"{prefix}b.py")]
    equal = list(rows)
    memo = DigestParts()
    memo.remember("a.py", "IMPORTS", rows, "remembered")
    assert memo.part("a.py", "IMPORTS", rows, prefix) == "remembered"
    assert (
        memo.part("a.py", "IMPORTS", equal, prefix) == edges_digest_parts(rows, prefix)["IMPORTS"]
    )
    assert memo.part("b.py", "IMPORTS", rows, prefix) == edges_digest_parts(rows, prefix)["IMPORTS"]
    # `_known_edges` goes by the remembered part: this one disagrees with the stored digest.
    stored = StoredFiles(
        "r", "main", {"a.py": StoredFile("a.py", "blob", edges_digest(rows, prefix))}
    )
    assert (
        _known_edges({"a.py": ("IMPORTS",)}, {"IMPORTS": {"a.py": rows}}, stored, prefix, memo)
        == {}
    )

    memo.keep_only({"IMPORTS": {"a.py": rows}})
    assert len(memo) == 1
    memo.keep_only({"IMPORTS": {"a.py": equal}})
    assert len(memo) == 0
