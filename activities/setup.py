"""Activities of RepoSetupWorkflow: resolve default branches, update metadata, fan out removals.

Each command is one idempotent activity: running it twice sends signals that coalesce and
writes the same metadata, so Temporal may retry it freely.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from typing import Any

from githubkit import AppAuthStrategy, GitHub
from githubkit.exception import RequestFailed
from neo4j import AsyncDriver
from temporalio import activity
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.clone_urls import CloneUrlError, clone_url_for
from activities.credentials import CredentialError, Credentials
from activities.git_client import GitClient, GitError
from activities.metadata_store import MetadataStore
from app.dispatcher import Dispatcher
from app.refs import GitNameError, check_branch_name
from app.settings import Settings
from workflows.contracts import DeleteRequest, PushRequest, RepoRef, SetupCommand

log = logging.getLogger("repograph.setup")


class SetupActivities:
    def __init__(
        self,
        settings: Settings,
        *,
        client: Client,
        git: GitClient,
        credentials: Credentials,
        metadata: MetadataStore,
        driver: AsyncDriver,
    ) -> None:
        self._settings = settings
        self._dispatcher = Dispatcher(client, settings)
        self._git = git
        self._credentials = credentials
        self._metadata = metadata
        self._driver = driver

    @activity.defn(name="run_setup_command")
    async def run_setup_command(self, command: SetupCommand) -> int:
        """Carry out one SetupCommand; returns how many branch workflows it signalled (for an
        installation, this attempt: a retry goes on after the last repository done)."""
        if command.action == "setup" and command.repo is not None:
            return await self._setup(command.repo, command.delivery_id)
        if command.action == "update" and command.repo is not None:
            return await self._update(command.repo, command.delivery_id)
        if command.action == "remove" and command.repo_id is not None:
            return await self._remove(command.repo_id, command.reason, command.delivery_id)
        if command.action == "install" and command.installation_id is not None:
            done = _done_before()
            repos = await self._installation_repositories(command.installation_id, done)
            signalled = 0
            for repo in sorted(repos, key=lambda r: r.repo_id):
                if done is None or repo.repo_id > done:
                    signalled += await self._setup(repo, command.delivery_id)
                    activity.heartbeat(repo.repo_id)
            return signalled
        if command.action == "uninstall" and command.installation_id is not None:
            done = _done_before()
            signalled = 0
            for repo_id in await self._repos_of_installation(command.installation_id):
                if done is None or repo_id > done:
                    signalled += await self._remove(repo_id, command.reason, command.delivery_id)
                    activity.heartbeat(repo_id)
            return signalled
        raise ApplicationError(
            f"malformed setup command {command.action!r}", type="InvalidInput", non_retryable=True
        )

    async def _setup(self, repo: RepoRef, delivery_id: str) -> int:
        repo = _without_refused_default(repo)  # API-listed repositories arrive unchecked
        branch = repo.default_branch or await self._default_branch(repo)
        await self._metadata.upsert_repository(_with_default(repo, branch), branch)
        await self._dispatcher.push(
            PushRequest(
                _with_default(repo, branch), branch, None, f"refs/heads/{branch}", delivery_id
            )
        )
        return 1

    async def _update(self, repo: RepoRef, delivery_id: str) -> int:
        repo = _without_refused_default(repo)
        await self._driver.execute_query(
            """
            MERGE (r:Repository {repo_id: $repo_id})
            SET r.provider = $provider, r.full_name = $full_name,
                r.default_branch = coalesce($default_branch, r.default_branch),
                r.installation_id = coalesce($installation_id, r.installation_id)
            """,
            repo_id=repo.repo_id,
            provider=repo.provider,
            full_name=repo.full_name,
            default_branch=repo.default_branch,
            installation_id=repo.installation_id,
            database_=self._settings.neo4j_database,
        )
        if repo.default_branch and repo.clone_url:
            return await self._setup(repo, delivery_id)
        return 0

    async def _remove(self, repo_id: str, reason: str, delivery_id: str) -> int:
        # Running workflows too: a branch on its first run writes its graph after this.
        indexed = await self._metadata.list_branches(repo_id)
        branches = sorted({*indexed, *await self._dispatcher.running_branches(repo_id)})
        for branch in branches:
            await self._dispatcher.delete(
                DeleteRequest(repo_id, branch, delivery_id, reason, repository_removed=True)
            )
        await self._metadata.delete_repository(repo_id)
        log.info(
            "repository removed",
            extra={"repo_id": repo_id, "branches": len(branches), "reason": reason},
        )
        return len(branches)

    async def _default_branch(self, repo: RepoRef) -> str:
        try:
            url = clone_url_for(repo, self._settings)
            token = await self._credentials.token_for(repo)
            return await self._git.remote_default_branch(url, token)
        except CloneUrlError as exc:
            raise ApplicationError(str(exc), type="InvalidInput", non_retryable=True) from None
        except CredentialError as exc:
            raise ApplicationError(
                str(exc), type="AuthenticationFailed", non_retryable=exc.permanent
            ) from None
        except GitError as exc:
            permanent = exc.kind != "transient"
            raise ApplicationError(str(exc), type="GitError", non_retryable=permanent) from None

    async def _installation_repositories(
        self, installation_id: int, done: str | None
    ) -> list[RepoRef]:
        """Every repository the installation can reach, page by page; each page heartbeats
        with `done`, so that an attempt stopped while listing leaves the next one where the
        one before it was."""
        if not (self._settings.github_app_id and self._settings.github_app_private_key):
            raise ApplicationError(
                "GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are not set",
                type="AuthenticationFailed",
                non_retryable=True,
            )
        app = AppAuthStrategy(self._settings.github_app_id, self._settings.github_app_private_key)
        github = GitHub(
            app.as_installation(installation_id),
            base_url=self._settings.github_api_url + "/",
            http_cache=False,
        )
        repos: list[RepoRef] = []
        page = 1
        try:
            while True:
                response = await github.rest.apps.async_list_repos_accessible_to_installation(
                    per_page=100, page=page
                )
                batch = response.parsed_data.repositories
                repos += [
                    RepoRef(
                        f"github-{r.id}",
                        "github",
                        r.full_name,
                        r.clone_url,
                        installation_id=installation_id,
                        default_branch=r.default_branch,
                    )
                    for r in batch
                ]
                if len(batch) < 100:
                    return repos
                page += 1
                activity.heartbeat(*([done] if done is not None else []))
        except RequestFailed as exc:
            status = exc.response.status_code
            raise ApplicationError(
                f"GitHub refused to list installation {installation_id} (HTTP {status})",
                type="AuthenticationFailed",
                non_retryable=status in (401, 403, 404),
            ) from None

    async def _repos_of_installation(self, installation_id: int) -> list[str]:
        records, _, _ = await self._driver.execute_query(
            "MATCH (r:Repository {installation_id: $id}) RETURN r.repo_id AS repo_id",
            id=installation_id,
            database_=self._settings.neo4j_database,
        )
        return sorted(str(record["repo_id"]) for record in records)

    def activities(self) -> list[Callable[..., Any]]:
        return [self.run_setup_command]


def _done_before() -> str | None:
    """The last repository an earlier attempt of this activity set up or removed (its
    heartbeat), in order of repository id, or None: start at the first. An installation of
    thousands of repositories takes longer than one attempt may; each goes on from there."""
    details = activity.info().heartbeat_details
    return str(details[0]) if details else None


def _with_default(repo: RepoRef, branch: str) -> RepoRef:
    return dataclasses.replace(repo, default_branch=branch)


def _without_refused_default(repo: RepoRef) -> RepoRef:
    """`repo` with a default branch git would refuse made unknown, to be asked of the remote:
    kept, it would name a Branch node and a branch workflow whose fetch fails forever."""
    if not repo.default_branch:
        return repo
    try:
        check_branch_name(repo.default_branch)
    except GitNameError as exc:
        log.warning(
            "default branch treated as unknown: %s",
            exc,
            extra={"repo_id": repo.repo_id, "provider": repo.provider},
        )
        return dataclasses.replace(repo, default_branch=None)
    return repo
