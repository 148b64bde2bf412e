"""The local stack's service processes (`make run`, `make up`, the suite's fixtures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack.__main__ import state_dir
from stack.services import Redis, free_port


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
