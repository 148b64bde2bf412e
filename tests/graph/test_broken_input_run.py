"""Hostile or broken files never fail a run: they are skipped or flagged and the rest indexes."""

from __future__ import annotations

import os
from pathlib import Path

from neo4j import AsyncDriver

from activities.codegraph.indexer import CodeGraphIndexer
from activities.git_client import GitClient
from tests.conftest import LocalStack
from tests.support.git_server import WorkRepo
from tests.support.indexing import index_head
from workflows.contracts import RepoRef

LONG = "f" + "x" * 9000
PADDING = "x = 1\n" * 200  # short lines: not judged minified
DEEP = ("|" * 200 + "/") * 15  # each `|` is 3 bytes in a key (`%7C`)
# Kotlin's error recovery is quadratic on Python-like lines: 3 s of parse at this size, 120 KB.
STALL = "".join(f"def f{i}():\n    g{i}()\n" for i in range(5_000))


async def test_broken_files_are_skipped_or_flagged_and_the_run_succeeds(
    local_stack: LocalStack,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """Binary, 5 MiB minified, invalid UTF-8, 10,000 nested brackets, a syntax error, a file
    name that is not UTF-8 (git paths are bytes; Neo4j strings are not), a 9,000-character
    function name, a 3,000-byte path of `|`s (9 KB in a key), brackets nested 100,000 deep
    and a file slower to parse than `PARSE_FILE_CPU_SECONDS` (here 1 s)."""
    settings = local_stack.settings(parse_processes=2, parse_file_cpu_seconds=1.0)
    indexer = CodeGraphIndexer(settings, neo4j_driver, GitClient(allow_file_protocol=True))
    try:
        await _index_broken_input(indexer, neo4j_driver, tmp_path, unique_id)
    finally:
        await indexer.aclose()


async def _index_broken_input(
    indexer: CodeGraphIndexer, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    repo = WorkRepo(tmp_path, "broken")
    repo.write(
        {
            "good.py": "def fine():\n    return 1\n",
            "blob.py": b"\x00\x01\x02binary\x00" * 100,
            "bundle.js": ("var a=1;" * 700_000).encode(),  # 5.3 MiB on one line
            "latin1.py": "def caf\xe9():\n    return '\xe9'\n".encode("latin-1"),
            # Wrapped every 50 brackets so it is judged as hand-written code, not minified.
            "deep.js": "x = " + ("[" * 50 + "\n") * 200 + ("]" * 50 + "\n") * 200,
            "broken.py": (
                "def ok():\n    pass\n\ndef broken(:\n    pass\n\ndef after():\n    ok()\n"
            ),
            "empty.py": "",
            os.fsdecode(b"caf\xe9.py"): "def g():\n    return fine()\n",
            # Longer than Neo4j indexes (8 KiB): a definition's name, and a path.
            "long.py": f"def {LONG}():\n    return 1\n\n\ndef short():\n    return 2\n" + PADDING,
            DEEP + "deep.py": "def deep():\n    return 1\n",
            # 100,000 deep: Go's query would take ~10 s on it (quadratic in the depth).
            "nest.go": "package p\n\nvar x = "
            + ("[" * 50 + "\n") * 2000
            + ("]" * 50 + "\n") * 2000,
            "Stall.kt": STALL,
            "Fine.kt": "class Fine {\n    fun run() = go()\n}\n",
        }
    )
    repo.commit("broken input")
    ref = RepoRef(f"github-{unique_id}", "github", "acme/broken", repo.bare.resolve().as_uri())
    parsed, graph = await index_head(indexer, neo4j_driver, ref, "main", tmp_path / "runs")
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (f:File {repo_id: $r}) RETURN f.path AS path, f.skipped AS skipped, "
        "f.has_syntax_errors AS errors ORDER BY path",
        r=ref.repo_id,
        database_="neo4j",
    )
    files = {r["path"]: (r["skipped"], r["errors"]) for r in records}
    assert files["blob.py"][0] == "binary"
    assert files["bundle.js"][0] == "too_large"
    assert files["broken.py"] == (None, True)
    assert files["good.py"] == (None, False)
    assert files["empty.py"][0] is None
    assert files["latin1.py"][0] is None
    assert files["deep.js"][0] is None
    assert files["caf\\xe9.py"][0] == "undecodable_path"
    assert files["long.py"] == (None, False)
    (deep,) = (path for path in files if path.startswith(DEEP[:1000]))
    assert files[deep][0] == "path_too_long"
    assert files["nest.go"][0] == "too_deep"
    assert files["Stall.kt"][0] == "parse_timeout"
    assert files["Fine.kt"] == (None, False)
    assert parsed.skipped_files == 6
    symbols, _, _ = await neo4j_driver.execute_query(
        "MATCH (s:Symbol {repo_id: $r, path: 'broken.py'}) RETURN s.name AS name ORDER BY name",
        r=ref.repo_id,
        database_="neo4j",
    )
    names = [r["name"] for r in symbols]
    assert "ok" in names
    assert "after" in names
    assert graph.indexed_files == 7
    long_names, _, _ = await neo4j_driver.execute_query(
        "MATCH (s:Symbol {repo_id: $r, path: 'long.py'}) RETURN s.name AS name",
        r=ref.repo_id,
        database_="neo4j",
    )
    assert [r["name"] for r in long_names] == ["short"]

    # The same head again: the escaped name is the same key, so nothing is written.
    again, graph = await index_head(indexer, neo4j_driver, ref, "main", tmp_path / "runs")
    assert (again.parsed_files, again.skipped_files, again.unchanged_files) == (0, 0, 13)
    assert graph.graph_changes == 0
