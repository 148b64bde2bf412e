"""Soundness of `affected_files` in every language: a file it leaves out keeps exactly its edges.

Each language's sample repository goes through many narrow edits, made on the extractions so
they reach every resolution rule alike: a function or method removed, renamed to a name that
another file calls, defined twice (overloaded: with another arity), made private (`hidden`) or
public, or added (top level and inside the first class) under a name another file calls. For
every edit where `affected_files` answers a set, the edges of all other files must be identical
before and after, and resolving only that set must give the same edges as resolving the whole
branch. One `BranchResolution`, kept across all the edits as the indexer keeps it across runs,
takes in each edit and its undoing: it must answer the same edges for the set it returns, and
then exactly the edges of the untouched branch. With it an edited import (dropped, or one of
another file added) is narrow too, and so is a type removed, renamed or added, or a base
dropped or added.
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
from activities.codegraph.branch_resolution import BranchResolution, resolve_edges
from activities.codegraph.extract import extract
from activities.codegraph.graph_rows import EdgeRow
from activities.codegraph.languages import detect_language
from activities.codegraph.model import (
    CALLABLE_KINDS,
    CLASS_KINDS,
    Definition,
    FileExtraction,
    Import,
    Inheritance,
    singleton_name,
)
from activities.codegraph.npm_workspaces import workspace_packages
from tests.codegraph import (
    test_c_family,
    test_call_chains,
    test_csharp,
    test_element_access,
    test_go,
    test_javascript,
    test_jvm,
    test_php,
    test_python,
    test_ruby,
    test_rust,
)
from tests.graph.test_incremental_identity import goroot

SAMPLES = {
    "c": (test_c_family.C_FILES, None),
    "cpp": (test_c_family.CPP_FILES, None),
    "cpp-macro-namespace": (test_c_family.MACRO_NAMESPACE_FILES, None),
    "cpp-namespace-functions": (test_c_family.NAMESPACE_FUNCTION_FILES, None),
    "csharp": (test_csharp.FILES, None),
    "go": (test_go.FILES, test_go.GO_MODULES),
    "go-call-results": (
        {
            **test_go.CALL_RESULT_FILES,
            **test_call_chains.SAMPLES["go"],
            **test_element_access.SAMPLES["go"],
            **test_element_access.FIELDS_OF_ELEMENTS,
            **test_call_chains.CALLED_ON_FIELDS,
        },
        {"": "example.com/app"},
    ),
    "go-field-paths": (
        {**test_go.FIELD_FILES, **test_go.EMBEDDED_FILES, **test_javascript.FIELD_FILES},
        {"": "example.com/app"},
    ),
    "call-results": (
        {
            **test_python.CALL_RESULT_FILES,
            **test_javascript.CALL_RESULT_FILES,
            **test_jvm.CALL_RESULT_JAVA,
            **test_csharp.CALL_RESULT_FILES,
            **test_jvm.CALL_RESULT_KOTLIN,
            **test_php.CALL_RESULT_FILES,
            **test_c_family.CALL_RESULT_CPP,
            **{k: v for k, v in test_rust.CALL_RESULT_FILES.items() if k != "Cargo.toml"},
            **test_call_chains.BOUND_FROM_CHAINS,
            **test_call_chains.FIELDS_OF_RESULTS,
            **test_call_chains.RETURNING_THIS,
            **test_call_chains.BOUND_BEFORE_REBINDING,
        },
        None,
    ),
    "call-chains": (
        {
            path: source
            for language, files in test_call_chains.SAMPLES.items()
            if language != "go"
            for path, source in files.items()
        },
        None,
    ),
    "element-access": (
        {
            path: source
            for language, files in test_element_access.SAMPLES.items()
            if language != "go"
            for path, source in files.items()
        },
        None,
    ),
    "javascript+typescript": (test_javascript.FILES, None),
    "java": (test_jvm.JAVA, None),
    "kotlin": (test_jvm.KOTLIN, None),
    "php": (test_php.FILES, None),
    "php-namespace-blocks": (test_php.NAMESPACE_FILES, None),
    "php-doc-types": (test_php.DOCUMENTED_FILES, None),
    "jsdoc-types": (test_javascript.JSDOC_FILES, None),
    "python": (test_python.FILES, None),
    "ruby": (test_ruby.FILES, None),
    "ruby-class-methods": (test_ruby.CLASS_AND_INSTANCE_FILES, None),
    "ruby-constants": (test_ruby.CONSTANT_FILES, None),
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
            other = (0, 0) if d.arity != (0, 0) else (1, 1)
            yield (
                f"overload {d.qualified_name} taking {other[0]} arguments",
                path,
                dataclasses.replace(fe, definitions=(*defs, dataclasses.replace(d, arity=other))),
            )
            if sum(x.qualified_name == d.qualified_name for x in defs) > 1:
                # One overload made to take other arguments.
                retaken = dataclasses.replace(d, arity=other)
                yield (
                    f"make {d.qualified_name} take {other[0]} arguments",
                    path,
                    dataclasses.replace(
                        fe, definitions=tuple(retaken if x is d else x for x in defs)
                    ),
                )
            if fe.language == "ruby" and d.parent is not None:
                # `def build` made `def self.build`, or back.
                sides = f"{d.parent}.{d.name}", singleton_name(d.parent, d.name)
                moved = dataclasses.replace(d, qualified_name=sides[not d.singleton])
                swapped = tuple(moved if x is d else x for x in defs)
                yield (
                    f"move {d.qualified_name} to the {'instances' if d.singleton else 'class'}",
                    path,
                    dataclasses.replace(fe, definitions=swapped),
                )
            flipped = dataclasses.replace(d, hidden=not d.hidden)  # made private, or public
            yield (
                f"{'show' if d.hidden else 'hide'} {d.qualified_name}",
                path,
                dataclasses.replace(fe, definitions=tuple(flipped if x is d else x for x in defs)),
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


def go_stdlib_files(*packages: str) -> dict[str, str]:
    """Go packages of the Go tree at the repository root (bare import paths, as in GOROOT),
    their tests (some in `package x_test`) included."""
    root = goroot() / "src"
    return {
        str(path.relative_to(root)): path.read_text(encoding="utf-8")
        for package in packages
        for path in sorted((root / package).glob("*.go"))
    }


def import_edits(branch: dict[str, FileExtraction]) -> Iterator[tuple[str, str, FileExtraction]]:
    """(description, path, new extraction): an import removed, or one of another file added."""
    by_language: dict[str, set[Import]] = {}
    for fe in branch.values():
        by_language.setdefault(fe.language, set()).update(fe.imports)
    for path, fe in sorted(branch.items()):
        for imp in fe.imports:
            rest = tuple(x for x in fe.imports if x is not imp)
            yield (
                f"drop import {imp.module} {imp.name}",
                path,
                dataclasses.replace(fe, imports=rest),
            )
        for imp in sorted(by_language[fe.language] - set(fe.imports), key=repr)[:4]:
            added = (*fe.imports, imp)
            yield (
                f"add import {imp.module} {imp.name}",
                path,
                dataclasses.replace(fe, imports=added),
            )


def type_edits(branch: dict[str, FileExtraction]) -> Iterator[tuple[str, str, FileExtraction]]:
    """(description, path, new extraction): a type removed with its members, renamed to a
    name another file calls, or added under such a name; a base dropped or added."""
    called = sorted({c.name for fe in branch.values() for c in fe.calls})
    types = sorted(
        {d.name for fe in branch.values() for d in fe.definitions if d.kind in CLASS_KINDS}
    )
    for path, fe in sorted(branch.items()):
        defs = list(fe.definitions)
        for t in [d for d in defs if d.kind in CLASS_KINDS][:3]:
            inner = t.qualified_name + "."
            rest = tuple(d for d in defs if d is not t and not d.qualified_name.startswith(inner))
            bases = tuple(h for h in fe.inherits if h.child != t.qualified_name)
            yield (
                f"remove {t.kind} {t.qualified_name}",
                path,
                dataclasses.replace(fe, definitions=rest, inherits=bases),
            )
            for name in [n for n in called if n != t.name][:3]:
                prefix = t.qualified_name.rpartition(".")[0]
                qualified = f"{prefix}.{name}" if prefix else name
                yield (
                    f"rename {t.kind} {t.qualified_name} to {name}",
                    path,
                    _renamed_type(fe, t.qualified_name, name, qualified),
                )
            for base in [n for n in types if n != t.name][:2]:
                extra = Inheritance(t.qualified_name, base, "extends", t.start_line)
                yield (
                    f"{t.qualified_name} extends {base}",
                    path,
                    dataclasses.replace(fe, inherits=(*fe.inherits, extra)),
                )
        for h in fe.inherits:
            rest_bases = tuple(x for x in fe.inherits if x is not h)
            yield (
                f"drop base {h.parent} of {h.child}",
                path,
                dataclasses.replace(fe, inherits=rest_bases),
            )
        for name in called[:4]:
            added = (
                Definition("Class", name, name, 1, 2),
                Definition("Method", called[-1], f"{name}.{called[-1]}", 2, 2, name),
            )
            yield (
                f"add Class {name}",
                path,
                dataclasses.replace(fe, definitions=(*added, *defs)),
            )


def _renamed_type(fe: FileExtraction, old: str, name: str, qualified: str) -> FileExtraction:
    """`fe` with the type `old` (and every qualified name under it) renamed."""

    def moved(qn: str | None) -> str | None:
        if qn == old:
            return qualified
        if qn is not None and qn.startswith(old + "."):
            return qualified + qn[len(old) :]
        return qn

    defs = tuple(
        dataclasses.replace(
            d,
            name=name if d.qualified_name == old else d.name,
            qualified_name=moved(d.qualified_name),
            parent=moved(d.parent),
        )
        for d in fe.definitions
    )
    bases = tuple(dataclasses.replace(h, child=moved(h.child)) for h in fe.inherits)
    calls = tuple(dataclasses.replace(c, caller=moved(c.caller)) for c in fe.calls)
    return dataclasses.replace(fe, definitions=defs, inherits=bases, calls=calls)


def _only(edges: dict[str, list[EdgeRow]], paths: set[str] | None) -> dict[str, list[EdgeRow]]:
    return edges if paths is None else {p: e for p, e in edges.items() if p in paths}


@pytest.mark.parametrize("language", [*sorted(SAMPLES), "python-stdlib"])
def test_files_left_out_keep_their_edges(language: str) -> None:
    if language == "python-stdlib":  # real code: every 40th edit of ~90 files
        files, go_modules, step = stdlib_files("json", "email", "http"), None, 40
    else:
        (files, go_modules), step = SAMPLES[language], 1
    before = extract_all(files)
    edges_before = resolve_edges("r", "main", before, go_modules)
    kept = BranchResolution("r", "main", before, go_modules)
    narrow = imports = retyped = 0
    for description, path, changed in itertools.chain(
        itertools.islice(edits(before), 0, 400 * step, step),
        itertools.islice(import_edits(before), 0, 100 * step, max(step // 4, 1)),
        itertools.islice(type_edits(before), 0, 150 * step, max(step // 4, 1)),
    ):
        after = {**before, path: changed}
        edges_after = resolve_edges("r", "main", after, go_modules)
        # Without kept tables (a fresh worker): imports must stay for the change to be narrow.
        scope = affected_files({path: before[path]}, {path: changed}, after, max_share=1.0)
        if scope is not None:
            narrow += 1
            for other in sorted(set(after) - scope):
                assert edges_after.get(other) == edges_before.get(other), (
                    f"{language}: after '{description}' in {path}, {other} changed "
                    f"but was not in {sorted(scope)}"
                )
            partial = resolve_edges("r", "main", after, go_modules, only=scope)
            assert partial == _only(edges_after, scope), description
        # With the kept tables, as the worker that indexed the branch before has them.
        scope = affected_files(
            {path: before[path]}, {path: changed}, after, max_share=1.0, kept_tables=True
        )
        if scope is None:
            continue
        imports += changed.imports != before[path].imports
        retyped += bool(kept.retyped({path: changed}))
        widened = kept.update({path: changed}, scope)
        for other in sorted(set(after) - (set(after) if widened is None else widened)):
            assert edges_after.get(other) == edges_before.get(other), (
                f"{language}: after '{description}' in {path}, {other} changed "
                f"but was not in {sorted(widened or ())} (kept tables)"
            )
        assert kept.edges(widened) == _only(edges_after, widened), f"kept, '{description}'"
        undo = affected_files(
            {path: changed}, {path: before[path]}, before, max_share=1.0, kept_tables=True
        )
        assert undo is not None, description
        kept.update({path: before[path]}, undo)
        assert kept.edges() == edges_before, f"kept resolution after undoing '{description}'"
    assert narrow > 10, f"{language}: only {narrow} narrow edits were checked"
    assert imports > 3, f"{language}: only {imports} import edits were checked"
    assert retyped > 3, f"{language}: only {retyped} type edits were checked"


def test_an_import_that_moves_the_class_hierarchy_re_resolves_the_whole_branch() -> None:
    """child.py drops the import of its base: leaf.py never names Base, yet its inherited call
    resolves differently, so the kept tables answer None (everything) rather than the scope."""
    before = extract_all(
        {
            "base.py": "class Base:\n    def helper(self):\n        return 1\n",
            "child.py": "from base import Base\n\nclass Child(Base):\n    pass\n",
            "leaf.py": (
                "from child import Child\n\nclass Leaf(Child):\n"
                "    def run(self):\n        return self.helper()\n"
            ),
        }
    )
    kept = BranchResolution("r", "main", before)
    changed = dataclasses.replace(before["child.py"], imports=())
    after = {**before, "child.py": changed}
    edit = ({"child.py": before["child.py"]}, {"child.py": changed}, after, 1.0)
    scope = affected_files(*edit, kept_tables=True)
    assert scope == {"child.py"}
    assert affected_files(*edit) is None  # without kept tables: the whole branch at once
    assert kept.update({"child.py": changed}, scope) is None
    full = resolve_edges("r", "main", after)
    assert kept.edges() == full
    assert full["leaf.py"] != resolve_edges("r", "main", before)["leaf.py"]


def test_a_base_from_outside_dropped_re_resolves_the_whole_branch() -> None:
    """base.py no longer extends Django's Model: leaf.py never names it, yet its call on
    self may now be guessed into Other.hook, so the kept tables answer None (everything)."""
    before = extract_all(
        {
            "base.py": "from django.db import models\n\nclass Base(models.Model):\n    pass\n",
            "leaf.py": (
                "from base import Base\n\nclass Leaf(Base):\n"
                "    def run(self):\n        return self.hook()\n"
            ),
            "other.py": "class Other:\n    def hook(self):\n        return 1\n",
        }
    )
    kept = BranchResolution("r", "main", before)
    changed = dataclasses.replace(before["base.py"], inherits=())
    after = {**before, "base.py": changed}
    scope = affected_files({"base.py": before["base.py"]}, {"base.py": changed}, after, 1.0,
                           kept_tables=True)  # fmt: skip
    assert scope == {"base.py"}
    assert kept.update({"base.py": changed}, scope) is None
    full = resolve_edges("r", "main", after)
    assert kept.edges() == full
    assert full["leaf.py"] != resolve_edges("r", "main", before).get("leaf.py")


def added_files(branch: dict[str, FileExtraction]) -> Iterator[tuple[str, FileExtraction]]:
    """(path, extraction) of files to add: copies of each file beside it (sorting first and
    last in the directory) and in a new directory, and a file defining a name others call."""
    called = sorted({c.name for fe in branch.values() for c in fe.calls})
    for path, fe in sorted(branch.items()):
        folder, _, name = path.rpartition("/")
        prefix = f"{folder}/" if folder else ""
        for new_path in (f"{prefix}aa_{name}", f"{prefix}zz_{name}", f"{prefix}copied/{name}"):
            yield new_path, dataclasses.replace(fe, path=new_path)
        for word in called[:2]:
            defines = (Definition("Function", word, word, 1, 1),)
            bare = FileExtraction(f"{prefix}zz_{word}_{name}", fe.language, fe.package,
                                  defines, (), (), (), False)  # fmt: skip
            yield bare.path, bare


def files_in_and_out(
    branch: dict[str, FileExtraction],
) -> Iterator[tuple[str, dict[str, FileExtraction], list[str]]]:
    """(description, added files, deleted paths): each file deleted, renamed, and the added
    files of `added_files`."""
    for path, fe in sorted(branch.items()):
        yield f"delete {path}", {}, [path]
        moved = f"moved/{path}"
        yield f"rename {path}", {moved: dataclasses.replace(fe, path=moved)}, [path]
    for path, fe in added_files(branch):
        yield f"add {path}", {path: fe}, []


def _calls(rows: list[EdgeRow] | None) -> list[EdgeRow]:
    return [e for e in rows or () if e.type == "CALLS"]


def _without_calls(edges: dict[str, list[EdgeRow]], paths: set[str]) -> dict[str, list[EdgeRow]]:
    kept = {
        p: [e for e in rows if p not in paths or e.type != "CALLS"] for p, rows in edges.items()
    }
    return {p: rows for p, rows in kept.items() if rows}


@pytest.mark.parametrize("language", [*sorted(SAMPLES), "python-stdlib", "go-stdlib"])
def test_added_and_deleted_files_reach_only_the_files_in_scope(language: str) -> None:
    """With the kept tables, adding, deleting or renaming a file re-resolves the files
    `affected_files` and the kept resolution name; every other file keeps its edges, and the
    tables equal fresh ones. Of those re-resolved, the files whose CALLS the kept resolution
    says cannot move (Go files that import the package only) keep them exactly."""
    if language == "python-stdlib":
        files, go_modules, step = stdlib_files("json", "email", "http"), None, 12
    elif language == "go-stdlib":
        packages = ("strings", "bytes", "unicode/utf8", "errors", "sort")
        files, go_modules, step = go_stdlib_files(*packages), None, 7
    else:
        (files, go_modules), step = SAMPLES[language], 1
    before = extract_all(files)
    edges_before = resolve_edges("r", "main", before, go_modules)
    checked = stable_files = 0
    for description, added, deleted in itertools.islice(files_in_and_out(before), 0, None, step):
        after = {p: fe for p, fe in {**before, **added}.items() if p not in deleted}
        gone = {path: before[path] for path in deleted}
        edit = ({}, {}, after, 1.0)
        assert affected_files(*edit, added=added, deleted=gone) is None  # not without tables
        scope = affected_files(*edit, kept_tables=True, added=added, deleted=gone)
        if scope is None:
            # A file defining a macro that opens a namespace, come or gone, moves which
            # files the namespace holds: the whole branch, by design.
            assert any(fe.namespace_macros for fe in (*added.values(), *gone.values())), description
            continue
        kept = BranchResolution("r", "main", before, go_modules)
        widened = kept.update({}, scope, added=added, deleted=deleted)
        edges_after = resolve_edges("r", "main", after, go_modules)
        for other in sorted(set(after) - set(added) - (set(after) if widened is None else widened)):
            assert edges_after.get(other) == edges_before.get(other), (
                f"{language}: after '{description}', {other} changed, not in {widened}"
            )
        stable = kept.calls_stable
        for path in sorted(stable):
            assert _calls(edges_after.get(path)) == _calls(edges_before.get(path)), (
                f"{language}: after '{description}', the CALLS of {path} moved"
            )
        assert kept.edges(widened, without_calls=stable) == _only(
            _without_calls(edges_after, stable), widened
        ), description
        assert kept.edges() == edges_after, f"kept tables after '{description}'"
        checked += widened is not None
        stable_files += len(stable)
    assert checked > 5, f"{language}: only {checked} edits stayed narrow"
    if language.startswith("go"):
        assert stable_files > 0, "no importer kept its calls: the rule is never exercised"
    else:
        assert stable_files == 0


ADDED_CASES = {
    # The new file is what an unresolved import named: only the path says so.
    "path named by an import": (
        {"main.py": "import tools.helpers\n", "lib/other.py": "def other():\n    return 2\n"},
        ("tools/helpers.py", "def unrelated():\n    return 1\n"),
        "main.py",
    ),
    # `from .. import *` names nothing, yet now reaches the new package file.
    "relative wildcard import": (
        {
            "pkg/sub/mod.py": "from .. import *\n",
            "pkg/sub/__init__.py": "",
            "other.py": "def other():\n    return 2\n",
        },
        ("pkg/__init__.py", "def thing():\n    return 1\n"),
        "pkg/sub/mod.py",
    ),
    # A package's directory is no import root: main.py's `import json` stops reaching
    # myapp/serializers/json.py, though main.py names neither directory.
    "package marker under an import": (
        {
            "myapp/serializers/json.py": "def loads(s):\n    return s\n",
            "main.py": "import json\n\ndef run(b):\n    return json.loads(b)\n",
            "other.py": "def other():\n    return 2\n",
        },
        ("myapp/serializers/__init__.py", ""),
        "main.py",
    ),
    # Nor is a directory below a package: main.py's `import posix` stops reaching the stub
    # in tools/typeshed/stdlib, though main.py names none of tools, typeshed and stdlib.
    "package marker above an import root": (
        {
            "tools/typeshed/stdlib/posix.pyi": "def close(fd: int) -> None: ...\n",
            "main.py": "import posix\n\ndef run():\n    posix.close(1)\n",
            "other.py": "def other():\n    return 2\n",
        },
        ("tools/__init__.py", ""),
        "main.py",
    ),
    # app.py reads Base through lib's `from mods.delta import *`, and the new mods/delta.py
    # passes on core/gamma.py's names: app.py names neither delta nor gamma.
    "wildcard re-export chain": (
        {
            "app.py": "from lib import *\n\ndef run():\n    return Base()\n",
            "lib/__init__.py": "from mods.delta import *\n",
            "core/__init__.py": "",
            "core/gamma.py": "class Base:\n    pass\n",
            "other.py": "def other():\n    return 2\n",
        },
        ("mods/delta.py", "from core.gamma import *\n"),
        "app.py",
    ),
    # The same by name: `from core.gamma import Base` in the new file, which defines nothing.
    "named re-export chain": (
        {
            "app.py": "from lib import Base\n\ndef run():\n    return Base()\n",
            "lib/__init__.py": "from mods.delta import Base\n",
            "core/__init__.py": "",
            "core/gamma.py": "class Base:\n    pass\n",
            "other.py": "def other():\n    return 2\n",
        },
        ("mods/delta.py", "from core.gamma import Base\n"),
        "app.py",
    ),
    # A Rust call through a module path reaches the new module file.
    "rust module path in a call": (
        {
            "src/lib.rs": "mod net;\npub fn run() { net::client::connect(); }\n",
            "src/net/mod.rs": "pub mod client;\n",
            "other.rs": "pub fn other() {}\n",
        },
        ("src/net/client.rs", "pub fn connect() {}\n"),
        "src/lib.rs",
    ),
    # `super::k()` in src/a/inner.rs: src/a.rs, once there, is the parent module rather
    # than src/a/mod.rs; inner.rs spells neither.
    "rust call through the parent module": (
        {
            "src/lib.rs": "pub mod a;\n",
            "src/a/mod.rs": "pub mod inner;\npub fn k() {}\n",
            "src/a/inner.rs": "pub fn run() { super::k(); }\n",
            "other.rs": "pub fn other() {}\n",
        },
        ("src/a.rs", "pub fn other() {}\n"),
        "src/a/inner.rs",
    ),
    # A second class Foo: b.cpp's out-of-line methods lose their owner, though b.cpp never
    # names anything the new file declares.
    "owner of out-of-line methods": (
        {
            "a.h": "class Foo {\n public:\n  void bar();\n  void qux() {}\n};\n",
            "b.cpp": '#include "a.h"\nvoid Foo::bar() { this->qux(); }\n',
            "other.cpp": "int other() { return 2; }\n",
        },
        ("lib/c.h", "class Foo {\n};\n"),
        "b.cpp",
    ),
    # A crate root roots every module below it: src/a/b.rs's `crate::x` moves to src/x.rs.
    "rust crate root": (
        {
            "src/a/b.rs": "use crate::x::Foo;\npub fn run() { Foo::make(); }\n",
            "src/x.rs": "pub struct Foo;\nimpl Foo { pub fn make() {} }\n",
            "src/a/x.rs": "pub struct Foo;\nimpl Foo { pub fn make() {} }\n",
            "other.rs": "pub fn other() {}\n",
        },
        ("src/lib.rs", "pub fn hello() {}\n"),
        "src/a/b.rs",
    ),
    # Another crate of the workspace imports this one by its name (Cargo.toml), which no
    # path spells: crates/app's `grep_searcher::Searcher` reaches through the new lib.rs.
    "rust library of another crate": (
        {
            "crates/searcher/src/searcher.rs": (
                "pub struct Searcher;\nimpl Searcher { pub fn new() {} }\n"
            ),
            "crates/app/src/main.rs": "use grep_searcher::Searcher;\nfn f() { Searcher::new(); }\n",
            "other.rs": "pub fn other() {}\n",
        },
        ("crates/searcher/src/lib.rs", "mod searcher;\npub use crate::searcher::Searcher;\n"),
        "crates/app/src/main.rs",
    ),
    # `impl Marker for Foo` names its child type, found in another file while it is unique.
    "rust impl of another file's type": (
        {
            "src/lib.rs": "mod y;\nmod x;\n",
            "src/y.rs": "pub struct Foo;\n",
            "src/x.rs": "use crate::y::*;\npub trait Marker {}\nimpl Marker for Foo {}\n",
            "other.rs": "pub fn other() {}\n",
        },
        ("src/other/z.rs", "pub struct Foo;\n"),
        "src/x.rs",
    ),
    # A Go package is imported by its module path, which names no directory.
    "go package under a module path": (
        {
            "backend/core.go": "package core\n\nfunc Run() int { return 1 }\n",
            "cmd/app/main.go": (
                'package main\n\nimport c "example.com/api"\n\nfunc main() { c.Run() }\n'
            ),
            "other.go": "package other\n\nfunc other() {}\n",
        },
        ("backend/util.go", "package core\n\nfunc helper() int { return 2 }\n"),
        "cmd/app/main.go",
    ),
    # A workspace package is imported by its name, which no path spells: the new index.ts
    # passes on button.ts's Button, which apps/web/main.ts imports from `@acme/widgets`.
    "js workspace package by name": (
        {
            "packages/ui/src/button.ts": "export function Button() { return null; }\n",
            "apps/web/main.ts": (
                "import { Button } from '@acme/widgets';\nexport function run() { Button(); }\n"
            ),
            "other.ts": "export function other() {}\n",
        },
        ("packages/ui/src/index.ts", "export * from './button';\n"),
        "apps/web/main.ts",
    ),
    # A package's own `#` name, which no path spells either: `#kit` is the new file.
    "js package's own import name": (
        {
            "packages/ui/src/button.ts": "export function Button() { return null; }\n",
            "packages/ui/src/app.ts": (
                "import { Button } from '#kit';\nexport function run() { Button(); }\n"
            ),
            "other.ts": "export function other() {}\n",
        },
        ("packages/ui/src/internal/all.ts", "export * from '../button';\n"),
        "packages/ui/src/app.ts",
    ),
}
GO_MODULES = {"backend": "example.com/api"}
RUST_CRATES = {"grep_searcher": "crates/searcher/src/lib.rs"}
JS_PACKAGES = workspace_packages(
    {
        "package.json": '{"name": "acme", "workspaces": ["packages/*"]}',
        "packages/ui/package.json": (
            '{"name": "@acme/widgets", "exports": "./src/index.ts",'
            ' "imports": {"#kit": "./src/internal/all.ts"}}'
        ),
    }
)


@pytest.mark.parametrize("deleting", [False, True], ids=["added", "deleted"])
@pytest.mark.parametrize("case", sorted(ADDED_CASES))
def test_a_file_reaches_files_that_do_not_name_its_definitions(case: str, deleting: bool) -> None:
    """The case's file is added, or (from the branch with it) deleted."""
    files, (path, source), reached = ADDED_CASES[case]
    without = extract_all(files)
    new = extract_all({path: source})[path]
    with_it = {**without, path: new}
    before, after = (with_it, without) if deleting else (without, with_it)
    added, deleted = ({}, {path: new}) if deleting else ({path: new}, {})
    roots = {"rust_crates": RUST_CRATES, "js_packages": JS_PACKAGES}
    kept = BranchResolution("r", "main", before, GO_MODULES, **roots)
    scope = affected_files({}, {}, after, 1.0, kept_tables=True, added=added, deleted=deleted)
    assert scope is not None
    widened = kept.update({}, scope, added=added, deleted=list(deleted))
    edges_before = resolve_edges("r", "main", before, GO_MODULES, **roots)
    edges_after = resolve_edges("r", "main", after, GO_MODULES, **roots)
    assert edges_after.get(reached) != edges_before.get(reached), "the case reaches nothing"
    if case == "rust impl of another file's type":
        assert widened is None  # Foo's trait moved: every file is resolved again
    else:
        assert widened is not None
        assert reached in widened
        assert not {
            "other.py", "lib/other.py", "other.cpp", "other.rs", "other.go", "other.ts"
        } & widened  # fmt: skip
    assert kept.edges(widened) == _only(edges_after, widened)
    assert kept.edges() == edges_after


