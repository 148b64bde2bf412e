"""`repograph ... | head`: a reader that stops early ends a command quietly, with status 141."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from app.cli import EXIT_OUTPUT_CLOSED
from app.settings import Settings
from tests.cli.conftest import ROOT, CliRun, base_env, stack_env
from tests.cli.test_index import FILES
from tests.support.git_server import WorkRepo

# Block-buffered stdout (a pipe's default) meets the closed reader at the final flush, or at
# the interpreter's own flush at exit; PYTHONUNBUFFERED=1 (common in development shells and
# containers) meets it in the middle of a command, at its first print.
BUFFERING = [
    pytest.param({}, id="buffered"),
    pytest.param({"PYTHONUNBUFFERED": "1"}, id="unbuffered"),
]


async def run_into_closed_reader(*args: str, env: dict[str, str], timeout: float = 90) -> CliRun:
    """`python -m app.cli ARGS | head -n 0`, the reader gone before the command writes."""
    read_end, write_end = os.pipe()
    reader = await asyncio.create_subprocess_exec("head", "-n", "0", stdin=read_end)
    os.close(read_end)
    assert await reader.wait() == 0
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        *args,
        cwd=ROOT,
        env=env,
        stdout=write_end,
        stderr=asyncio.subprocess.PIPE,
    )
    os.close(write_end)
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise AssertionError(
            f"repograph {' '.join(args)} did not finish within {timeout}s"
        ) from None
    assert proc.returncode is not None
    return CliRun(args, proc.returncode, "", err.decode())


@pytest.mark.parametrize("buffering", BUFFERING)
async def test_index_into_a_closed_reader_exits_quietly(
    settings: Settings, worker: str, tmp_path: Path, buffering: dict[str, str]
) -> None:
    """`repograph index PATH | head` prints no BrokenPipeError traceback and exits 141."""
    repo = WorkRepo(tmp_path, "piped")
    repo.write(FILES)
    repo.commit("pets")

    run = await run_into_closed_reader(
        "index", str(repo.work), env=stack_env(settings, **buffering)
    )

    assert run.code == EXIT_OUTPUT_CLOSED == 141, run
    assert "Traceback" not in run.stderr, run
    assert "BrokenPipeError" not in run.stderr, run
    assert "indexing" in run.stderr, run  # progress still reaches the open stderr


async def test_help_into_a_closed_reader_exits_quietly() -> None:
    """`repograph --help | head` leaves no "Exception ignored ... BrokenPipeError" at exit."""
    # Block-buffered only: unbuffered, argparse's own write meets the closed pipe and argparse
    # ignores the error, so nothing is left for a flush to fail on (and the status is 0).
    run = await run_into_closed_reader("--help", env=base_env())

    assert run.code == EXIT_OUTPUT_CLOSED, run
    assert run.stderr == "", run
