"""A run's parse deadline: files not parsed by then are deferred to the next run, never judged
too slow (`parse_timeout`) and never lost."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import pytest

from activities.codegraph.extract import extract
from activities.codegraph.languages import ParseTimeoutError
from activities.codegraph.parse_worker import parse_files
from activities.codegraph.skipping import SkipReason, SkipRules
from activities.codegraph.snapshot_plan import plan_snapshot
from tests.codegraph.test_broken_input import KOTLIN_STALL, assert_parses_afresh

OK_PY = b"def ok():\n    return 1\n"
BINARY = b"\x00\x01binary\x00" * 10


def rows(result: list[tuple[str | None, str]]) -> list[tuple[str | None, str, str | None, bool]]:
    """(reason, path, stored skip reason, has an extraction) per row."""
    out = []
    for reason, line in result:
        row = json.loads(line)
        out.append((reason, row["path"], row["skipped"], row["extraction"] is not None))
    return out


def test_past_the_deadline_every_file_is_deferred_and_content_checks_still_hold() -> None:
    items = [
        (["a.py", "copy/a.py"], "sha-a", "python", OK_PY),
        (["blob.py"], "sha-b", "python", BINARY),
    ]
    result = parse_files(items, cpu_seconds=10.0, deadline=time.monotonic() - 1)
    assert rows(result) == [
        ("deferred", "a.py", "deferred", False),
        ("deferred", "copy/a.py", "deferred", False),
        ("binary", "blob.py", "binary", False),
    ]


def test_before_the_deadline_files_parse_as_without_one() -> None:
    items = [(["a.py"], "sha-a", "python", OK_PY)]
    with_deadline = parse_files(items, cpu_seconds=10.0, deadline=time.monotonic() + 600)
    assert with_deadline == parse_files(items, cpu_seconds=10.0)
    assert rows(with_deadline) == [(None, "a.py", None, True)]


def test_a_parse_cut_by_the_deadline_is_deferred_not_timed_out() -> None:
    """Kotlin takes ~3 s on KOTLIN_STALL: its own 600 s limit is far, the run's 0.3 s is not.
    The parse stops at the deadline, and the file after it is deferred without a start."""
    items = [
        (["Stall.kt"], "sha-s", "kotlin", KOTLIN_STALL),
        (["later.py"], "sha-l", "python", OK_PY),
    ]
    started = time.monotonic()
    result = parse_files(items, cpu_seconds=600.0, deadline=started + 0.3)
    assert time.monotonic() - started < 2.0  # cut, not parsed to its end (~3 s)
    assert rows(result) == [
        ("deferred", "Stall.kt", "deferred", False),
        ("deferred", "later.py", "deferred", False),
    ]
    assert_parses_afresh()


def test_a_file_over_its_own_limit_before_the_deadline_is_a_parse_timeout() -> None:
    items = [(["Stall.kt"], "sha-s", "kotlin", KOTLIN_STALL)]
    result = parse_files(items, cpu_seconds=0.2, deadline=time.monotonic() + 600)
    assert rows(result) == [(SkipReason.PARSE_TIMEOUT, "Stall.kt", "parse_timeout", False)]


def test_extract_raises_at_the_deadline_and_the_parser_starts_afresh() -> None:
    with pytest.raises(ParseTimeoutError, match="deadline"):
        extract("Stall.kt", KOTLIN_STALL, "kotlin", deadline=time.monotonic() + 0.2)
    assert_parses_afresh()


@dataclass(frozen=True)
class Entry:
    path: str
    blob_sha: str
    size: int = 10


def test_a_deferred_file_is_planned_again_and_deleted_when_gone() -> None:
    """Deferred files keep their blob id in the graph: same blob, parsed all the same; renamed
    or removed, the old path is deleted like any stored file."""
    tree = [Entry("kept.py", "1"), Entry("waiting.py", "2"), Entry("renamed_to.py", "3")]
    stored = {"kept.py": "1", "waiting.py": "2", "renamed_from.py": "3", "removed.py": "4"}
    plan = plan_snapshot(
        tree, stored, SkipRules(), reparse={"waiting.py", "renamed_from.py", "removed.py"}
    )
    assert plan.unchanged == ("kept.py",)
    assert [f.path for f in plan.to_parse] == ["renamed_to.py", "waiting.py"]
    assert plan.deleted == ("removed.py", "renamed_from.py")
