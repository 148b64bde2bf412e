"""Build many real commits on many branches fast, with `git fast-import` (one process)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.support.git_server import GIT_ENV, git


def build_branches(
    bare: Path,
    base_files: dict[str, str],
    branches: list[str],
    commits_per_branch: int,
    change: Callable[[str, int], tuple[str, str]],
) -> dict[str, list[str]]:
    """Create `base` then, on each branch, a chain of commits; returns branch -> commit shas.

    `change(branch, n)` returns the (path, content) the n-th commit of `branch` writes.
    """
    lines: list[bytes] = []

    def data(text: str) -> None:
        raw = text.encode()
        lines.append(b"data %d\n" % len(raw) + raw + b"\n")

    when = 1_700_000_000
    lines.append(b"commit refs/heads/__base\nmark :1\n")
    lines.append(b"committer Test <t@example.com> %d +0000\n" % when)
    data("base")
    for path, content in base_files.items():
        lines.append(f"M 100644 inline {path}\n".encode())
        data(content)
    mark = 1
    marks: dict[str, list[int]] = {}
    for branch in branches:
        parent = 1
        for n in range(commits_per_branch):
            mark += 1
            when += 1
            lines.append(f"commit refs/heads/{branch}\nmark :{mark}\n".encode())
            lines.append(b"committer Test <t@example.com> %d +0000\n" % when)
            data(f"{branch} change {n}")
            lines.append(b"from :%d\n" % parent)
            path, content = change(branch, n)
            lines.append(f"M 100644 inline {path}\n".encode())
            data(content)
            marks.setdefault(branch, []).append(mark)
            parent = mark
    marks_file = bare.parent / f"{bare.name}.marks"
    subprocess.run(
        ["git", "fast-import", "--quiet", f"--export-marks={marks_file}"],
        cwd=bare,
        input=b"".join(lines),
        env={**GIT_ENV, "PATH": "/usr/bin:/bin"},
        check=True,
    )
    sha_of = dict(
        line.split() for line in marks_file.read_text().splitlines() if line.startswith(":")
    )
    git("update-ref", "-d", "refs/heads/__base", cwd=bare)
    git("symbolic-ref", "HEAD", f"refs/heads/{branches[0]}", cwd=bare)
    return {branch: [sha_of[f":{m}"] for m in ids] for branch, ids in marks.items()}
