"""`repograph demo` end to end: a real web process, a real worker, the graph in Neo4j."""

from __future__ import annotations

from pathlib import Path

from neo4j import AsyncDriver

from activities.codegraph.graph_rows import branch_key
from app.settings import Settings
from stack.services import free_port
from tests.cli.conftest import WEBHOOK_SECRET, run_cli, stack_env


async def demo_graph(driver: AsyncDriver, repo_id: str) -> tuple[str | None, list[str]]:
    """(last indexed sha, class names) of the demo repository's main branch."""
    records, _, _ = await driver.execute_query(
        """
        MATCH (b:Branch {key: $key})
        OPTIONAL MATCH (c:Class {repo_id: $repo_id, branch: 'main'})
        RETURN b.last_indexed_sha AS sha, collect(c.name) AS classes
        """,
        key=branch_key(repo_id, "main"),
        repo_id=repo_id,
        database_="neo4j",
    )
    if not records:
        return None, []
    return records[0]["sha"], sorted(records[0]["classes"])


async def test_demo_indexes_the_sample_then_reindexes_only_the_change(
    settings: Settings, worker: str, web_process: str, neo4j_driver: AsyncDriver, tmp_path: Path
) -> None:
    """The demo's two pushes go through the web process; the graph ends at the second commit."""
    env = stack_env(settings, GITHUB_WEBHOOK_SECRET=WEBHOOK_SECRET)
    demo_dir = tmp_path / "demo"

    run = await run_cli("demo", "--url", web_process, "--dir", str(demo_dir), env=env, timeout=180)

    assert run.code == 0, run
    out = run.stdout
    repo_id = out.split("repository id", 1)[1].split()[0].rstrip(",")
    assert repo_id.startswith("github-9"), out
    assert "1. pushed" in out, out
    assert "INHERITS Circle -> Shape, Rectangle -> Shape, Square -> Rectangle" in out, out
    assert "CALLS    report.py:build_shapes -> shapes/circle.py:Circle" in out, out
    assert "incremental: 2 files parsed" in out, out
    assert "Triangle -> Shape" in out, out
    assert (demo_dir / "work" / ".git").is_dir(), "the sample repository is a real git checkout"
    sha, classes = await demo_graph(neo4j_driver, repo_id)
    assert classes == ["Circle", "Rectangle", "Shape", "Square", "Triangle"]
    assert sha is not None
    assert sha[:12] in out.split("2. pushed", 1)[1], out


async def test_demo_run_again_starts_from_a_clean_graph(
    settings: Settings, worker: str, web_process: str, neo4j_driver: AsyncDriver, tmp_path: Path
) -> None:
    """A second demo in the same directory removes the first graph and indexes afresh."""
    env = stack_env(settings, GITHUB_WEBHOOK_SECRET=WEBHOOK_SECRET)
    args = ("demo", "--url", web_process, "--dir", str(tmp_path / "demo"))
    first = await run_cli(*args, env=env, timeout=180)
    assert first.code == 0, first

    second = await run_cli(*args, env=env, timeout=180)

    assert second.code == 0, second
    assert "removing the graph of an earlier demo run" in second.stdout, second
    assert "   incremental: 2 files parsed" in second.stdout, second


async def test_demo_with_the_wrong_secret_explains_the_refusal(
    settings: Settings, web_process: str, tmp_path: Path
) -> None:
    """A secret the web process does not share ends with exit 1 and the setting to fix."""
    env = stack_env(settings, GITHUB_WEBHOOK_SECRET="not-the-web-secret")

    run = await run_cli("demo", "--url", web_process, "--dir", str(tmp_path / "d"), env=env)

    assert run.code == 1, run
    assert "answered 401" in run.stderr, run
    assert "GITHUB_WEBHOOK_SECRET" in run.stderr, run


async def test_demo_without_a_web_process_says_how_to_start_one(
    settings: Settings, tmp_path: Path
) -> None:
    """With nothing listening, the demo exits 1 and points at `make run`."""
    url = f"http://127.0.0.1:{free_port()}"
    run = await run_cli("demo", "--url", url, "--dir", str(tmp_path / "d"), env=stack_env(settings))

    assert run.code == 1, run
    assert f"no web process answers at {url}" in run.stderr, run
    assert "make run" in run.stderr, run
