"""`repograph serve`, `worker` and `setup-db`: the two processes and the release step."""

from __future__ import annotations

import argparse
import asyncio

from app.cli.connections import open_neo4j
from app.settings import Settings


def serve(settings: Settings, _args: argparse.Namespace) -> int:
    import uvicorn

    from app.web import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        # The receiver logs every delivery itself (delivery id, event, repo_id, branch) and the
        # admin API every call; an access line per request would double the cost of logging a
        # delivery and say less.
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=20,
    )
    return 0


def worker(settings: Settings, _args: argparse.Namespace) -> int:
    from activities.worker import run_worker

    # No pre-flight check: the worker waits out a Temporal or Neo4j outage at start (with
    # warnings in its log), so a worker restarted during an outage comes up when it ends.
    asyncio.run(run_worker(settings))
    return 0


def setup_db(settings: Settings, _args: argparse.Namespace) -> int:
    from activities.graph_schema import create_schema

    async def setup() -> None:
        async with open_neo4j(settings) as driver:
            await create_schema(driver, settings.neo4j_database)

    asyncio.run(setup())
    print(f"Neo4j schema ready on {settings.neo4j_uri} (database {settings.neo4j_database})")
    return 0
