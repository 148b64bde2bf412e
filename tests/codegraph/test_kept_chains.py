"""Random edit chains on generated multi-directory repositories, through one kept
`BranchResolution` as the indexer drives it.

Each repository is a small model (per file: functions, classes with a base and methods,
imports of other files, calls) rendered as real source: Python packages with `__init__.py`
and wildcard imports, JavaScript with relative and `index.js` directory imports, Java packages
with wildcard imports, C with `#include` by relative path. Every step edits the model (a
function, class or base, an import or a call, a file added, deleted or renamed; one to three
at a time), renders and extracts again, and hands the kept resolution what the indexer would:
the modified files, the added and deleted ones, the scope `affected_files` answers. After each
step its edges must equal those of a resolution built afresh, and every file out of its scope
must have kept its edges.
"""

from __future__ import annotations

import dataclasses
import posixpath
import random
from collections.abc import Callable

import pytest

from activities.codegraph.affected import affected_files
from activities.codegraph.branch_resolution import BranchResolution, resolve_edges
from activities.codegraph.extract import extract
from activities.codegraph.graph_rows import EdgeRow
from activities.codegraph.languages import detect_language
from activities.codegraph.model import FileExtraction

NAMES = ["alpha", "beta", "gamma", "delta", "omega", "run", "load", "save", "parse", "emit"]
TYPES = ["Store", "Reader", "Writer", "Node", "Base"]
DIRS = ["", "core", "core/util", "app", "lib"]
STEPS = 30


@dataclasses.dataclass
class ModelFile:
    funcs: list[str]
    types: list[tuple[str, str | None, list[str]]]  # (name, base, methods)
    imports: list[str]  # paths of other files
    calls: list[str]

    def copy(self) -> ModelFile:
        return ModelFile(list(self.funcs), list(self.types), list(self.imports), list(self.calls))

    @property
    def own_call(self) -> str:
        """What every method of the file's classes calls on its own instance."""
        return self.calls[0].split(".")[-1] if self.calls else "missing"


Repo = dict[str, ModelFile]


def _call(call: str, new: str) -> str:
    """`name()`, or for `Type.method` an instance's method call: `Type().method()`."""
    if "." not in call:
        return f"{call}()"
    kind, method = call.split(".")
    return f"{new}{kind}().{method}()"


def _python(path: str, f: ModelFile, repo: Repo) -> str:
    out = []
    for target in f.imports:
        module = posixpath.splitext(target)[0].replace("/", ".").removesuffix(".__init__")
        out.append(f"from {module} import *")
    for name, base, methods in f.types:
        out.append(f"class {name}({base or 'object'}):")
        out += [f"    def {m}(self):\n        return self.{f.own_call}()" for m in methods]
    for name in f.funcs:
        body = [f"    {_call(c, '')}" for c in f.calls] or ["    pass"]
        out.append("\n".join([f"def {name}():", *body]))
    return "\n\n".join(out) + "\n"


def _javascript(path: str, f: ModelFile, repo: Repo) -> str:
    out = []
    for target in f.imports:
        relative = posixpath.splitext(posixpath.relpath(target, posixpath.dirname(path) or "."))[0]
        if posixpath.basename(relative) == "index":
            relative = posixpath.dirname(relative) or "."
        relative = relative if relative.startswith(".") else "./" + relative
        names = sorted(
            {t for t, _, _ in repo[target].types} | set(repo[target].funcs)
            if target in repo  # else what it will be asked for once it exists
            else {c.split(".")[0] for c in f.calls}
        )
        if names:
            out.append(f"import {{ {', '.join(names)} }} from '{relative}';")
    for name, base, methods in f.types:
        extends = f" extends {base}" if base else ""
        body = "\n".join(f"  {m}() {{ return this.{f.own_call}(); }}" for m in methods)
        out.append(f"export class {name}{extends} {{\n{body}\n}}")
    for name in f.funcs:
        body = "\n".join(f"  {_call(c, 'new ')};" for c in f.calls)
        out.append(f"export function {name}() {{\n{body}\n}}")
    return "\n\n".join(out) + "\n"


