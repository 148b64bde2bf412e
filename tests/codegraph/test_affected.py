"""Which files an edit can reach: the rule that lets a re-index re-resolve only some files."""

from __future__ import annotations

from activities.codegraph import affected
from activities.codegraph.affected import affected_files, outside_words
from activities.codegraph.extract import extract
from activities.codegraph.model import FileExtraction

BASE = "class Base:\n    def run(self):\n        return helper()\n\n\ndef helper():\n    return 1\n"
FILES = {
    "base.py": BASE,
    "child.py": "from base import Base\n\n\nclass Child(Base):\n    def go(self):\n"
    "        return self.run() + self.extra()\n",
    "user.py": "import base\n\n\ndef use():\n    return base.helper()\n",
    "other.py": "def unrelated():\n    return 2\n",
}
FILLER = {f"pkg/m{i}.py": f"def f{i}():\n    return {i}\n" for i in range(20)}


def parse(files: dict[str, str]) -> dict[str, FileExtraction]:
    return {path: extract(path, text.encode(), "python") for path, text in files.items()}


def reach(new_base: str) -> set[str] | None:
    before = parse({"base.py": BASE})
    after = parse({"base.py": new_base})
    branch = parse({**FILES, **FILLER, "base.py": new_base})
    return affected_files(before, after, branch)


def test_a_body_edit_reaches_only_the_file_itself() -> None:
    assert reach(BASE.replace("return 1", "return 1 + helper_count()")) == {"base.py"}


def test_moved_lines_reach_only_the_file_itself() -> None:
    assert reach("\n\n" + BASE) == {"base.py"}


def test_an_added_method_reaches_the_files_that_name_it() -> None:
    extra = "    def extra(self):\n        return 0\n\n"
    new = BASE.replace("    def run(self):", extra + "    def run(self):")
    assert reach(new) == {"base.py", "child.py"}


def test_a_removed_function_reaches_its_callers_and_importers() -> None:
    new = "class Base:\n    def run(self):\n        return 0\n"
    assert reach(new) == {"base.py", "user.py"}


def test_a_second_definition_of_a_name_reaches_its_callers() -> None:
    assert reach(BASE + "\n\ndef helper():\n    return 2\n") == {"base.py", "user.py"}


def test_wider_edits_resolve_the_whole_branch() -> None:
    assert reach(BASE + "\n\nclass Other:\n    pass\n") is None  # a new type
    assert reach("import os\n" + BASE) is None  # an import
    assert reach(BASE.replace("class Base:", "class Base(dict):")) is None  # a parent


def test_added_removed_or_many_files_resolve_the_whole_branch() -> None:
    branch = parse({**FILES, **FILLER})
    assert affected_files({}, parse({"new.py": "x = 1\n"}), branch) is None
    many = {path: branch[path] for path in list(FILLER)[:10]}
    assert affected_files(many, many, branch) is None


def test_a_files_words_are_kept_while_its_extraction_lives() -> None:
    """The words a file names others by are worked out once per extraction object, and
    forgotten with it (an equal extraction made later is another entry)."""
    fe = extract("user.py", FILES["user.py"].encode(), "python")
    words = outside_words(fe)
    assert {"base", "helper"} <= words
    assert outside_words(fe) is words
    entries = len(affected._words_cache)
    del fe
    assert len(affected._words_cache) == entries - 1
    again = extract("user.py", FILES["user.py"].encode(), "python")
    assert outside_words(again) == words


def test_project_wide_usings_and_macro_namespaces_resolve_the_whole_branch() -> None:
    """A C# `global using` binds in every file of its project, and a line of a C++ macro
    that opens a namespace (`FMT_BEGIN_NAMESPACE`) puts the file's definitions in it: the
    files either reaches spell no name that moved, so even kept tables cannot narrow them.
    A macro line that opens nothing (`Q_OBJECT`) stays narrow."""

    def parsed(files: dict[str, str]) -> dict[str, FileExtraction]:
        return {path: extract(path, text.encode(), "csharp" if path.endswith(".cs") else "cpp")
                for path, text in files.items()}  # fmt: skip

    cs = {"App/Usings.cs": "using Lib;\n", "App/Run.cs": "class Run { void Go() { Pad(); } }\n"}
    cs_filler = {f"Lib/F{i}.cs": f"namespace Lib; class F{i} {{ }}\n" for i in range(20)}
    before = parsed({"App/Usings.cs": cs["App/Usings.cs"]})
    after = parsed({"App/Usings.cs": "global using Lib;\n"})
    branch = parsed({**cs, **cs_filler, "App/Usings.cs": "global using Lib;\n"})
    assert affected_files(before, after, branch, kept_tables=True) is None

    define = "#define FMT_BEGIN_NAMESPACE namespace fmt {\n#define FMT_END_NAMESPACE }\n"
    body = "int format(int x) { return x; }\n"
    cpp = {"base.h": define, "format.h": body, "test.cc": "void t() { fmt::format(1); }\n"}
    cpp_filler = {f"lib/f{i}.cc": f"int f{i}() {{ return {i}; }}\n" for i in range(20)}

    def reach_cpp(new_format: str) -> set[str] | None:
        branch = parsed({**cpp, **cpp_filler, "format.h": new_format})
        return affected_files(
            parsed({"format.h": body}), parsed({"format.h": new_format}), branch,
            kept_tables=True,
        )  # fmt: skip

    assert reach_cpp(f"FMT_BEGIN_NAMESPACE\n{body}FMT_END_NAMESPACE\n") is None
    assert reach_cpp(f"class W {{\n  Q_OBJECT\n}};\n{body}") == {"format.h"}
    added = parsed({"fmt.h": define})
    branch = parsed({**cpp, **cpp_filler, "fmt.h": define})
    assert affected_files({}, {}, branch, kept_tables=True, added=added) is None
