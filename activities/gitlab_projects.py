"""Which repository a GitLab project id names, asked of the GitLab API.

A GitLab push payload names its project by id and carries the project's clone URL, and a
hook's token passes for the project id alone (or, with GITLAB_WEBHOOK_TOKEN_PER_PROJECT=false,
for every project). Trusting the URL would let whoever knows a token pair the project's id
with another project's code, and so replace that project's graph. The worker
therefore fetches the clone URL the API gives for the id, and the payload's URL is only
compared with it; the run records the project's name, URL and default branch as the API gives
them.

Failures come back as `GitError`s of the kinds git's own failures have, so a lookup fails a
fetch exactly as the fetch would: `not_found` (no such project, or GITLAB_TOKEN cannot read it),
`auth` (GITLAB_TOKEN refused) and `transient` (anything retrying may mend).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import gitlab
import requests

from activities.git_client import GitError
from app.refs import GitNameError, check_branch_name
from app.settings import Settings

log = logging.getLogger("repograph.gitlab_projects")
API_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class GitLabProject:
    full_name: str  # `path_with_namespace`
    clone_url: str  # `http_url_to_repo`
    # None for an empty project, or a name git or repograph would refuse (`check_branch_name`)
    default_branch: str | None = None


class GitLabProjects:
    """Looks projects up by id; one per worker.

    Nothing is cached: a delete must see a project deleted a second ago, and one request per
    fetch is small beside the fetch.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def project(self, project_id: int) -> GitLabProject:
        """The project's name and clone URL, as the API gives them now."""
        return await asyncio.to_thread(self._look_up, project_id)

    def _look_up(self, project_id: int) -> GitLabProject:
        client = gitlab.Gitlab(
            self._settings.gitlab_url,
            private_token=self._settings.gitlab_token,
            timeout=API_TIMEOUT_SECONDS,
        )
        where = f"GitLab at {self._settings.gitlab_url}"
        try:
            project = client.projects.get(project_id)
        except gitlab.exceptions.GitlabError as exc:
            raise _lookup_error(where, project_id, exc.response_code) from None
        except requests.RequestException as exc:
            raise GitError(
                f"{where} could not be asked for project {project_id}: {type(exc).__name__}"
            ) from None
        url = project.attributes.get("http_url_to_repo")
        full_name = project.attributes.get("path_with_namespace")
        if not isinstance(url, str) or not url or not isinstance(full_name, str) or not full_name:
            raise GitError(
                f"{where} gave project {project_id} no http_url_to_repo or path_with_namespace",
                "not_found",
            )
        return GitLabProject(
            full_name, url, _branch_or_none(project.attributes.get("default_branch"))
        )


def _branch_or_none(name: object) -> str | None:
    """A default branch as the API gives it, if it is a branch name repograph takes."""
    if not isinstance(name, str):
        return None
    try:
        return check_branch_name(name)
    except GitNameError:
        return None


def _lookup_error(where: str, project_id: int, status: int | None) -> GitError:
    if status == 404:
        return GitError(
            f"{where} has no project {project_id} that GITLAB_TOKEN can read (HTTP 404)",
            "not_found",
        )
    if status in (401, 403):
        return GitError(
            f"{where} refused GITLAB_TOKEN when looking up project {project_id} (HTTP {status})",
            "auth",
        )
    return GitError(f"{where} answered HTTP {status} for project {project_id}")