def _java(path: str, f: ModelFile, repo: Repo) -> str:
    def package(p: str) -> str:
        return posixpath.dirname(p).replace("/", ".") or "root"

    out = [f"package {package(path)};"]
    out += [f"import {package(t)}.*;" for t in f.imports]
    body = []
    for name, base, methods in f.types:
        extends = f" extends {base}" if base else ""
        members = "\n".join(f"    void {m}() {{ {f.own_call}(); }}" for m in methods)
        body.append(f"  static class {name}{extends} {{\n{members}\n  }}")
    for name in f.funcs:
        calls = " ".join(f"{_call(c, 'new ')};" for c in f.calls)
        body.append(f"  static void {name}() {{ {calls} }}")
    cls = posixpath.splitext(posixpath.basename(path))[0].capitalize()
    out.append(f"public class {cls} {{\n" + "\n".join(body) + "\n}")
    return "\n".join(out) + "\n"


def _c(path: str, f: ModelFile, repo: Repo) -> str:
    folder = posixpath.dirname(path) or "."
    out = [f'#include "{posixpath.relpath(t, folder)}"' for t in f.imports]
    out += [f"struct {name} {{ int x; }};" for name, _, _ in f.types]
    for name in f.funcs:
        calls = " ".join(f"{c.split('.')[-1]}();" for c in f.calls)
        out.append(f"int {name}(void) {{ {calls} return 0; }}")
    return "\n".join(out) + "\n"


# extension, renderer, the file name a directory import reaches
LANGUAGES: dict[str, tuple[str, Callable[[str, ModelFile, Repo], str], str | None]] = {
    "python": (".py", _python, "__init__"),
    "javascript": (".js", _javascript, "index"),
    "java": (".java", _java, None),
    "c": (".c", _c, None),
}


def _new_file(rng: random.Random, repo: Repo, language: str) -> tuple[str, ModelFile]:
    extension, _, directory_file = LANGUAGES[language]
    folder = rng.choice(DIRS)
    if directory_file and rng.random() < 0.2:
        name = directory_file
    else:
        name = rng.choice(NAMES) + str(rng.randrange(3))
    model = ModelFile(
        funcs=rng.sample(NAMES, rng.randrange(0, 3)),
        types=[],
        imports=[_import(rng, repo, language) for _ in range(rng.randrange(1, 5))],
        calls=[_call_name(rng) for _ in range(rng.randrange(1, 5))],
    )
    return posixpath.join(folder, name + extension), model


def _import(rng: random.Random, repo: Repo, language: str) -> str:
    """A file of the repository, or now and then one that does not exist (yet)."""
    if repo and rng.random() < 0.75:
        return rng.choice(sorted(repo))
    extension = LANGUAGES[language][0]
    return posixpath.join(rng.choice(DIRS), rng.choice(NAMES) + str(rng.randrange(3)) + extension)


def _call_name(rng: random.Random) -> str:
    """A function, a type (instantiated) or a method of an instance of a type."""
    roll = rng.random()
    if roll < 0.6:
        return rng.choice(NAMES)
    if roll < 0.75:
        return rng.choice(TYPES)
    return f"{rng.choice(TYPES)}.{rng.choice(NAMES)}"


def _extract_all(language: str, repo: Repo) -> dict[str, FileExtraction]:
    render = LANGUAGES[language][1]
    found = {}
    for path, f in repo.items():
        detected = detect_language(path)
        assert detected is not None
        found[path] = extract(path, render(path, f, repo).encode(), detected)
    return found


FILE_EDITS = ["func+", "func-", "type+", "type-", "base", "import+", "import-", "call+"]
REPO_EDITS = ["add", "delete", "rename"]


