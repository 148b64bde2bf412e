"""A GitHub `push` webhook body as GitHub shapes it, for the demo's local repository. Pure.

No `installation` object: the demo repository is read from disk, so the worker needs no
token. `clone_url` is the local bare repository's path, which the receiver accepts only with
ALLOW_LOCAL_REPOS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ZERO_SHA = "0" * 40


@dataclass(frozen=True)
class PushedCommit:
    sha: str
    tree_sha: str
    message: str
    timestamp: str  # ISO 8601, as git prints it with %aI
    author_name: str
    author_email: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()


@dataclass(frozen=True)
class DemoRepository:
    id: int
    owner: str
    name: str
    clone_url: str
    default_branch: str = "main"
    owner_id: int = 1

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


def push_payload(
    repo: DemoRepository,
    branch: str,
    before: str,
    after: str,
    commits: list[PushedCommit],
) -> dict[str, Any]:
    """The body of a `push` delivery moving `branch` from `before` to `after`."""
    html = f"https://github.com/{repo.full_name}"
    owner = _account(repo.owner, repo.owner_id)
    deleted = after == ZERO_SHA
    return {
        "ref": f"refs/heads/{branch}",
        "before": before,
        "after": after,
        "repository": {
            "id": repo.id,
            "node_id": f"R_demo{repo.id}",
            "name": repo.name,
            "full_name": repo.full_name,
            "private": False,
            "owner": owner,
            "html_url": html,
            "description": "repograph demo repository",
            "fork": False,
            "url": html,
            "created_at": 1_700_000_000,
            "pushed_at": 1_700_000_000,
            "git_url": f"git://github.com/{repo.full_name}.git",
            "ssh_url": f"git@github.com:{repo.full_name}.git",
            "clone_url": repo.clone_url,
            "svn_url": html,
            "homepage": None,
            "size": 1,
            "language": "Python",
            "archived": False,
            "disabled": False,
            "visibility": "public",
            "default_branch": repo.default_branch,
            "master_branch": repo.default_branch,
        },
        "pusher": {"name": repo.owner, "email": f"{repo.owner}@users.noreply.github.com"},
        "sender": owner,
        "created": before == ZERO_SHA,
        "deleted": deleted,
        "forced": False,
        "base_ref": None,
        "compare": f"{html}/compare/{before[:12]}...{after[:12]}",
        "commits": [_commit(repo, c) for c in commits],
        "head_commit": _commit(repo, commits[-1]) if commits and not deleted else None,
    }


def _commit(repo: DemoRepository, commit: PushedCommit) -> dict[str, Any]:
    person = {"name": commit.author_name, "email": commit.author_email, "username": repo.owner}
    return {
        "id": commit.sha,
        "tree_id": commit.tree_sha,
        "distinct": True,
        "message": commit.message,
        "timestamp": commit.timestamp,
        "url": f"https://github.com/{repo.full_name}/commit/{commit.sha}",
        "author": person,
        "committer": person,
        "added": list(commit.added),
        "removed": list(commit.removed),
        "modified": list(commit.modified),
    }


def _account(login: str, account_id: int) -> dict[str, Any]:
    return {
        "login": login,
        "id": account_id,
        "node_id": f"O_demo{account_id}",
        "avatar_url": f"https://avatars.githubusercontent.com/u/{account_id}?v=4",
        "html_url": f"https://github.com/{login}",
        "type": "Organization",
        "site_admin": False,
    }