# A modified file whose types change, in both directions: `before` to `after` and back.
RETYPED_CASES = {
    # lib/c.h now declares a second class Foo: b.cpp's out-of-line methods lose their owner,
    # though b.cpp never names anything lib/c.h declares.
    "owner of out-of-line methods": (
        {
            "a.h": "class Foo {\n public:\n  void bar();\n  void qux() {}\n};\n",
            "b.cpp": '#include "a.h"\nvoid Foo::bar() { this->qux(); }\n',
            "other.cpp": "int other() { return 2; }\n",
        },
        ("lib/c.h", "int helper();\n", "int helper();\nclass Foo {\n};\n"),
        "b.cpp",
    ),
    # types.go now declares Server: the method in server.go gets an owner, and the call in
    # main.go (which names only the method) resolves through it.
    "go receiver type": (
        {
            "backend/server.go": (
                "package core\n\nfunc (s *Server) Listen() int { return s.port() }\n"
                "func (s *Server) port() int { return 1 }\n"
            ),
            "backend/main.go": "package core\n\nfunc run(s *Server) int { return s.Listen() }\n",
            "other.go": "package other\n\nfunc other() {}\n",
        },
        (
            "backend/types.go",
            "package core\n\nfunc helper() int { return 2 }\n",
            "package core\n\ntype Server struct{}\n\nfunc helper() int { return 2 }\n",
        ),
        "backend/server.go",
    ),
    # factory.py now declares a class Client of its own, which `wrap` returns: app.py calls
    # through a field set from `wrap()` in holder.py, spelling neither Client nor wrap.
    "field set from a callable returning the type": (
        {
            "pk/lib.py": "class Client:\n    def run(self): pass\n",
            "pk/holder.py": (
                "from pk.factory import wrap\n\nclass Holder:\n"
                "    def __init__(self) -> None:\n        self.api = wrap()\n"
            ),
            "pk/app.py": "from pk.holder import Holder\n\ndef go(h: Holder):\n    h.api.run()\n",
            "other.go": "package other\n\nfunc other() {}\n",
        },
        (
            "pk/factory.py",
            "from pk.lib import Client\n\ndef wrap() -> Client:\n    return Client()\n",
            "from pk.lib import Client\n\ndef wrap() -> Client:\n    return Client()\n\n"
            "class Client:\n    def stop(self): pass\n",
        ),
        "pk/app.py",
    ),
}