def _edit_file(rng: random.Random, f: ModelFile, kind: str, paths: list[str]) -> None:
    if kind == "func+":
        f.funcs.append(rng.choice(NAMES))
    elif kind == "func-" and f.funcs:
        f.funcs.pop(rng.randrange(len(f.funcs)))
    elif kind == "type+":
        f.types.append((rng.choice(TYPES), None, rng.sample(NAMES, 2)))
    elif kind == "type-" and f.types:
        f.types.pop(0)
    elif kind == "base" and f.types:
        name, _, methods = f.types[0]
        f.types[0] = (name, rng.choice([*TYPES, None]), methods)
    elif kind == "import+":
        f.imports.append(rng.choice(paths))  # the repository's files: see _import for others
    elif kind == "import-" and f.imports:
        f.imports.pop()
    elif kind == "call+":
        f.calls.append(_call_name(rng))


def _edit(rng: random.Random, repo: Repo, language: str) -> Repo:
    """One to three random edits of a copy of `repo`."""
    edited = {path: f.copy() for path, f in repo.items()}
    fresh: set[str] = set()  # added this step: not deleted or renamed again
    for _ in range(rng.choice([1, 1, 2, 3])):
        path = rng.choice(sorted(edited))
        kind = rng.choice([*FILE_EDITS, *REPO_EDITS])
        if kind in FILE_EDITS:
            _edit_file(rng, edited[path], kind, sorted(edited))
        elif kind == "delete":
            if len(edited) > 8 and path not in fresh:
                del edited[path]
        else:
            new_path, model = _new_file(rng, edited, language)
            if new_path in edited or path in fresh:
                continue
            edited[new_path] = edited.pop(path) if kind == "rename" else model
            fresh.add(new_path)
    return edited


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_kept_resolution_follows_random_edit_chains(language: str, seed: int) -> None:
    rng = random.Random(f"{language}-{seed}")
    repo: Repo = {}
    while len(repo) < 20:
        path, model = _new_file(rng, repo, language)
        if rng.random() < 0.4:
            model.types.append((rng.choice(TYPES), None, rng.sample(NAMES, 2)))
        repo.setdefault(path, model)
    branch = _extract_all(language, repo)
    kept = BranchResolution("r", "main", branch)
    edges = resolve_edges("r", "main", branch)
    through_kept = 0
    for step in range(STEPS):
        repo = _edit(rng, repo, language)
        now = _extract_all(language, repo)
        modified = {p for p in now.keys() & branch.keys() if now[p] != branch[p]}
        before, after = {p: branch[p] for p in modified}, {p: now[p] for p in modified}
        added = {p: now[p] for p in now.keys() - branch.keys()}
        deleted = {p: branch[p] for p in branch.keys() - now.keys()}
        expected = resolve_edges("r", "main", now)
        scope = affected_files(
            before, after, now, max_share=1.0, kept_tables=True, added=added, deleted=deleted
        )
        what = (
            f"{language}/{seed} step {step}: {sorted(modified)} +{sorted(added)} -{sorted(deleted)}"
        )
        if scope is None or not kept.can_update(after):
            kept = BranchResolution("r", "main", now)
        else:
            through_kept += 1
            bound = kept.bound_edges()
            held = {
                t: {p: tuple(rows) for p, rows in by_path.items()} for t, by_path in bound.items()
            }
            widened = kept.update(after, scope, added, list(deleted))
            # What the indexer takes for the stored IMPORTS/INHERITS (`known`): `update` must
            # have replaced those lists, not changed them, and they are the edges from before.
            assert bound == {t: {p: list(r) for p, r in by.items()} for t, by in held.items()}
            for path in branch:
                rows = sorted(
                    [*bound["IMPORTS"][path], *bound["INHERITS"][path]], key=EdgeRow.sort_key
                )
                old = [e for e in edges.get(path, ()) if e.type in ("IMPORTS", "INHERITS")]
                assert rows == old, f"{what}: {path}'s bound rows are not its edges from before"
            for other in set(now) - (set(now) if widened is None else widened):
                assert expected.get(other) == edges.get(other), f"{what}: {other} left out"
            assert kept.edges() == expected, what
        branch, edges = now, expected
    assert through_kept > STEPS // 2
    assert sum(map(len, edges.values())) > 10, "the chain ended with next to no edges"
