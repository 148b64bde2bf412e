"""The local stack's service processes (`make run`, `make up`, the suite's fixtures)."""

from __future__ import annotations

import socket
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.settings import Settings
from stack.__main__ import local_services, state_dir
from stack.records import pid_alive
from stack.services import Redis, Service, StackError, free_port


def test_redis_starts_in_a_relative_state_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative state directory (README: `REPOGRAPH_STATE_DIR`, default `.local/stack`)
    names the same place for the server as for its pid and log files."""
    monkeypatch.chdir(tmp_path)
    redis = Redis("redis", free_port(), Path("state"))
    try:
        assert redis.start()
        assert redis.is_running()
    finally:
        redis.stop()
    assert (tmp_path / "state" / "redis.log").exists()
    assert not (tmp_path / "state" / "state").exists()


def test_state_dir_from_the_environment_is_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`REPOGRAPH_STATE_DIR=.local/other` is read against the directory `make` runs in."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("REPOGRAPH_STATE_DIR", ".local/other")
    assert state_dir() == tmp_path / ".local" / "other"


@dataclass
class _Scripted(Service):
    """A service whose process is a short Python script that never opens its port."""

    script: str = ""

    def command(self) -> list[str]:
        return [sys.executable, "-c", self.script]


def test_a_service_that_exits_during_start_leaves_no_pid_file(tmp_path: Path) -> None:
    """A failed start forgets the dead process, so no later `make stop` signals its reused pid."""
    service = _Scripted("broken", free_port(), tmp_path, script="raise SystemExit(3)")
    with pytest.raises(StackError, match="exited with 3"):
        service.start()
    assert not service.pid_file.exists()


def test_a_service_that_never_answers_is_stopped(tmp_path: Path) -> None:
    """A start that times out stops the process it started instead of leaving it running."""
    marker = uuid.uuid4().hex
    service = _Scripted(
        "silent",
        free_port(),
        tmp_path,
        start_timeout=0.5,
        script=f"import time; time.sleep(60)  # {marker}",
    )
    with pytest.raises(StackError, match="did not answer"):
        service.start()
    assert not service.pid_file.exists()
    assert _processes_running(marker) == []


def _processes_running(marker: str) -> list[int]:
    """Pids of live processes whose command line contains `marker`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline and pid_alive(int(proc.name)):
            found.append(int(proc.name))
    return found


def test_a_taken_port_names_the_setting_that_moves_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run` beside another stack says which setting gives its Redis another port."""
    monkeypatch.setenv("REPOGRAPH_STATE_DIR", str(tmp_path))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        redis = local_services(Settings(redis_url=f"redis://127.0.0.1:{port}/0"))[0]
        with pytest.raises(StackError, match=f"port {port} is already taken.*REDIS_URL"):
            redis.start()
