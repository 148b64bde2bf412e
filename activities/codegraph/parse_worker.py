"""The CPU-bound part of a run, executed in worker processes: bytes in, JSON lines out.

Runs in a `ProcessPoolExecutor` so both cores parse; it takes and returns plain values only.
Rows come back already encoded as `parsed.jsonl` lines: encoding in the workers runs on both
cores, and one string crosses the process boundary much faster than nested lists.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from activities.codegraph.extract import extract
from activities.codegraph.languages import ParseTimeoutError
from activities.codegraph.skipping import SkipReason, skip_by_content

log = logging.getLogger(__name__)


def parse_files(
    items: list[tuple[str, str, str, bytes]], cpu_seconds: float | None
) -> list[tuple[bool, str]]:
    """Parse (path, blob_sha, language, content) items into (skipped, JSON line) pairs; a
    file not parsed within `cpu_seconds` is skipped."""
    rows = []
    for path, blob_sha, language, content in items:
        row: dict[str, Any] = {
            "path": path,
            "blob_sha": blob_sha,
            "language": language,
            "skipped": None,
            "extraction": None,
        }
        reason = skip_by_content(content)
        if reason is not None:
            row["skipped"] = str(reason)
        else:
            try:
                row["extraction"] = extract(path, content, language, cpu_seconds).to_json()
            except ParseTimeoutError:
                log.warning(
                    "parse timed out, file skipped",
                    extra={"path": path, "language": language, "bytes": len(content)},
                )
                row["skipped"] = str(SkipReason.PARSE_TIMEOUT)
            except Exception:  # one bad file must never fail the run
                log.exception("extraction failed", extra={"path": path})
                row["skipped"] = "parse_failed"
        rows.append((row["skipped"] is not None, json.dumps(row, separators=(",", ":")) + "\n"))
    return rows