@pytest.mark.parametrize("undoing", [False, True], ids=["type added", "type removed"])
@pytest.mark.parametrize("case", sorted(RETYPED_CASES))
def test_a_retyped_file_reaches_files_that_do_not_name_its_types(case: str, undoing: bool) -> None:
    files, (path, old_source, new_source), reached = RETYPED_CASES[case]
    old, new = (extract_all({path: source})[path] for source in (old_source, new_source))
    if undoing:
        old, new = new, old
    before, after = {**extract_all(files), path: old}, {**extract_all(files), path: new}
    kept = BranchResolution("r", "main", before, GO_MODULES)
    assert kept.retyped({path: new}) == [path]
    scope = affected_files({path: old}, {path: new}, after, 1.0, kept_tables=True)
    assert scope is not None
    assert affected_files({path: old}, {path: new}, after, 1.0) is None  # without kept tables
    widened = kept.update({path: new}, scope)
    edges_before = resolve_edges("r", "main", before, GO_MODULES)
    edges_after = resolve_edges("r", "main", after, GO_MODULES)
    assert edges_after.get(reached) != edges_before.get(reached), "the case reaches nothing"
    assert widened is not None
    assert reached in widened
    assert not {"other.cpp", "other.go"} & widened
    assert kept.edges(widened) == _only(edges_after, widened)
    assert kept.edges() == edges_after


