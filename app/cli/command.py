"""The error that ends a command with a one-line message instead of a traceback.

A command raises `CliError` for an expected failure (a service down, a refused API call, a
repository that is not there); `main` prints the message and exits with its code. Usage and
configuration mistakes raise `UsageError` (exit status 2, as argparse uses).
"""

from __future__ import annotations

EXIT_FAILURE = 1
EXIT_USAGE = 2


class CliError(Exception):
    """An expected failure: `main` prints the message on one line and exits with `exit_code`."""

    exit_code = EXIT_FAILURE


class UsageError(CliError):
    """The command line or the configuration asks for something impossible (exit status 2)."""

    exit_code = EXIT_USAGE
