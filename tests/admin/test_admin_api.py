"""The admin API: bearer authentication, branch status, re-index and delete, on the real stack."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver
from temporalio.client import Client, WorkflowExecutionStatus

from app.settings import Settings, SettingsError
from stack.services import free_port
from tests.admin.conftest import ADMIN_TOKEN, BEARER
from tests.support.git_server import WorkRepo
from tests.support.workflows import count_branch_nodes, local_repo, push, wait_for_status
from tests.web.receiver_app import Receiver, serve
from workflows.contracts import BranchStatus, RepoRef, branch_workflow_id


async def indexed_branch(
    client: Client, settings: Settings, tmp_path: Path, repo_id: str, branch: str
) -> tuple[WorkRepo, RepoRef, str]:
    """A local repository whose `branch` the worker has indexed; (repo, ref, head sha)."""
    repo = WorkRepo(tmp_path, "admin", branch=branch)
    repo.write({"app.py": "def main():\n    return helper()\n\ndef helper():\n    return 1\n"})
    sha = repo.commit("first")
    ref = local_repo(repo_id, repo.bare)
    handle = await push(client, settings, ref, branch, sha)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == sha and s.state == "idle")
    return repo, ref, sha


async def test_admin_routes_do_not_exist_without_admin_token(settings: Settings) -> None:
    """With ADMIN_TOKEN unset the API is disabled: every route answers 404, token or not."""
    async with serve(settings) as app:
        for method, path in [
            ("GET", "/api/repos/github-1/branches/main"),
            ("POST", "/api/repos/github-1/branches/main/reindex"),
            ("DELETE", "/api/repos/github-1/branches/main"),
        ]:
            response = await app.http.request(method, path, headers=BEARER)
            assert response.status_code == 404, (method, path)


@pytest.mark.parametrize(
    ("authorization", "challenge"),
    [
        pytest.param(None, 'Bearer realm="repograph"', id="missing"),
        pytest.param(
            "Bearer wrong-token-0123456789",
            'Bearer realm="repograph", error="invalid_token"',
            id="wrong-token",
        ),
        pytest.param(f"Basic {ADMIN_TOKEN}", 'Bearer realm="repograph"', id="wrong-scheme"),
        pytest.param(f"Bearer {ADMIN_TOKEN}x", None, id="token-with-suffix"),
        pytest.param(f"Bearer {ADMIN_TOKEN[:-1]}", None, id="token-prefix"),
    ],
)
@pytest.mark.parametrize(("method", "suffix"), [("GET", ""), ("POST", "/reindex"), ("DELETE", "")])
async def test_missing_or_wrong_token_is_401_with_a_bearer_challenge(
    admin: Receiver,
    temporal_client: Client,
    repo_id: str,
    authorization: str | None,
    challenge: str | None,
    method: str,
    suffix: str,
) -> None:
    """Without the exact token every route answers 401 with a Bearer challenge and does nothing."""
    headers = {"Authorization": authorization} if authorization else {}

    response = await admin.http.request(
        method, f"/api/repos/{repo_id}/branches/main{suffix}", headers=headers
    )

    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    if challenge is not None:
        assert response.headers["www-authenticate"] == challenge
    assert ADMIN_TOKEN not in response.text
    started = await temporal_client.count_workflows(
        f"WorkflowId='{branch_workflow_id(repo_id, 'main')}'"
    )
    assert started.count == 0


async def test_a_token_beyond_ascii_is_compared_as_the_utf8_bytes_sent(
    settings: Settings, repo_id: str
) -> None:
    """An ADMIN_TOKEN beyond ASCII authenticates when sent as its UTF-8 bytes, as curl does."""
    token = "admin-tökén-0123456789-à"  # the last byte of "à" in UTF-8 is latin-1's nbsp
    headers = {"Authorization": b"Bearer " + token.encode()}
    async with serve(dataclasses.replace(settings, admin_token=token)) as app:
        response = await app.http.get(f"/api/repos/{repo_id}/branches/main", headers=headers)

    assert response.status_code == 404, response.text


async def test_status_returns_the_workflows_status_query_for_a_slashed_branch(
    admin: Receiver,
    admin_settings: Settings,
    worker: str,
    temporal_client: Client,
    tmp_path: Path,
    repo_id: str,
) -> None:
    """GET on a branch with '/' in its name answers the workflow's `status` query as JSON."""
    _, _, sha = await indexed_branch(
        temporal_client, admin_settings, tmp_path, repo_id, "feature/login"
    )

    response = await admin.http.get(f"/api/repos/{repo_id}/branches/feature/login", headers=BEARER)

    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["workflow_id"] == branch_workflow_id(repo_id, "feature/login")
    assert body["execution_status"] == "RUNNING"
    handle = temporal_client.get_workflow_handle(body["workflow_id"])
    expected = dataclasses.asdict(await handle.query("status", result_type=BranchStatus))
    assert {key: body[key] for key in expected} == expected
    assert body["repo_id"] == repo_id
    assert body["branch"] == "feature/login"
    assert body["last_indexed_sha"] == sha
    assert body["state"] == "idle"
    assert body["last_result"]["stats"]["indexed_files"] == 1


