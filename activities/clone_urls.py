"""Where git may fetch a repository from: the provider's own host, or local paths in dev.

The clone URL arrives in a webhook payload, so it is untrusted: it must have the scheme, host
and port configured for its provider (GITHUB_URL / GITLAB_URL), a default port written or not.
The scheme must match because git sends the provider token with every request. `file://` URLs
and absolute paths are accepted only with ALLOW_LOCAL_REPOS, for development and the demo.
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
    if urlsplit(url).scheme == "file":
        return url
    _check_origin(url, repo.provider, settings)
    return url


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _check_origin(url: str, provider: str, settings: Settings) -> None:
    base = {"github": settings.github_url, "gitlab": settings.gitlab_url}.get(provider)
    if base is None:
        raise CloneUrlError(f"unknown provider {provider!r}")
    scheme, host, port = _origin(url)
    expected_scheme, expected_host, expected_port = _origin(base)
    setting = f"{provider.upper()}_URL"
    if scheme != expected_scheme:
        # git sends the provider token with every request: http to an https host is cleartext.
        raise CloneUrlError(
            f"clone URL scheme {scheme!r} is not the scheme of {setting} ({expected_scheme!r})"
        )
    if (host, port) != (expected_host, expected_port):
        raise CloneUrlError(
            f"clone URL host {host}:{port} is not the {setting} host"
            f" {expected_host}:{expected_port}"
        )


def _origin(url: str) -> tuple[str, str | None, int | None]:
    """Scheme, host and port, the scheme's default port made explicit: `https://h:443` is
    `https://h`."""
    parts = urlsplit(url)
    port = _DEFAULT_PORTS.get(parts.scheme) if parts.port is None else parts.port
    return parts.scheme, parts.hostname, port
