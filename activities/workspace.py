"""Per-worker scratch space for fetched repositories and parse output.

Each worker process owns `<WORKSPACE_DIR>/<worker_id>/` and holds an exclusive `flock` on a file
inside it while it lives. At start, a worker removes every other directory whose lock nobody
holds: what a SIGKILLed worker left behind is cleaned by the next worker to start on that host.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import uuid
from pathlib import Path
from typing import IO

log = logging.getLogger("repograph.workspace")
LOCK_NAME = ".owner.lock"


class Workspace:
    """The directory tree this worker writes into; `run_dir` per index run."""

    def __init__(self, root: Path, worker_id: str) -> None:
        self.root = root.resolve()
        self.dir = self.root / worker_id
        self._lock_file: IO[bytes] | None = None

    def open(self) -> None:
        """Take ownership of this worker's directory and sweep abandoned ones."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self._lock_file = (self.dir / LOCK_NAME).open("wb")
        fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        self.sweep_abandoned()

    def close(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def sweep_abandoned(self) -> list[Path]:
        """Remove directories of workers that no longer hold their lock."""
        removed = []
        for candidate in self.root.iterdir():
            if candidate == self.dir or not candidate.is_dir():
                continue
            if _owner_alive(candidate):
                continue
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
            log.info("removed abandoned workspace", extra={"path": str(candidate)})
        return removed

    def new_run_dir(self, label: str) -> Path:
        """A fresh directory for one run; `label` is only a readable hint, never trusted."""
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in label)[:60]
        path = self.dir / f"{safe}-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def remove(self, path: Path) -> bool:
        """Delete a run directory; refuses anything outside this worker's directory."""
        resolved = path.resolve()
        if self.dir not in resolved.parents:
            raise ValueError(f"refusing to remove {path}: outside the workspace")
        existed = resolved.exists()
        shutil.rmtree(resolved, ignore_errors=True)
        return existed


def _owner_alive(directory: Path) -> bool:
    lock = directory / LOCK_NAME
    if not lock.exists():
        return False
    with lock.open("rb") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        with contextlib.suppress(OSError):
            fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def worker_id() -> str:
    """Host name plus a random suffix: unique per worker process, readable in the UI."""
    host = os.uname().nodename.split(".")[0] or "worker"
    return f"{host}-{uuid.uuid4().hex[:8]}"
