"""`repograph`: the command line for the web and worker processes and for operators.

`app.cli.parser` defines every command; the module that carries a command out is imported
only when it runs. Expected failures (a service unreachable, an API refusing a call) end with a
one-line message on stderr and exit status 1; usage and configuration errors exit with 2; output
cut short by its reader (`repograph status | head`) ends quietly with 141.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import select
import signal
import sys
from collections.abc import Callable
from typing import TextIO

from app.cli.command import EXIT_USAGE, CliError
from app.cli.parser import build_parser
from app.logs import configure_logging
from app.settings import Settings, SettingsError

# A reader that stopped early (`| head`) ends us with the status the kernel's SIGPIPE gives any
# Unix tool (`yes | head`), not 0: output was lost, and `set -o pipefail` scripts should see
# repograph as they see the others. A plain pipeline reports only its last command's status.
EXIT_OUTPUT_CLOSED = 128 + signal.SIGPIPE


def main(argv: list[str] | None = None) -> int:
    """Run one command; as the program's entry point (no `argv`), exit without teardown."""
    try:
        code = _run(argv)
        # Flush now rather than at exit, so a reader that closed early is answered below.
        sys.stdout.flush()
    except BrokenPipeError:
        if not _silence_closed_output():
            raise  # a pipe of our own (a subprocess, a socket), not our output: a bug to show
        code = EXIT_OUTPUT_CLOSED
    if argv is None:
        _exit_now(code)
    return code


def _run(argv: list[str] | None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        # argparse exits after --help (0) and on a usage error (2); returning its status lets
        # `main` flush the help like any command's output, closed reader included.
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"repograph: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # Operator commands print their own output; the libraries' INFO logs would drown it.
    quiet = not args.long_running and settings.log_level != "DEBUG"
    configure_logging(settings.log_format, "WARNING" if quiet else settings.log_level)
    name = " ".join(value for key, value in vars(args).items() if key.endswith("command") and value)
    try:
        return _handler(args.handler)(settings, args)
    except CliError as exc:
        print(f"repograph {name}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"repograph {name}: interrupted", file=sys.stderr)
        return 130


def _handler(dotted: str) -> Callable[..., int]:
    module, _, function = dotted.partition(":")
    handler: Callable[..., int] = getattr(importlib.import_module(module), function)
    return handler


def _silence_closed_output() -> bool:
    """Point stdout and stderr at /dev/null where their reader has gone; True if one had.

    The output still buffered would fail again at every later flush (ours, or the
    interpreter's "Exception ignored ... BrokenPipeError" at exit); /dev/null takes it.
    """
    closed = [stream for stream in (sys.stdout, sys.stderr) if _reader_gone(stream)]
    for stream in closed:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    return bool(closed)


def _reader_gone(stream: TextIO) -> bool:
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # replaced by a stream without a descriptor, or closed
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    # Linux reports a pipe without readers as POLLERR, a socket whose peer has gone as POLLHUP.
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _exit_now(code: int) -> None:
    # temporalio's Rust runtime threads can abort CPython's finalisation after a command has
    # finished (SIGABRT, "PyGILState_Release", temporalio/sdk-python#300). The work is done,
    # so flush what was written and leave without running the interpreter's teardown.
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream
            stream.flush()
    os._exit(code)