@pytest.mark.parametrize("kept_tables", [False, True], ids=["fresh", "kept tables"])
@pytest.mark.parametrize("undoing", [False, True], ids=["renamed", "renamed back"])
def test_a_renamed_php_namespace_block_re_resolves_the_whole_branch(
    kept_tables: bool, undoing: bool
) -> None:
    """tests/helpers.php's second block moves from `App\\Testing` to `App\\Fixtures`: the
    file leaves one namespace's files for another's, which decides what the files of both
    reach without naming the file, so the whole branch is resolved again (and the kept
    tables rebuild the layout)."""
    files, path = test_php.NAMESPACE_FILES, "tests/helpers.php"
    moved = files[path].replace("namespace App\\Testing;", "namespace App\\Fixtures;")
    assert moved != files[path]
    old, new = extract_all({path: files[path]})[path], extract_all({path: moved})[path]
    if undoing:
        old, new = new, old
    before, after = {**extract_all(files), path: old}, {**extract_all(files), path: new}
    assert old.packages() != new.packages()
    edges_before = resolve_edges("r", "main", before)
    edges_after = resolve_edges("r", "main", after)
    assert edges_after.get("tests/UserTest.php") != edges_before.get("tests/UserTest.php")
    assert affected_files({path: old}, {path: new}, after, 1.0, kept_tables=kept_tables) is None
    kept = BranchResolution("r", "main", before)
    assert not kept.can_update({path: new})


