"""`repograph`: the command line for the web and worker processes and for operators.

`app.cli.parser` defines every command; the module that carries a command out is imported
only when it runs. Expected failures (a service unreachable, an API refusing a call) end with a
one-line message on stderr and exit status 1; usage and configuration errors exit with 2.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
from collections.abc import Callable

from app.cli.command import EXIT_USAGE, CliError
from app.cli.parser import build_parser
from app.logs import configure_logging
from app.settings import Settings, SettingsError


def main(argv: list[str] | None = None) -> int:
    """Run one command; as the program's entry point (no `argv`), exit without teardown."""
    code = _run(argv)
    if argv is None:
        _exit_now(code)
    return code


def _run(argv: list[str] | None) -> int:
    args = build_parser().parse_args(argv)  # exits with status 2 on a usage error
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


def _exit_now(code: int) -> None:
    # temporalio's Rust runtime threads can abort CPython's finalisation after a command has
    # finished (SIGABRT, "PyGILState_Release", temporalio/sdk-python#300). The work is done,
    # so flush what was written and leave without running the interpreter's teardown.
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or stream
            stream.flush()
    os._exit(code)
