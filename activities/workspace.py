"""Per-worker scratch space for fetched repositories and parse output.

Each worker process owns `<WORKSPACE_DIR>/<worker_id>/` and holds an exclusive `flock` on a file
inside it while it lives. At start, a worker removes every other directory that has such a lock
file and whose lock nobody holds: what a SIGKILLed worker left behind is cleaned by the next
worker to start on that host. Directories without the lock file are not a worker's; they stay.
A worker killed while taking its directory leaves the lock file under its unfinished name: the
sweep removes that directory too, when no worker is taking one (a shared lock on a file in
WORKSPACE_DIR is held while a directory is taken, which a sweep tries to lock exclusively).
One killed between making the directory and creating the file leaves it empty: like any other
directory without a lock file, it is not told apart from data that is not ours, and stays.

A finished run's fetched repository is kept under `warm/` (a bounded number, least recently
used out) and moved into the next run of the same branch, whose fetch then downloads only what
changed instead of the whole tree. A repository is moved with `rename`, so it always belongs
to exactly one run or to the pool, never to two runs at once. Kept repositories are deleted
when their branch's graph is deleted (on every running worker that fetched the branch) and
once unused for WARM_REPO_MAX_AGE_HOURS, so no copy of a repository's code outlives its access
for long; a stopped worker's copies go with its directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import stat
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

log = logging.getLogger("repograph.workspace")
LOCK_NAME = ".owner.lock"
PENDING_LOCK_NAME = f"{LOCK_NAME}.new"
# In WORKSPACE_DIR: shared while a worker takes its directory, exclusive to sweep one left
# half-taken. A sweep waits this long for the workers starting now before skipping those.
ROOT_LOCK_NAME = ".repograph-workspaces.lock"
ROOT_LOCK_WAIT_SECONDS = 1.0
WARM_DIR = "warm"
# A kept repository accumulates every fetched version of its branch (git only adds objects):
# after this many reuses it is dropped and the next run fetches from scratch.
WARM_REUSES = 50
_REUSES_FILE = "repograph-reuses"  # inside the bare repository; git ignores it


def warm_key(repo_id: str, branch: str) -> str:
    """The pool name of a branch's repository: a hash, so payload strings never form paths."""
    return hashlib.sha256(json.dumps([repo_id, branch]).encode()).hexdigest()[:40]