def test_reordered_wildcard_re_exports_reach_their_readers() -> None:
    """pkg/__init__.py swaps `from .a import *` and `from .b import *`, both defining
    `helper`: main.py's call moves from a.py to b.py though main.py names neither."""
    before = extract_all(
        {
            "pkg/__init__.py": "from .a import *\nfrom .b import *\n",
            "pkg/a.py": "def helper():\n    pass\n",
            "pkg/b.py": "def helper():\n    pass\n",
            "main.py": "from pkg import helper\n\ndef go():\n    helper()\n",
        }
    )
    swapped = extract_all({"pkg/__init__.py": "from .b import *\nfrom .a import *\n"})
    after = {**before, **swapped}
    kept = BranchResolution("r", "main", before)
    edit = ({"pkg/__init__.py": before["pkg/__init__.py"]}, swapped, after, 1.0)
    scope = affected_files(*edit, kept_tables=True)
    assert scope is not None
    widened = kept.update(swapped, scope)
    assert widened is not None
    assert "main.py" in widened
    full = resolve_edges("r", "main", after)
    assert full["main.py"] != resolve_edges("r", "main", before)["main.py"]
    assert kept.edges() == full


@pytest.mark.parametrize(
    "via",
    [
        {"f.py": "from pkg import Base\n\nclass Foo(Base):\n    pass\n"},
        {
            "shim.py": "from pkg import Base as Root\n",
            "f.py": "from shim import Root\n\nclass Foo(Root):\n    pass\n",
        },
    ],
    ids=["by-name", "renamed"],
)
def test_a_function_named_like_a_base_widens_to_everything_without_kept_tables(
    via: dict[str, str],
) -> None:
    """`def Base()` added to pkg/a.py, which the barrel reads first, shadows the class Base
    that f.py's Foo extends (by that name, or as `Root` through shim.py's `import ... as`);
    z.py's Bar(Foo) calls self.work() and never names Base. Without the kept tables to
    compare hierarchies, the answer is None (everything)."""
    files = {
        "pkg/__init__.py": "from .a import *\nfrom .b import *\n",
        "pkg/a.py": "def other():\n    pass\n",
        "pkg/b.py": "class Base:\n    def work(self):\n        pass\n",
        **via,
        "z.py": "from f import Foo\n\nclass Bar(Foo):\n    def x(self):\n        self.work()\n",
    }
    before = extract_all(files)
    changed = extract_all({"pkg/a.py": files["pkg/a.py"] + "\ndef Base():\n    pass\n"})
    after = {**before, **changed}
    assert resolve_edges("r", "main", after).get("z.py") != resolve_edges("r", "main", before).get(
        "z.py"
    )
    assert affected_files({"pkg/a.py": before["pkg/a.py"]}, changed, after, 1.0) is None


