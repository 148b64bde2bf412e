"""A GitLab project's code is fetched from the URL the GitLab API gives for its id.

Every project hook shares GITLAB_WEBHOOK_TOKEN, so a payload that pairs project 9's id with
another project's clone URL must neither replace project 9's graph with that code nor delete it
because the other project lacks the branch. The host here serves git and `/api/v4` on one port,
as GitLab does; the API is the only faked part.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle

from activities.git_client import GitError
from activities.gitlab_projects import GitLabProject, GitLabProjects
from activities.worker import running_worker
from app.dispatcher import Dispatcher
from app.settings import Settings
from tests.support import fake_gitlab, git_server
from tests.support.fake_gitlab import FakeGitLab
from tests.support.git_server import GitHttpServer, WorkRepo
from tests.support.workflows import activity_attempts, push, wait_for_status
from workflows.contracts import BranchStatus, DeleteRequest, RepoRef

TOKEN = "glpat-identity-check"
PROJECT = 9  # acme/guarded
OTHER = 10  # acme/planted, a project whose hook could be anyone's


@dataclasses.dataclass
class GitLabHost:
    server: GitHttpServer
    api: FakeGitLab
    settings: Settings
    guarded: WorkRepo
    planted: WorkRepo

    def forged(self, repo_id: str) -> RepoRef:
        """Project 9's id with project 10's name and clone URL (and a default branch of
        neither), as a forged payload would pair them."""
        return RepoRef(
            repo_id,
            "gitlab",
            "acme/planted",
            self.server.url("acme/planted"),
            project_id=PROJECT,
            default_branch="elsewhere",
        )

    def honest(self, repo_id: str) -> RepoRef:
        return dataclasses.replace(
            self.forged(repo_id),
            full_name="acme/guarded",
            clone_url=self.server.url("acme/guarded"),
            default_branch="main",
        )

    async def index(
        self, client: Client, ref: RepoRef
    ) -> tuple[WorkflowHandle[Any, Any], BranchStatus]:
        """Push `main` and wait for its first run to end."""
        handle = await push(client, self.settings, ref, "main")
        status = await wait_for_status(handle, lambda s: s.state == "idle" and s.runs == 1)
        return handle, status

    def git_paths(self) -> list[str]:
        return [path for path, _ in self.server.requests]


@pytest.fixture
def gitlab_host(settings: Settings, tmp_path: Path) -> Iterator[GitLabHost]:
    guarded = WorkRepo(tmp_path, "acme/guarded")
    guarded.write({"vault.py": "def real():\n    return 1\n"})
    guarded.commit("the project's own code")
    # The other project has no `main`: a delete checked against it would find the branch gone.
    planted = WorkRepo(tmp_path, "acme/planted", branch="elsewhere")
    planted.write({"vault.py": "def planted():\n    return 2\n"})
    planted.commit("someone else's code")
    api = FakeGitLab(TOKEN, projects={PROJECT: "acme/guarded", OTHER: "acme/planted"})
    with git_server.serving(tmp_path / "served", token=TOKEN, api=api.handle) as server:
        api.web_base = server.base_url
        host_settings = dataclasses.replace(
            settings, allow_local_repos=False, gitlab_url=server.base_url, gitlab_token=TOKEN
        )
        yield GitLabHost(server, api, host_settings, guarded, planted)


async def symbol_names(driver: AsyncDriver, repo_id: str) -> list[str]:
    records, _, _ = await driver.execute_query(
        "MATCH (s:Symbol {repo_id: $r}) RETURN s.name AS name ORDER BY name",
        r=repo_id,
        database_="neo4j",
    )
    return [r["name"] for r in records]


async def test_a_push_naming_another_projects_url_indexes_the_projects_own_code(
    gitlab_host: GitLabHost,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    unique_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    host = gitlab_host
    ref = host.forged(f"gitlab-{unique_id}")
    sha = host.guarded.commit("a push")
    async with running_worker(host.settings, temporal_client, neo4j_driver):
        handle, status = await host.index(temporal_client, ref)
        await handle.terminate()
    assert status.last_error is None
    assert status.last_indexed_sha == sha
    assert await symbol_names(neo4j_driver, ref.repo_id) == ["real"]
    assert not [p for p in host.git_paths() if "planted" in p], "the payload's URL was fetched"
    assert ("GET", f"/api/v4/projects/{PROJECT}") in host.api.requests
    assert "the payload names the project otherwise than GitLab does" in caplog.text
    assert await repository_names(neo4j_driver, ref.repo_id) == (
        "acme/guarded",
        host.server.url("acme/guarded"),
        "main",
    )


async def test_a_failed_run_keeps_the_names_gitlab_gave(
    gitlab_host: GitLabHost,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    unique_id: str,
) -> None:
    """A forged push whose run fails before GitLab is asked (GITLAB_TOKEN now refused) has
    only the payload's word for the project's name: the failure is recorded, the name kept."""
    host = gitlab_host
    honest = host.honest(f"gitlab-{unique_id}")
    async with running_worker(host.settings, temporal_client, neo4j_driver):
        handle, _ = await host.index(temporal_client, honest)
        host.api.token = "glpat-rotated"
        await push(temporal_client, host.settings, host.forged(honest.repo_id), "main")
        status = await wait_for_status(handle, lambda s: s.runs == 2 and s.state == "idle")
        await handle.terminate()
    assert status.last_error is not None
    assert "refused GITLAB_TOKEN" in status.last_error
    assert await repository_names(neo4j_driver, honest.repo_id) == (
        "acme/guarded",
        host.server.url("acme/guarded"),
        "main",
    )


async def test_a_delete_naming_another_projects_url_asks_the_projects_own_remote(
    gitlab_host: GitLabHost,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    unique_id: str,
) -> None:
    """The other project has no `main`; project 9 has, at a new commit: it is indexed, kept."""
    host = gitlab_host
    ref = host.honest(f"gitlab-{unique_id}")
    async with running_worker(host.settings, temporal_client, neo4j_driver):
        handle, _ = await host.index(temporal_client, ref)
        host.guarded.write({"more.py": "def more():\n    return 3\n"})
        second = host.guarded.commit("pushed after the forged delete was sent")

        await Dispatcher(temporal_client, host.settings).delete(
            DeleteRequest(ref.repo_id, "main", "forged", "branch deleted", host.forged(ref.repo_id))
        )
        status = await wait_for_status(
            handle, lambda s: s.last_indexed_sha == second and s.state == "idle"
        )
        running = (await handle.describe()).status
        deletes = await activity_attempts(handle, "delete_branch_graph")
        await handle.terminate()
    assert status.last_error is None
    assert running == WorkflowExecutionStatus.RUNNING
    assert deletes == []
    assert await symbol_names(neo4j_driver, ref.repo_id) == ["more", "real"]


async def test_a_delete_for_a_project_gitlab_no_longer_has_removes_the_graph(
    gitlab_host: GitLabHost,
    temporal_client: Client,
    neo4j_driver: AsyncDriver,
    unique_id: str,
) -> None:
    """The API's 404 is the remote's word that the repository is gone, whatever git serves."""
    host = gitlab_host
    ref = host.honest(f"gitlab-{unique_id}")
    async with running_worker(host.settings, temporal_client, neo4j_driver):
        handle, _ = await host.index(temporal_client, ref)
        del host.api.projects[PROJECT]
        await Dispatcher(temporal_client, host.settings).delete(
            DeleteRequest(ref.repo_id, "main", "project-gone", "branch deleted", ref)
        )
        await handle.result()
    assert await symbol_names(neo4j_driver, ref.repo_id) == []


async def repository_names(driver: AsyncDriver, repo_id: str) -> tuple[str, str, str]:
    """The Repository node's full_name, clone_url and default_branch."""
    records, _, _ = await driver.execute_query(
        "MATCH (r:Repository {repo_id: $r})"
        " RETURN r.full_name AS name, r.clone_url AS url, r.default_branch AS branch",
        r=repo_id,
        database_="neo4j",
    )
    [record] = records
    return record["name"], record["url"], record["branch"]


