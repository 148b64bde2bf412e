"""Resolution policy: what is never guessed, how duplicates are keyed, and determinism."""

from __future__ import annotations

import random

from activities.codegraph.extract import extract
from activities.codegraph.graph_rows import symbol_keys
from activities.codegraph.model import FileExtraction
from activities.codegraph.resolve import resolve_edges
from tests.codegraph.sample_repo import BRANCH, REPO, index_repo


def test_external_imports_are_never_guessed_into_repository_symbols() -> None:
    """`json.dumps`, `xml.dumps` (after `import xml.dom`) and an imported `Button` stay
    unresolved even when the repository defines a unique `dumps` and a `Button`."""
    repo = index_repo(
        {
            "app/codec.py": """
                class Codec:
                    def dumps(self, obj):
                        return obj
                """,
            "app/widgets.py": """
                class Button:
                    pass
                """,
            "app/main.py": """
                import json
                import xml.dom
                from tkinter import Button

                def run():
                    json.dumps({})
                    xml.dumps({})
                    Button()
                    print("x")
                """,
        }
    )
    assert repo.edge_set("CALLS") == set()


def test_bare_names_not_in_scope_are_not_guessed_in_module_languages() -> None:
    """A Python builtin-looking bare call does not match a same-named function elsewhere."""
    repo = index_repo(
        {
            "a.py": "def open(path):\n    return path\n",
            "b.py": "def read(p):\n    return open(p)\n",
        }
    )
    assert repo.edge_set("CALLS") == set()


def test_ambiguous_names_produce_no_edge() -> None:
    """Two methods of the same name leave `obj.render()` unresolved instead of picking one."""
    repo = index_repo(
        {
            "a.py": "class A:\n    def render(self):\n        pass\n",
            "b.py": "class B:\n    def render(self):\n        pass\n",
            "c.py": "def go(obj):\n    obj.render()\n",
        }
    )
    assert repo.edge_set("CALLS") == set()


def test_common_builtin_method_names_are_not_guessed() -> None:
    """`items.append(x)` is a list append even if the repository has one `append` method."""
    repo = index_repo(
        {
            "log.py": "class Log:\n    def append(self, line):\n        pass\n",
            "c.py": "def go(items):\n    items.append(1)\n",
        }
    )
    assert repo.edge_set("CALLS") == set()


def test_duplicate_qualified_names_get_ordinal_keys() -> None:
    """Redefinitions and overloads keep one node each, numbered in source order."""
    source = b"def f():\n    pass\n\ndef f():\n    pass\n\nclass f:\n    pass\n"
    extraction = extract("dup.py", source, "python")
    keys = symbol_keys(REPO, BRANCH, extraction)
    assert len(set(keys)) == 3
    assert keys[1] == keys[0] + "#2"


def test_edges_are_deterministic_whatever_the_input_order() -> None:
    """The same files in any order give the same sorted edges (the incremental property)."""
    from tests.codegraph.test_python import FILES

    repo = index_repo(FILES)
    items = list(repo.extractions.items())
    random.Random(7).shuffle(items)
    shuffled = dict(items)
    assert resolve_edges(REPO, BRANCH, shuffled) == resolve_edges(REPO, BRANCH, repo.extractions)


def test_edges_of_unchanged_files_follow_a_changed_target() -> None:
    """Editing the callee's file re-links callers that were not re-parsed."""
    before = index_repo(
        {"lib.py": "def helper():\n    pass\n", "use.py": "from lib import helper\nhelper()\n"}
    )
    assert before.edge_set("CALLS") == {("use.py", "lib.py|Function:helper", "import")}
    moved = extract("lib.py", b"class Helper:\n    pass\n", "python")
    after = resolve_edges(REPO, BRANCH, {**before.extractions, "lib.py": moved})
    assert not [e for e in after.get("use.py", []) if e.type == "CALLS"]


def test_extraction_round_trips_through_json() -> None:
    """What is stored on the File node restores to an equal extraction."""
    from tests.codegraph.test_rust import FILES

    for extraction in index_repo(FILES).extractions.values():
        assert FileExtraction.from_json(extraction.to_json()) == extraction