RENAMING_BRANCH = {
    "src/utils/index.ts": "export { pad as format } from './fmt';\n",
    "src/utils/fmt.ts": "export function fmt() {}\nexport function pad() {}\n",
    "src/lib.ts": "export { format as layout } from './utils';\n",
    "src/app.ts": """
        import { layout } from './lib';
        export function main() { layout(); }
        """,
}


@pytest.mark.parametrize("kept_tables", [False, True], ids=["spelled", "kept-tables"])
def test_a_change_reaches_files_reading_its_names_under_another(kept_tables: bool) -> None:
    """fmt.ts loses `pad`, which two modules pass on as `format`, then `layout`: app.ts
    calls `layout()` and never spells `pad`, yet its call had reached it."""
    scope = reaches_reader(
        extract_all(RENAMING_BRANCH),
        extract_all({"src/utils/fmt.ts": "export function fmt() {}\n"}),
        "src/app.ts",
        kept_tables=kept_tables,
    )
    assert scope is not None


DEFAULT_EXPORT_BRANCH = {
    "src/format.js": "function formatDate(d) { return d; }\nexport default formatDate;\n",
    "src/other.js": "export function formatTime(d) { return d; }\n",
    "src/index.ts": "export { default as fmt } from './format';\n",
    "src/app.ts": "import { fmt } from './index';\nexport function main() { fmt(1); }\n",
}
DEFAULT_EXPORT_EDITS = {
    # The default-exported function goes; `export default formatDate` stays.
    "definition-removed": "export default formatDate;\n",
    # Another function becomes the default export.
    "default-moved": (
        "function formatDate(d) { return d; }\nfunction formatDay(d) { return d; }\n"
        "export default formatDay;\n"
    ),
    # The module imports what it exports as default.
    "default-imported": "import { formatTime } from './other';\nexport default formatTime;\n",
}


