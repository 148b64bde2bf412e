"""The demo's sample repository: real git, a few Python files with a class hierarchy and
cross-file calls, pushed to a local bare `origin` that plays the part of GitHub.

Git runs with a fixed identity and without the user's global configuration, so commit
signing or hooks configured on the machine cannot get in the way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from app.cli.command import CliError, UsageError
from app.cli.github_push import PushedCommit

MARKER = ".repograph-demo"
AUTHOR = ("repograph demo", "demo@repograph.invalid")

FIRST_VERSION = {
    "README.md": "# shapes\n\nA tiny code base for the repograph demo.\n",
    "shapes/__init__.py": '"""Shapes with an area."""\n',
    "shapes/base.py": '''\
"""The base class every shape extends."""


class Shape:
    name = "shape"

    def area(self) -> float:
        raise NotImplementedError

    def describe(self) -> str:
        return f"{self.name} with area {self.area():.2f}"
''',
    "shapes/circle.py": """\
import math

from shapes.base import Shape


class Circle(Shape):
    name = "circle"

    def __init__(self, radius: float) -> None:
        self.radius = radius

    def area(self) -> float:
        return math.pi * self.radius**2
""",
    "shapes/rect.py": """\
from shapes.base import Shape


class Rectangle(Shape):
    name = "rectangle"

    def __init__(self, width: float, height: float) -> None:
        self.width = width
        self.height = height

    def area(self) -> float:
        return self.width * self.height


class Square(Rectangle):
    name = "square"

    def __init__(self, side: float) -> None:
        super().__init__(side, side)
""",
    "report.py": """\
from shapes.circle import Circle
from shapes.rect import Rectangle, Square


def build_shapes() -> list:
    return [Circle(1.0), Rectangle(2.0, 3.0), Square(2.0)]


def total_area(shapes: list) -> float:
    return sum(shape.area() for shape in shapes)


def main() -> None:
    shapes = build_shapes()
    for shape in shapes:
        print(shape.describe())
    print(f"total area: {total_area(shapes):.2f}")


if __name__ == "__main__":
    main()
""",
}

# The second push: one new file and one changed file; the other four stay as they were.
SECOND_VERSION = {
    "shapes/triangle.py": """\
from shapes.base import Shape


class Triangle(Shape):
    name = "triangle"

    def __init__(self, base: float, height: float) -> None:
        self.base = base
        self.height = height

    def area(self) -> float:
        return self.base * self.height / 2
""",
    "report.py": FIRST_VERSION["report.py"]
    .replace(
        "from shapes.rect import Rectangle, Square\n",
        "from shapes.rect import Rectangle, Square\nfrom shapes.triangle import Triangle\n",
    )
    .replace("Square(2.0)]", "Square(2.0), Triangle(3.0, 4.0)]"),
}


class SampleRepository:
    """`<directory>/work` (the developer's checkout) pushing to `<directory>/origin.git`."""

    def __init__(self, directory: Path, branch: str = "main") -> None:
        self.directory = directory.resolve()
        self.origin = self.directory / "origin.git"
        self.work = self.directory / "work"
        self.branch = branch

    def create(self) -> None:
        """Start over with a fresh repository; refuses a directory the demo did not create."""
        if self.directory.exists() and any(self.directory.iterdir()):
            if not (self.directory / MARKER).exists():
                raise UsageError(
                    f"{self.directory} exists and was not made by `repograph demo`; "
                    "choose another --dir"
                )
            shutil.rmtree(self.directory)
        self.work.mkdir(parents=True)
        (self.directory / MARKER).write_text("created by `repograph demo`; safe to delete\n")
        self._git("init", "--quiet", "--bare", f"--initial-branch={self.branch}", str(self.origin))
        self._git("init", "--quiet", f"--initial-branch={self.branch}", str(self.work))
        self._git("remote", "add", "origin", str(self.origin), cwd=self.work)

    def commit_and_push(self, files: dict[str, str], message: str) -> PushedCommit:
        """Write `files`, commit them and push the branch to origin; describes the new commit."""
        for relative, text in files.items():
            path = self.work / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        self._git("add", "-A", cwd=self.work)
        self._git("commit", "--quiet", "-m", message, cwd=self.work)
        self._git("push", "--quiet", "origin", f"HEAD:refs/heads/{self.branch}", cwd=self.work)
        sha, tree, timestamp = self._git("log", "-1", "--format=%H %T %aI", cwd=self.work).split()
        changes = self._git(
            "diff-tree", "--root", "--no-commit-id", "--name-status", "-r", sha, cwd=self.work
        )
        by_status: dict[str, list[str]] = {"A": [], "D": [], "M": []}
        for line in changes.splitlines():
            status, _, changed = line.partition("\t")
            by_status.setdefault(status[:1], []).append(changed)
        return PushedCommit(
            sha=sha,
            tree_sha=tree,
            message=message,
            timestamp=timestamp,
            author_name=AUTHOR[0],
            author_email=AUTHOR[1],
            added=tuple(by_status["A"]),
            removed=tuple(by_status["D"]),
            modified=tuple(by_status["M"]),
        )

    def _git(self, *args: str, cwd: Path | None = None) -> str:
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": AUTHOR[0],
            "GIT_AUTHOR_EMAIL": AUTHOR[1],
            "GIT_COMMITTER_NAME": AUTHOR[0],
            "GIT_COMMITTER_EMAIL": AUTHOR[1],
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        result = subprocess.run(
            ["git", *args],
            cwd=cwd or self.directory,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CliError(f"git {args[0]} failed: {result.stderr.strip()[:300]}")
        return result.stdout.strip()
