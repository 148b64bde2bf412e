"""Random histories of real code: after every commit the incremental graph equals a full index.

`test_incremental_identity` walks a fixed history chosen to reach each rule; this one draws
the edits at random, 1-3 per commit, on real Python, Go and JavaScript (the standard libraries
and npm's `semver`): definitions renamed, deleted and added with calls into other files,
imports, classes with bases from other modules, Go functions and types, JavaScript requires,
files deleted, renamed and copied, and files marked generated (so skipped) and unmarked. Now
and then the worker "restarts" (a new indexer, no kept tables), so the extractions stored in
Neo4j are used too, and a run's parse time "runs out" before its first file (its changed files
are deferred) and the next commit's edits land on the deferred files.

The suite runs one seed for a few commits; for a longer search:
    FUZZ_SEEDS=1,2,3,4 FUZZ_STEPS=60 .venv/bin/pytest tests/graph/test_random_histories.py
"""

from __future__ import annotations

import logging
import os
import random
import re
import shutil
import sysconfig
from collections.abc import Callable
from pathlib import Path

import pytest
from neo4j import AsyncDriver

from tests.conftest import LocalStack
from tests.graph.conftest import make_indexer
from tests.graph.test_incremental_identity import goroot
from tests.support.git_server import WorkRepo, git
from tests.support.indexing import assert_same_graph, drop_graph, graph_dump, index_head
from workflows.contracts import RepoRef

SEEDS = [int(s) for s in os.environ.get("FUZZ_SEEDS", "7").split(",")]
STEPS = int(os.environ.get("FUZZ_STEPS", "8"))
RESTART_CHANCE = 0.15
DEFER_CHANCE = 0.2

PY_DEF = re.compile(r"^(?:def|class) (\w+)", re.MULTILINE)
PY_CLASS = re.compile(r"^class (\w+)", re.MULTILINE)
PY_METHOD = re.compile(r"^    def (\w+)\(self", re.MULTILINE)
GO_FUNC = re.compile(r"^func (\w+)\(", re.MULTILINE)
GO_TYPE = re.compile(r"^type (\w+) struct", re.MULTILINE)
PY_BASED = re.compile(r"^class (\w+)\((\w[\w.]*)\):", re.MULTILINE)
JS_DEF = re.compile(r"^(?:const|class|function) (\w+)", re.MULTILINE)


def semver_root() -> Path:
    node = shutil.which("node")
    assert node, "node is needed for the JavaScript corpus"
    return Path(node).resolve().parents[1] / "lib" / "node_modules" / "npm" / "node_modules"


def build_corpus(repo: WorkRepo) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    skip = shutil.ignore_patterns("__pycache__", "testdata")
    for package in ("json", "email", "http"):
        shutil.copytree(stdlib / package, repo.work / package, ignore=skip)
    src = goroot() / "src"
    for package in ("sort", "container", "path"):
        shutil.copytree(src / package, repo.work / "go" / package, ignore=skip)
    shutil.copy(src / "go.mod", repo.work / "go" / "go.mod")
    shutil.copytree(semver_root() / "semver", repo.work / "semver", ignore=skip)