async def test_status_of_a_branch_without_a_workflow_is_404(admin: Receiver, repo_id: str) -> None:
    """GET on a branch that was never indexed answers 404 naming the workflow id."""
    response = await admin.http.get(f"/api/repos/{repo_id}/branches/main", headers=BEARER)

    assert response.status_code == 404
    assert branch_workflow_id(repo_id, "main") in response.json()["detail"]


async def test_reindex_signals_the_branch_workflow_which_indexes_the_new_head(
    admin: Receiver,
    admin_settings: Settings,
    worker: str,
    temporal_client: Client,
    tmp_path: Path,
    repo_id: str,
) -> None:
    """POST .../reindex reads the repository from Neo4j and the workflow indexes the remote head."""
    repo, _, first = await indexed_branch(
        temporal_client, admin_settings, tmp_path, repo_id, "release/1.x"
    )
    repo.write({"more.py": "def extra():\n    pass\n"})
    second = repo.commit("second")  # pushed without any webhook

    response = await admin.http.post(
        f"/api/repos/{repo_id}/branches/release/1.x/reindex", headers=BEARER
    )

    assert response.status_code == 202, response.text
    workflow_id = branch_workflow_id(repo_id, "release/1.x")
    assert response.json() == {"status": "signalled", "workflow_id": workflow_id}
    status = await wait_for_status(
        temporal_client.get_workflow_handle(workflow_id),
        lambda s: s.last_indexed_sha == second and s.state == "idle",
    )
    assert first != second
    assert status.runs == 2
    assert status.last_result is not None
    assert status.last_result.stats.indexed_files == 2


async def test_reindex_suffix_is_stripped_once_so_a_branch_may_end_in_reindex(
    admin: Receiver,
    admin_settings: Settings,
    worker: str,
    temporal_client: Client,
    tmp_path: Path,
    repo_id: str,
) -> None:
    """POST .../a/reindex/reindex re-indexes the branch `a/reindex`; GET .../a/reindex reads it."""
    _, _, sha = await indexed_branch(
        temporal_client, admin_settings, tmp_path, repo_id, "a/reindex"
    )

    posted = await admin.http.post(
        f"/api/repos/{repo_id}/branches/a/reindex/reindex", headers=BEARER
    )
    status = await admin.http.get(f"/api/repos/{repo_id}/branches/a/reindex", headers=BEARER)

    assert posted.status_code == 202, posted.text
    assert posted.json()["workflow_id"] == branch_workflow_id(repo_id, "a/reindex")
    assert status.status_code == 200
    assert status.json()["branch"] == "a/reindex"
    assert status.json()["last_indexed_sha"] == sha


async def test_post_without_the_reindex_suffix_is_405(admin: Receiver, repo_id: str) -> None:
    """POST on the branch itself is not an action: 405, with the methods that are allowed."""
    response = await admin.http.post(f"/api/repos/{repo_id}/branches/main", headers=BEARER)

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, DELETE"


