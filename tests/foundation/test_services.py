"""The real services the suite stands on answer through the clients repograph uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import redis.asyncio as aioredis
from neo4j import AsyncDriver
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.worker import Worker


async def test_redis_sets_and_reads_a_key(redis_client: aioredis.Redis, unique_id: str) -> None:
    """A key written to the real Redis reads back with its value and TTL."""
    key = f"test:{unique_id}:greeting"
    await redis_client.set(key, "hello", ex=60)
    assert await redis_client.get(key) == b"hello"
    assert 0 < await redis_client.ttl(key) <= 60


async def test_neo4j_writes_and_reads_over_bolt(
    neo4j_driver: AsyncDriver, neo4j_database: str, unique_id: str
) -> None:
    """Nodes and a relationship written through the neo4j driver over Bolt read back."""
    await neo4j_driver.execute_query(
        "CREATE (:TestNode {run: $run, n: 1})-[:NEXT]->(:TestNode {run: $run, n: 2})",
        run=unique_id,
        database_=neo4j_database,
    )
    records, _, _ = await neo4j_driver.execute_query(
        "MATCH (a:TestNode {run: $run})-[:NEXT]->(b:TestNode {run: $run}) RETURN a.n, b.n",
        run=unique_id,
        database_=neo4j_database,
    )
    assert [(r["a.n"], r["b.n"]) for r in records] == [(1, 2)]
    await neo4j_driver.execute_query(
        "MATCH (n:TestNode {run: $run}) DETACH DELETE n",
        run=unique_id,
        database_=neo4j_database,
    )


async def test_neo4j_uniqueness_constraints_exist(
    neo4j_driver: AsyncDriver, neo4j_database: str
) -> None:
    """The schema step created the key constraints that keep concurrent MERGEs from duplicating."""
    records, _, _ = await neo4j_driver.execute_query(
        "SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names", database_=neo4j_database
    )
    assert {"repository_id", "branch_key", "file_key", "symbol_key"} <= set(records[0]["names"])


@dataclass(frozen=True)
class Greeting:
    name: str


@activity.defn
async def compose_greeting(greeting: Greeting) -> str:
    return f"Hello, {greeting.name}!"


@workflow.defn(sandboxed=False)
class GreetingWorkflow:
    @workflow.run
    async def run(self, greeting: Greeting) -> str:
        return await workflow.execute_activity(
            compose_greeting, greeting, start_to_close_timeout=timedelta(seconds=10)
        )


async def test_temporal_runs_a_workflow_with_an_activity(
    temporal_client: Client, task_queue: str, unique_id: str
) -> None:
    """A trivial workflow runs to completion on the real Temporal dev server through a worker."""
    async with Worker(
        temporal_client,
        task_queue=task_queue,
        workflows=[GreetingWorkflow],
        activities=[compose_greeting],
    ):
        result = await temporal_client.execute_workflow(
            GreetingWorkflow.run,
            Greeting("repograph"),
            id=f"greeting-{unique_id}",
            task_queue=task_queue,
        )
    assert result == "Hello, repograph!"
