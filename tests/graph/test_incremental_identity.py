"""The defining property: after every commit, the incremental graph equals a full index.

Real code (packages of this interpreter's standard library and of the Go standard library)
goes through a history of commits that add, modify, delete and rename files. After each commit
the branch indexed incrementally is compared, node for node and edge for edge, with the same
commit indexed from scratch under another repo_id (a clean graph).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from neo4j import AsyncDriver

from activities.codegraph.indexer import CodeGraphIndexer
from tests.support.git_server import WorkRepo, git
from tests.support.indexing import assert_same_graph, graph_dump, index_head
from workflows.contracts import RepoRef

PY_PACKAGES = ("json", "email", "http", "urllib", "logging")
GO_PACKAGES = ("container", "sort", "path")


def goroot() -> Path:
    return Path(
        subprocess.run(
            ["go", "env", "GOROOT"], capture_output=True, text=True, check=True
        ).stdout.strip()
    )


def build_corpus(repo: WorkRepo) -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for package in PY_PACKAGES:
        shutil.copytree(
            stdlib / package, repo.work / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    src = goroot() / "src"
    for package in GO_PACKAGES:
        shutil.copytree(
            src / package, repo.work / "go" / package, ignore=shutil.ignore_patterns("testdata")
        )
    shutil.copy(src / "go.mod", repo.work / "go" / "go.mod")
    # TypeScript importing through a tsconfig path alias, and a second home the alias may
    # be pointed at.
    repo.write(
        {
            "web/tsconfig.json": '{"compilerOptions": {"paths": {"@lib/*": ["./lib/*"]}}}\n',
            "web/lib/format.ts": "export function pad(s: string) { return s; }\n",
            "web/next/format.ts": "export function pad(s: string) { return s + ' '; }\n",
            "web/app.ts": "import { pad } from '@lib/format';\nexport const run = () => pad();\n",
            # A JavaScript workspace whose package another imports by its name, and a second
            # entry its exports may be pointed at.
            "js/package.json": '{"name": "js", "private": true, "workspaces": ["packages/*"]}\n',
            "js/packages/fmt/package.json": '{"name": "@acme/fmt", "exports": "./dist/a.js"}\n',
            "js/packages/fmt/src/a.ts": "export function trim(s: string) { return s; }\n",
            "js/packages/fmt/src/b.ts": "export function trim(s: string) { return s + 1; }\n",
            "js/packages/app/main.ts": (
                "import { trim } from '@acme/fmt';\nexport function go() { trim('x'); }\n"
            ),
            # C# calling through a using its project file declares, and a second namespace
            # the using may be pointed at.
            "cs/App/App.csproj": '<Project><ItemGroup><Using Include="Lib.Text" />'
            "</ItemGroup></Project>\n",
            "cs/Lib/Text/Padder.cs": "namespace Lib.Text;\n"
            "public static class Padder { public static string Pad(string s) => s; }\n",
            "cs/Lib/Other/Padder.cs": "namespace Lib.Other;\n"
            "public static class Padder { public static string Pad(string s) => s; }\n",
            "cs/App/Run.cs": "namespace App;\n"
            'public class Run { public string Go() => Padder.Pad("x"); }\n'
            # Two namespaces define Cutter: the call reaches one once a `global using` in
            # another file of the project names it.
            'public class Trim { public string Go() => Cutter.Cut("x"); }\n',
            "cs/Lib/Extra/Cutter.cs": "namespace Lib.Extra;\n"
            "public static class Cutter { public static string Cut(string s) => s; }\n",
            "cs/Lib/Spare/Cutter.cs": "namespace Lib.Spare;\n"
            "public static class Cutter { public static string Cut(string s) => s; }\n",
        }
    )


def history(repo: WorkRepo) -> list[tuple[str, object, bool, bool]]:
    """Edits applied one commit at a time: (description, callable that edits the work tree,
    whether the edit is narrow enough for the run to re-resolve only some files, whether the
    run updates the resolution tables kept from the run before rather than building them)."""
    work = repo.work
    decoder = work / "json" / "decoder.py"

    def modify() -> None:
        text = decoder.read_text().replace("def py_scanstring(", "def py_scanstring_renamed(")
        decoder.write_text(text + "\n\ndef decode_twice(s):\n    return JSONDecoder().decode(s)\n")
        sort_go = work / "go" / "sort" / "sort.go"
        sort_go.write_text(
            sort_go.read_text() + "\nfunc SortTwice(x Interface) {\n\tSort(x)\n\tSort(x)\n}\n"
        )

    def delete() -> None:
        repo.remove("email/quoprimime.py", "go/container/ring/ring.go")

    def rename() -> None:
        git("mv", "http/cookies.py", "http/biscuits.py", cwd=work)
        git("mv", "go/path/match.go", "go/path/matcher.go", cwd=work)

    def add() -> None:
        repo.write(
            {
                "extra/__init__.py": "",
                # A second `decode_twice` makes the repository-wide unique-name fallback ambiguous.
                "extra/helpers.py": (
                    "from json.decoder import JSONDecoder\n\n\n"
                    "class StrictDecoder(JSONDecoder):\n"
                    "    def decode(self, s):\n"
                    # `normalise` is defined on the base class in another file only later.
                    "        return super().decode(self.normalise(s))\n\n\n"
                    "def decode_twice(s):\n    return StrictDecoder().decode(s)\n"
                ),
            }
        )

    def add_unnamed() -> None:
        repo.write({"extra/rarely.py": "def rarely_called_helper():\n    return 1\n"})

    def add_eleven() -> None:
        # More added files than the kept tables take in (KEPT_UPDATE_MAX_FILES): built afresh.
        repo.write({f"extra/many_{n}.py": f"def many_{n}():\n    return {n}\n" for n in range(11)})

    def call_method() -> None:
        repo.write(
            {
                "extra/rare.py": "class Rare:\n    def rarely_used(self):\n        return 1\n",
                "extra/caller.py": "def use(thing):\n    return thing.rarely_used()\n",
            }
        )

    def define_method_again() -> None:
        # caller.py's call matched the one method of that name; now it matches none. caller.py
        # is not rewritten: that edge is deleted alone (`GraphWriter.update_code_edges`).
        repo.write(
            {"extra/often.py": "class Often:\n    def rarely_used(self):\n        return 2\n"}
        )

    def delete_unnamed() -> None:
        repo.remove("extra/rarely.py")

    def move_method() -> None:
        helpers = work / "extra" / "helpers.py"
        helpers.write_text(
            "from json.decoder import JSONDecoder\n\n\n"
            "class StrictDecoder(JSONDecoder):\n    pass\n\n\n"
            "class LooseDecoder(JSONDecoder):\n"
            "    def decode(self, s):\n        return super().decode(s.strip())\n"
        )

    def edit_body() -> None:
        text = decoder.read_text()
        body = "return py_scanstring_renamed(s, 1)[0]\n"
        decoder.write_text(text.replace("return JSONDecoder().decode(s)\n", body))

    def add_base_method() -> None:
        text = decoder.read_text().replace(
            "    def raw_decode(self, s, idx=0):",
            "    def normalise(self, s):\n        return s.strip()\n\n"
            "    def raw_decode(self, s, idx=0):",
        )
        decoder.write_text(text)

    def define_twice() -> None:
        # A second `normalise` in the same file: keys get ordinals, unique matches break.
        decoder.write_text(decoder.read_text() + "\n\ndef normalise(s):\n    return s\n")

    def import_and_call() -> None:
        # An edited import is narrow when the worker kept the branch's resolution tables.
        added = "import re\nfrom email.utils import formataddr\n"
        text = decoder.read_text().replace("import re\n", added, 1)
        decoder.write_text(text + "\n\ndef address(pair):\n    return formataddr(pair)\n")

    def drop_base_import() -> None:
        # Both classes lose their base: the class hierarchy moves, so every file is re-resolved.
        helpers = work / "extra" / "helpers.py"
        helpers.write_text(
            helpers.read_text().replace("from json.decoder import JSONDecoder\n", "")
        )

    def add_class() -> None:
        # A new type is narrow when the worker kept the branch's resolution tables.
        helpers = work / "extra" / "helpers.py"
        helpers.write_text(
            helpers.read_text() + "\n\nclass TolerantDecoder(StrictDecoder):\n"
            "    def tolerate(self, s):\n        return self.decode(s.strip())\n"
        )
        sort_go = work / "go" / "sort" / "sort.go"
        sort_go.write_text(
            sort_go.read_text() + "\ntype halves struct{ data Interface }\n\n"
            "func (h halves) swapHalves() { h.data.Swap(0, h.data.Len()-1) }\n"
        )

    def rename_class() -> None:
        helpers = work / "extra" / "helpers.py"
        helpers.write_text(helpers.read_text().replace("TolerantDecoder", "LenientDecoder"))

    def remove_classes() -> None:
        helpers = work / "extra" / "helpers.py"
        helpers.write_text(helpers.read_text().split("\n\nclass LenientDecoder")[0] + "\n")
        sort_go = work / "go" / "sort" / "sort.go"
        sort_go.write_text(sort_go.read_text().split("\ntype halves struct")[0])

    def change_go_module() -> None:
        # No parsed file changes, yet every Go import resolves differently.
        go_mod = work / "go" / "go.mod"
        go_mod.write_text(go_mod.read_text().replace("module std", "module example.com/std"))

    def move_ts_alias() -> None:
        # No parsed file changes, yet web/app.ts's import now reaches web/next/format.ts.
        tsconfig = work / "web" / "tsconfig.json"
        tsconfig.write_text(tsconfig.read_text().replace("./lib/*", "./next/*"))

    def move_js_export() -> None:
        # No parsed file changes, yet js/packages/app/main.ts's import now reaches b.ts.
        manifest = work / "js" / "packages" / "fmt" / "package.json"
        manifest.write_text(manifest.read_text().replace("./dist/a.js", "./dist/b.js"))

    def move_cs_using() -> None:
        # No parsed file changes, yet cs/App/Run.cs's call now reaches Lib.Other's Padder.
        project = work / "cs" / "App" / "App.csproj"
        project.write_text(project.read_text().replace("Lib.Text", "Lib.Other"))

    def add_global_using() -> None:
        # cs/App/Run.cs does not change, yet its call to Cutter.Cut now reaches Lib.Extra.
        repo.write({"cs/App/GlobalUsings.cs": "global using Lib.Extra;\n"})

    def move_global_using() -> None:
        usings = work / "cs" / "App" / "GlobalUsings.cs"
        usings.write_text(usings.read_text().replace("Lib.Extra", "Lib.Spare"))

    return [
        ("modify", modify, True, True),
        # With the kept tables deleted, renamed and added files are narrow changes too, but
        # these reach many files: email spells the deleted module's package, json `decode`.
        ("delete", delete, False, True),
        ("rename", rename, False, True),
        ("add", add, False, True),
        ("add a file nothing names yet", add_unnamed, True, True),
        ("add a method and a file calling it", call_method, True, True),
        ("define that method in a second class", define_method_again, True, True),
        ("delete the first file again", delete_unnamed, True, True),
        ("edit a function body", edit_body, True, True),
        (
            "add a base-class method that a subclass in another file calls",
            add_base_method,
            True,
            True,
        ),
        ("define a function twice in one file", define_twice, True, True),
        ("move a method between classes", move_method, False, True),
        ("import a function of another package and call it", import_and_call, True, True),
        ("drop the import of two classes' base", drop_base_import, False, True),
        ("add a class and a Go type", add_class, True, True),
        ("rename that class", rename_class, True, True),
        ("remove the class and the Go type", remove_classes, True, True),
        ("add eleven files at once", add_eleven, False, False),
        ("change the go.mod module path", change_go_module, False, False),
        ("point a tsconfig path alias elsewhere", move_ts_alias, False, False),
        ("point a workspace package's exports elsewhere", move_js_export, False, False),
        ("point a C# project's using elsewhere", move_cs_using, False, False),
        ("add a C# global using", add_global_using, False, False),
        ("point that global using elsewhere", move_global_using, False, False),
    ]


@pytest.mark.timeout(600)
async def test_incremental_graph_equals_full_index_after_every_commit(
    indexer: CodeGraphIndexer,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Adds, edits, deletes, renames and moves leave the incremental graph equal to a rebuild."""
    caplog.set_level(logging.INFO, logger="repograph.indexer")
    repo = WorkRepo(tmp_path, "stdlib")
    build_corpus(repo)
    repo.commit("corpus")
    url = repo.bare.resolve().as_uri()
    live = RepoRef(f"github-{unique_id}", "github", "acme/stdlib", url)
    parsed, _ = await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")
    _, edges = await graph_dump(neo4j_driver, live.repo_id)
    kinds = {edge[0] for edge in edges}
    assert {"CONTAINS", "DEFINES", "IMPORTS", "CALLS", "INHERITS"} <= kinds
    assert len(edges) > 1000
    assert parsed.parsed_files > 80
    assert ts_call(edges) == "REPO|main|web/lib/format.ts|Function:pad"
    assert js_call(edges) == "REPO|main|js/packages/fmt/src/a.ts|Function:trim"
    assert cs_call(edges) == "REPO|main|cs/Lib/Text/Padder.cs|Method:Padder.Pad"
    assert not cs_calls(edges, "Trim.Go")

    for step, (description, edit, narrow, kept_tables) in enumerate(history(repo), start=1):
        edit()  # type: ignore[operator]
        repo.commit(description)
        caplog.clear()
        parsed, graph = await index_head(indexer, neo4j_driver, live, "main", tmp_path / "runs")
        # The resolution tables the worker kept from the run before are updated, not rebuilt.
        kept = [r.kept_tables for r in caplog.records if r.getMessage() == "resolving"]
        assert kept == [kept_tables], f"{description}: kept resolution tables used: {kept}"
        assert parsed.parsed_files + parsed.skipped_files < 15, f"{description}: not incremental"
        # Narrow edits re-resolve a few files; the others re-resolve the whole branch.
        assert (graph.resolved_files < graph.indexed_files / 10) == narrow, (
            f"{description}: {graph.resolved_files} of {graph.indexed_files} files re-resolved"
        )
        fresh = RepoRef(f"github-{unique_id}-full{step}", "github", "acme/stdlib", url)
        await index_head(indexer, neo4j_driver, fresh, "main", tmp_path / "runs")
        incremental = await graph_dump(neo4j_driver, live.repo_id)
        full = await graph_dump(neo4j_driver, fresh.repo_id)
        assert_same_graph(incremental, full, f"after '{description}'")
    assert ts_call(incremental[1]) == "REPO|main|web/next/format.ts|Function:pad"
    assert js_call(incremental[1]) == "REPO|main|js/packages/fmt/src/b.ts|Function:trim"
    assert cs_call(incremental[1]) == "REPO|main|cs/Lib/Other/Padder.cs|Method:Padder.Pad"
    assert cs_calls(incremental[1], "Trim.Go") == [
        "REPO|main|cs/Lib/Spare/Cutter.cs|Method:Cutter.Cut"
    ]


