"""Repository, branch and snapshot metadata in Neo4j, and removal of a branch's whole graph.

`(:Repository)-[:HAS_BRANCH]->(:Branch)-[:HAS_SNAPSHOT]->(:Snapshot)`: the Branch holds the last
indexed commit and the last error; one Snapshot per indexed commit holds that run's counts and
timings (the newest `SNAPSHOTS_KEPT` are kept).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime

from neo4j import AsyncDriver

from activities.codegraph.graph_rows import branch_key
from workflows.contracts import RepoRef, RunRecord

SNAPSHOTS_KEPT = 20
# Every label whose nodes carry (repo_id, branch); each has an index on that pair.
BRANCH_LABELS = ("Symbol", "File", "Module", "Snapshot")
DELETE_BATCH = 5000


class MetadataStore:
    def __init__(self, driver: AsyncDriver, database: str) -> None:
        self._driver = driver
        self._database = database

    async def upsert_repository(
        self, repo: RepoRef, branch: str, *, names_confirmed: bool = True
    ) -> None:
        """Create or update the Repository and Branch nodes a graph hangs from. Unless
        `names_confirmed`, `repo`'s name, clone URL and default branch only fill in those the
        node lacks:
        a run that failed before its fetch has only the payload's word for them (a GitLab
        payload may name another project; `gitlab_projects`)."""
        await self._driver.execute_query(
            """
            MERGE (r:Repository {repo_id: $repo_id})
            SET r.provider = $provider,
                r.full_name = CASE WHEN $confirmed OR r.full_name IS NULL THEN $full_name
                              ELSE r.full_name END,
                r.default_branch = CASE WHEN $confirmed OR r.default_branch IS NULL
                                   THEN coalesce($default_branch, r.default_branch)
                                   ELSE r.default_branch END,
                r.clone_url = CASE WHEN $clone_url = '' THEN r.clone_url
                              WHEN $confirmed OR r.clone_url IS NULL THEN $clone_url
                              ELSE r.clone_url END,
                r.installation_id = coalesce($installation_id, r.installation_id),
                r.project_id = coalesce($project_id, r.project_id)
            MERGE (b:Branch {key: $key})
            ON CREATE SET b.repo_id = $repo_id, b.name = $branch, b.created_at = $now
            MERGE (r)-[:HAS_BRANCH]->(b)
            """,
            repo_id=repo.repo_id,
            provider=repo.provider,
            full_name=repo.full_name,
            default_branch=repo.default_branch,
            clone_url=repo.clone_url,
            installation_id=repo.installation_id,
            project_id=repo.project_id,
            confirmed=names_confirmed,
            key=branch_key(repo.repo_id, branch),
            branch=branch,
            # The stale sweep's clock until a run confirms the head: a branch on its first
            # run (or that never indexed) is not taken for one unconfirmed for weeks.
            now=datetime.now(UTC).isoformat(),
            database_=self._database,
        )

    async def record_run(self, record: RunRecord) -> None:
        """Store a run's outcome on the Branch and, for an indexed commit, as a Snapshot."""
        await self.upsert_repository(
            record.repo, record.branch, names_confirmed=record.status != "failed"
        )
        key = branch_key(record.repo.repo_id, record.branch)
        if record.status != "indexed":
            # A failed run keeps the last good commit; an unchanged one just confirms it.
            await self._driver.execute_query(
                """
                MATCH (b:Branch {key: $key})
                SET b.last_status = $status, b.last_error = $error, b.last_run_at = $at,
                    b.last_checked_at = CASE WHEN $status = 'unchanged' THEN $at
                                        ELSE b.last_checked_at END
                """,
                key=key,
                status=record.status,
                error=record.error,
                at=record.finished_at,
                database_=self._database,
            )
            return
        stats = asdict(record.stats) if record.stats else {}
        timings = stats.pop("timings", {})
        await self._driver.execute_query(
            """
            MATCH (b:Branch {key: $key})
            SET b.last_indexed_sha = $sha, b.indexed_at = $at, b.last_status = $status,
                b.last_error = null, b.last_run_at = $at, b.last_checked_at = $at
            MERGE (s:Snapshot {key: $key + '|' + $sha})
            SET s += $stats, s.repo_id = $repo_id, s.branch = $branch, s.commit_sha = $sha,
                s.indexed_at = $at, s.timings = $timings
            MERGE (b)-[:HAS_SNAPSHOT]->(s)
            WITH b
            MATCH (b)-[:HAS_SNAPSHOT]->(old:Snapshot)
            WITH old ORDER BY old.indexed_at DESC SKIP $kept
            DETACH DELETE old
            """,
            key=key,
            sha=record.commit_sha,
            at=record.finished_at,
            status=record.status,
            stats=stats,
            timings=json.dumps(timings, sort_keys=True),
            repo_id=record.repo.repo_id,
            branch=record.branch,
            kept=SNAPSHOTS_KEPT,
            database_=self._database,
        )

    async def delete_branch(self, repo_id: str, branch: str) -> int:
        """Remove every node of the branch (code graph and metadata) in bounded batches."""
        deleted = 0
        for label in BRANCH_LABELS:
            while True:
                # Label by label so each batch uses the (repo_id, branch) index of that label.
                records, _, _ = await self._driver.execute_query(
                    f"""
                    MATCH (n:{label} {{repo_id: $repo_id, branch: $branch}})
                    WITH n LIMIT $batch
                    DETACH DELETE n
                    RETURN count(*) AS deleted
                    """,
                    repo_id=repo_id,
                    branch=branch,
                    batch=DELETE_BATCH,
                    database_=self._database,
                )
                count = int(records[0]["deleted"])
                deleted += count
                if count < DELETE_BATCH:
                    break
        records, _, _ = await self._driver.execute_query(
            "MATCH (b:Branch {key: $key}) DETACH DELETE b RETURN count(*) AS deleted",
            key=branch_key(repo_id, branch),
            database_=self._database,
        )
        return deleted + int(records[0]["deleted"])

    async def list_branches(self, repo_id: str) -> list[str]:
        records, _, _ = await self._driver.execute_query(
            "MATCH (b:Branch {repo_id: $repo_id}) RETURN b.name AS name ORDER BY name",
            repo_id=repo_id,
            database_=self._database,
        )
        return [str(record["name"]) for record in records]

    async def delete_repository_without_branches(self, repo_id: str) -> bool:
        """Delete the Repository node unless a Branch of it is left (one whose own delete has
        yet to run, or a branch made again); True if it was deleted."""
        records, _, _ = await self._driver.execute_query(
            """
            MATCH (r:Repository {repo_id: $repo_id})
            WHERE NOT EXISTS { MATCH (:Branch {repo_id: $repo_id}) }
            DETACH DELETE r
            RETURN count(*) AS deleted
            """,
            repo_id=repo_id,
            database_=self._database,
        )
        return int(records[0]["deleted"]) > 0

    async def delete_repository(self, repo_id: str) -> None:
        await self._driver.execute_query(
            "MATCH (r:Repository {repo_id: $repo_id}) DETACH DELETE r",
            repo_id=repo_id,
            database_=self._database,
        )
