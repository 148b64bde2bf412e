"""The worker's kept resolutions: handed out only for exactly the blobs they were built from."""

from __future__ import annotations

from activities.codegraph.kept_resolutions import KeptResolutions
from activities.codegraph.model import Definition, FileExtraction
from activities.codegraph.resolve import BranchResolution


def resolution(*paths: str) -> BranchResolution:
    files = {
        path: FileExtraction(
            path, "python", None, (Definition("Function", "f", "f", 1, 2),), (), (), (), False
        )
        for path in paths
    }
    return BranchResolution("r", "main", files)


def test_taken_only_for_the_same_blobs_and_go_modules_and_only_once() -> None:
    kept = KeptResolutions()
    built = resolution("a.py", "b.py")
    blobs = {"a.py": "1", "b.py": "2"}
    kept.keep("r|main", built, dict(blobs), "{}")
    assert kept.take("r|main", {"a.py": "1", "b.py": "3"}, "{}") is None
    assert len(kept) == 0, "a stale entry is dropped, not kept for later"
    kept.keep("r|main", built, dict(blobs), "{}")
    assert kept.take("r|main", blobs, '{"go":"x"}') is None
    kept.keep("r|main", built, dict(blobs), "{}")
    assert kept.take("r|main", {"a.py": "1"}, "{}") is None  # b.py deleted since
    kept.keep("r|main", built, dict(blobs), "{}")
    assert kept.take("r|other", blobs, "{}") is None
    assert kept.take("r|main", blobs, "{}") is built
    assert kept.take("r|main", blobs, "{}") is None, "whoever takes it owns it until it is kept"


def test_bounded_by_files_least_recently_kept_first() -> None:
    kept = KeptResolutions(max_files=5)
    kept.keep("big", resolution(*"abcdef"), dict.fromkeys("abcdef", "1"), "{}")
    assert len(kept) == 0, "a branch over the limit is not kept at all"
    for name in ("x", "y", "z"):
        kept.keep(name, resolution("a", "b"), {"a": "1", "b": "1"}, "{}")
    assert len(kept) == 2
    assert kept.take("x", {"a": "1", "b": "1"}, "{}") is None
    assert kept.take("z", {"a": "1", "b": "1"}, "{}") is not None
