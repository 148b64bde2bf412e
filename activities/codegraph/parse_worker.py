"""The CPU-bound part of a run, executed in worker processes: bytes in, JSON lines out.

Runs in a `ProcessPoolExecutor` so both cores parse; it takes and returns plain values only.
Rows come back already encoded as `parsed.jsonl` lines: encoding in the workers runs on both
cores, and one string crosses the process boundary much faster than nested lists.
"""

from __future__ import annotations

import json
import logging
import signal
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from activities.codegraph.extract import extract
from activities.codegraph.languages import ParseTimeoutError
from activities.codegraph.skipping import SkipReason, skip_by_content

log = logging.getLogger(__name__)


# (paths, blob id, language, content): one blob, parsed once for all the paths it is at.
ParseItem = tuple[list[str], str, str, bytes]


def parse_pool(workers: int) -> ProcessPoolExecutor:
    """The processes that parse. Spawned, not forked: the worker process runs Temporal's Rust
    threads. They ignore SIGINT: a Ctrl-C in the terminal of `repograph worker` reaches its
    whole process group, and the worker shuts down gracefully, finishing in-flight parses,
    which a KeyboardInterrupt in these processes would break."""
    return ProcessPoolExecutor(
        workers, mp_context=get_context("spawn"), initializer=_ignore_interrupts
    )


def _ignore_interrupts() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def parse_files(
    items: list[ParseItem], cpu_seconds: float | None, deadline: float | None = None
) -> list[tuple[str | None, str]]:
    """Parse each item's blob into a (skip reason or None, JSON line) pair per path; a blob
    not parsed within `cpu_seconds` is skipped. Once `time.monotonic()` passes `deadline`
    (the host's clock, shared by all processes) blobs are deferred to the next run instead."""
    rows = []
    for paths, blob_sha, language, content in items:
        skipped, extraction = _parse_blob(paths[0], language, content, cpu_seconds, deadline)
        for path in paths:
            rows.append((skipped, row_line(path, blob_sha, language, skipped, extraction)))
    return rows


def row_line(
    path: str,
    blob_sha: str,
    language: str,
    skipped: str | None,
    extraction: dict[str, Any] | None = None,
) -> str:
    """One line of `parsed.jsonl`: a file, its skip reason or its extraction (made at `path`)."""
    row = {
        "path": path,
        "blob_sha": blob_sha,
        "language": language,
        "skipped": skipped,
        "extraction": None if extraction is None else {**extraction, "path": path},
    }
    return json.dumps(row, separators=(",", ":")) + "\n"


def _parse_blob(
    path: str,
    language: str,
    content: bytes,
    cpu_seconds: float | None,
    deadline: float | None,
) -> tuple[str | None, dict[str, Any] | None]:
    """(skip reason, None) or (None, the extraction's JSON form, made at `path`)."""
    reason = skip_by_content(content)
    if reason is not None:
        return str(reason), None
    if deadline is not None and time.monotonic() >= deadline:
        return str(SkipReason.DEFERRED), None
    try:
        return None, extract(path, content, language, cpu_seconds, deadline).to_json()
    except ParseTimeoutError:
        if deadline is not None and time.monotonic() >= deadline:
            return str(SkipReason.DEFERRED), None  # cut by the run's time, not its own
        log.warning(
            "parse timed out, file skipped",
            extra={
                "path": path,
                "language": language,
                "bytes": len(content),
                "cpu_seconds": cpu_seconds,
            },
        )
        return str(SkipReason.PARSE_TIMEOUT), None
    except Exception:  # one bad file must never fail the run
        log.exception("extraction failed", extra={"path": path})
        return "parse_failed", None
