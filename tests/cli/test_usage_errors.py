"""Every command has --help; expected failures end with one line and the right exit status."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import Settings
from stack.services import free_port
from tests.cli.conftest import base_env, run_cli_sync, stack_env
from tests.support.git_server import WorkRepo

COMMANDS = [
    ("serve",),
    ("worker",),
    ("setup-db",),
    ("index",),
    ("reindex",),
    ("status",),
    ("gitlab",),
    ("gitlab", "connect"),
    ("github",),
    ("github", "redeliver"),
    ("demo",),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_has_help(command: tuple[str, ...]) -> None:
    """`repograph <command> --help` exits 0 and shows the command's usage line."""
    run = run_cli_sync(*command, "--help", env=base_env())

    assert run.code == 0, run
    assert run.stdout.startswith(f"usage: repograph {' '.join(command)}"), run


def test_top_level_help_lists_every_command() -> None:
    """`repograph --help` names every top-level command."""
    run = run_cli_sync("--help", env=base_env())

    assert run.code == 0, run
    for name in {command[0] for command in COMMANDS}:
        assert f"    {name} " in run.stdout, name


def test_unknown_command_is_a_usage_error() -> None:
    """An unknown command exits 2 with argparse's usage message."""
    run = run_cli_sync("frobnicate", env=base_env())

    assert run.code == 2, run
    assert "invalid choice: 'frobnicate'" in run.stderr, run


def test_bad_setting_is_a_configuration_error_naming_the_variable() -> None:
    """A malformed setting exits 2 with one line that names the variable."""
    run = run_cli_sync("status", env=base_env(PORT="eighty"))

    assert run.code == 2, run
    assert run.stderr == "repograph: configuration error: PORT must be an integer, not 'eighty'\n"


@pytest.mark.parametrize(
    "args",
    [("status",), ("reindex", "github-1"), ("status", "github-1", "main")],
    ids=" ".join,
)
def test_temporal_unreachable_is_one_line_without_traceback(args: tuple[str, ...]) -> None:
    """With nothing listening at TEMPORAL_ADDRESS, commands exit 1 naming the address."""
    address = f"127.0.0.1:{free_port()}"
    neo4j = f"bolt://127.0.0.1:{free_port()}"
    run = run_cli_sync(*args, env=base_env(TEMPORAL_ADDRESS=address, NEO4J_URI=neo4j))

    assert run.code == 1, run
    assert "Traceback" not in run.stderr, run
    assert len(run.stderr.strip().splitlines()) == 1, run
    assert address in run.stderr or neo4j in run.stderr, run


def test_setup_db_with_neo4j_unreachable_is_one_line() -> None:
    """`setup-db` against a closed port exits 1 with a message naming NEO4J_URI."""
    uri = f"bolt://127.0.0.1:{free_port()}"
    run = run_cli_sync("setup-db", env=base_env(NEO4J_URI=uri))

    assert run.code == 1, run
    assert run.stderr.startswith(f"repograph setup-db: cannot reach Neo4j at {uri}"), run
    assert "NEO4J_URI" in run.stderr, run
    assert "Traceback" not in run.stderr, run


def test_index_local_path_needs_allow_local_repos(settings: Settings) -> None:
    """Indexing a path without ALLOW_LOCAL_REPOS is a usage error (exit 2) that says so."""
    env = stack_env(settings)
    env["ALLOW_LOCAL_REPOS"] = "false"
    run = run_cli_sync("index", ".", env=env)

    assert run.code == 2, run
    assert "ALLOW_LOCAL_REPOS=true" in run.stderr, run


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("/nonexistent/repo", "is not a directory"),
        ("https://example.org/acme/widgets.git", "neither the GitHub host"),
        ("https://user:pw@github.com/acme/widgets.git", "carry no credentials"),
        ("ssh://git@github.com/acme/widgets.git", "use a local path or an http(s) URL"),
    ],
)
def test_index_refuses_what_it_cannot_fetch(
    settings: Settings, location: str, message: str
) -> None:
    """Locations the worker could not fetch are refused up front with exit status 2."""
    run = run_cli_sync("index", location, env=stack_env(settings))

    assert run.code == 2, run
    assert message in run.stderr, run


def test_index_directory_that_is_not_a_repository(settings: Settings, tmp_path: Path) -> None:
    """A plain directory is refused with exit status 2."""
    run = run_cli_sync("index", str(tmp_path), env=stack_env(settings))

    assert run.code == 2, run
    assert "is not a git repository" in run.stderr, run


def test_index_unknown_branch_is_one_line(settings: Settings, tmp_path: Path) -> None:
    """A branch the repository does not have ends with exit 1 and git's reason."""
    repo = WorkRepo(tmp_path, "lonely")
    repo.commit("empty")
    run = run_cli_sync("index", str(repo.work), "--branch", "nope", env=stack_env(settings))

    assert run.code == 1, run
    assert "cannot read" in run.stderr, run
    assert "'nope'" in run.stderr, run
    assert len(run.stderr.strip().splitlines()) == 1, run


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("github", "redeliver", "--since", "yesterday"), "is not a duration"),
        (("index", ".", "--branch=-rf"), "starts with '-'"),
        (("reindex", "bad id"), "is not a repository id"),
        (
            ("index", ".", "--repo-id", "github-1-feature", "--branch", "a"),
            "argument --repo-id: 'github-1-feature' is not a repository id: expected "
            "github-<repository id>, gitlab-<project id>, local-<16 hex> or url-<16 hex>",
        ),
        (("index", ".", "--timeout", "0"), "not a positive number"),
    ],
)
def test_bad_arguments_are_usage_errors(args: tuple[str, ...], message: str) -> None:
    """Malformed argument values exit 2 and say what is wrong."""
    run = run_cli_sync(*args, env=base_env())

    assert run.code == 2, run
    assert message in run.stderr, run
