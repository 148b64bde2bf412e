"""Measuring helpers: peak RSS and CPU time of this process, its parse workers and Neo4j;
parse-only work; the results table."""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench._jvm import jit_seconds

GIB = 1024**3


# --- peak RSS: the kernel's high-water mark (VmHWM), reset per scenario via clear_refs ---


def _worker_pids() -> list[int]:
    """Live pool workers of this process (spawned by multiprocessing, not the resource tracker)."""
    me, found = os.getpid(), []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (proc / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == me and b"spawn_main" in cmdline:
            found.append(int(proc.name))
    return found


def _status_bytes(pid: int, field_name: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """user + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Sample:
    main_rss: int  # peak RSS of this process, bytes
    worker_rss: int  # peak RSS of the largest parse worker, bytes
    cpu_python: float  # CPU seconds of this process and its parse workers
    cpu_neo4j: float  # CPU seconds of the Neo4j JVM
    jit_neo4j: float = 0.0  # seconds the Neo4j JVM spent compiling code (java.ci.totalTime)


@dataclass
class Meter:
    """Per-process peak RSS (the kernel's VmHWM, reset through clear_refs) and CPU time between
    `reset()` and `read()`. CPU time stays meaningful when other work shares the cores."""

    neo4j_pid: int | None = None
    resettable: bool = True
    workers: dict[int, tuple[int, float]] = field(default_factory=dict)  # pid -> (peak, CPU)
    cpu: dict[int, float] = field(default_factory=dict)  # pid -> CPU seconds at reset
    jit: float = 0.0  # Neo4j's compile time at reset

    def reset(self) -> None:
        self.workers.clear()
        pids = [os.getpid(), *_worker_pids()]
        for pid in pids:
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")
            except OSError:
                self.resettable = False  # then figures are peaks since process start
        if self.neo4j_pid:
            pids.append(self.neo4j_pid)
        self.cpu = {pid: _cpu_seconds(pid) for pid in pids}
        self.jit = jit_seconds(self.neo4j_pid) if self.neo4j_pid else 0.0

    def sample(self) -> None:
        """Record worker peaks now (call before a pool shuts down)."""
        for pid in _worker_pids():
            peak = _status_bytes(pid, "VmHWM:")
            cpu = _cpu_seconds(pid) - self.cpu.get(pid, 0.0)
            old_peak, old_cpu = self.workers.get(pid, (0, 0.0))
            self.workers[pid] = (max(old_peak, peak), max(old_cpu, cpu))

    def read(self) -> Sample:
        self.sample()
        me = os.getpid()
        neo4j = _cpu_seconds(self.neo4j_pid) - self.cpu[self.neo4j_pid] if self.neo4j_pid else 0
        return Sample(
            main_rss=_status_bytes(me, "VmHWM:"),
            worker_rss=max((peak for peak, _ in self.workers.values()), default=0),
            cpu_python=_cpu_seconds(me) - self.cpu[me] + sum(c for _, c in self.workers.values()),
            cpu_neo4j=neo4j,
            jit_neo4j=jit_seconds(self.neo4j_pid) - self.jit if self.neo4j_pid else 0.0,
        )


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- parse-only: the limit (runs in spawned workers, so module-level functions only) ---


def warm_worker(delay: float) -> int:
    """Import tree-sitter and the grammar, then hold the worker so the other one gets a job."""
    from activities.codegraph.languages import get_parser

    get_parser("python")
    get_parser("go")
    time.sleep(delay)
    return os.getpid()


def parse_chunk(items: list[tuple[str, bytes]]) -> int:
    """tree-sitter parse of each (language, content): no extraction. Returns bytes parsed."""
    from activities.codegraph.languages import get_parser

    total = 0
    for language, content in items:
        get_parser(language).parse(content)
        total += len(content)
    return total


def chunked(items: list[tuple[str, bytes]], chunk_bytes: int) -> list[list[tuple[str, bytes]]]:
    """Same chunking as the indexer: about `chunk_bytes` of content per task."""
    chunks: list[list[tuple[str, bytes]]] = [[]]
    size = 0
    for item in items:
        chunks[-1].append(item)
        size += len(item[1])
        if size >= chunk_bytes:
            chunks.append([])
            size = 0
    return [chunk for chunk in chunks if chunk]


# --- results ---


@dataclass
class Row:
    name: str
    seconds: float
    files: int
    megabytes: float
    written: int  # nodes + edges the run reports having written
    sample: Sample

    def cells(self) -> list[str]:
        rate = self.written / self.seconds if self.seconds else 0.0
        return [
            self.name,
            f"{self.seconds:.2f}",
            f"{self.files / self.seconds:,.0f}" if self.files else "-",
            f"{self.megabytes / self.seconds:.2f}" if self.megabytes else "-",
            f"{self.written:,}",
            f"{rate:,.0f}" if self.written else "-",
            f"{self.sample.cpu_python:.1f}",
            f"{self.sample.cpu_neo4j:.1f}",
            f"{self.sample.main_rss / 2**20:,.0f}",
            f"{self.sample.worker_rss / 2**20:,.0f}" if self.sample.worker_rss else "-",
        ]


HEADER = [
    "scenario", "wall s", "files/s", "MB/s", "nodes+edges", "nodes+edges/s",
    "CPU s Python", "CPU s Neo4j", "main RSS MiB", "worker RSS MiB",
]  # fmt: skip


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def verdict(ok: bool, detail: str) -> str:
    return f"{'met' if ok else 'NOT MET'} ({detail})"


def machine(neo4j_version: str) -> list[str]:
    import neo4j
    from neo4j._codec.packstream import v1

    rust = v1._rust_pack is not None
    cpu = "unknown"
    for text in Path("/proc/cpuinfo").read_text().splitlines():
        if text.startswith("model name"):
            cpu = text.split(":", 1)[1].strip()
            break
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GIB
    return [
        f"CPU: {cpu}, {os.cpu_count()} cores",
        f"RAM: {ram:.1f} GiB",
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}",
        f"Neo4j {neo4j_version} (private instance, heap 2g, page cache 1g); Python driver "
        f"{neo4j.__version__}, packstream in {'Rust (neo4j-rust-ext)' if rust else 'pure Python'}",
    ]
