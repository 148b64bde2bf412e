"""The index format: what a graph was made with besides the code. Any change to the extractor,
a grammar or a setting that decides what is parsed gives another format (so every file is
parsed again); anything else gives the same one. Pure."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from activities.codegraph import index_format as module
from activities.codegraph.index_format import grammar_versions, index_format
from activities.codegraph.skipping import DEFAULT_VENDORED_DIRS, SkipRules
from activities.codegraph.snapshot_plan import plan_snapshot

GRAMMARS = {"tree_sitter": "0.25.1", "tree_sitter_python": "0.25.0"}
BASE = index_format(SkipRules(), {}, GRAMMARS)


def test_the_same_inputs_give_the_same_format() -> None:
    assert index_format(SkipRules(), {}, dict(reversed(GRAMMARS.items()))) == BASE
    shuffled = SkipRules(vendored_dirs=tuple(reversed(DEFAULT_VENDORED_DIRS)))
    assert index_format(shuffled, {}, GRAMMARS) == BASE


@pytest.mark.parametrize(
    ("rules", "languages", "grammars"),
    [
        (SkipRules(max_bytes=2 * 1024 * 1024), {}, GRAMMARS),
        (SkipRules(vendored_dirs=(*DEFAULT_VENDORED_DIRS, "deps")), {}, GRAMMARS),
        (SkipRules(vendored_dirs=("vendor",)), {}, GRAMMARS),
        (SkipRules(parse_cpu_seconds=60.0), {}, GRAMMARS),
        (SkipRules(), {".jsm": "javascript"}, GRAMMARS),
        (SkipRules(), {}, {**GRAMMARS, "tree_sitter_python": "0.25.1"}),
        (SkipRules(), {}, {**GRAMMARS, "tree_sitter_go": "0.25.0"}),
    ],
)
def test_what_decides_the_graph_changes_the_format(
    rules: SkipRules, languages: dict[str, str], grammars: dict[str, str]
) -> None:
    assert index_format(rules, languages, grammars) != BASE


def test_a_new_extractor_version_changes_the_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, "EXTRACTOR_VERSION", module.EXTRACTOR_VERSION + 1)
    assert index_format(SkipRules(), {}, GRAMMARS) != BASE


def test_every_grammar_wheel_is_versioned() -> None:
    versions = grammar_versions()
    assert {"tree_sitter", "tree_sitter_python", "tree_sitter_c_sharp"} <= versions.keys()
    assert len(versions) == 13  # tree-sitter and 12 wheels (TypeScript's holds TSX too)
    assert all(versions.values())


@dataclass(frozen=True)
class Entry:
    path: str
    blob_sha: str
    size: int = 10


def test_reparse_all_leaves_nothing_unchanged_and_still_lists_the_deleted() -> None:
    tree = [Entry("a.py", "1"), Entry("b.py", "2")]
    stored = {"a.py": "1", "b.py": "2", "gone.py": "3"}
    usual = plan_snapshot(tree, stored, SkipRules())
    assert (usual.unchanged, usual.to_parse, usual.deleted) == (("a.py", "b.py"), (), ("gone.py",))
    again = plan_snapshot(tree, stored, SkipRules(), reparse_all=True)
    assert again.unchanged == ()
    assert [f.path for f in again.to_parse] == ["a.py", "b.py"]
    assert again.deleted == ("gone.py",)
