"""Logging setup shared by every process: readable text locally, JSON lines in production.

The web process writes one JSON line per delivery, so a line must be cheap: the encoder is
built once, the timestamp is formatted once per second, and records skip the caller lookup
and the thread and process details that neither format prints.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from typing import Any

# Attributes every LogRecord has; anything else was passed through `extra=` and is context.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
# `json.dumps(..., default=str)` would build a new encoder for every line.
_encode_json = json.JSONEncoder(default=str).encode


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the `extra=` context (delivery, repo_id, branch, ...)."""

    def __init__(self) -> None:
        super().__init__()
        self._stamp: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((key, value) for key, value in record.__dict__.items() if key not in _STANDARD)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return _encode_json(entry)

    def _time(self, created: float) -> str:
        """`formatTime` with `_TIME_FORMAT`, formatted once per second (the format's unit)."""
        second, stamp = self._stamp
        if int(created) != second:
            second = int(created)
            stamp = time.strftime(_TIME_FORMAT, self.converter(second))
            self._stamp = (second, stamp)
        return stamp


class TextFormatter(logging.Formatter):
    """`time level logger message key=value ...`, for humans at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        context = " ".join(
            f"{key}={value}" for key, value in record.__dict__.items() if key not in _STANDARD
        )
        return f"{text} {context}" if context else text


def configure_logging(log_format: str, level: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Neither format prints the caller, thread or process; the logging HOWTO's "Optimization"
    # section names these switches for skipping what a record would otherwise collect.
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
