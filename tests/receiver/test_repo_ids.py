"""Repository ids typed by people: only the forms repograph produces, which never make two
(repository, branch) pairs share a branch workflow id."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.targets import local_repo_id, url_repo_id
from app.commands import github_repo_id, gitlab_repo_id
from app.repo_ids import RepoIdError, check_repo_id


@pytest.mark.parametrize(
    "repo_id",
    [
        pytest.param(github_repo_id(1296269), id="github"),
        pytest.param(gitlab_repo_id(2**63 - 1), id="gitlab-largest-id"),
        pytest.param(local_repo_id(Path("/src/widgets")), id="local"),
        pytest.param(url_repo_id("https://github.com/acme/widgets.git"), id="url"),
    ],
)
def test_every_id_repograph_produces_is_accepted(repo_id: str) -> None:
    """The producers' own ids pass: nothing the webhooks or `index` made becomes unreachable."""
    assert check_repo_id(repo_id) == repo_id


@pytest.mark.parametrize(
    "repo_id",
    [
        pytest.param("github-1-feature", id="github-with-a-dash"),
        pytest.param("myproj-api", id="free-form"),
        pytest.param("github-01", id="leading-zero"),
        pytest.param("gitlab-", id="no-number"),
        pytest.param("local-3f2a", id="short-hash"),
        pytest.param("url-0123456789ABCDEF", id="upper-case-hash"),
        pytest.param("github-1\n", id="trailing-newline"),
    ],
)
def test_ids_repograph_never_produces_are_refused_with_the_forms(repo_id: str) -> None:
    """Anything else is refused, and the message lists the accepted forms."""
    with pytest.raises(RepoIdError) as refused:
        check_repo_id(repo_id)

    assert str(refused.value) == (
        f"{repo_id!r} is not a repository id: expected github-<repository id>, "
        "gitlab-<project id>, local-<16 hex> or url-<16 hex>"
    )
