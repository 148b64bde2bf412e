"""Neo4j constraints and indexes: created idempotently before the first MERGE.

Community edition only enforces single-property uniqueness, so every node that needs a compound
identity carries a `key` string built from its parts (see the README's graph schema). Every
definition node also carries the `Symbol` label so one constraint covers all kinds.
"""

from __future__ import annotations

from neo4j import AsyncDriver

CONSTRAINTS = (
    "CREATE CONSTRAINT repository_id IF NOT EXISTS FOR (n:Repository) REQUIRE n.repo_id IS UNIQUE",
    "CREATE CONSTRAINT branch_key IF NOT EXISTS FOR (n:Branch) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT file_key IF NOT EXISTS FOR (n:File) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT symbol_key IF NOT EXISTS FOR (n:Symbol) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT module_key IF NOT EXISTS FOR (n:Module) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT snapshot_key IF NOT EXISTS FOR (n:Snapshot) REQUIRE n.key IS UNIQUE",
)

INDEXES = (
    "CREATE INDEX branch_repo IF NOT EXISTS FOR (n:Branch) ON (n.repo_id, n.name)",
    "CREATE INDEX file_branch IF NOT EXISTS FOR (n:File) ON (n.repo_id, n.branch)",
    "CREATE INDEX symbol_branch IF NOT EXISTS FOR (n:Symbol) ON (n.repo_id, n.branch)",
    "CREATE INDEX module_branch IF NOT EXISTS FOR (n:Module) ON (n.repo_id, n.branch)",
    "CREATE INDEX snapshot_branch IF NOT EXISTS FOR (n:Snapshot) ON (n.repo_id, n.branch)",
    "CREATE INDEX symbol_file IF NOT EXISTS FOR (n:Symbol) ON (n.file_key)",
    "CREATE INDEX symbol_name IF NOT EXISTS FOR (n:Symbol) ON (n.name)",
    "CREATE INDEX symbol_qualified_name IF NOT EXISTS FOR (n:Symbol) ON (n.qualified_name)",
    # INHERITS belong to the file that declares them, which a Rust `impl Trait for Type` makes
    # another file than the type's: they are deleted and compared by this property.
    "CREATE INDEX inherits_file IF NOT EXISTS FOR ()-[r:INHERITS]-() ON (r.file_key)",
)


# Graphs written before INHERITS carried `file_key` had each one in its child's file, the only
# place the indexer then looked: that is their declaring file. A bounded batch at a time.
_MIGRATE_INHERITS = """
MATCH (a:Symbol)-[r:INHERITS]->()
WHERE r.file_key IS NULL
WITH a, r LIMIT $batch
SET r.file_key = a.file_key
RETURN count(*) AS done
"""
MIGRATE_BATCH = 10_000


async def create_schema(driver: AsyncDriver, database: str) -> None:
    """Create every constraint and index and bring older graphs up to the current schema;
    safe to run on every start and as a release command."""
    for statement in (*CONSTRAINTS, *INDEXES):
        await driver.execute_query(statement, database_=database)
    await driver.execute_query("CALL db.awaitIndexes(300)", database_=database)
    while True:
        records, _, _ = await driver.execute_query(
            _MIGRATE_INHERITS, batch=MIGRATE_BATCH, database_=database
        )
        if records[0]["done"] < MIGRATE_BATCH:
            break
