"""The Neo4j JVM's own counters, read from its hsperfdata file (what `jcmd PerfCounter.print`
shows, without starting a second JVM that would take CPU from the one being measured).

Used for one figure: CPU time spent compiling code (`java.ci.totalTime`). On a fresh JVM most
of Neo4j's CPU goes there, and the first run of a code path (the first update after a bulk
load) pays it again, so a benchmark must be able to tell compiling from working.
"""

from __future__ import annotations

import getpass
import struct
from pathlib import Path

MAGIC = b"\xca\xfe\xc0\xc0"
PROLOGUE = struct.Struct("4sBBBBIIqII")  # magic, byte order, major, minor, accessible, used,
# overflow, modification time, entry offset, entry count
ENTRY = struct.Struct("IIIBBBBI")  # length, name offset, vector length, type, flags, units,
# variability, data offset


def perf_counters(pid: int) -> dict[str, int]:
    """The JVM's scalar (long) counters by name; empty when the file is absent or unreadable."""
    # HotSpot writes it under /tmp on Linux whatever TMPDIR says.
    path = Path("/tmp") / f"hsperfdata_{getpass.getuser()}" / str(pid)  # noqa: S108
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    if len(data) < PROLOGUE.size or data[:4] != MAGIC:
        return {}
    order = "<" if data[4] == 1 else ">"
    prologue = struct.Struct(order + PROLOGUE.format)
    entry = struct.Struct(order + ENTRY.format)
    *_, offset, count = prologue.unpack_from(data)
    counters: dict[str, int] = {}
    for _ in range(count):
        if offset + entry.size > len(data):
            break
        length, name_at, vector, kind, _, _, _, data_at = entry.unpack_from(data, offset)
        if length == 0:
            break
        if vector == 0 and kind == ord("J"):
            end = data.index(b"\0", offset + name_at)
            name = data[offset + name_at : end].decode("ascii", "replace")
            (counters[name],) = struct.unpack_from(order + "q", data, offset + data_at)
        offset += length
    return counters


def jit_seconds(pid: int) -> float:
    """CPU seconds the JVM has spent compiling so far (0.0 when its counters are unreadable)."""
    counters = perf_counters(pid)
    ticks, frequency = counters.get("java.ci.totalTime"), counters.get("sun.os.hrt.frequency")
    if ticks is None or not frequency:
        return 0.0
    return ticks / frequency
