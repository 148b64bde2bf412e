"""INHERITS that a file declares about another file's type (Rust's `impl Trait for Type` with
Type declared elsewhere) belong to the declaring file: rewriting the type's file keeps them,
rewriting the declaring file replaces them rather than adding copies, and deleting it removes
them. Each relationship carries the declaring file's key (`file_key`) for that."""

from __future__ import annotations

from pathlib import Path

import pytest
from neo4j import AsyncDriver

from activities.graph_schema import create_schema
from tests.conftest import LocalStack
from tests.graph.test_known_edges import reindex_and_compare
from tests.support.git_server import WorkRepo
from tests.support.indexing import drop_graph
from workflows.contracts import RepoRef

FILES: dict[str, str | bytes] = {
    "src/lib.rs": "pub mod x;\npub mod y;\npub mod z;\n",
    "src/y.rs": "pub struct Foo;\n",
    "src/z.rs": "pub trait Show {\n    fn show(&self);\n}\n",
    "src/x.rs": (
        "use crate::y::Foo;\nuse crate::z::Show;\n\nimpl Show for Foo {\n    fn show(&self) {}\n}\n"
    ),
    # Enough other files that each change below is a narrow one (MAX_CHANGED_SHARE).
    **{f"src/m{n}.rs": f"pub fn m{n}() -> i32 {{\n    {n}\n}}\n" for n in range(6)},
}
CHANGES: dict[str, dict[str, str | bytes]] = {
    "the declaring file edited": {"src/x.rs": f"{FILES['src/x.rs']!s}\npub fn extra() {{}}\n"},
    "the type's file edited": {"src/y.rs": "pub struct Foo;\n\npub fn other() {}\n"},
    "the impl removed": {"src/x.rs": "pub fn nothing() {}\n"},
}


async def inherits(driver: AsyncDriver, repo_id: str) -> list[tuple[str, str, str]]:
    records, _, _ = await driver.execute_query(
        """
        MATCH (a:Symbol {repo_id: $repo_id})-[r:INHERITS]->(b:Symbol)
        RETURN a.path AS child, b.path AS parent, r.file_key AS declared_in
        ORDER BY child, parent
        """,
        repo_id=repo_id,
        database_="neo4j",
    )
    return [(r["child"], r["parent"], r["declared_in"].rsplit("|", 1)[-1]) for r in records]


@pytest.mark.parametrize("change", sorted(CHANGES))
async def test_an_impl_in_another_file_stays_exact(
    change: str,
    local_stack: LocalStack,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    repo = WorkRepo(tmp_path, "rs")
    repo.write(FILES)
    repo.commit("rust")
    live = RepoRef(f"github-{unique_id}", "github", "acme/rs", repo.bare.resolve().as_uri())
    try:
        # Also compares the whole graph with a full index of the new head.
        await reindex_and_compare(
            local_stack, neo4j_driver, repo, live, tmp_path / "runs", CHANGES[change]
        )
        expected = [] if change == "the impl removed" else [("src/y.rs", "src/z.rs", "src/x.rs")]
        assert await inherits(neo4j_driver, live.repo_id) == expected
    finally:
        await drop_graph(neo4j_driver, live.repo_id)


async def test_inherits_written_before_file_key_get_their_childs_file(
    neo4j_driver: AsyncDriver, unique_id: str
) -> None:
    """An older graph's INHERITS have no `file_key`; the schema step gives each its child's
    file (where the indexer then kept them), so a re-index can find them to replace."""
    f = f"{unique_id}|main|a.py"
    child, parent = f"{f}|Class:A", f"{unique_id}|main|b.py|Class:B"
    await neo4j_driver.execute_query(
        """
        CREATE (:Symbol {key: $child, file_key: $f})-[:INHERITS {kind: 'extends'}]->
               (:Symbol {key: $parent, file_key: $g})
        """,
        child=child,
        parent=parent,
        f=f,
        g=f"{unique_id}|main|b.py",
        database_="neo4j",
    )
    try:
        await create_schema(neo4j_driver, "neo4j")
        found = await neo4j_driver.execute_query(
            "MATCH ()-[r:INHERITS {file_key: $f}]->() RETURN count(r) AS n", f=f,
            database_="neo4j",
        )  # fmt: skip
        assert found.records[0]["n"] == 1
        # Idempotent: nothing is left to migrate.
        await create_schema(neo4j_driver, "neo4j")
        missing = await neo4j_driver.execute_query(
            "MATCH ()-[r:INHERITS]->() WHERE r.file_key IS NULL RETURN count(r) AS n",
            database_="neo4j",
        )
        assert missing.records[0]["n"] == 0
    finally:
        await neo4j_driver.execute_query(
            "MATCH (s:Symbol) WHERE s.key IN [$a, $b] DETACH DELETE s",
            a=child,
            b=parent,
            database_="neo4j",
        )
