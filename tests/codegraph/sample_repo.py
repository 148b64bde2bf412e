"""Index a small in-memory repository (path -> source) through extraction and resolution."""

from __future__ import annotations

from dataclasses import dataclass
from posixpath import basename
from textwrap import dedent

from activities.codegraph.branch_resolution import resolve_edges
from activities.codegraph.cargo import MANIFEST, crate_roots
from activities.codegraph.extract import extract
from activities.codegraph.graph_rows import EdgeRow
from activities.codegraph.languages import detect_language
from activities.codegraph.model import FileExtraction
from activities.codegraph.msbuild import is_msbuild_file, project_usings
from activities.codegraph.npm_workspaces import is_workspace_file, workspace_packages
from activities.codegraph.tsconfig import is_config, path_aliases

REPO, BRANCH = "github-1", "main"
PREFIX = f"{REPO}|{BRANCH}|"


@dataclass(frozen=True)
class IndexedRepo:
    extractions: dict[str, FileExtraction]
    edges: list[EdgeRow]

    def defs(self, path: str) -> list[tuple[str, str, int, int]]:
        """(kind, qualified name, start line, end line) of every definition in `path`."""
        return [
            (d.kind, d.qualified_name, d.start_line, d.end_line)
            for d in self.extractions[path].definitions
        ]

    def imports(self, path: str) -> list[tuple[str, str | None, str | None]]:
        return [(i.module, i.name, i.alias) for i in self.extractions[path].imports]

    def calls(self, path: str) -> list[tuple[str | None, str, str | None]]:
        """(receiver, name, caller) of every call site in `path`."""
        return [(c.receiver, c.name, c.caller) for c in self.extractions[path].calls]

    def edge_set(self, kind: str) -> set[tuple[str, ...]]:
        """Edges of one type as (source, target, how) with the repo/branch prefix removed."""
        return {
            (_short(e.src_key), _short(e.dst_key), str(e.props.get("resolution", "")))
            for e in self.edges
            if e.type == kind
        }


def _short(key: str) -> str:
    return key.removeprefix(PREFIX)


def index_repo(files: dict[str, str], go_modules: dict[str, str] | None = None) -> IndexedRepo:
    """Extract every file (its language from its name) and resolve the whole set; the
    tsconfig.json, Cargo.toml, MSBuild and package.json files among them give their path
    aliases, crates, C# project usings and JavaScript workspace packages, as a worker reads
    them."""
    extractions = {}
    configs = {path: dedent(source) for path, source in files.items() if is_config(path)}
    manifests = {p: dedent(source) for p, source in files.items() if basename(p) == MANIFEST}
    msbuild = {p: dedent(source) for p, source in files.items() if is_msbuild_file(p)}
    npm = {p: dedent(source) for p, source in files.items() if is_workspace_file(p)}
    for path, source in files.items():
        if path in configs or path in manifests or path in msbuild or path in npm:
            continue
        language = detect_language(path)
        assert language is not None, path
        content = dedent(source).lstrip("\n").encode()
        extractions[path] = extract(path, content, language)
        # Workers parse under a time limit, reading through a callback: the same result.
        assert extract(path, content, language, cpu_seconds=600.0) == extractions[path]
    by_file = resolve_edges(
        REPO,
        BRANCH,
        extractions,
        go_modules,
        js_aliases=path_aliases(configs),
        rust_crates=crate_roots(manifests),
        cs_usings=project_usings(msbuild),
        js_packages=workspace_packages(npm),
    )
    return IndexedRepo(extractions, [edge for edges in by_file.values() for edge in edges])