async def test_reindex_of_an_unknown_repository_is_404_and_starts_nothing(
    admin: Receiver, temporal_client: Client, repo_id: str
) -> None:
    """POST .../reindex for a repository the graph has never seen answers 404, no workflow."""

    response = await admin.http.post(f"/api/repos/{repo_id}/branches/main/reindex", headers=BEARER)

    assert response.status_code == 404
    assert repo_id in response.json()["detail"]
    workflow_id = branch_workflow_id(repo_id, "main")
    found = await temporal_client.count_workflows(f"WorkflowId='{workflow_id}'")
    assert found.count == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        pytest.param("GET", "/api/repos/github-1/branches/bad~name", id="tilde"),
        pytest.param("POST", "/api/repos/github-1/branches/-rf/reindex", id="leading-dash"),
        pytest.param("DELETE", "/api/repos/github-1/branches/x.lock", id="dot-lock"),
        pytest.param("GET", "/api/repos/github-1/branches/a%E2%80%A8b", id="line-separator"),
        pytest.param("GET", "/api/repos/github-1/branches/main/", id="trailing-slash"),
        pytest.param("POST", "/api/repos/github-1/branches//reindex", id="empty-before-suffix"),
        pytest.param("GET", "/api/repos/bad%20id/branches/main", id="repo-id-space"),
    ],
)
async def test_invalid_names_are_400(admin: Receiver, method: str, path: str) -> None:
    """Branch names git would refuse, and malformed repository ids, answer 400 before any I/O."""
    response = await admin.http.request(method, path, headers=BEARER)

    assert response.status_code == 400, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_a_repo_id_repograph_never_makes_is_400_naming_the_forms(
    admin: Receiver, temporal_client: Client, repo_id: str, method: str
) -> None:
    """`<id>-feature` with branch `a` would reach the workflow of `<id>`'s `feature-a` (and
    delete its graph): ids outside the forms repograph produces are refused, nothing sent."""
    foreign = f"{repo_id}-feature"
    suffix = "/reindex" if method == "POST" else ""

    response = await admin.http.request(
        method, f"/api/repos/{foreign}/branches/a{suffix}", headers=BEARER
    )

    assert response.status_code == 400, response.text
    assert response.json()["detail"] == (
        f"{foreign!r} is not a repository id: expected github-<repository id>, "
        "gitlab-<project id>, local-<16 hex> or url-<16 hex>"
    )
    started = await temporal_client.count_workflows(
        f"WorkflowId='{branch_workflow_id(foreign, 'a')}'"
    )
    assert started.count == 0


async def test_delete_cancels_and_removes_the_branch_graph(
    admin: Receiver,
    admin_settings: Settings,
    worker: str,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    repo_id: str,
) -> None:
    """DELETE answers 202; the branch workflow deletes every node of the branch and completes."""
    await indexed_branch(temporal_client, admin_settings, tmp_path, repo_id, "topic/old")
    assert await count_branch_nodes(neo4j_driver, repo_id, "topic/old") > 0

    response = await admin.http.delete(f"/api/repos/{repo_id}/branches/topic/old", headers=BEARER)

    assert response.status_code == 202, response.text
    workflow_id = branch_workflow_id(repo_id, "topic/old")
    assert response.json() == {"status": "deleting", "workflow_id": workflow_id}
    handle = temporal_client.get_workflow_handle(workflow_id)
    await handle.result()
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED
    assert await count_branch_nodes(neo4j_driver, repo_id, "topic/old") == 0
    status = await admin.http.get(f"/api/repos/{repo_id}/branches/topic/old", headers=BEARER)
    assert status.json()["state"] == "deleted"
    assert status.json()["execution_status"] == "COMPLETED"


async def test_reindex_answers_503_while_neo4j_is_unreachable(
    admin_settings: Settings, repo_id: str
) -> None:
    """With nothing listening at NEO4J_URI, POST .../reindex answers 503 within seconds."""
    unreachable = dataclasses.replace(admin_settings, neo4j_uri=f"bolt://127.0.0.1:{free_port()}")
    async with serve(unreachable) as app:
        response = await app.http.post(
            f"/api/repos/{repo_id}/branches/main/reindex", headers=BEARER
        )

    assert response.status_code == 503
    assert response.json() == {"detail": "Neo4j is unavailable; retry"}


async def test_status_answers_503_while_temporal_is_unreachable(
    admin_settings: Settings, repo_id: str
) -> None:
    """With nothing listening at TEMPORAL_ADDRESS, GET answers 503 rather than an error page."""
    unreachable = dataclasses.replace(admin_settings, temporal_address=f"127.0.0.1:{free_port()}")
    async with serve(unreachable) as app:
        response = await app.http.get(f"/api/repos/{repo_id}/branches/main", headers=BEARER)

    assert response.status_code == 503
    assert response.json() == {"detail": "Temporal is unavailable; retry"}


@pytest.mark.parametrize(
    "token",
    [pytest.param("short", id="too-short"), pytest.param("has space 0123456789", id="space")],
)
def test_weak_admin_tokens_are_refused_at_start(token: str) -> None:
    """ADMIN_TOKEN shorter than 16 characters or containing spaces stops the process at start."""
    with pytest.raises(SettingsError, match="ADMIN_TOKEN"):
        Settings.from_env({"ADMIN_TOKEN": token})


def test_admin_token_is_read_and_kept_out_of_repr() -> None:
    """A good ADMIN_TOKEN enables the API and never appears in the settings' repr."""
    settings = Settings.from_env({"ADMIN_TOKEN": ADMIN_TOKEN})

    assert settings.admin_token == ADMIN_TOKEN
    assert ADMIN_TOKEN not in repr(settings)