class RandomEdits:
    """Edits of the work tree drawn from `rng`, each returning what it did."""

    def __init__(self, repo: WorkRepo, rng: random.Random) -> None:
        self.repo = repo
        self.work = repo.work
        self.rng = rng
        self.serial = 0
        # Go receiver types that methods and calls name before any file declares them.
        self.undeclared: list[tuple[Path, str]] = []
        self.generated: list[Path] = []  # files marked generated, hence skipped

    def files(self, suffix: str) -> list[Path]:
        return sorted(p for p in self.work.rglob(f"*{suffix}") if ".git" not in p.parts)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.work).as_posix()

    def pick(self, suffix: str, pattern: re.Pattern[str]) -> tuple[Path, list[str]]:
        """A file of that kind with at least one match of `pattern`, and the matches."""
        candidates = self.files(suffix)
        self.rng.shuffle(candidates)
        for path in candidates:
            names = sorted(set(pattern.findall(path.read_text(errors="replace"))))
            if names:
                return path, names
        raise LookupError(suffix)

    def fresh(self, stem: str) -> str:
        self.serial += 1
        return f"{stem}{self.serial}"

    def step(self) -> list[str]:
        edits: list[Callable[[], str]] = [
            self.rename_definition,
            self.delete_definition,
            self.py_add_caller,
            self.py_add_subclass,
            self.py_call_method_by_name,
            self.go_add_function,
            self.go_add_type,
            self.js_add_require,
            self.delete_file,
            self.rename_file,
            self.copy_file,
            self.touch_file,
            self.py_relative_import,
            self.py_change_base,
            self.go_add_method_elsewhere,
            self.go_method_of_undeclared_type,
            self.go_declare_type,
            self.mark_generated,
            self.unmark_generated,
        ]
        return [self.rng.choice(edits)() for _ in range(self.rng.randint(1, 3))]

    def rename_definition(self) -> str:
        suffix, pattern = self.rng.choice([(".py", PY_DEF), (".go", GO_FUNC), (".js", JS_DEF)])
        path, names = self.pick(suffix, pattern)
        old = self.rng.choice(names)
        new = self.fresh(old + "_r")
        path.write_text(re.sub(rf"\b{old}\b", new, path.read_text(errors="replace")))
        return f"rename {old} -> {new} in {self.rel(path)}"

    def delete_definition(self) -> str:
        path, names = self.pick(".py", PY_DEF)
        name = self.rng.choice(names)
        text = path.read_text(errors="replace")
        # The definition runs to the next line that starts at column 0 with code.
        block = re.compile(
            rf"^(?:def|class) {name}\b.*?(?=^[^\s#)\]}}]|\Z)", re.MULTILINE | re.DOTALL
        )
        path.write_text(block.sub("", text, count=1))
        return f"delete {name} from {self.rel(path)}"

    def _module(self, path: Path) -> str:
        rel = path.relative_to(self.work).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        return ".".join(parts)

    def py_add_caller(self) -> str:
        target, names = self.pick(".py", PY_DEF)
        name = self.rng.choice(names)
        caller = self.rng.choice(self.files(".py"))
        fn = self.fresh("fuzz_call_")
        module = self._module(target)
        if self.rng.random() < 0.5:
            header, call = f"from {module} import {name}\n", f"{name}()"
        else:
            header, call = f"import {module}\n", f"{module}.{name}()"
        text = caller.read_text(errors="replace")
        caller.write_text(f"{header}{text}\n\ndef {fn}():\n    return {call}\n")
        return f"{self.rel(caller)}: {fn} calls {module}.{name}"

    def py_add_subclass(self) -> str:
        target, classes = self.pick(".py", PY_CLASS)
        base = self.rng.choice(classes)
        methods = PY_METHOD.findall(target.read_text(errors="replace")) or ["missing"]
        method = self.rng.choice(methods)
        host = self.rng.choice(self.files(".py"))
        name = self.fresh("FuzzSub")
        text = host.read_text(errors="replace")
        host.write_text(
            f"from {self._module(target)} import {base}\n{text}\n\n"
            f"class {name}({base}):\n    def fuzz(self):\n        return self.{method}()\n"
        )
        return f"{self.rel(host)}: {name}({base}) calls self.{method}"

    def py_call_method_by_name(self) -> str:
        _, methods = self.pick(".py", PY_METHOD)
        method = self.rng.choice(methods)
        host = self.rng.choice(self.files(".py"))
        fn = self.fresh("fuzz_any_")
        host.write_text(
            host.read_text(errors="replace") + f"\n\ndef {fn}(x):\n    return x.{method}()\n"
        )
        return f"{self.rel(host)}: {fn} calls x.{method}"

    def py_relative_import(self) -> str:
        host = self.rng.choice([p for p in self.files(".py") if p.parent != self.work])
        siblings = [
            p for p in host.parent.glob("*.py") if p != host and PY_DEF.search(p.read_text())
        ]
        if not siblings:
            return f"no relative import in {self.rel(host)}"
        target = self.rng.choice(sorted(siblings))
        name = self.rng.choice(sorted(set(PY_DEF.findall(target.read_text()))))
        module = "" if target.stem == "__init__" else target.stem
        fn = self.fresh("fuzz_rel_")
        host.write_text(
            f"from .{module} import {name}\n{host.read_text()}\n\n"
            f"def {fn}():\n    return {name}()\n"
        )
        return f"{self.rel(host)}: from .{module} import {name}"

    def py_change_base(self) -> str:
        """A class gets another base (one of its own file's classes) or loses its base: the
        class hierarchy moves."""
        path, based = self.pick(".py", PY_BASED)
        name, base = self.rng.choice(based)
        text = path.read_text()
        others = [c for c in PY_CLASS.findall(text) if c != name]
        new = f"class {name}({self.rng.choice(others)}):" if others else f"class {name}:"
        path.write_text(text.replace(f"class {name}({base}):", new, 1))
        return f"{self.rel(path)}: {name}({base}) -> {new}"

    def go_add_method_elsewhere(self) -> str:
        """A method on a type of the package, in another file of it, and a call to it."""
        path, types = self.pick(".go", GO_TYPE)
        owner = self.rng.choice(types)
        host = self.rng.choice(sorted(path.parent.glob("*.go")))
        method = self.fresh("FuzzMethod")
        host.write_text(
            host.read_text() + f"\nfunc (x *{owner}) {method}() {{}}\n\n"
            f"func call{method}(x *{owner}) {{ x.{method}() }}\n"
        )
        return f"{self.rel(host)}: method {owner}.{method} (type in {self.rel(path)})"

    def go_method_of_undeclared_type(self) -> str:
        """A method on a type no file declares yet, called from another file: when a later
        commit declares the type (`go_declare_type`), the method changes owner and that
        caller's edge moves."""
        path, _ = self.pick(".go", GO_FUNC)
        owner, method = self.fresh("fuzzOwner"), self.fresh("Owned")
        host = self.rng.choice(sorted(path.parent.glob("*.go")))
        # Anywhere, through a value of no named type: only the method's name leads to it.
        caller = self.rng.choice(self.files(".go"))
        host.write_text(host.read_text() + f"\nfunc (x *{owner}) {method}() {{}}\n")
        caller.write_text(
            caller.read_text()
            + f"\nfunc call{method}(x interface{{ {method}() }}) {{ x.{method}() }}\n"
        )
        self.undeclared.append((path.parent, owner))
        return f"{self.rel(host)}: method {owner}.{method}, called in {self.rel(caller)}"

    def go_declare_type(self) -> str:
        if not self.undeclared:
            return self.go_add_type()
        directory, owner = self.undeclared.pop(self.rng.randrange(len(self.undeclared)))
        files = sorted(directory.glob("*.go"))
        if not files:
            return f"no file left in {self.rel(directory)} to declare {owner}"
        path = self.rng.choice(files)
        path.write_text(path.read_text() + f"\ntype {owner} struct{{}}\n")
        return f"{self.rel(path)}: declares type {owner}"

    def go_add_function(self) -> str:
        path, _ = self.pick(".go", GO_FUNC)
        # Functions of the same package, from any of its files.
        package = sorted(
            {n for p in path.parent.glob("*.go") for n in GO_FUNC.findall(p.read_text())}
        )
        calls = "\n".join(f"\t{n}()" for n in self.rng.sample(package, min(2, len(package))))
        name = self.fresh("FuzzGo")
        path.write_text(path.read_text() + f"\nfunc {name}() {{\n{calls}\n}}\n")
        return f"{self.rel(path)}: {name} calls {calls.split()}"

    def go_add_type(self) -> str:
        path, names = self.pick(".go", GO_FUNC)
        name = self.fresh("fuzzType")
        callee = self.rng.choice(names)
        path.write_text(
            path.read_text()
            + f"\ntype {name} struct{{}}\n\nfunc (t {name}) Run() {{ {callee}() }}\n"
        )
        return f"{self.rel(path)}: type {name} with Run calling {callee}"

    def js_add_require(self) -> str:
        target, names = self.pick(".js", JS_DEF)
        host = self.rng.choice(self.files(".js"))
        spec = os.path.relpath(target.with_suffix(""), host.parent)
        spec = spec if spec.startswith(".") else f"./{spec}"
        name = self.rng.choice(names)
        alias = self.fresh("fz")
        host.write_text(
            host.read_text() + f"\nconst {alias} = require('{spec}')\nfunction {alias}Use () {{\n"
            f"  return {alias}.{name}()\n}}\n"
        )
        return f"{self.rel(host)}: requires {spec} and calls {name}"

    def mark_generated(self) -> str:
        """A parsed file becomes skipped: it keeps its File node and nothing else."""
        path = self._any_file()
        comment = "#" if path.suffix == ".py" else "//"
        path.write_text(f"{comment} @generated\n" + path.read_text(errors="replace"))
        self.generated.append(path)
        return f"mark {self.rel(path)} generated"

    def unmark_generated(self) -> str:
        """A skipped file is parsed again (its marker removed)."""
        marked = [p for p in self.generated if p.exists()]
        if not marked:
            return self.mark_generated()
        path = self.rng.choice(marked)
        self.generated.remove(path)
        path.write_text(path.read_text(errors="replace").split("\n", 1)[1])
        return f"unmark {self.rel(path)}"

    def _any_file(self) -> Path:
        return self.rng.choice([*self.files(".py"), *self.files(".go"), *self.files(".js")])

    def delete_file(self) -> str:
        path = self._any_file()
        self.repo.remove(self.rel(path))
        return f"delete {self.rel(path)}"

    def rename_file(self) -> str:
        path = self._any_file()
        # Within its directory or into a sibling one of the same language.
        directory = self.rng.choice([path.parent, *[p.parent for p in self.files(path.suffix)]])
        new = directory / f"{self.fresh(path.stem + '_mv')}{path.suffix}"
        git("mv", self.rel(path), self.rel(new), cwd=self.work)
        return f"rename {self.rel(path)} -> {self.rel(new)}"

    def copy_file(self) -> str:
        path = self._any_file()
        new = path.parent / f"{self.fresh(path.stem + '_cp')}{path.suffix}"
        shutil.copy(path, new)
        return f"copy {self.rel(path)} -> {self.rel(new)}"

    def touch_file(self) -> str:
        path = self._any_file()
        comment = "#" if path.suffix == ".py" else "//"
        path.write_text(path.read_text(errors="replace") + f"\n{comment} touched\n")
        return f"touch {self.rel(path)}"


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("seed", SEEDS)
async def test_random_edits_leave_the_incremental_graph_equal_to_a_full_index(
    seed: int,
    local_stack: LocalStack,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="repograph.indexer")
    rng = random.Random(seed)

    repo = WorkRepo(tmp_path, "random")
    build_corpus(repo)
    repo.commit("corpus")
    url = repo.bare.resolve().as_uri()
    live = RepoRef(f"github-{unique_id}", "github", "acme/random", url)
    indexer = make_indexer(local_stack, neo4j_driver)
    full_indexer = make_indexer(local_stack, neo4j_driver)
    edits = RandomEdits(repo, rng)
    done: list[str] = []
    kept_runs = 0  # runs that updated the tables kept from the run before
    plain_runs = 0  # runs not after a deferred one (catching up may exceed the narrow limits)
    try:
        await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")
        for step in range(1, STEPS + 1):
            if rng.random() < RESTART_CHANCE:
                await indexer.aclose()
                indexer = make_indexer(local_stack, neo4j_driver)
                done.append(f"{step}: worker restarted")
            deferring = rng.random() < DEFER_CHANCE
            if deferring:
                made = edits.step()
                repo.commit(f"step {step}, deferred")
                parsed, _ = await index_head(
                    indexer, neo4j_driver, live, "main", tmp_path / "runs", deadline=0.0
                )
                done.append(f"{step}: {'; '.join(made)}; {parsed.deferred_files} files deferred")
            made = edits.step()
            done.append(f"{step}: {'; '.join(made)}")
            repo.commit(f"step {step}")
            caplog.clear()
            await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")
            if not deferring:
                plain_runs += 1
                kept_runs += any(
                    r.getMessage() == "resolving" and r.kept_tables for r in caplog.records
                )
            fresh = RepoRef(f"{live.repo_id}-full{step}", "github", "acme/random", url)
            await index_head(full_indexer, neo4j_driver, fresh, "main", tmp_path / "runs")
            incremental = await graph_dump(neo4j_driver, live.repo_id)
            full = await graph_dump(neo4j_driver, fresh.repo_id)
            await drop_graph(neo4j_driver, fresh.repo_id)
            history = "\n".join(done)
            assert_same_graph(incremental, full, f"after step {step} of seed {seed}:\n{history}")
    finally:
        await indexer.aclose()
        await full_indexer.aclose()
        await drop_graph(neo4j_driver, live.repo_id)
    # Most edits are narrow: the runs must have gone through the kept tables' update.
    assert kept_runs >= plain_runs // 2, f"{kept_runs} of {plain_runs} kept the tables:\n{history}"
