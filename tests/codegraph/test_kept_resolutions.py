"""The worker's kept resolutions: handed out only for exactly the blobs they were built from."""

from __future__ import annotations

from activities.codegraph.branch_resolution import BranchResolution
from activities.codegraph.kept_resolutions import KeptResolutions
from activities.codegraph.model import Definition, FileExtraction


def resolution(*paths: str) -> BranchResolution:
    files = {
        path: FileExtraction(
            path, "python", None, (Definition("Function", "f", "f", 1, 2),), (), (), (), False
        )
        for path in paths
    }
    return BranchResolution("r", "main", files)


def test_taken_only_for_the_same_blobs_and_module_roots_and_only_once() -> None:
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


def test_room_is_made_before_a_run_for_what_keeping_its_tables_would_drop() -> None:
    kept = KeptResolutions(max_files=5)
    for name in ("x", "y"):
        kept.keep(name, resolution("a", "b"), {"a": "1", "b": "1"}, "{}")
    kept.make_room("z", 6)
    assert len(kept) == 2, "a branch over the limit will not be kept: nothing is dropped"
    kept.make_room("y", 3)
    assert len(kept) == 2, "the branch's own entry is not dropped, and 2 + 3 fit"
    kept.make_room("z", 3)
    assert len(kept) == 1
    assert kept.take("x", {"a": "1", "b": "1"}, "{}") is None, "the least recently kept went"
    assert kept.take("y", {"a": "1", "b": "1"}, "{}") is not None
