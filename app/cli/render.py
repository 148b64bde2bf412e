"""Text and JSON for what the CLI prints: branch statuses and index results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from workflows.contracts import BranchStatus, IndexResult


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, default=str)


def status_record(status: BranchStatus, workflow_id: str) -> dict[str, Any]:
    return {"workflow_id": workflow_id, **asdict(status)}


def result_lines(status: BranchStatus, elapsed: float) -> list[str]:
    """The outcome of the run `status` reports, as lines for a terminal."""
    result = status.last_result
    where = f"{status.repo_id} {status.branch}"
    if result is None:
        return [f"{where}: no run recorded"]
    if result.status == "failed":
        return [f"{where}: index run failed: {status.last_error or 'unknown error'}"]
    if result.status == "unchanged":
        return [
            f"{where}: {_short(result.commit_sha)} is already indexed; nothing to do "
            f"({elapsed:.1f}s)"
        ]
    return [f"indexed {where} at {_short(result.commit_sha)} ({result.repo})", *_stats(result)]


def _stats(result: IndexResult) -> list[str]:
    stats = result.stats
    timings = ", ".join(
        f"{name.removesuffix('_s')} {value:.2f}s" for name, value in stats.timings.items()
    )
    return [
        f"  files    {stats.indexed_files} indexed: {stats.parsed_files} parsed, "
        f"{stats.unchanged_files} unchanged, {stats.skipped_files} skipped"
        + (f" ({stats.deferred_files} deferred to the next run)" if stats.deferred_files else "")
        + f", {stats.deleted_files} deleted",
        f"  symbols  {stats.total_symbols}",
        f"  graph    {stats.nodes_written} nodes and {stats.edges_written} edges written, "
        f"{result.stale_nodes_deleted} stale nodes removed",
        f"  timings  {timings or 'none recorded'}",
    ]


def status_table(rows: Sequence[tuple[str, BranchStatus | None]]) -> list[str]:
    """One line per branch workflow; a status of None means no worker answered the query."""
    header = ("REPO_ID", "BRANCH", "STATE", "INDEXED", "AT", "RUNS", "LAST_ERROR")
    lines = [header]
    for workflow_id, status in rows:
        if status is None:
            lines.append((workflow_id, "", "no answer (is a worker running?)", "", "", "", ""))
            continue
        lines.append(
            (
                status.repo_id,
                status.branch,
                status.state + (" +pending" if status.pending_sha else ""),
                _short(status.last_indexed_sha) or "-",
                (status.last_indexed_at or "-")[:19],
                str(status.runs),
                (status.last_error or "")[:60],
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in lines
    ]


def _short(sha: str | None) -> str:
    return sha[:12] if sha else ""
