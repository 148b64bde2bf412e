"""Credentials never leak, and hostile refs and symlinks from payloads cannot hurt the worker."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import AsyncDriver
from temporalio.client import Client

from activities.git_client import GitClient, GitError
from activities.worker import running_worker
from app.settings import Settings
from tests.support import fake_github, git_server
from tests.support.fake_github import FakeGitHub, make_app_key
from tests.support.fake_gitlab import FakeGitLab
from tests.support.git_server import WorkRepo
from tests.support.workflows import local_repo, push, wait_for_status
from workflows.contracts import RepoRef


@pytest.fixture
def git_argv_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a `git` on PATH that records every argument vector before running the real git."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "git-argv.log"
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec /usr/bin/git "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    log.touch()
    return log


@pytest.fixture
def app_key() -> tuple[str, str]:
    return make_app_key()


@pytest.fixture
def github(app_key: tuple[str, str]) -> Iterator[tuple[FakeGitHub, str]]:
    fake = FakeGitHub(app_id="4242", public_key=app_key[1], installations={77: []})
    with fake_github.serving(fake) as url:
        yield fake, url


async def test_installation_token_never_reaches_history_logs_argv_or_config(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    git_argv_log: Path,
    github: tuple[FakeGitHub, str],
    app_key: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A GitHub App clone authenticates with the minted token, which appears nowhere else."""
    fake, api_url = github
    caplog.set_level(logging.DEBUG)
    repo = WorkRepo(tmp_path, "private")
    repo.write({"secret_service.py": "class Vault:\n    def open(self):\n        pass\n"})
    sha = repo.commit("private code")
    with git_server.serving(tmp_path / "served", token=fake.token) as server:
        app_settings = dataclasses.replace(
            settings,
            allow_local_repos=False,
            github_url=server.base_url,
            github_api_url=api_url,
            github_app_id="4242",
            github_app_private_key=app_key[0],
        )
        ref = RepoRef(
            f"github-{unique_id}",
            "github",
            "acme/private",
            server.url("private"),
            installation_id=77,
        )
        async with running_worker(app_settings, temporal_client, neo4j_driver):
            handle = await push(temporal_client, app_settings, ref, "main", sha)
            await wait_for_status(handle, lambda s: s.last_indexed_sha == sha)
            history = await handle.fetch_history()
            await handle.terminate()
        authorized = [auth for _, auth in server.requests if auth]
    assert fake.minted == 1
    assert authorized, "git must have sent the token to the git host"
    token = fake.token
    assert token not in history.to_json()
    assert token not in caplog.text
    assert token not in git_argv_log.read_text()
    assert "x-access-token" not in git_argv_log.read_text()


async def test_fetch_leaves_no_credential_in_git_config(tmp_path: Path) -> None:
    """A fetched repository's .git/config holds neither the token nor a credentialed URL."""
    repo = WorkRepo(tmp_path, "cfg")
    repo.write({"a.py": "x = 1\n"})
    sha = repo.commit("c")
    token = "ghs_CONFIGCHECKTOKEN42"
    with git_server.serving(tmp_path / "served", token=token) as server:
        dest = tmp_path / "fetched.git"
        head = await GitClient().fetch_branch(server.url("cfg"), "main", dest, token)
        with pytest.raises(GitError) as refused:
            await GitClient().fetch_branch(server.url("cfg"), "main", tmp_path / "x.git", "bad")
    assert refused.value.kind == "auth"
    assert head == sha
    config = (dest / "config").read_text()
    assert token not in config
    assert "127.0.0.1" not in config


@pytest.mark.parametrize(
    "branch",
    ["--upload-pack=touch {marker}", "feature/../../etc", "-c", "main\nx"],
    ids=["argument-injection", "dot-dot", "dash", "newline"],
)
async def test_hostile_branch_names_are_refused_before_git_runs(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    tmp_path: Path,
    unique_id: str,
    git_argv_log: Path,
    branch: str,
) -> None:
    """A branch name that could inject arguments or escape refs never reaches git."""
    marker = tmp_path / "pwned"
    branch = branch.format(marker=marker)
    repo = WorkRepo(tmp_path, "victim")
    repo.write({"a.py": "x = 1\n"})
    repo.commit("c")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    before = git_argv_log.read_text()
    handle = await push(temporal_client, settings, ref, branch)
    status = await wait_for_status(
        handle, lambda s: s.last_error is not None and s.state == "idle", timeout=30
    )
    await handle.terminate()
    assert "InvalidInput" in (status.last_error or "")
    assert not marker.exists()
    assert git_argv_log.read_text() == before, "git must not have run at all"


async def test_symlink_out_of_the_checkout_is_never_read(
    worker: str,
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A repository with symlinks to /etc/passwd and /etc indexes its real files only."""
    repo = WorkRepo(tmp_path, "links")
    repo.write({"real.py": "def real():\n    pass\n"})
    (repo.work / "evil.py").symlink_to("/etc/passwd")
    (repo.work / "etc_dir").symlink_to("/etc")
    sha = repo.commit("links")
    ref = local_repo(f"github-{unique_id}", repo.bare)
    handle = await push(temporal_client, settings, ref, "main", sha)
    await wait_for_status(handle, lambda s: s.last_indexed_sha == sha)
    await handle.terminate()
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (f:File {repo_id: $r}) RETURN f.path AS path", r=ref.repo_id, database_="neo4j"
    )
    assert [r["path"] for r in records] == ["real.py"]
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (s:Symbol {repo_id: $r}) RETURN s.name AS name", r=ref.repo_id, database_="neo4j"
    )
    assert [r["name"] for r in records] == ["real"]


@pytest.mark.parametrize("refused_by", ["gitlab-api", "git-host"])
async def test_rejected_credentials_fail_fast_without_retries(
    settings: Settings,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    refused_by: str,
) -> None:
    """GitLab refusing the token fails the run at once, recorded in `status`: its API, asked
    for a webhook project's clone URL, or the git host, for a URL indexed without a project id."""
    repo = WorkRepo(tmp_path, "guarded")
    repo.write({"a.py": "x = 1\n"})
    repo.commit("c")
    api = FakeGitLab("glpat-the-right-one", projects={9: "guarded"})
    project_id = 9 if refused_by == "gitlab-api" else None
    with git_server.serving(
        tmp_path / "served", token="glpat-the-right-one", api=api.handle
    ) as server:
        api.web_base = server.base_url
        wrong = dataclasses.replace(
            settings,
            allow_local_repos=False,
            gitlab_url=server.base_url,
            gitlab_token="glpat-WRONG",
        )
        ref = RepoRef(
            f"gitlab-{unique_id}",
            "gitlab",
            "acme/guarded",
            server.url("guarded"),
            project_id=project_id,
        )
        async with running_worker(wrong, temporal_client, neo4j_driver):
            handle = await push(temporal_client, wrong, ref, "main")
            status = await wait_for_status(
                handle, lambda s: s.last_error is not None and s.state == "idle", timeout=30
            )
            await handle.terminate()
        refused = [auth for _, auth in server.requests if auth] + [t for t in api.presented if t]
    assert refused, "the worker must have presented the configured token"
    assert bool(api.presented) == (refused_by == "gitlab-api")
    assert "AuthenticationFailed" in (status.last_error or "")
    assert "glpat-WRONG" not in (status.last_error or "")
    assert status.runs == 1