@pytest.mark.parametrize("kept_tables", [False, True], ids=["spelled", "kept-tables"])
@pytest.mark.parametrize("edit", sorted(DEFAULT_EXPORT_EDITS))
def test_a_change_to_a_default_export_reaches_its_importers(edit: str, kept_tables: bool) -> None:
    """app.ts reads format.js's default export as `fmt`, through a barrel: it spells neither
    the definition nor `default`, yet its call moves when format.js changes what it exports."""
    scope = reaches_reader(
        extract_all(DEFAULT_EXPORT_BRANCH),
        extract_all({"src/format.js": DEFAULT_EXPORT_EDITS[edit]}),
        "src/app.ts",
        kept_tables=kept_tables,
    )
    # An edited import is everything without the kept tables, and narrow with them.
    assert scope is not None or (not kept_tables and edit == "default-imported")


def reaches_reader(
    before: dict[str, FileExtraction],
    changed: dict[str, FileExtraction],
    reader: str,
    *,
    kept_tables: bool,
) -> set[str] | None:
    """`affected_files` for modified files `changed`, checked: the edit moves `reader`'s
    edges; a set answered holds `reader` and resolves as the whole branch does, and so
    does a kept resolution taking the change in. Returns that answer."""
    after = {**before, **changed}
    full = resolve_edges("r", "main", after)
    assert full.get(reader) != resolve_edges("r", "main", before).get(reader)
    modified = {path: before[path] for path in changed}
    scope = affected_files(modified, changed, after, 1.0, kept_tables=kept_tables)
    if scope is None:
        return None
    assert reader in scope
    assert resolve_edges("r", "main", after, only=scope) == _only(full, scope)
    if kept_tables:
        kept = BranchResolution("r", "main", before)
        assert kept.update(changed, scope) is not None
        assert kept.edges() == full
    return scope


