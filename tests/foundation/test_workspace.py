"""The worker's pool of kept repositories: moved, never shared; bounded in number and reuse."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from activities.workspace import LOCK_NAME, WARM_REUSES, Workspace, warm_key


def fetched(workspace: Workspace, label: str) -> Path:
    """A run directory with a stand-in for a fetched bare repository."""
    repo = workspace.new_run_dir(label) / "repo.git"
    repo.mkdir()
    (repo / "HEAD").write_text("ref: refs/heads/main\n")
    return repo


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace(tmp_path / "ws", "worker-a")
    ws.open()
    yield ws
    ws.close()


def test_a_kept_repository_moves_to_the_next_run_of_its_branch(workspace: Workspace) -> None:
    key = warm_key("github-1", "main")
    repo = fetched(workspace, "first")
    assert workspace.keep_warm(key, repo, limit=4)
    assert not repo.exists()
    taken = workspace.new_run_dir("second") / "repo.git"
    assert workspace.take_warm(key, taken)
    assert (taken / "HEAD").is_file()
    # Moved, not copied: a second run of the branch finds nothing to take.
    assert not workspace.take_warm(key, workspace.new_run_dir("third") / "repo.git")
    assert not workspace.take_warm(warm_key("github-1", "other"), workspace.dir / "x.git")


def test_the_pool_keeps_the_most_recently_used(workspace: Workspace) -> None:
    keys = [warm_key("github-1", f"b{n}") for n in range(4)]
    for n, key in enumerate(keys):
        repo = fetched(workspace, f"run{n}")
        assert workspace.keep_warm(key, repo, limit=2)
        os.utime(workspace.dir / "warm" / f"{key}.git", (n, n))  # distinct, increasing
    kept = sorted(p.name for p in (workspace.dir / "warm").iterdir())
    assert kept == sorted(f"{key}.git" for key in keys[-2:])


def test_a_repository_reused_too_often_is_dropped(workspace: Workspace) -> None:
    key = warm_key("github-1", "main")
    repo = fetched(workspace, "run")
    (repo / "repograph-reuses").write_text(str(WARM_REUSES))
    assert not workspace.keep_warm(key, repo, limit=4)
    assert not workspace.keep_warm(key, fetched(workspace, "run2"), limit=0)


def test_paths_outside_the_workspace_are_refused(workspace: Workspace, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.git"
    outside.mkdir()
    with pytest.raises(ValueError, match="outside the workspace"):
        workspace.keep_warm(warm_key("github-1", "main"), outside, limit=4)
    with pytest.raises(ValueError, match="outside the workspace"):
        workspace.take_warm(warm_key("github-1", "main"), outside / "x")


def test_pool_names_are_hashes_of_repository_and_branch() -> None:
    key = warm_key("github-1", "../../etc")
    assert len(key) == 40
    assert set(key) <= set("0123456789abcdef")
    assert key != warm_key("github-1", "main")
    assert warm_key("a", "b\0c") != warm_key("a\0b", "c")


def test_a_kept_repository_is_dropped_when_its_branch_graph_goes(workspace: Workspace) -> None:
    gone, other = warm_key("github-1", "gone"), warm_key("github-1", "main")
    assert workspace.keep_warm(gone, fetched(workspace, "a"), limit=4)
    assert workspace.keep_warm(other, fetched(workspace, "b"), limit=4)
    assert workspace.drop_warm(gone)
    assert not workspace.drop_warm(gone)
    assert not workspace.take_warm(gone, workspace.new_run_dir("c") / "repo.git")
    assert workspace.take_warm(other, workspace.new_run_dir("d") / "repo.git")


def test_kept_repositories_unused_for_the_max_age_expire(workspace: Workspace) -> None:
    assert workspace.expire_warm(3600) == 0  # no pool yet
    old, fresh = warm_key("github-1", "old"), warm_key("github-1", "fresh")
    for key in (old, fresh):
        assert workspace.keep_warm(key, fetched(workspace, key[:6]), limit=4)
    now = 1_000_000.0
    os.utime(workspace.dir / "warm" / f"{old}.git", (now - 7200, now - 7200))
    os.utime(workspace.dir / "warm" / f"{fresh}.git", (now - 60, now - 60))
    assert workspace.expire_warm(3600, now=now) == 1
    assert not workspace.take_warm(old, workspace.new_run_dir("x") / "repo.git")
    assert workspace.take_warm(fresh, workspace.new_run_dir("y") / "repo.git")


def test_a_dead_workers_directory_is_swept_and_unrelated_data_is_left(tmp_path: Path) -> None:
    """A worker's start removes only abandoned worker directories, never other data in the root."""
    root = tmp_path / "shared"
    dead = root / "host-0badf00d"  # what a SIGKILLed worker leaves: its lock file, unheld
    (dead / "run-1").mkdir(parents=True)
    (dead / LOCK_NAME).touch()
    unrelated = root / "photos"
    (unrelated / "2024").mkdir(parents=True)
    (unrelated / "2024" / "beach.jpg").write_bytes(b"\xff\xd8")
    empty = root / "empty"
    empty.mkdir()
    (root / "notes.txt").write_text("keep me")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / LOCK_NAME).touch()
    (root / "link").symlink_to(elsewhere)  # a link to a lock-carrying directory is not ours
    live = Workspace(root, "worker-live")
    live.open()
    try:
        assert not dead.exists()
        assert (unrelated / "2024" / "beach.jpg").read_bytes() == b"\xff\xd8"
        assert empty.is_dir()
        assert (root / "notes.txt").read_text() == "keep me"
        assert (elsewhere / LOCK_NAME).is_file()
        assert (root / "link").is_symlink()
        assert live.dir.is_dir()
    finally:
        live.close()


