"""`repograph`: the command line for the web and worker processes and operators."""

from __future__ import annotations

import argparse
import asyncio
import sys

from app.logs import configure_logging
from app.settings import Settings, SettingsError


def _serve(settings: Settings) -> int:
    import uvicorn

    from app.web import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_config=None,
        proxy_headers=True,
        timeout_graceful_shutdown=20,
    )
    return 0


def _worker(settings: Settings) -> int:
    from activities.worker import run_worker

    asyncio.run(run_worker(settings))
    return 0


def _setup_db(settings: Settings) -> int:
    from activities.connections import neo4j_driver
    from activities.graph_schema import create_schema

    async def setup() -> None:
        driver = neo4j_driver(settings)
        try:
            await create_schema(driver, settings.neo4j_database)
        finally:
            await driver.close()

    asyncio.run(setup())
    print(f"Neo4j schema ready on {settings.neo4j_uri} (database {settings.neo4j_database})")
    return 0


COMMANDS = {
    "serve": (_serve, "run the web process (webhook receiver) on PORT"),
    "worker": (_worker, "run a Temporal worker that indexes repositories"),
    "setup-db": (_setup_db, "create Neo4j constraints and indexes (idempotent)"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="repograph", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, description=help_text)
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"repograph: configuration error: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings.log_format, settings.log_level)
    handler, _ = COMMANDS[args.command]
    return handler(settings)


if __name__ == "__main__":
    sys.exit(main())
