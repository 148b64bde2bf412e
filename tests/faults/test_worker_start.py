"""A worker started during an outage of Temporal or Neo4j waits it out instead of exiting."""

from __future__ import annotations

import asyncio
import logging

import pytest

from activities.worker import _until_ready


async def test_an_error_without_a_message_is_logged_by_its_type_and_retried(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A failure whose text is empty (a bare TimeoutError) is logged by its type name, one
    with text by its first line, and the wait goes on until the service answers."""
    failures: list[Exception] = [TimeoutError(), OSError("connection refused\ndetails")]

    async def connect() -> str:
        if failures:
            raise failures.pop(0)
        return "connected"

    with caplog.at_level(logging.WARNING, logger="repograph.worker"):
        assert await _until_ready("Neo4j", connect, asyncio.Event()) == "connected"

    assert [record.__dict__["error"] for record in caplog.records] == [
        "TimeoutError",
        "connection refused",
    ]