def test_a_live_workers_directory_is_never_swept(tmp_path: Path) -> None:
    """A directory whose lock another worker still holds survives a second worker's start."""
    first, second = Workspace(tmp_path, "worker-1"), Workspace(tmp_path, "worker-2")
    first.open()
    try:
        second.open()
        assert second.sweep_abandoned() == []
        assert first.dir.is_dir()
        second.close()
    finally:
        first.close()


def start_workers_repeatedly(root: str, name: str, starts: int) -> Counter[str]:
    """Start `starts` workspaces one after another, as many worker processes would on one
    host; every third is abandoned (its lock released, its directory left) like a killed
    worker's, so that the others' start-up sweeps have directories to remove."""
    seen: Counter[str] = Counter()
    for n in range(starts):
        workspace = Workspace(Path(root), f"{name}-{n}")
        try:
            workspace.open()
        except OSError as exc:
            seen[f"start failed: {type(exc).__name__}"] += 1
            continue
        time.sleep(0.001)  # other workers sweep meanwhile
        seen["kept" if (workspace.dir / LOCK_NAME).is_file() else "swept while live"] += 1
        if n % 3 == 0 and workspace._lock_file is not None:
            workspace._lock_file.close()
        else:
            workspace.close()
    return seen


def test_workers_starting_at_once_neither_fail_nor_sweep_each_other(tmp_path: Path) -> None:
    """Worker processes starting together on one root never remove a live worker's directory
    and never fail because another removed a dead worker's directory first."""
    spawn = multiprocessing.get_context("spawn")
    starts = 300
    with spawn.Pool(4) as pool:
        results = pool.starmap(
            start_workers_repeatedly, [(str(tmp_path), f"host-{k}", starts) for k in range(4)]
        )
    assert sum(results, Counter()) == Counter(kept=4 * starts)


