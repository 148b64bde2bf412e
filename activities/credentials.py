"""Short-lived credentials for git, minted inside activities and never handed to Temporal.

GitHub: an installation token from the App (githubkit, App id + private key), scoped to the one
repository with read-only contents, cached until five minutes before it expires. GitLab: the
configured access token. Local repositories need none.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime

from githubkit import AppAuthStrategy, GitHub
from githubkit.exception import RequestFailed

from app.settings import Settings
from workflows.contracts import RepoRef

log = logging.getLogger("repograph.credentials")
REFRESH_MARGIN = 300.0  # seconds before expiry at which a cached token is replaced


class CredentialError(RuntimeError):
    """No credential can be had for a repository; `permanent` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class _Cached:
    token: str
    expires_at: float  # time.monotonic() deadline


class Credentials:
    """Hands out the token git needs for a repository; one instance per worker process."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._cache: dict[tuple[int, str], _Cached] = {}
        self._lock = asyncio.Lock()
        self._github: GitHub[AppAuthStrategy] | None = None
        if settings.github_app_id and settings.github_app_private_key:
            self._github = GitHub(
                AppAuthStrategy(settings.github_app_id, settings.github_app_private_key),
                base_url=settings.github_api_url + "/",
                http_cache=False,
                auto_retry=False,
                timeout=30,
            )

    async def token_for(self, repo: RepoRef) -> str | None:
        if repo.provider == "gitlab":
            return self._settings.gitlab_token
        if repo.provider == "github" and repo.installation_id is not None:
            return await self._installation_token(repo.installation_id, repo.full_name)
        return None

    async def _installation_token(self, installation_id: int, full_name: str) -> str:
        if self._github is None:
            raise CredentialError(
                "a GitHub App repository needs GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY",
                permanent=True,
            )
        key = (installation_id, full_name)
        async with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached.expires_at - REFRESH_MARGIN > time.monotonic():
                return cached.token
            repo_name = full_name.rsplit("/", 1)[-1]
            try:
                response = await self._github.rest.apps.async_create_installation_access_token(
                    installation_id,
                    data={"repositories": [repo_name], "permissions": {"contents": "read"}},
                )
            except RequestFailed as exc:
                status = exc.response.status_code
                raise CredentialError(
                    f"GitHub refused an installation token for installation {installation_id} "
                    f"(HTTP {status}); check the App's installation and GITHUB_APP_ID",
                    permanent=status in (401, 403, 404, 422),
                ) from None
            token = response.parsed_data
            expires = datetime.fromisoformat(token.expires_at.replace("Z", "+00:00"))
            lifetime = expires.timestamp() - time.time()
            self._cache[key] = _Cached(token.token, time.monotonic() + lifetime)
            log.info(
                "minted installation token",
                extra={
                    "installation_id": installation_id,
                    "repo": full_name,
                    "expires_in_s": int(lifetime),
                },
            )
            return token.token
