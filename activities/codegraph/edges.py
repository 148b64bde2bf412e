"""Resolved references as graph edges, grouped by the file they start from. Pure."""

from __future__ import annotations

from collections.abc import Mapping

from activities.codegraph.graph_rows import EdgeRow
from activities.codegraph.model import FileExtraction


def build_edges(
    repo_id: str, branch: str, extractions: Mapping[str, FileExtraction]
) -> dict[str, list[EdgeRow]]:
    """IMPORTS, CALLS and INHERITS edges of the whole branch, keyed by source file path."""
    # TODO(lead): wire activities.codegraph.resolve once it lands (in progress this session).
    return {}
