"""A Go file added to or deleted from a package moves the IMPORTS of every importer, but the
CALLS only of those that spell one of its definitions: the others are re-resolved without
their calls (`BranchResolution.calls_stable`). Pure."""

from __future__ import annotations

from textwrap import dedent

import pytest

from activities.codegraph.branch_resolution import BranchResolution, resolve_edges
from activities.codegraph.extract import extract
from activities.codegraph.graph_rows import EdgeRow
from activities.codegraph.languages import detect_language
from activities.codegraph.model import FileExtraction

GO_MODULES = {"": "example.com/m"}
BRANCH = {
    "util/util.go": "package util\n\nfunc Helper() int { return 1 }\n",
    # Calls a function the new file defines (unresolved until it comes).
    "cmd/a/a.go": """
        package main

        import "example.com/m/util"

        func main() { util.Helper(); util.Fresh() }
    """,
    # Imports the package and calls only what was there already.
    "cmd/b/b.go": """
        package main

        import "example.com/m/util"

        func main() { util.Helper() }
    """,
    # A dot import reaches the new definition by its bare name.
    "cmd/c/c.go": """
        package main

        import . "example.com/m/util"

        func main() { Fresh() }
    """,
    # Calls a method the new file adds to a type of the package.
    "cmd/d/d.go": """
        package main

        import "example.com/m/util"

        func main() { var t util.Thing; t.Grow() }
    """,
    "util/thing.go": "package util\n\ntype Thing struct{}\n",
    "util/base.go": "package util\n\ntype Base struct{}\n\nfunc (b Base) Mass() int { return 1 }\n",
    # A method expression through a type named with a non-ASCII capital (not yet defined).
    "cmd/e/e.go": """
        package main

        import "example.com/m/util"

        func main() { util.\u00c9bauche.Mass(util.\u00c9bauche{}) }
    """,
    # Mass is defined twice: a call reaches it only through its type.
    "other/o.go": "package other\n\ntype Z struct{}\n\nfunc (z Z) Mass() int { return 2 }\n",
}
FRESH = "package util\n\nfunc Fresh() int { return 2 }\n\nfunc (t Thing) Grow() {}\n"
# path of the file added (or deleted), its source, the importers whose calls may stand
CASES = {
    "a file of the package": ("util/fresh.go", FRESH, {"cmd/b/b.go", "cmd/e/e.go", "other/o.go"}),
    # cmd/e/e.go names it as `util.\u00c9bauche`, a word that starts with a non-ASCII letter.
    "a type with a non-ASCII name": (
        "util/ebauche.go",
        "package util\n\ntype \u00c9bauche struct {\n\tBase\n}\n",
        {"cmd/a/a.go", "cmd/b/b.go", "cmd/c/c.go", "cmd/d/d.go", "other/o.go"},
    ),
    # Sorts first in the directory; importers still name the package after its other files.
    "an external test package": (
        "util/a_test.go",
        "package util_test\n\nfunc TestX() {}\n",
        {"cmd/a/a.go", "cmd/b/b.go", "cmd/c/c.go", "cmd/d/d.go", "cmd/e/e.go", "other/o.go"},
    ),
    # Sorts first and declares another package: that renames the package in its importers.
    "a file of another package": ("util/aaa.go", "package renamed\n\nfunc Zed() {}\n", set()),
    # The directory had no Go file: importers bound an external module until now.
    "a new package": ("fresh/fresh.go", "package fresh\n\nfunc Fresh() int { return 2 }\n", set()),
}


def extract_all(files: dict[str, str]) -> dict[str, FileExtraction]:
    found = {}
    for path, source in files.items():
        language = detect_language(path)
        assert language is not None
        found[path] = extract(path, dedent(source).lstrip("\n").encode(), language)
    return found


def calls(rows: list[EdgeRow] | None) -> list[EdgeRow]:
    return [e for e in rows or () if e.type == "CALLS"]


@pytest.mark.parametrize("deleting", [False, True], ids=["added", "deleted"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_only_importers_that_spell_nothing_of_the_file_keep_their_calls(
    case: str, deleting: bool
) -> None:
    path, source, expected = CASES[case]
    without = extract_all(BRANCH)
    with_file = extract_all({**BRANCH, path: source})
    before, after = (with_file, without) if deleting else (without, with_file)
    kept = BranchResolution("r", "main", before, GO_MODULES)
    changed_file = {path: with_file[path]}
    scope = set(after) if deleting else {path, *after}  # every file: the rule narrows nothing
    widened = kept.update(
        {}, scope, added={} if deleting else changed_file, deleted=[path] if deleting else []
    )
    assert widened is not None
    assert kept.calls_stable == expected
    edges_before = resolve_edges("r", "main", before, GO_MODULES)
    edges_after = resolve_edges("r", "main", after, GO_MODULES)
    for stable in kept.calls_stable:
        assert calls(edges_after.get(stable)) == calls(edges_before.get(stable))
    moving = {
        "a file of the package": ("cmd/a/a.go", "cmd/c/c.go", "cmd/d/d.go"),
        "a type with a non-ASCII name": ("cmd/e/e.go",),
    }
    for moved in moving.get(case, ()):
        assert calls(edges_after.get(moved)) != calls(edges_before.get(moved)), moved
    assert kept.edges() == edges_after
