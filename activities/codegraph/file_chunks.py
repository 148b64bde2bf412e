"""Parsed-file rows decoded into what the graph writer needs for one chunk of files.

Decoding (JSON, extraction objects, definition rows, the packed extraction kept on each File)
is about a third of a full index's Python time; it runs in a thread while the previous chunk
is being written, so it overlaps with Neo4j's work instead of adding to it. Pure but for
one cache it fills (`affected.outside_words`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from activities.codegraph.affected import outside_words
from activities.codegraph.graph_rows import SymbolRow, file_key, symbol_rows
from activities.codegraph.graph_writer import pack_extraction
from activities.codegraph.model import FileExtraction


@dataclass
class FileChunk:
    file_rows: list[dict[str, Any]] = field(default_factory=list)  # File node properties
    symbols: list[SymbolRow] = field(default_factory=list)
    defines: list[tuple[str, str, str]] = field(default_factory=list)  # (src label, src, dst)
    # path -> (File key, blob id, extraction) of every file that parsed
    extractions: dict[str, tuple[str, str, FileExtraction]] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        return [props["key"] for props in self.file_rows]

    @property
    def blobs(self) -> dict[str, str]:
        return {props["key"]: props["blob_sha"] for props in self.file_rows}


def prepare_chunk(repo_id: str, branch: str, lines: list[str]) -> FileChunk:
    """Rows for the files of `lines` (lines of `parsed.jsonl`)."""
    chunk = FileChunk()
    for line in lines:
        row = json.loads(line)
        fkey = file_key(repo_id, branch, row["path"])
        extraction = FileExtraction.from_json(row["extraction"]) if row["extraction"] else None
        props: dict[str, Any] = {
            "key": fkey,
            "repo_id": repo_id,
            "branch": branch,
            "path": row["path"],
            "blob_sha": row["blob_sha"],
            "language": row["language"],
            "skipped": row["skipped"],
            "has_syntax_errors": False,
            "extraction": None,
        }
        if extraction is not None:
            chunk.extractions[row["path"]] = (fkey, row["blob_sha"], extraction)
            # Worked out here, in the decoding thread while Neo4j writes, rather than by the
            # first narrow change after a full index, which scans every file's words (0.2 s
            # for CPython's standard library): the worker keeps these extraction objects.
            outside_words(extraction)
            props["has_syntax_errors"] = extraction.has_syntax_errors
            props["extraction"] = pack_extraction(extraction)
            for symbol in symbol_rows(repo_id, branch, extraction):
                chunk.symbols.append(symbol)
                parent = symbol.parent_key
                chunk.defines.append(
                    ("Symbol", parent, symbol.key) if parent else ("File", fkey, symbol.key)
                )
        chunk.file_rows.append(props)
    return chunk
