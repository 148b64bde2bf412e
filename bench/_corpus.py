"""Benchmark corpora: real source trees of this machine, committed into throw-away git repos."""

from __future__ import annotations

import shutil
import subprocess
import sysconfig
from dataclasses import dataclass
from pathlib import Path

from tests.support.git_server import WorkRepo

QUICK_FILES = 300  # --quick: the first files (by path) of the corpus


@dataclass(frozen=True)
class Corpus:
    name: str
    root: Path
    files: tuple[str, ...]  # paths relative to `root`, sorted
    changed: str  # the file the one-file-change run edits
    edit: str  # text appended to it
    import_line: str  # an import the import-edit run adds to it
    import_after: str | None  # ... after the first line starting so (None: at the top)
    new_file: tuple[str, str]  # (path, text) of the file the add-a-file run adds
    new_type: str  # a type (with a method) the add-a-type run appends to `changed`

    @property
    def total_bytes(self) -> int:
        return sum((self.root / rel).stat().st_size for rel in self.files)

    def contents(self) -> list[tuple[str, bytes]]:
        return [(rel, (self.root / rel).read_bytes()) for rel in self.files]


def _walk(root: Path, suffix: str, excluded: set[str]) -> list[str]:
    found = []
    for path in root.rglob(f"*{suffix}"):
        rel = path.relative_to(root)
        if path.is_file() and not path.is_symlink() and not excluded.intersection(rel.parts):
            found.append(rel.as_posix())
    return sorted(found)


def load_corpus(name: str, *, quick: bool) -> Corpus:
    if name == "cpython":
        root = Path(sysconfig.get_paths()["stdlib"])
        files = _walk(root, ".py", {"__pycache__", "site-packages"})
        changed, edit = "textwrap.py", "\n\ndef _bench_added{n}(text):\n    return dedent(text)\n"
        import_line, import_after = "import string\n", None
        new_file = (
            "bench_added.py",
            "from textwrap import dedent\n\n\ndef _bench_new(text):\n    return dedent(text)\n",
        )
        new_type = (
            "\n\nclass _BenchWrapper(TextWrapper):\n"
            "    def _bench_wrap(self, text):\n        return self.wrap(dedent(text))\n"
        )
    elif name == "go":
        goroot = subprocess.run(
            ["go", "env", "GOROOT"], capture_output=True, text=True, check=True
        ).stdout.strip()
        root = Path(goroot) / "src"
        files = _walk(root, ".go", set())
        changed, edit = (
            "strings/strings.go",
            "\n\nfunc benchAdded{n}(s string) int {{ return Count(s, s) }}\n",
        )
        import_line, import_after = 'import "unicode/utf16"\n', "package "
        new_file = (
            "strings/bench_added.go",
            "package strings\n\nfunc benchNew(s string) int { return Count(s, s) }\n",
        )
        new_type = (
            "\ntype benchPair struct{ s string }\n\n"
            "func (p benchPair) benchCount() int { return Count(p.s, p.s) }\n"
        )
    else:
        raise SystemExit(f"unknown corpus {name!r} (cpython or go)")
    if quick:
        files = files[:QUICK_FILES]
    if changed not in files:
        changed = files[len(files) // 2]
    return Corpus(
        name, root, tuple(files), changed, edit, import_line, import_after, new_file, new_type
    )


def build_repo(corpus: Corpus, scratch: Path) -> WorkRepo:
    """Copy the corpus into a new work tree, commit it and push it to a bare `origin`."""
    repo = WorkRepo(scratch, corpus.name)
    for rel in corpus.files:
        target = repo.work / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus.root / rel, target)
    repo.commit(f"{corpus.name}: {len(corpus.files)} files")
    return repo


def add_import(corpus: Corpus, repo: WorkRepo) -> str:
    """Add an import to the edited file, commit and push; returns the commit."""
    path = repo.work / corpus.changed
    lines = path.read_text().splitlines(keepends=True)
    at = 0
    if corpus.import_after is not None:
        at = next(i for i, line in enumerate(lines) if line.startswith(corpus.import_after)) + 1
    path.write_text("".join([*lines[:at], corpus.import_line, *lines[at:]]))
    return repo.commit(f"import in {corpus.changed}")


def add_file(corpus: Corpus, repo: WorkRepo) -> str:
    """Add one new file, commit and push; returns the commit."""
    path, text = corpus.new_file
    repo.write({path: text})
    return repo.commit(f"add {path}")


def add_type(corpus: Corpus, repo: WorkRepo) -> str:
    """Append a type with a method to the edited file, commit and push; returns the commit."""
    with (repo.work / corpus.changed).open("a") as out:
        out.write(corpus.new_type)
    return repo.commit(f"type in {corpus.changed}")


def mark_added_file_generated(corpus: Corpus, repo: WorkRepo) -> str:
    """Put a generated marker atop the file `add_file` added, so the indexer skips it from now
    on, commit and push; returns the commit."""
    path, text = corpus.new_file
    comment = "#" if path.endswith(".py") else "//"
    repo.write({path: f"{comment} @generated\n{text}"})
    return repo.commit(f"mark {path} generated")


def change_one_file(corpus: Corpus, repo: WorkRepo, nth: int = 1) -> str:
    """Append a small function (the `nth`) to one file, commit and push; returns the commit."""
    with (repo.work / corpus.changed).open("a") as out:
        out.write(corpus.edit.format(n=nth))
    return repo.commit(f"edit {corpus.changed}")