def lookup(settings: Settings, url: str, token: str = TOKEN) -> GitLabProjects:
    return GitLabProjects(dataclasses.replace(settings, gitlab_url=url, gitlab_token=token))


class TestLookup:
    """`GitLabProjects` on its own: answers and failures by kind."""

    @pytest.fixture
    def api(self) -> Iterator[tuple[FakeGitLab, str]]:
        fake = FakeGitLab(TOKEN, projects={PROJECT: "acme/guarded"})
        with fake_gitlab.serving(fake) as url:
            yield fake, url

    async def test_every_lookup_asks_the_api_afresh(
        self, settings: Settings, api: tuple[FakeGitLab, str]
    ) -> None:
        """A project renamed (or deleted) a moment ago is seen at once."""
        fake, url = api
        projects = lookup(settings, url)
        assert await projects.project(PROJECT) == GitLabProject(
            "acme/guarded", "https://gitlab.example.com/acme/guarded.git", "main"
        )
        fake.projects[PROJECT] = "acme/renamed"
        assert await projects.project(PROJECT) == GitLabProject(
            "acme/renamed", "https://gitlab.example.com/acme/renamed.git", "main"
        )
        assert fake.requests == [("GET", f"/api/v4/projects/{PROJECT}")] * 2
        assert fake.presented == [TOKEN] * 2

    @pytest.mark.parametrize(
        ("project", "token", "kind"),
        [(404, TOKEN, "not_found"), (PROJECT, "glpat-wrong", "auth")],
        ids=["unknown-project", "token-refused"],
    )
    async def test_a_refusal_is_a_permanent_git_error(
        self,
        settings: Settings,
        api: tuple[FakeGitLab, str],
        project: int,
        token: str,
        kind: str,
    ) -> None:
        _, url = api
        with pytest.raises(GitError) as failed:
            await lookup(settings, url, token).project(project)
        assert failed.value.kind == kind
        assert token not in str(failed.value)
        assert str(project) in str(failed.value)

    async def test_an_unreachable_api_is_transient(self, settings: Settings) -> None:
        with fake_gitlab.serving(FakeGitLab(TOKEN)) as closed:
            pass  # the port is free again: nothing listens there
        with pytest.raises(GitError) as failed:
            await lookup(settings, closed).project(PROJECT)
        assert failed.value.kind == "transient"
