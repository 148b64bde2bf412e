"""`GraphWriter.update_code_edges` brings a file's outgoing code edges to exactly the wanted
ones, touching only the relationships that differ."""

from __future__ import annotations

from typing import Any

from neo4j import AsyncDriver

from activities.codegraph.graph_rows import (
    CODE_EDGE_TYPES,
    EdgeRow,
    changed_edge_types,
    edges_digest,
)
from activities.codegraph.graph_writer import GraphWriter


async def _edges(driver: AsyncDriver, file_key: str) -> dict[tuple[Any, ...], list[str]]:
    """(type, src, dst, props) -> element ids of the file's outgoing code edges."""
    records, _, _ = await driver.execute_query(
        """
        MATCH (f:File {key: $key})
        CALL (f) {
            MATCH (f)-[r:IMPORTS|CALLS]->(b) RETURN r, b
          UNION
            MATCH (s:Symbol {file_key: f.key})-[r:CALLS|INHERITS]->(b) RETURN r, b
        }
        RETURN type(r) AS type, startNode(r).key AS src, b.key AS dst,
               properties(r) AS props, elementId(r) AS id
        """,
        key=file_key,
    )
    found: dict[tuple[Any, ...], list[str]] = {}
    for r in records:
        identity = (r["type"], r["src"], r["dst"], tuple(sorted(r["props"].items())))
        found.setdefault(identity, []).append(r["id"])
    return found


def _wanted(edges: list[EdgeRow]) -> dict[tuple[Any, ...], int]:
    counts: dict[tuple[Any, ...], int] = {}
    for e in edges:
        props = tuple(sorted((k, v) for k, v in e.props.items() if v is not None))
        identity = (e.type, e.src_key, e.dst_key, props)
        counts[identity] = counts.get(identity, 0) + 1
    return counts


async def test_only_the_edges_that_differ_are_touched(
    neo4j_driver: AsyncDriver, unique_id: str
) -> None:
    f, other = f"{unique_id}|a.py", f"{unique_id}|b.py"
    a, b, c = (f"{f}|Function:{name}" for name in "abc")
    module = f"{unique_id}|module:os"
    await neo4j_driver.execute_query(
        """
        CREATE (:File {key: $f, edges_digest: 'old'}), (:File {key: $other})
        WITH 1 AS one UNWIND $symbols AS key
        CREATE (:Symbol {key: key, file_key: $f})
        """,
        f=f,
        other=other,
        symbols=[a, b, c],
    )
    calls = {"resolution": "scope", "count": 1}
    before = [
        EdgeRow("CALLS", "Symbol", a, "Symbol", b, calls),
        EdgeRow("CALLS", "Symbol", a, "Symbol", c, calls),
        EdgeRow("INHERITS", "Symbol", b, "Symbol", c, {"kind": "extends", "file_key": f}),
        EdgeRow("IMPORTS", "File", f, "File", other),
        EdgeRow("IMPORTS", "File", f, "Module", module, {}, {"key": module, "name": "os"}),
    ]
    writer = GraphWriter(neo4j_driver, "neo4j")
    await writer.create_edges(before)
    kept = await _edges(neo4j_driver, f)
    assert {k: len(v) for k, v in kept.items()} == _wanted(before)

    after = [
        before[0],  # unchanged
        EdgeRow("CALLS", "Symbol", a, "Symbol", c, {"resolution": "scope", "count": 2}),
        # INHERITS dropped; the Module import kept; a new call, twice (both are kept)
        before[3],
        before[4],
        EdgeRow("CALLS", "File", f, "Symbol", a, {"resolution": "scope", "note": None}),
        EdgeRow("CALLS", "File", f, "Symbol", a, {"resolution": "scope", "note": None}),
    ]
    updater = GraphWriter(neo4j_driver, "neo4j")
    await updater.update_code_edges({f: CODE_EDGE_TYPES}, after)
    now = await _edges(neo4j_driver, f)
    assert {k: len(v) for k, v in now.items()} == _wanted(after)
    for unchanged in (before[0], before[3], before[4]):
        (identity,) = _wanted([unchanged])
        assert now[identity] == kept[identity], f"{unchanged.type} was rewritten"
    # Deleted: a->c (count 1) and the INHERITS; created: a->c (count 2) and the two calls.
    assert updater.edges_written == 3
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (f:File {key: $f}) RETURN f.edges_digest AS digest", f=f
    )
    assert records[0]["digest"] is None  # until the caller sets the new one


async def test_nothing_to_change_changes_nothing(neo4j_driver: AsyncDriver, unique_id: str) -> None:
    f = f"{unique_id}|a.py"
    a = f"{f}|Function:a"
    await neo4j_driver.execute_query(
        "CREATE (:File {key: $f}), (:Symbol {key: $a, file_key: $f})", f=f, a=a
    )
    edges = [EdgeRow("CALLS", "File", f, "Symbol", a, {"resolution": "scope", "count": 1})]
    await GraphWriter(neo4j_driver, "neo4j").create_edges(edges)
    updater = GraphWriter(neo4j_driver, "neo4j")
    await updater.update_code_edges({f: CODE_EDGE_TYPES}, edges)
    assert updater.edges_written == 0
    assert updater.changes == 0  # the digest was already null: nothing else is written


