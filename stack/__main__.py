"""`python -m stack up|down|status|run`: the local stack behind `make run` and `make stop`.

Services whose configured address is not on this machine (hosted Redis, Temporal Cloud, Neo4j
Aura) are left alone: the stack only starts what the settings point at locally.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from app.settings import Settings, SettingsError
from stack import records
from stack.services import (
    NEO4J_LIB,
    ROOT,
    Neo4j,
    Redis,
    Service,
    StackError,
    Temporal,
    ensure_neo4j_jars,
)

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def state_dir() -> Path:
    return Path(os.environ.get("REPOGRAPH_STATE_DIR", ROOT / ".local" / "stack")).resolve()


def local_services(settings: Settings) -> list[Service]:
    """The services the settings point at on this machine, in start order."""
    services: list[Service] = []
    directory = state_dir()
    redis = urlsplit(settings.redis_url)
    if redis.hostname in LOCAL_HOSTS:
        services.append(Redis("redis", redis.port or 6379, directory, port_setting="REDIS_URL"))
    host, _, port = settings.temporal_address.rpartition(":")
    if host in LOCAL_HOSTS:
        ui_port = int(os.environ.get("TEMPORAL_UI_PORT", int(port) + 1000))
        services.append(
            Temporal(
                "temporal",
                int(port),
                directory,
                port_setting="TEMPORAL_ADDRESS",
                ui_port=ui_port,
            )
        )
    neo4j = urlsplit(settings.neo4j_uri)
    if neo4j.hostname in LOCAL_HOSTS:
        services.append(
            Neo4j(
                "neo4j",
                neo4j.port or 7687,
                directory,
                start_timeout=180,
                port_setting="NEO4J_URI",
                heap=os.environ.get("NEO4J_HEAP", "1g"),
                page_cache=os.environ.get("NEO4J_PAGECACHE", "256m"),
            )
        )
    return services


def up(services: list[Service]) -> list[Service]:
    """Start every service (reusing ours when already running); return those started now."""
    started: list[Service] = []
    for service in services:
        print(f"starting {service.name} on 127.0.0.1:{service.port} ...", flush=True)
        if service.start():
            started.append(service)
            print(f"  {service.name} ready (pid {service.pid()}, log {service.log_file})")
        else:
            print(f"  {service.name} already running (pid {service.pid()})")
    return started


def down(services: list[Service]) -> None:
    for service in reversed(services):
        if service.stop():
            print(f"stopped {service.name}")


def status(settings: Settings, services: list[Service], directory: Path) -> list[str]:
    """A line per process: where a running one listens, as it recorded at its start (the
    environment here may differ from `make run`'s), or where the settings here would start it."""
    from stack.supervisor import process_ports

    configured = {s.name: s.ports() for s in services} | process_ports(settings)
    lines = []
    for name in ("redis", "temporal", "neo4j", "web", "worker"):
        pid = records.live_pid(directory, name)
        ports = records.recorded_ports(directory, name) if pid else None
        if ports is None:
            ports = configured.get(name)
        if ports is None:
            continue  # not on this machine, and nothing of ours runs under that name
        main_port = f"127.0.0.1:{ports['']}" if "" in ports else "-"
        others = ", ".join(f"{label} 127.0.0.1:{port}" for label, port in ports.items() if label)
        state = f"running (pid {pid})" if pid else "stopped"
        lines.append(f"{name:9} {main_port:16} {state}" + (f"; {others}" if others else ""))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stack", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "run", "install-neo4j"])
    args = parser.parse_args(argv)
    if args.command == "install-neo4j":
        ensure_neo4j_jars()
        print(f"Neo4j jars ready in {NEO4J_LIB}")
        return 0
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    services = local_services(settings)
    try:
        if args.command == "up":
            up(services)
        elif args.command == "down":
            from stack.supervisor import stop_supervisor

            stop_supervisor(state_dir())
            down(services)
        elif args.command == "status":
            print("\n".join(status(settings, services, state_dir())))
        else:
            from stack.supervisor import run

            return run(settings, services, state_dir())
    except StackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