def ts_call(edges: list[Any]) -> str:
    """What web/app.ts's call to `pad`, imported through the tsconfig alias, reaches."""
    (dst,) = [e[2] for e in edges if e[0] == "CALLS" and e[1].endswith("|web/app.ts|Function:run")]
    return str(dst)


def js_call(edges: list[Any]) -> str:
    """What js/packages/app/main.ts's call to `trim`, imported from a workspace package by
    its name, reaches."""
    caller = "|js/packages/app/main.ts|Function:go"
    (dst,) = [e[2] for e in edges if e[0] == "CALLS" and e[1].endswith(caller)]
    return str(dst)


def cs_call(edges: list[Any]) -> str:
    """What cs/App/Run.cs's call to `Padder.Pad`, through its project's using, reaches."""
    (dst,) = cs_calls(edges, "Run.Go")
    return dst


def cs_calls(edges: list[Any], method: str) -> list[str]:
    """What the calls of a method of cs/App/Run.cs reach."""
    caller = f"|cs/App/Run.cs|Method:{method}"
    return [str(e[2]) for e in edges if e[0] == "CALLS" and e[1].endswith(caller)]


async def test_indexing_the_same_commit_twice_writes_nothing(
    indexer: CodeGraphIndexer,
    neo4j_driver: AsyncDriver,
    tmp_path: Path,
    unique_id: str,
) -> None:
    """A second index of an unchanged head parses nothing and changes nothing in Neo4j."""
    repo = WorkRepo(tmp_path, "twice")
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    shutil.copytree(
        stdlib / "json", repo.work / "json", ignore=shutil.ignore_patterns("__pycache__")
    )
    repo.commit("json")
    ref = RepoRef(f"github-{unique_id}", "github", "acme/twice", repo.bare.resolve().as_uri())
    _, first = await index_head(indexer, neo4j_driver, ref, "main", tmp_path / "runs")
    before = await graph_dump(neo4j_driver, ref.repo_id)
    parsed, second = await index_head(indexer, neo4j_driver, ref, "main", tmp_path / "runs")
    assert first.graph_changes > 0
    assert parsed.parsed_files == 0
    assert parsed.unchanged_files == first.indexed_files
    assert second.graph_changes == 0
    assert (second.indexed_files, second.total_symbols) == (
        first.indexed_files,
        first.total_symbols,
    )
    assert await graph_dump(neo4j_driver, ref.repo_id) == before
