"""Soundness of `affected_files` in every language: a file it leaves out keeps exactly its edges.

Each language's sample repository goes through many narrow edits, made on the extractions so
they reach every resolution rule alike: a function or method removed, renamed to a name that
another file calls, defined twice, or added (top level and inside the first class) under a
name another file calls. For every edit where `affected_files` answers a set, the edges of all
other files must be identical before and after, and resolving only that set must give the
same edges as resolving the whole branch. One `BranchResolution`, kept across all the edits as
the indexer keeps it across runs, takes in each edit and its undoing: it must answer the same
edges for the set, and then exactly the edges of the untouched branch.
"""

from __future__ import annotations

import dataclasses
import itertools
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest

from activities.codegraph.affected import affected_files
from activities.codegraph.extract import extract
from activities.codegraph.languages import detect_language
from activities.codegraph.model import CALLABLE_KINDS, CLASS_KINDS, Definition, FileExtraction
from activities.codegraph.resolve import BranchResolution, resolve_edges
from tests.codegraph import (
    test_c_family,
    test_csharp,
    test_go,
    test_javascript,
    test_jvm,
    test_php,
    test_python,
    test_ruby,
    test_rust,
)

SAMPLES = {
    "c": (test_c_family.C_FILES, None),
    "cpp": (test_c_family.CPP_FILES, None),
    "csharp": (test_csharp.FILES, None),
    "go": (test_go.FILES, test_go.GO_MODULES),
    "javascript+typescript": (test_javascript.FILES, None),
    "java": (test_jvm.JAVA, None),
    "kotlin": (test_jvm.KOTLIN, None),
    "php": (test_php.FILES, None),
    "python": (test_python.FILES, None),
    "ruby": (test_ruby.FILES, None),
    "rust": (test_rust.FILES, None),
}


def extract_all(files: dict[str, str]) -> dict[str, FileExtraction]:
    found = {}
    for path, source in files.items():
        language = detect_language(path)
        assert language is not None, path
        found[path] = extract(path, dedent(source).lstrip("\n").encode(), language)
    return found


def edits(branch: dict[str, FileExtraction]) -> Iterator[tuple[str, str, FileExtraction]]:
    """(description, path, new extraction) for narrow edits of every file."""
    called = sorted({c.name for fe in branch.values() for c in fe.calls})
    for path, fe in sorted(branch.items()):
        defs = list(fe.definitions)
        callables = [d for d in defs if d.kind in CALLABLE_KINDS]
        for d in callables:
            rest = tuple(x for x in defs if x is not d)
            yield f"remove {d.qualified_name}", path, dataclasses.replace(fe, definitions=rest)
            yield (
                f"define {d.qualified_name} twice",
                path,
                dataclasses.replace(fe, definitions=(*defs, d)),
            )
            for name in called[:6]:
                prefix = d.qualified_name.rpartition(".")[0]
                renamed = dataclasses.replace(
                    d, name=name, qualified_name=f"{prefix}.{name}" if prefix else name
                )
                swapped = tuple(renamed if x is d else x for x in defs)
                yield (
                    f"rename {d.qualified_name} to {name}",
                    path,
                    dataclasses.replace(fe, definitions=swapped),
                )
        owner = next((d for d in defs if d.kind in CLASS_KINDS), None)
        for name in called:
            added = [Definition("Function", name, name, 1, 1)]
            if owner is not None:
                qualified = f"{owner.qualified_name}.{name}"
                added.append(Definition("Method", name, qualified, 1, 1, owner.qualified_name))
            for extra in added:
                yield (
                    f"add {extra.kind} {extra.qualified_name}",
                    path,
                    dataclasses.replace(fe, definitions=(*defs, extra)),
                )


def stdlib_files(*packages: str) -> dict[str, str]:
    root = Path(sysconfig.get_paths()["stdlib"])
    return {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for package in packages
        for path in sorted((root / package).rglob("*.py"))
    }


@pytest.mark.parametrize("language", [*sorted(SAMPLES), "python-stdlib"])
def test_files_left_out_keep_their_edges(language: str) -> None:
    if language == "python-stdlib":  # real code: every 40th edit of ~90 files
        files, go_modules, step = stdlib_files("json", "email", "http"), None, 40
    else:
        (files, go_modules), step = SAMPLES[language], 1
    before = extract_all(files)
    edges_before = resolve_edges("r", "main", before, go_modules)
    kept = BranchResolution("r", "main", before, go_modules)
    narrow = 0
    for description, path, changed in itertools.islice(edits(before), 0, 400 * step, step):
        after = {**before, path: changed}
        scope = affected_files({path: before[path]}, {path: changed}, after, max_share=1.0)
        if scope is None:
            continue
        narrow += 1
        edges_after = resolve_edges("r", "main", after, go_modules)
        for other in sorted(set(after) - scope):
            assert edges_after.get(other) == edges_before.get(other), (
                f"{language}: after '{description}' in {path}, {other} changed "
                f"but was not in {sorted(scope)}"
            )
        partial = resolve_edges("r", "main", after, go_modules, only=scope)
        assert partial == {p: e for p, e in edges_after.items() if p in scope}, description
        assert kept.update({path: changed}, scope), description
        assert kept.edges(scope) == partial, f"kept resolution after '{description}'"
        undo = affected_files({path: changed}, {path: before[path]}, before, max_share=1.0)
        assert undo is not None, description
        assert kept.update({path: before[path]}, undo), description
        assert kept.edges() == edges_before, f"kept resolution after undoing '{description}'"
    assert narrow > 10, f"{language}: only {narrow} narrow edits were checked"