@pytest.mark.parametrize("kept_tables", [False, True], ids=["spelled", "kept-tables"])
def test_a_change_reaches_the_importers_of_a_default_export_imported_from_it(
    kept_tables: bool,
) -> None:
    """format.js exports as default what it imports from other.js; other.js loses it. app.js
    spells `fmt`, `format` and `default`, but nothing other.js defines."""
    branch = {
        **DEFAULT_EXPORT_BRANCH,
        "src/format.js": "import { formatTime } from './other';\nexport default formatTime;\n",
    }
    scope = reaches_reader(
        extract_all(branch),
        extract_all({"src/other.js": "export function formatDay(d) { return d; }\n"}),
        "src/app.ts",
        kept_tables=kept_tables,
    )
    assert scope is not None


def test_a_changed_commonjs_export_reaches_the_modules_requiring_it_under_any_name() -> None:
    """syntax.js requires the module as `GenericSourceProcessor`, extends it and calls it;
    the module comes to export another class as itself. syntax.js spells neither class's
    name. (A kept resolution answers everything here: a base moved.)"""
    module = "lib/util/SourceProcessor.js"
    before = extract_all(test_javascript.REQUIRED_UNDER_ANOTHER_NAME)
    source = test_javascript.REQUIRED_UNDER_ANOTHER_NAME[module]
    edited = source.replace("module.exports = SourceProcessor", "module.exports = PrintContext")
    scope = reaches_reader(
        before, extract_all({module: edited}), "lib/css/syntax.js", kept_tables=False
    )
    assert scope is not None


COMPOUND_BRANCH = {
    "src/parts.tsx": (
        "export function CardHeader() { return null; }\n"
        "export function CardBody() { return null; }\n"
    ),
    "src/card.tsx": (
        "import { CardHeader, CardBody } from './parts';\n"
        "function CardBase() { return null; }\n"
        "export const Card = Object.assign(CardBase, { Header: CardHeader });\n"
    ),
    "src/app.tsx": (
        "import { Card } from './card';\nexport function App() { return <Card.Header />; }\n"
    ),
}
COMPOUND_EDITS = {
    # The part's definition goes: app.tsx spells `Card` and `Header`, never `CardHeader`.
    "part-removed": ("src/parts.tsx", "export function CardBody() { return null; }\n"),
    # The member is set from another part.
    "member-reassigned": (
        "src/card.tsx",
        COMPOUND_BRANCH["src/card.tsx"].replace("Header: CardHeader", "Header: CardBody"),
    ),
}


@pytest.mark.parametrize("kept_tables", [False, True], ids=["spelled", "kept-tables"])
@pytest.mark.parametrize("edit", sorted(COMPOUND_EDITS))
def test_a_change_to_a_compound_components_part_reaches_its_readers(
    edit: str, kept_tables: bool
) -> None:
    """app.tsx renders `<Card.Header />`, which card.tsx sets from parts.tsx's CardHeader:
    the call moves when that definition goes or the member is set from another."""
    path, source = COMPOUND_EDITS[edit]
    scope = reaches_reader(
        extract_all(COMPOUND_BRANCH),
        extract_all({path: source}),
        "src/app.tsx",
        kept_tables=kept_tables,
    )
    # An edited import is everything without the kept tables, and narrow with them.
    assert scope is not None or (not kept_tables and edit == "member-reassigned")


ELEMENT_BRANCH = {
    "model.py": (
        "class Task:\n    def run(self): ...\n\n\nclass Job:\n    def run(self): ...\n\n\n"
        "class Board:\n    tasks: list[Task]\n\n    def pending(self) -> list[Task]: ...\n"
    ),
    "app.py": (
        "from model import Board\n\n\ndef work(board: Board):\n"
        "    for task in board.tasks:\n        task.run()\n"
        "    for waiting in board.pending():\n        waiting.run()\n"
    ),
}
ELEMENT_EDITS = {
    # app.py spells `tasks` and `run`, never Task or Job.
    "field-retyped": ("tasks: list[Task]", "tasks: list[Job]"),
    "result-retyped": ("-> list[Task]", "-> list[Job]"),
    "element-method-removed": ("class Task:\n    def run(self): ...", "class Task:\n    pass"),
}


@pytest.mark.parametrize("kept_tables", [False, True], ids=["spelled", "kept-tables"])
@pytest.mark.parametrize("edit", sorted(ELEMENT_EDITS))
def test_a_change_to_an_iterated_collections_type_reaches_its_loops(
    edit: str, kept_tables: bool
) -> None:
    """app.py loops over Board's field and result, declared in model.py as lists of Task:
    its calls on the loop variables move when the element type or its method changes."""
    old, new = ELEMENT_EDITS[edit]
    edited = ELEMENT_BRANCH["model.py"].replace(old, new)
    assert edited != ELEMENT_BRANCH["model.py"]
    scope = reaches_reader(
        extract_all(ELEMENT_BRANCH), extract_all({"model.py": edited}), "app.py",
        kept_tables=kept_tables,
    )  # fmt: skip
    assert scope is not None
