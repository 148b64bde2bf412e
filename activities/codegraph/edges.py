"""Resolved references as graph edges, grouped by the file they start from. Pure."""

from __future__ import annotations

from collections.abc import Mapping

from activities.codegraph.graph_rows import EdgeRow
from activities.codegraph.model import FileExtraction
from activities.codegraph.resolve import resolve_edges


def build_edges(
    repo_id: str,
    branch: str,
    extractions: Mapping[str, FileExtraction],
    go_modules: Mapping[str, str] | None = None,
) -> dict[str, list[EdgeRow]]:
    """IMPORTS, CALLS and INHERITS edges of the whole branch, keyed by source file path."""
    return resolve_edges(repo_id, branch, extractions, go_modules)
