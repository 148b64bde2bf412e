"""Dockerfile and docker-compose.yml run the same CLI subcommands the tests and fly.toml run."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from tests.deploy.conftest import ROOT, help_of, subcommand_of


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), split into stages."""
    text = (ROOT / "Dockerfile").read_text()
    lines = [line for line in re.sub(r"\\\n\s*", " ", text).splitlines() if line and line[0] != "#"]
    stages: list[list[str]] = []
    for line in lines:
        if line.startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def instruction(stage: list[str], name: str) -> list[str]:
    return [line[len(name) + 1 :] for line in stage if line.startswith(name + " ")]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    with (ROOT / "docker-compose.yml").open() as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


def test_dockerfile_cmd_is_the_serve_subcommand() -> None:
    """The image's default command is `repograph serve`, a real subcommand."""
    final = dockerfile_stages()[-1]
    (cmd,) = instruction(final, "CMD")
    words = json.loads(cmd)

    assert subcommand_of(words) == ["serve"]
    assert help_of(subcommand_of(words)).returncode == 0


def test_dockerfile_is_multi_stage_non_root_with_git_and_no_build_tools() -> None:
    """Build tools stay in the build stage; the runtime runs as a user with git installed."""
    build, final = dockerfile_stages()
    assert build[0].startswith("FROM python:3.11-slim AS")
    assert final[0] == "FROM python:3.11-slim"
    assert any("build-essential" in line for line in instruction(build, "RUN"))
    runtime_installs = " ".join(instruction(final, "RUN"))
    assert " git " in runtime_installs
    assert "build-essential" not in runtime_installs
    assert "gcc" not in runtime_installs
    (user,) = instruction(final, "USER")
    assert user not in ("root", "0")
    assert "useradd" in runtime_installs
    assert user in runtime_installs


def test_dockerfile_installs_dependencies_before_copying_the_code() -> None:
    """Dependencies come from pyproject.toml in a layer that code changes do not invalidate."""
    build = dockerfile_stages()[0]
    copies = instruction(build, "COPY")
    runs = instruction(build, "RUN")
    first_code_copy = next(i for i, line in enumerate(build) if line.startswith("COPY app"))
    deps_install = next(i for i, line in enumerate(build) if "pip install -r" in line)
    assert copies[0] == "pyproject.toml ./"
    assert deps_install < first_code_copy
    assert any("--no-deps" in line for line in runs)


@pytest.mark.parametrize("service", ["web", "worker", "setup-db"])
def test_compose_services_run_real_subcommands(compose: dict[str, Any], service: str) -> None:
    """web, worker and setup-db in docker-compose.yml run the CLI's serve, worker, setup-db."""
    words = subcommand_of(compose["services"][service]["command"])

    assert words == [{"web": "serve"}.get(service, service)]
    assert help_of(words).returncode == 0


def test_compose_has_the_stack_and_points_the_processes_at_it(compose: dict[str, Any]) -> None:
    """Temporal, Redis and Neo4j 5.26 (no auth) are services; web and worker are wired to them."""
    services = compose["services"]
    assert services["neo4j"]["image"] == "neo4j:5.26-community"
    assert services["neo4j"]["environment"]["NEO4J_AUTH"] == "none"
    assert "start-dev" in services["temporal"]["command"]
    assert services["redis"]["image"].startswith("redis:")
    for name in ("web", "worker"):
        env = services[name]["environment"]
        assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
        assert env["REDIS_URL"] == "redis://redis:6379/0"
        assert env["NEO4J_URI"] == "bolt://neo4j:7687"
    assert services["web"]["environment"]["HOST"] == "0.0.0.0"  # noqa: S104 - inside a container


def test_compose_processes_read_every_setting_from_an_optional_env_file(
    compose: dict[str, Any],
) -> None:
    """Web, worker and setup-db get all of .env (ADMIN_TOKEN, tuning...) and start without one."""
    for name in ("web", "worker", "setup-db"):
        assert compose["services"][name]["env_file"] == [{"path": ".env", "required": False}]


def published_host_ips(service: dict[str, Any]) -> dict[str, str]:
    """Container port -> host address it is published on ('' for every interface)."""
    published = {}
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            published[str(entry["target"])] = str(entry.get("host_ip", ""))
            continue
        parts = str(entry).split(":")  # "[host_ip:]host_port:container_port"
        published[parts[-1]] = parts[0] if len(parts) == 3 else ""
    return published


def test_compose_publishes_the_infrastructure_on_loopback_only(compose: dict[str, Any]) -> None:
    """Neo4j (no auth) and Temporal are reachable from this host only; webhooks from anywhere."""
    services = compose["services"]
    assert published_host_ips(services["neo4j"]) == {"7474": "127.0.0.1", "7687": "127.0.0.1"}
    assert published_host_ips(services["temporal"]) == {"7233": "127.0.0.1", "8233": "127.0.0.1"}
    assert published_host_ips(services["redis"]) == {}
    assert published_host_ips(services["web"]) == {"8000": ""}
    for name, service in services.items():
        if name != "web":
            assert set(published_host_ips(service).values()) <= {"127.0.0.1"}, name
