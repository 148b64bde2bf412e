"""One blob at several paths: parsed once, recorded at every path, each in its own language.
Every empty file is the same blob, whatever its name; copies of a file share one too. Editing
one copy leaves the others as a full index has them."""

from __future__ import annotations

from pathlib import Path

from neo4j import AsyncDriver

from tests.conftest import LocalStack
from tests.graph.test_known_edges import reindex_and_compare
from tests.support.git_server import WorkRepo
from tests.support.indexing import drop_graph
from workflows.contracts import RepoRef

UTIL = "def helper():\n    return 1\n"
FILES: dict[str, str | bytes] = {
    "pkg/__init__.py": "",
    "web/index.js": "",
    "cmd/empty.go": "",
    "a/util.py": UTIL,
    "b/util.py": UTIL,
    # The same bytes in two languages.
    "c/util.js": "function helper() {\n  return 1;\n}\n",
    "c/util.ts": "function helper() {\n  return 1;\n}\n",
    "app.py": "from a.util import helper\nfrom b.util import helper as other\n\nhelper()\n",
}


async def files_and_symbols(driver: AsyncDriver, repo_id: str) -> dict[str, tuple[object, ...]]:
    """Path -> (language, skip reason, names of its definitions)."""
    records, _, _ = await driver.execute_query(
        """
        MATCH (f:File {repo_id: $repo_id})
        OPTIONAL MATCH (f)-[:DEFINES]->(s)
        WITH f, s.name AS name ORDER BY name
        RETURN f.path AS path, f.language AS language, f.skipped AS skipped,
               collect(name) AS names
        """,
        repo_id=repo_id,
        database_="neo4j",
    )
    return {r["path"]: (r["language"], r["skipped"], *r["names"]) for r in records}


async def test_a_blob_at_several_paths_is_recorded_at_each_in_its_language(
    local_stack: LocalStack, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    repo = WorkRepo(tmp_path, "shared")
    repo.write(FILES)
    repo.commit("copies")
    live = RepoRef(f"github-{unique_id}", "github", "acme/shared", repo.bare.resolve().as_uri())
    edited = UTIL + "\n\ndef extra():\n    return 2\n"
    try:
        # The first run indexes the copies; the change edits one of them.
        await reindex_and_compare(
            local_stack, neo4j_driver, repo, live, tmp_path / "runs", {"b/util.py": edited}
        )
        files = await files_and_symbols(neo4j_driver, live.repo_id)
        assert files["pkg/__init__.py"] == ("python", None)
        assert files["web/index.js"] == ("javascript", None)
        assert files["cmd/empty.go"] == ("go", None)
        assert files["a/util.py"] == ("python", None, "helper")
        assert files["b/util.py"] == ("python", None, "extra", "helper")
        assert files["c/util.js"] == ("javascript", None, "helper")
        assert files["c/util.ts"] == ("typescript", None, "helper")
    finally:
        await drop_graph(neo4j_driver, live.repo_id)