class Workspace:
    """The directory tree this worker writes into; `run_dir` per index run."""

    def __init__(self, root: Path, worker_id: str) -> None:
        self.root = root.resolve()
        self.dir = self.root / worker_id
        self._lock_file: IO[bytes] | None = None
        # Names of the dead workers' directories this process's sweeps removed (a few a start).
        self._swept: set[str] = set()

    def open(self) -> None:
        """Take ownership of this worker's directory and sweep abandoned ones."""
        self.root.mkdir(parents=True, exist_ok=True)
        with _root_lock(self.root, fcntl.LOCK_SH):  # waits: held from here
            self.dir.mkdir(exist_ok=True)
            # The lock is taken before the file has the name sweepers look for: a worker
            # starting at the same moment would otherwise find it unlocked, take this directory
            # for a dead worker's and remove it, and its probe's own brief lock could fail ours.
            # A rename keeps the open file, so the lock holds under the new name.
            pending = self.dir / PENDING_LOCK_NAME
            self._lock_file = pending.open("wb")
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
            pending.rename(self.dir / LOCK_NAME)
        self.sweep_abandoned()

    def close(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def sweep_abandoned(self) -> list[Path]:
        """Remove directories of workers that no longer hold their lock; anything else in the
        root is not ours and is left alone."""
        removed = []
        for candidate in self.root.iterdir():
            if candidate == self.dir:
                continue
            if _is_half_taken(candidate):
                if not self._remove_half_taken(candidate):
                    continue
            elif not _is_worker_dir(candidate) or _owner_alive(candidate):
                continue
            else:
                shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
            self._swept.add(candidate.name)
            log.info("removed abandoned workspace", extra={"path": str(candidate)})
        return removed

    def owner_ended(self, worker: str) -> bool:
        """True when the process of the worker named `worker` is known to have ended: a sweep
        of this process removed its directory, or its directory is here with its lock file
        and nobody holds the lock (only the owner's exit or its close releases it). False
        tells nothing: a worker on another machine or WORKSPACE_DIR, or a live one."""
        if worker in self._swept:
            return True
        if worker in {"", ".", ".."} or Path(worker).name != worker or worker == self.dir.name:
            return False
        candidate = self.root / worker
        return _is_worker_dir(candidate) and not _owner_alive(candidate)

    def _remove_half_taken(self, directory: Path) -> bool:
        """Remove a directory whose worker died while taking it; False if it may be alive."""
        # Under the exclusive lock no worker is between creating its lock file and naming it,
        # so one found unnamed is a dead worker's. Skipped (to the next worker's start) while
        # a worker holds the lock longer than the wait: never removed on a guess.
        with _root_lock(self.root, fcntl.LOCK_EX, ROOT_LOCK_WAIT_SECONDS) as exclusive:
            # Checked again under the lock: named meanwhile, or holding anything but the
            # lock file, it is not a half-taken directory any more (or never was).
            if not exclusive or not _is_half_taken(directory):
                return False
            # Also held by its owner (a worker of a version without the root lock): alive.
            if _held(directory / PENDING_LOCK_NAME):
                return False
            (directory / PENDING_LOCK_NAME).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                directory.rmdir()
        return not directory.exists()

    def new_run_dir(self, label: str) -> Path:
        """A fresh directory for one run; `label` is only a readable hint, never trusted."""
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)[:60]
        path = self.dir / f"{safe}-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def take_warm(self, key: str, dest: Path) -> bool:
        """Move the repository kept for `key` to `dest`; False when there is none."""
        self._check_inside(dest)
        try:
            os.rename(self.dir / WARM_DIR / f"{key}.git", dest)
        except FileNotFoundError:
            return False
        (dest / _REUSES_FILE).write_text(str(_reuses(dest) + 1))
        return True

    def keep_warm(self, key: str, repo: Path, limit: int) -> bool:
        """Keep a run's fetched repository for the next run of the same branch, at most `limit`
        repositories in all; False when it is not kept (the caller removes it)."""
        self._check_inside(repo)
        if limit <= 0 or not repo.is_dir() or _reuses(repo) >= WARM_REUSES:
            return False
        pool = self.dir / WARM_DIR
        pool.mkdir(exist_ok=True)
        target = pool / f"{key}.git"
        try:
            os.rename(repo, target)  # fails if another run of the branch kept one meanwhile
        except OSError:
            return False
        os.utime(target)  # the pool is trimmed by last use
        kept = sorted(pool.iterdir(), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in kept[limit:]:
            shutil.rmtree(stale, ignore_errors=True)
        return True

    def drop_warm(self, key: str) -> bool:
        """Delete the repository kept for `key` (its branch's graph is gone); False if none."""
        kept = self.dir / WARM_DIR / f"{key}.git"
        existed = kept.is_dir()
        shutil.rmtree(kept, ignore_errors=True)
        return existed

    def expire_warm(self, max_age_s: float, now: float | None = None) -> int:
        """Delete kept repositories unused for `max_age_s`: a worker holds no copy of a
        repository's code longer than that after its last run (e.g. once it was uninstalled)."""
        cutoff = (time.time() if now is None else now) - max_age_s
        removed = 0
        try:
            kept = list((self.dir / WARM_DIR).iterdir())
        except FileNotFoundError:
            return 0
        for repo in kept:
            try:
                unused = repo.stat().st_mtime < cutoff
            except FileNotFoundError:
                continue  # taken by a run meanwhile
            if unused:
                # A run may take it meanwhile (rename): at worst it gets a damaged repository,
                # and the fetch falls back to a fresh one (IndexingActivities._fetch).
                shutil.rmtree(repo, ignore_errors=True)
                removed += 1
        return removed

    def _check_inside(self, path: Path) -> None:
        if self.dir not in path.resolve().parents:
            raise ValueError(f"{path} is outside the workspace")

    def remove(self, path: Path) -> bool:
        """Delete a run directory; refuses anything outside this worker's directory."""
        resolved = path.resolve()
        if self.dir not in resolved.parents:
            raise ValueError(f"refusing to remove {path}: outside the workspace")
        existed = resolved.exists()
        shutil.rmtree(resolved, ignore_errors=True)
        return existed


def _reuses(repo: Path) -> int:
    try:
        return int((repo / _REUSES_FILE).read_text())
    except FileNotFoundError:
        return 0
    except (OSError, ValueError):
        return WARM_REUSES  # unreadable: never keep it again


def _is_worker_dir(path: Path) -> bool:
    # Only a directory carrying a worker's lock file was made by a worker: WORKSPACE_DIR may be
    # shared with other data (e.g. /tmp), which must survive a worker's start. lstat, so that
    # symlinks are never followed, and any error (another user's 0700 directory) means "not ours".
    try:
        is_dir = stat.S_ISDIR(path.lstat().st_mode)
        ours = is_dir and stat.S_ISREG((path / LOCK_NAME).lstat().st_mode)
    except OSError:
        ours = False
    if not ours:
        log.debug("not a worker directory, left alone", extra={"path": str(path)})
    return ours


def _is_half_taken(path: Path) -> bool:
    """A directory holding nothing but a lock file under its unfinished name: a worker taking
    it (or killed while doing so; the owner creates nothing else before it names the file)."""
    try:
        if not stat.S_ISDIR(path.lstat().st_mode):
            return False
        return os.listdir(path) == [PENDING_LOCK_NAME] and stat.S_ISREG(
            (path / PENDING_LOCK_NAME).lstat().st_mode
        )
    except OSError:
        return False


@contextlib.contextmanager
def _root_lock(root: Path, operation: int, wait_s: float | None = None) -> Iterator[bool]:
    """Hold WORKSPACE_DIR's lock (`LOCK_SH` or `LOCK_EX`); yields False when `wait_s` passes
    first (None: wait as long as it takes)."""
    path = root / ROOT_LOCK_NAME
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except PermissionError:
        # Another user's file in a shared sticky directory (fs.protected_regular forbids
        # O_CREAT on it): reading is enough for flock.
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if wait_s is None:
            fcntl.flock(fd, operation)
            yield True
            return
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, operation | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.01)
        yield True
    finally:
        os.close(fd)  # releases the lock


def _held(lock_file: Path) -> bool:
    """True when a process holds `lock_file`'s flock (or the file is gone meanwhile)."""
    try:
        handle = lock_file.open("rb")
    except FileNotFoundError:
        return True
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _owner_alive(directory: Path) -> bool:
    # A lock file removed meanwhile (by its owner's close or another worker's sweep) counts
    # as held: nothing to do, and no reason for this worker's start to fail.
    return _held(directory / LOCK_NAME)


def worker_id() -> str:
    """Host name plus a random suffix: unique per worker process, readable in the UI."""
    host = os.uname().nodename.split(".")[0] or "worker"
    return f"{host}-{uuid.uuid4().hex[:8]}"
