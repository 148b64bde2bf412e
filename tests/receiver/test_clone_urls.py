"""Clone URLs from payloads must have the scheme, host and port of their provider's base URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from activities.clone_urls import CloneUrlError, clone_url_for
from app.settings import Settings
from workflows.contracts import RepoRef


def gitlab_repo(clone_url: str) -> RepoRef:
    return RepoRef("gitlab-7", "gitlab", "a/b", clone_url, project_id=7)


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://gitlab.example.com", "https://gitlab.example.com/a/b.git"),
        ("https://gitlab.example.com", "https://gitlab.example.com:443/a/b.git"),
        ("https://gitlab.example.com:443", "https://gitlab.example.com/a/b.git"),
        ("http://gitlab.example.com:80", "http://gitlab.example.com/a/b.git"),
        ("http://127.0.0.1:8929", "http://127.0.0.1:8929/a/b.git"),
        ("https://GitLab.Example.com", "https://gitlab.example.com/a/b.git"),
    ],
    ids=["same", "explicit-443", "base-443", "base-80", "own-port", "host-case"],
)
def test_clone_urls_on_the_configured_origin_are_accepted(base: str, url: str) -> None:
    """A default port counts the same written or not; host names compare case-insensitively."""
    settings = Settings(gitlab_url=base)
    assert clone_url_for(gitlab_repo(url), settings) == url


@pytest.mark.parametrize(
    ("base", "url", "problem"),
    [
        ("https://gitlab.example.com", "http://gitlab.example.com/a/b.git", "scheme 'http'"),
        ("https://gitlab.example.com", "http://gitlab.example.com:443/a/b.git", "scheme"),
        ("http://gitlab.example.com", "https://gitlab.example.com/a/b.git", "scheme 'https'"),
        ("https://gitlab.example.com", "https://gitlab.example.com:8443/a/b.git", ":8443 is not"),
        (
            "https://gitlab.example.com:8443",
            "https://gitlab.example.com/a/b.git",
            "host gitlab.example.com:8443",
        ),
        ("https://gitlab.example.com", "https://evil.example.com/a/b.git", "host"),
    ],
    ids=[
        "http-to-https-host",
        "http-on-443",
        "https-to-http-host",
        "other-port",
        "no-port",
        "other-host",
    ],
)
def test_clone_urls_off_the_configured_origin_are_refused(
    base: str, url: str, problem: str
) -> None:
    """The token is sent to the clone URL: cleartext http to an https provider is refused."""
    with pytest.raises(CloneUrlError, match=problem):
        clone_url_for(gitlab_repo(url), Settings(gitlab_url=base))


def test_github_clone_urls_are_checked_against_github_url() -> None:
    """The GitHub base URL, not GitLab's, decides for GitHub repositories."""
    settings = Settings(github_url="https://ghe.example.com", gitlab_url="http://ghe.example.com")
    ref = RepoRef("github-1", "github", "a/b", "http://ghe.example.com/a/b.git")
    with pytest.raises(CloneUrlError, match="GITHUB_URL"):
        clone_url_for(ref, settings)


def test_local_repositories_bypass_the_origin_check_only_when_allowed(tmp_path: Path) -> None:
    """ALLOW_LOCAL_REPOS keeps file URLs and bare paths working for development and the demo."""
    local = Settings(allow_local_repos=True)
    assert clone_url_for(gitlab_repo(str(tmp_path)), local) == tmp_path.resolve().as_uri()
    assert clone_url_for(gitlab_repo("file:///srv/git/w"), local) == "file:///srv/git/w"
    with pytest.raises(CloneUrlError):
        clone_url_for(gitlab_repo("file:///srv/git/w"), Settings())
