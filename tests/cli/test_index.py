"""`repograph index`, `reindex` and `status` as subprocesses against the real stack."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

from neo4j import AsyncDriver
from temporalio.client import Client

from activities.codegraph.graph_rows import branch_key
from activities.worker import running_worker
from app.cli.targets import local_repo_id
from app.settings import Settings
from tests.cli.conftest import run_cli, stack_env
from tests.support.git_server import WorkRepo, serving
from workflows.contracts import branch_workflow_id

FILES = {
    "pets/animal.py": "class Animal:\n    def speak(self) -> str:\n        return '...'\n",
    "pets/dog.py": (
        "from pets.animal import Animal\n\n\n"
        "class Dog(Animal):\n    def speak(self) -> str:\n        return bark()\n\n\n"
        "def bark() -> str:\n    return 'woof'\n"
    ),
    "main.py": "from pets.dog import Dog\n\n\ndef run() -> str:\n    return Dog().speak()\n",
}


async def branch_row(driver: AsyncDriver, repo_id: str, branch: str) -> dict[str, object]:
    records, _, _ = await driver.execute_query(
        "MATCH (b:Branch {key: $key}) RETURN properties(b) AS b",
        key=branch_key(repo_id, branch),
        database_="neo4j",
    )
    return dict(records[0]["b"]) if records else {}


async def test_index_local_path_writes_the_graph_and_prints_counts(
    settings: Settings, worker: str, neo4j_driver: AsyncDriver, tmp_path: Path
) -> None:
    """`index PATH` runs the workflow, prints counts and leaves the branch's graph in Neo4j."""
    repo = WorkRepo(tmp_path, "pets")
    repo.write(FILES)
    sha = repo.commit("pets")
    repo_id = local_repo_id(repo.work.resolve())

    run = await run_cli("index", str(repo.work), env=stack_env(settings))

    assert run.code == 0, run
    assert f"indexed {repo_id} main at {sha[:12]}" in run.stdout, run
    assert "files    3 indexed: 3 parsed" in run.stdout, run
    assert "indexing" in run.stderr, run  # progress went to stderr
    assert (await branch_row(neo4j_driver, repo_id, "main"))["last_indexed_sha"] == sha
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (c:Class {repo_id: $r, branch: 'main'})-[:INHERITS]->(p:Class) "
        "RETURN c.name AS child, p.name AS parent",
        r=repo_id,
        database_="neo4j",
    )
    assert [(r["child"], r["parent"]) for r in records] == [("Dog", "Animal")]


async def test_index_twice_reports_the_head_is_already_indexed(
    settings: Settings, worker: str, tmp_path: Path
) -> None:
    """A second `index` of an unchanged head finishes at once and says nothing changed."""
    repo = WorkRepo(tmp_path, "same")
    repo.write(FILES)
    sha = repo.commit("pets")
    env = stack_env(settings)
    first = await run_cli("index", str(repo.work), env=env)
    assert first.code == 0, first

    again = await run_cli("index", str(repo.work), "--json", env=env)

    assert again.code == 0, again
    result = json.loads(again.stdout)
    assert result["last_result"]["status"] == "unchanged"
    assert result["last_indexed_sha"] == sha
    assert result["runs"] == 2


async def test_index_named_branch_under_a_chosen_repo_id(
    settings: Settings, worker: str, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    """`--branch` and `--repo-id` pick what is indexed and the id the graph is stored under."""
    repo = WorkRepo(tmp_path, "branches")
    repo.write(FILES)
    repo.commit("main")
    repo.checkout("feature", create=True)
    repo.write({"extra.py": "def extra() -> None:\n    pass\n"})
    sha = repo.commit("feature", branch="feature")
    repo_id = f"local-{unique_id}0000"

    run = await run_cli(
        "index",
        str(repo.bare),
        "--branch",
        "feature",
        "--repo-id",
        repo_id,
        env=stack_env(settings),
    )

    assert run.code == 0, run
    assert (await branch_row(neo4j_driver, repo_id, "feature"))["last_indexed_sha"] == sha
    assert "files    4 indexed" in run.stdout, run


async def test_index_url_on_the_github_host_fetches_over_http(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A URL on GITHUB_URL is indexed over smart HTTP as a `github` repository."""
    repo = WorkRepo(tmp_path, "acme/widgets")
    repo.write(FILES)
    sha = repo.commit("over http")
    repo_id = f"github-{int(unique_id, 16)}"
    with serving(tmp_path / "served") as server:
        remote = dataclasses.replace(settings, github_url=server.base_url, allow_local_repos=False)
        env = stack_env(remote, GITHUB_URL=server.base_url)
        async with running_worker(remote, temporal_client, neo4j_driver):
            run = await run_cli("index", server.url("acme/widgets"), "--repo-id", repo_id, env=env)
            await temporal_client.get_workflow_handle(
                branch_workflow_id(repo_id, "main")
            ).terminate()

    assert run.code == 0, run
    assert f"indexed {repo_id} main at {sha[:12]} (acme/widgets)" in run.stdout, run
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (r:Repository {repo_id: $r}) RETURN r.provider AS provider, r.full_name AS name",
        r=repo_id,
        database_="neo4j",
    )
    assert [(r["provider"], r["name"]) for r in records] == [("github", "acme/widgets")]


async def test_reindex_picks_up_a_new_commit_incrementally_and_status_shows_it(
    settings: Settings, worker: str, neo4j_driver: AsyncDriver, tmp_path: Path
) -> None:
    """`reindex REPO_ID --wait` re-indexes only the changed file; `status` lists the branch."""
    repo = WorkRepo(tmp_path, "grow")
    repo.write(FILES)
    repo.commit("first")
    env = stack_env(settings)
    repo_id = local_repo_id(repo.work.resolve())
    assert (await run_cli("index", str(repo.work), env=env)).code == 0
    repo.write({"main.py": FILES["main.py"] + "\n\ndef again() -> str:\n    return run()\n"})
    second = repo.commit("second")

    run = await run_cli("reindex", repo_id, "--wait", env=env)

    assert run.code == 0, run
    assert "1 parsed, 2 unchanged" in run.stdout, run
    assert (await branch_row(neo4j_driver, repo_id, "main"))["last_indexed_sha"] == second

    one = await run_cli("status", repo_id, "main", env=env)
    assert one.code == 0, one
    assert "state             idle" in one.stdout, one
    assert second in one.stdout, one

    # Visibility (the list of running workflows) trails the workflow by a moment.
    for _ in range(50):
        listing = await run_cli("status", "--json", env=env)
        assert listing.code == 0, listing
        rows = json.loads(listing.stdout)
        if rows:
            break
        await asyncio.sleep(0.2)
    assert [(r["repo_id"], r["branch"], r["last_indexed_sha"]) for r in rows] == [
        (repo_id, "main", second)
    ]
    table = await run_cli("status", repo_id, env=env)
    assert repo_id in table.stdout, table
    assert second[:12] in table.stdout, table


async def test_reindex_of_an_unknown_repository_fails_with_one_line(
    settings: Settings, unique_id: str
) -> None:
    """`reindex` of an id the graph has never seen exits 1 with a message, not a traceback."""
    repo_id = f"github-{int(unique_id, 16)}"
    run = await run_cli("reindex", repo_id, env=stack_env(settings))

    assert run.code == 1, run
    assert run.stderr.strip() == (
        f"repograph reindex: repository {repo_id} is not in the graph; check the id"
    ), run
