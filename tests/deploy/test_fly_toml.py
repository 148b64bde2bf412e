"""fly.toml: it parses, runs real CLI subcommands, and its health check path answers 200."""

from __future__ import annotations

import tomllib
from typing import Any

import httpx
import pytest

from app.settings import Settings
from app.web import create_app
from tests.deploy.conftest import ROOT, console_script, help_of, subcommand_of


@pytest.fixture(scope="module")
def fly() -> dict[str, Any]:
    with (ROOT / "fly.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_processes_are_web_and_worker_and_release_sets_up_the_schema(fly: dict[str, Any]) -> None:
    """The two process groups and the release command are the CLI's serve, worker, setup-db."""
    assert {name: subcommand_of(cmd) for name, cmd in fly["processes"].items()} == {
        "web": ["serve"],
        "worker": ["worker"],
    }
    assert subcommand_of(fly["deploy"]["release_command"]) == ["setup-db"]
    assert console_script() == "app.cli:main"  # `repograph X` is `python -m app.cli X`


@pytest.mark.parametrize("command", ["web", "worker", "release"])
def test_every_fly_command_is_a_real_subcommand(fly: dict[str, Any], command: str) -> None:
    """Each command fly.toml runs is accepted by the CLI (its --help exits 0)."""
    line = fly["deploy"]["release_command"] if command == "release" else fly["processes"][command]
    result = help_of(subcommand_of(line))

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"usage: repograph {subcommand_of(line)[0]}")


def test_http_service_serves_the_web_process_on_its_port(fly: dict[str, Any]) -> None:
    """Only `web` takes HTTP traffic, on the port the environment gives the process."""
    service = fly["http_service"]
    assert service["processes"] == ["web"]
    assert service["internal_port"] == int(fly["env"]["PORT"]) == Settings().port
    assert service["min_machines_running"] >= 1
    assert [check["path"] for check in service["checks"]] == ["/healthz"]


async def test_health_check_path_answers_200(fly: dict[str, Any]) -> None:
    """The health check path of fly.toml answers 200 from the app the web process serves."""
    path = fly["http_service"]["checks"][0]["path"]
    app = create_app(Settings.from_env(fly["env"]))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://fly") as client:
        response = await client.get(path)

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_env_is_valid_configuration_without_secrets(fly: dict[str, Any]) -> None:
    """[env] parses as settings (JSON logs, listening on all interfaces) and holds no secret."""
    settings = Settings.from_env(fly["env"])

    assert settings.host == "0.0.0.0"  # noqa: S104 - the VM's interface behind Fly's proxy
    assert settings.log_format == "json"
    secret_words = ("SECRET", "TOKEN", "KEY", "PASSWORD")
    assert not [name for name in fly["env"] if any(word in name for word in secret_words)]


def test_each_process_group_has_its_vm_size(fly: dict[str, Any]) -> None:
    """Every process group has a [[vm]] entry of its own."""
    sized = {group for vm in fly["vm"] for group in vm["processes"]}
    assert sized == set(fly["processes"])
    assert all(vm.get("size") and vm.get("memory") for vm in fly["vm"])


def test_secrets_comment_names_the_secret_settings() -> None:
    """The comment at the top lists the secrets an operator must set."""
    text = (ROOT / "fly.toml").read_text()
    for name in (
        "GITHUB_WEBHOOK_SECRET",
        "GITHUB_APP_PRIVATE_KEY",
        "GITLAB_WEBHOOK_TOKEN",
        "REDIS_URL",
        "TEMPORAL_ADDRESS",
        "NEO4J_PASSWORD",
    ):
        assert f"#   {name}" in text or f", {name}" in text, name