# A worker's start, stopped at one of its steps: run in its own process, it says "paused"
# when it reaches the step and goes on when a line arrives on its stdin (or is SIGKILLed).
PAUSING_START = """
import fcntl, os, pathlib, sys
from activities.workspace import Workspace

root, name, step = sys.argv[1:]
pending = ".owner.lock.new"

def pause():
    print("paused", flush=True)
    sys.stdin.readline()

real_flock, real_rename = fcntl.flock, pathlib.Path.rename

def flock(file, operation):
    fd = file if isinstance(file, int) else file.fileno()
    if step == "lock" and os.readlink(f"/proc/self/fd/{fd}").endswith(pending):
        pause()
    return real_flock(file, operation)

def rename(self, target):
    if step == "rename" and self.name == pending:
        pause()
    return real_rename(self, target)

fcntl.flock, pathlib.Path.rename = flock, rename
workspace = Workspace(pathlib.Path(root), name)  # kept: its lock lives as long as it
workspace.open()
print("opened", flush=True)
sys.stdin.readline()
"""


def start_paused_worker(root: Path, name: str, step: str) -> subprocess.Popen[str]:
    """A worker process whose start stands still just before `step` of taking its directory
    ("none": one that took it and stays)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSING_START, str(root), name, step],
        cwd=Path(__file__).resolve().parents[2],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == ("opened\n" if step == "none" else "paused\n")
    return proc


@pytest.mark.parametrize("step", ["lock", "rename"], ids=["before-lock", "before-rename"])
def test_a_worker_killed_while_taking_its_directory_leaves_nothing_behind(
    tmp_path: Path, step: str
) -> None:
    """A worker SIGKILLed after creating its lock file but before giving it the name that
    marks a worker's directory has its directory removed by the next worker's start."""
    dying = start_paused_worker(tmp_path, "host-dying", step)
    dying.kill()
    dying.communicate()
    assert sorted(p.name for p in (tmp_path / "host-dying").iterdir()) == [".owner.lock.new"]

    next_worker = Workspace(tmp_path, "host-next")
    next_worker.open()
    try:
        assert not (tmp_path / "host-dying").exists()
    finally:
        next_worker.close()


@pytest.mark.parametrize("step", ["lock", "rename"], ids=["before-lock", "before-rename"])
def test_a_worker_still_taking_its_directory_is_not_swept(tmp_path: Path, step: str) -> None:
    """A live worker standing still between creating its lock file and naming it keeps its
    directory through another worker's start, and then takes it."""
    slow = start_paused_worker(tmp_path, "host-slow", step)
    try:
        other = Workspace(tmp_path, "host-other")
        started = time.monotonic()
        other.open()
        other.close()
        assert time.monotonic() - started < 10  # a stuck start does not hold up others
        assert (tmp_path / "host-slow" / ".owner.lock.new").is_file()

        assert slow.stdin is not None
        assert slow.stdout is not None
        slow.stdin.write("\n")
        slow.stdin.flush()
        assert slow.stdout.readline() == "opened\n"
        assert (tmp_path / "host-slow" / LOCK_NAME).is_file()
        assert Workspace(tmp_path, "host-third").sweep_abandoned() == []
    finally:
        slow.kill()
        slow.communicate()


def test_a_workers_end_is_told_from_its_workspace_lock(tmp_path: Path) -> None:
    """owner_ended holds for a worker whose process ended (its lock released by a SIGKILL, or
    its directory removed by this process's sweep), never for a live worker's, an unknown one's
    or a name that leaves the root."""
    live = start_paused_worker(tmp_path, "host-live", "none")
    killed = start_paused_worker(tmp_path, "host-killed", "none")
    killed.kill()
    killed.communicate()
    checker = Workspace(tmp_path, "host-checker")
    try:
        assert checker.owner_ended("host-killed")
        assert not checker.owner_ended("host-live")
        assert not checker.owner_ended("host-elsewhere")
        (tmp_path / "sub" / "host-x").mkdir(parents=True)
        (tmp_path / "sub" / "host-x" / LOCK_NAME).touch()
        assert not checker.owner_ended("sub/host-x")
        assert not checker.owner_ended("..")

        checker.open()  # its sweep removes the killed worker's directory, and remembers it
        assert not (tmp_path / "host-killed").exists()
        assert checker.owner_ended("host-killed")
        assert not checker.owner_ended("host-live")
        assert not checker.owner_ended("host-checker")
        assert not Workspace(tmp_path, "host-other").owner_ended("host-killed")
    finally:
        checker.close()
        live.kill()
        live.communicate()
