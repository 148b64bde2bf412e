"""Helpers for the deployment-file tests: where the files are and how to run a subcommand."""

from __future__ import annotations

import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def console_script() -> str:
    """The `repograph` console script's target, from pyproject.toml."""
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["scripts"]["repograph"])


def subcommand_of(command: str | list[str]) -> list[str]:
    """The arguments after `repograph` in a deployment command; fails if it runs anything else."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    assert words[0] == "repograph", f"{command!r} does not run the repograph CLI"
    return words[1:]


def help_of(subcommand: list[str]) -> subprocess.CompletedProcess[str]:
    """`python -m app.cli <subcommand> --help`: exits 0 only for a real subcommand."""
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *subcommand, "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