async def test_types_not_listed_are_left_alone(neo4j_driver: AsyncDriver, unique_id: str) -> None:
    """Only IMPORTS moved: the CALLS are neither read nor touched, though `edges` omits them."""
    f, other, added = (f"{unique_id}|{name}.py" for name in ("a", "b", "c"))
    a = f"{f}|Function:a"
    await neo4j_driver.execute_query(
        "CREATE (:File {key: $f}), (:File {key: $other}), (:File {key: $added}),"
        " (:Symbol {key: $a, file_key: $f})",
        f=f,
        other=other,
        added=added,
        a=a,
    )
    calls = EdgeRow("CALLS", "Symbol", a, "Symbol", a, {"resolution": "scope", "count": 1})
    imports = EdgeRow("IMPORTS", "File", f, "File", other)
    await GraphWriter(neo4j_driver, "neo4j").create_edges([calls, imports])
    before = await _edges(neo4j_driver, f)
    new_imports = [imports, EdgeRow("IMPORTS", "File", f, "File", added)]
    old, new = edges_digest([calls, imports]), edges_digest([calls, *new_imports])
    assert changed_edge_types(old, new) == ("IMPORTS",)
    updater = GraphWriter(neo4j_driver, "neo4j")
    await updater.update_code_edges({f: changed_edge_types(old, new)}, new_imports)
    now = await _edges(neo4j_driver, f)
    assert {k: len(v) for k, v in now.items()} == _wanted([calls, *new_imports])
    assert all(now[k] == before[k] for k in before), "an unchanged edge was rewritten"
    assert updater.edges_written == 1


def test_digest_parts_follow_the_edge_types() -> None:
    calls = EdgeRow("CALLS", "Symbol", "r|a", "Symbol", "r|b", {"count": 1})
    inherits = EdgeRow("INHERITS", "Symbol", "r|a", "Symbol", "r|b", {"kind": "extends"})
    digest = edges_digest([calls, inherits])
    assert changed_edge_types(digest, digest) == ()
    assert changed_edge_types(digest, edges_digest([calls])) == ("INHERITS",)
    assert changed_edge_types(None, digest) == CODE_EDGE_TYPES
    assert changed_edge_types("0123456789abcdef0123456789abcdef", digest) == CODE_EDGE_TYPES
    # The same edges under another branch key prefix: the same digest.
    moved = EdgeRow("CALLS", "Symbol", "q|a", "Symbol", "q|b", {"count": 1})
    assert edges_digest([calls], "r|") == edges_digest([moved], "q|")


async def test_known_edges_are_not_read_back(neo4j_driver: AsyncDriver, unique_id: str) -> None:
    """With the stored edges vouched for (`known`), none are read back to compare: only those
    to delete are looked up, one of two identical IMPORTS and the INHERITS that went."""
    f, other, added = (f"{unique_id}|{name}.py" for name in ("a", "b", "c"))
    a, b = f"{f}|Class:A", f"{f}|Class:B"
    await neo4j_driver.execute_query(
        "CREATE (:File {key: $f, edges_digest: 'old'}), (:File {key: $other}),"
        " (:File {key: $added}), (:Symbol {key: $a, file_key: $f}),"
        " (:Symbol {key: $b, file_key: $f})",
        f=f,
        other=other,
        added=added,
        a=a,
        b=b,
    )
    calls = EdgeRow("CALLS", "Symbol", a, "Symbol", b, {"resolution": "scope", "count": 1})
    imports = EdgeRow("IMPORTS", "File", f, "File", other)
    inherits = EdgeRow("INHERITS", "Symbol", a, "Symbol", b, {"kind": "extends", "file_key": f})
    before = [calls, imports, imports, inherits]
    await GraphWriter(neo4j_driver, "neo4j").create_edges(before)
    kept = await _edges(neo4j_driver, f)
    await neo4j_driver.execute_query("MATCH (f:File {key: $f}) SET f.edges_digest = 'set'", f=f)

    after = [calls, imports, EdgeRow("IMPORTS", "File", f, "File", added)]
    updater = GraphWriter(neo4j_driver, "neo4j")
    known = {(f, "IMPORTS"): [imports, imports], (f, "CALLS"): [calls], (f, "INHERITS"): [inherits]}
    await updater.update_code_edges({f: CODE_EDGE_TYPES}, after, known=known)
    now = await _edges(neo4j_driver, f)
    assert {k: len(v) for k, v in now.items()} == _wanted(after)
    (calls_id,) = _wanted([calls])
    assert now[calls_id] == kept[calls_id], "the unchanged call was rewritten"
    (imports_id,) = _wanted([imports])
    assert set(now[imports_id]) < set(kept[imports_id]), "the kept import was rewritten"
    # The two IMPORTS between f and other, and the INHERITS, looked up by their ends.
    assert updater.edges_read_back == 3
    assert updater.edges_written == 1
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (f:File {key: $f}) RETURN f.edges_digest AS digest", f=f
    )
    assert records[0]["digest"] is None  # cleared though f had no edges read back
