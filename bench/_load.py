"""Load generation for the benchmarks: closed and open loops, lean HTTP senders, CPU accounting."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

OTHERS = "others"  # CPU of everything else running on the machine meanwhile


@dataclass(frozen=True)
class Run:
    """Latencies (seconds) of the calls that succeeded in `seconds` of wall time."""

    name: str
    latencies: list[float]
    seconds: float
    errors: int
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    def __add__(self, other: Run) -> Run:
        """Two runs of the same phase as one (the bare phase runs before and after)."""
        cpu = {
            name: self.cpu_seconds.get(name, 0.0) + other.cpu_seconds.get(name, 0.0)
            for name in self.cpu_seconds.keys() | other.cpu_seconds.keys()
        }
        return Run(
            self.name,
            self.latencies + other.latencies,
            self.seconds + other.seconds,
            self.errors + other.errors,
            cpu,
        )

    def cpu_ms_per_call(self, process: str) -> float:
        calls = len(self.latencies) + self.errors
        return self.cpu_seconds.get(process, 0.0) * 1000 / calls if calls else float("nan")

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile_ms(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000


class CpuClock:
    """CPU time (user + system) of named processes, and of everything else, from /proc."""

    _TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids

    def read(self) -> dict[str, float]:
        times = {}
        for name, pid in self.pids.items():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            # utime and stime are fields 14 and 15 of stat(5); fields[0] here is field 3.
            times[name] = (int(fields[11]) + int(fields[12])) / self._TICK
        # The first line of /proc/stat: user nice system idle iowait irq softirq steal ...
        busy = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        machine = sum(int(busy[index]) for index in (0, 1, 2, 5, 6, 7)) / self._TICK
        times[OTHERS] = machine - sum(times.values())
        return times

    async def measure(self, phase: Awaitable[Run]) -> Run:
        before = self.read()
        run = await phase
        after = self.read()
        return replace(run, cpu_seconds={name: after[name] - before[name] for name in after})


async def attempt(call: Callable[[int], Awaitable[bool]], index: int) -> bool:
    """One call; a transport failure counts as an error instead of ending the run."""
    try:
        return await call(index)
    except (OSError, asyncio.IncompleteReadError, httpx.HTTPError):
        return False


async def closed_loop(
    name: str, call: Callable[[int], Awaitable[bool]], concurrency: int, seconds: float
) -> Run:
    """`concurrency` workers calling back to back for `seconds`."""
    latencies: list[float] = []
    errors = 0
    counter = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal errors, counter
        while time.perf_counter() < deadline:
            counter += 1
            started = time.perf_counter()
            ok = await attempt(call, counter)
            if ok:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Run(name, latencies, time.perf_counter() - began, errors)


async def open_loop(
    name: str, call: Callable[[int], Awaitable[bool]], rate: float, seconds: float
) -> Run:
    """Calls started on a fixed schedule, whether or not earlier ones have finished."""
    latencies: list[float] = []
    errors = 0
    began = time.perf_counter()

    async def one(index: int, scheduled: float) -> None:
        nonlocal errors
        ok = await attempt(call, index)
        # Measured from the scheduled start, so a stalled sender cannot hide queueing.
        if ok:
            latencies.append(time.perf_counter() - scheduled)
        else:
            errors += 1

    tasks = []
    for index in range(int(rate * seconds)):
        scheduled = began + index / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(index, scheduled)))
    await asyncio.gather(*tasks)
    return Run(name, latencies, time.perf_counter() - began, errors)


class LeanSenders:
    """Keep-alive HTTP/1.1 connections written by hand: a load generator that costs little CPU.

    httpx spends about as much CPU per request as the receiver itself; on a 2-core machine
    that CPU comes out of the receiver's and Temporal's share, so this shows the difference.
    """

    def __init__(self, port: int) -> None:
        self._port = port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        request = (
            f"POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: {len(body)}\r\n"
            f"{head}\r\n".encode()
            + body
        )
        if self._idle:
            reader, writer = self._idle.pop()
            try:
                return await self._exchange(reader, writer, request)
            except (asyncio.IncompleteReadError, ConnectionError):
                # uvicorn closed the connection after its keep-alive timeout; open another.
                writer.close()
        reader, writer = await asyncio.open_connection("127.0.0.1", self._port)
        return await self._exchange(reader, writer, request)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> tuple[int, bytes]:
        writer.write(request)
        # The whole head in one read, not one per line: the senders share the cores with what
        # they measure, so each request should cost them as little as it can.
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *lines = head.split(b"\r\n")
        length = 0
        for line in lines:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        answer = await reader.readexactly(length)
        status = int(status_line.split()[1])
        self._idle.append((reader, writer))
        return status, answer

    async def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
            await writer.wait_closed()
