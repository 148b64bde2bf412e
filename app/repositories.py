"""Repositories as the graph records them, turned back into the RepoRef a push signal needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from neo4j import AsyncDriver

from app.settings import Settings
from workflows.contracts import RepoRef

# Repositories indexed from this machine's disk by `repograph index PATH`.
LOCAL_PROVIDER = "local"


async def recorded_repository(
    driver: AsyncDriver, settings: Settings, repo_id: str
) -> RepoRef | None:
    """The Repository node of `repo_id` as a RepoRef; None if the graph has never seen it."""
    records, _, _ = await driver.execute_query(
        "MATCH (r:Repository {repo_id: $repo_id}) RETURN properties(r) AS repo",
        repo_id=repo_id,
        database_=settings.neo4j_database,
    )
    if not records:
        return None
    props: dict[str, Any] = records[0]["repo"]
    provider = str(props.get("provider") or "")
    full_name = str(props.get("full_name") or "")
    return RepoRef(
        repo_id=repo_id,
        provider=provider,
        full_name=full_name,
        clone_url=str(props.get("clone_url") or _clone_url(provider, full_name, settings)),
        installation_id=_optional_int(props.get("installation_id")),
        project_id=_optional_int(props.get("project_id")),
        default_branch=props.get("default_branch"),
    )


def _clone_url(provider: str, full_name: str, settings: Settings) -> str:
    # Older Repository nodes carry no clone_url; the provider's host and the name give it.
    if provider == "github":
        return f"{settings.github_url}/{full_name}.git"
    if provider == "gitlab":
        return f"{settings.gitlab_url}/{full_name}.git"
    if provider == LOCAL_PROVIDER:
        return Path(full_name).as_uri()
    return ""


def _optional_int(value: object) -> int | None:
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else None
