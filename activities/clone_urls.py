"""Where git may fetch a repository from: the provider's own host, or local paths in dev.

The clone URL arrives in a webhook payload, so it is untrusted: it must be http(s) on the host
configured for its provider (GITHUB_URL / GITLAB_URL). `file://` URLs and absolute paths are
accepted only with ALLOW_LOCAL_REPOS, for development and the demo.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from app.refs import GitNameError, check_clone_url
from app.settings import Settings
from workflows.contracts import RepoRef


class CloneUrlError(ValueError):
    """The clone URL is not one repograph may fetch from; the message says why."""


def clone_url_for(repo: RepoRef, settings: Settings) -> str:
    url = repo.clone_url
    if settings.allow_local_repos and url.startswith("/"):
        url = Path(url).resolve().as_uri()
    try:
        check_clone_url(url, allow_local=settings.allow_local_repos)
    except GitNameError as exc:
        raise CloneUrlError(str(exc)) from None
    parts = urlsplit(url)
    if parts.scheme == "file":
        return url
    expected = _provider_host(repo.provider, settings)
    if expected is None:
        raise CloneUrlError(f"unknown provider {repo.provider!r}")
    if (parts.hostname, parts.port) != expected:
        raise CloneUrlError(
            f"clone URL host {parts.hostname!r} is not the configured {repo.provider} host"
        )
    return url


def _provider_host(provider: str, settings: Settings) -> tuple[str | None, int | None] | None:
    base = {"github": settings.github_url, "gitlab": settings.gitlab_url}.get(provider)
    if base is None:
        return None
    parts = urlsplit(base)
    return parts.hostname, parts.port
