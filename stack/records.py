"""What each local stack process leaves in the state directory: its pid and where it listens.

`<name>.pid` holds the pid (`make stop` signals it), `<name>.ports` the ports it serves as JSON
(`{"": 6380}`, `{"": 7234, "UI": 8234}`): `make status` reads both, so it reports the ports the
running stack uses whatever environment it runs in. Standard library only, like services.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); read its state so a dead child is not "running".
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def live_pid(directory: Path, name: str) -> int | None:
    """The pid recorded for `name` if that process is still alive."""
    try:
        pid = int((directory / f"{name}.pid").read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if pid_alive(pid) else None


def record(directory: Path, name: str, pid: int, ports: dict[str, int]) -> None:
    """Record a process that just started. The ports first: whoever sees the pid sees them."""
    _write(directory / f"{name}.ports", json.dumps(ports, sort_keys=True) + "\n")
    _write(directory / f"{name}.pid", f"{pid}\n")


def forget(directory: Path, name: str) -> None:
    (directory / f"{name}.pid").unlink(missing_ok=True)
    (directory / f"{name}.ports").unlink(missing_ok=True)


def recorded_ports(directory: Path, name: str) -> dict[str, int] | None:
    """The ports recorded for `name`; None if there is no record (or one from before records
    had ports, or an unreadable one)."""
    try:
        ports = json.loads((directory / f"{name}.ports").read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(ports, dict) or not all(
        isinstance(k, str) and type(v) is int for k, v in ports.items()
    ):
        return None
    return ports


def _write(path: Path, text: str) -> None:
    # Whole or not at all: `make status` may read while `make run` writes.
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    partial.write_text(text)
    partial.replace(path)
