"""Log lines: one JSON object per record in production, carrying the `extra=` context."""

from __future__ import annotations

import json
import logging
import time

from app.logs import JsonFormatter


def _record(created: float, **context: object) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {"name": "repograph.webhooks", "levelname": "INFO", "levelno": logging.INFO} | context
    )
    record.msg, record.args = "signalled %s", ("repo-index-github-1-main",)
    record.created = created
    return record


def test_a_delivery_line_is_one_json_object_with_its_context() -> None:
    """The line carries time, level, logger, message and the delivery's context fields."""
    context = {"delivery": "d-1", "event": "push", "repo_id": "github-1", "branch": "main"}
    line = JsonFormatter().format(_record(1_700_000_000.5, **context))
    assert "\n" not in line
    assert json.loads(line) == {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(1_700_000_000)),
        "level": "INFO",
        "logger": "repograph.webhooks",
        "message": "signalled repo-index-github-1-main",
        **context,
    }


def test_each_second_gets_its_own_timestamp() -> None:
    """The timestamp is formatted once per second, never reused across seconds."""
    formatter = JsonFormatter()
    stamps = [
        json.loads(formatter.format(_record(created)))["time"]
        for created in (100.1, 100.9, 101.0, 100.5)
    ]
    expected = [
        time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(s)) for s in (100, 100, 101, 100)
    ]
    assert stamps == expected


def test_context_that_is_not_json_is_written_as_text() -> None:
    """An `extra=` value JSON cannot encode is logged as its str(), not dropped or raised."""
    line = JsonFormatter().format(_record(0.0, reason=ValueError("bad ref")))
    assert json.loads(line)["reason"] == "bad ref"
