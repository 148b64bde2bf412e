"""What `repograph index` points at: a local repository or a URL, as a RepoRef and a branch.

A local path gets a stable id from its resolved location (`local-<hash>`), so indexing the
same checkout again updates the same graph. A URL must be on the configured GitHub or GitLab
host, as the worker only fetches from those.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from activities.git_client import GitClient, GitError
from app.cli.command import CliError, UsageError
from app.refs import GitNameError, check_clone_url
from app.repositories import LOCAL_PROVIDER
from app.settings import Settings
from workflows.contracts import RepoRef

GIT_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class IndexTarget:
    repo: RepoRef
    branch: str
    head_sha: str


def local_repo_id(path: Path) -> str:
    """`local-<16 hex>` from the resolved path: the same checkout always gets the same id."""
    return "local-" + hashlib.sha256(str(path).encode()).hexdigest()[:16]


def url_repo_id(url: str) -> str:
    """`url-<16 hex>` from the URL without a trailing `.git` or `/`."""
    normal = url.rstrip("/").removesuffix(".git")
    return "url-" + hashlib.sha256(normal.encode()).hexdigest()[:16]


def repository_for(location: str, settings: Settings, repo_id: str | None) -> RepoRef:
    """The RepoRef for a path or URL; a UsageError says why it cannot be indexed."""
    scheme = urlsplit(location).scheme
    if scheme in ("http", "https"):
        return _remote_repository(location, settings, repo_id)
    if scheme == "file":
        return _local_repository(Path(unquote(urlsplit(location).path)), settings, repo_id)
    if scheme and len(scheme) > 1:
        raise UsageError(f"cannot index {location!r}: use a local path or an http(s) URL")
    return _local_repository(Path(location), settings, repo_id)


async def resolve_target(
    location: str, settings: Settings, *, branch: str | None, repo_id: str | None
) -> IndexTarget:
    """The repository, its branch (default: the remote's HEAD) and that branch's head commit."""
    repo = repository_for(location, settings, repo_id)
    git = GitClient(allow_file_protocol=settings.allow_local_repos, timeout=GIT_TIMEOUT_SECONDS)
    token = settings.gitlab_token if repo.provider == "gitlab" else None
    default: str | None = None
    try:
        default = await git.remote_default_branch(repo.clone_url, token)
    except (GitError, GitNameError) as exc:
        # With --branch a missing HEAD (a detached or bare checkout) does not matter.
        if branch is None:
            raise CliError(
                f"cannot read the default branch of {location}: {_one_line(str(exc))}; "
                "name the branch with --branch"
            ) from None
    chosen = branch or default
    if chosen is None:
        raise CliError(f"{location} has no default branch; name one with --branch")
    try:
        head = await git.remote_head(repo.clone_url, chosen, token)
    except (GitError, GitNameError) as exc:
        raise CliError(f"cannot read {location}: {_one_line(str(exc))}") from None
    return IndexTarget(_with_default(repo, default), chosen, head)


def _local_repository(path: Path, settings: Settings, repo_id: str | None) -> RepoRef:
    if not settings.allow_local_repos:
        raise UsageError(
            "indexing a local path needs ALLOW_LOCAL_REPOS=true, for this command and the worker"
        )
    resolved = path.expanduser().resolve()
    if not resolved.is_dir():
        raise UsageError(f"{path} is not a directory")
    if not ((resolved / ".git").exists() or (resolved / "HEAD").is_file()):
        raise UsageError(f"{path} is not a git repository")
    return RepoRef(
        repo_id=repo_id or local_repo_id(resolved),
        provider=LOCAL_PROVIDER,
        # A local repository's name is its location; `reindex` finds it again from this.
        full_name=str(resolved),
        clone_url=resolved.as_uri(),
    )


def _remote_repository(url: str, settings: Settings, repo_id: str | None) -> RepoRef:
    try:
        check_clone_url(url)
    except GitNameError as exc:
        raise UsageError(f"cannot index {url}: {exc}") from None
    parts = urlsplit(url)
    providers = {"github": settings.github_url, "gitlab": settings.gitlab_url}
    provider = next(
        (
            name
            for name, base in providers.items()
            if (urlsplit(base).hostname, urlsplit(base).port) == (parts.hostname, parts.port)
        ),
        None,
    )
    if provider is None:
        raise UsageError(
            f"{parts.hostname} is neither the GitHub host ({settings.github_url}) nor the "
            f"GitLab host ({settings.gitlab_url}); set GITHUB_URL or GITLAB_URL to index it"
        )
    full_name = parts.path.strip("/").removesuffix(".git")
    if "/" not in full_name:
        raise UsageError(f"{url} does not name a repository (expected .../owner/name)")
    return RepoRef(
        repo_id=repo_id or url_repo_id(url),
        provider=provider,
        full_name=full_name,
        clone_url=url,
    )


def _with_default(repo: RepoRef, default_branch: str | None) -> RepoRef:
    return dataclasses.replace(repo, default_branch=default_branch)


def _one_line(text: str) -> str:
    return " ".join(text.split())[:300]
