"""Inputs that must never fail a run: binary, huge, deeply nested, invalid or empty sources."""

from __future__ import annotations

import signal
from types import FrameType

import pytest

from activities.codegraph.c_macros import blank_trailing_macros, namespace_macros
from activities.codegraph.extract import extract
from activities.codegraph.languages import GRAMMARS, ParseTimeoutError
from activities.codegraph.model import MAX_NAME_BYTES
from activities.codegraph.skipping import SkipReason, skip_reason

LANGUAGES = sorted(GRAMMARS)

NESTED = b"x = " + b"[" * 10_000 + b"]" * 10_000 + b"\n"
UNBALANCED = b"f(" * 10_000
INVALID_UTF8 = b"def f():\n    return '\xff\xfe'\nclass \xc3\x28Bad: pass\ndef g(): pass\n"
BINARY = bytes(range(256)) * 64
MINIFIED = (b"function a(b){return b+1};var c=a(2);" * 150_000)[: 5 * 1024 * 1024]
# Python-like lines: Kotlin's error recovery is quadratic on them (3 s of parse at this size,
# 120 KB; minutes at 1 MiB).
KOTLIN_STALL = b"".join(b"def f%d():\n    g%d()\n" % (i, i) for i in range(5_000))

# A megabyte of one upper-case word: the macro passes before a C/C++ parse (`c_macros`) read
# it again from every underscore, for minutes, before they were bounded.
MACRO_WORD = b"AB_" * 300_000 + b"\n"
# A define of 200,000 continued lines opening comments it never closes: read again from every
# `/*` before. (tree-sitter itself takes minutes over it, so only the macro pass is run; a
# worker's parse stops at its CPU limit and records the file as `parse_timeout`.)
TRAILING_MACROS = (
    b") A_B " * 150_000,
    b"x A_B," * 170_000,
    b"(" * 500_000 + b") A_B {",
    b"#define X \\\n" + b"a A_B,\\\n" * 100_000,
)
DEFINE_OF_COMMENTS = b"#define X namespace a { " + b"/* \\\n" * 200_000


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "source",
    [b"", NESTED, UNBALANCED, INVALID_UTF8, BINARY],
    ids=["empty", "nested-10k", "unbalanced-10k", "invalid-utf8", "binary"],
)
@pytest.mark.parametrize("cpu_seconds", [None, 600.0], ids=["bytes", "limited"])
def test_extract_never_raises(language: str, source: bytes, cpu_seconds: float | None) -> None:
    """Every grammar returns an extraction for pathological input instead of raising, also
    when it reads the source through a callback to keep to a time limit."""
    result = extract("broken.src", source, language, cpu_seconds)
    assert result.path == "broken.src"
    assert result.language == language


def test_empty_file_has_nothing_and_no_errors() -> None:
    """An empty file is a valid file with no symbols."""
    result = extract("empty.py", b"", "python")
    assert (result.definitions, result.imports, result.calls) == ((), (), ())
    assert result.has_syntax_errors is False


def test_invalid_utf8_keeps_the_valid_definitions() -> None:
    """Bytes that are not UTF-8 are decoded leniently and the surrounding code still counts."""
    names = [d.name for d in extract("bad.py", INVALID_UTF8, "python").definitions]
    assert "f" in names
    assert "g" in names


def test_syntax_error_mid_file_keeps_what_parses_and_sets_the_flag() -> None:
    """A broken function in the middle does not lose the definitions around it."""
    source = b"def before():\n    pass\n\ndef broken(:\n    return (\n\ndef after():\n    pass\n"
    result = extract("mid.py", source, "python")
    assert result.has_syntax_errors is True
    names = {d.name for d in result.definitions}
    assert {"before", "after"} <= names


def test_syntax_error_in_java_keeps_other_methods() -> None:
    """Error recovery works in brace languages too."""
    source = b"class A {\n  void ok() { run(); }\n  void bad( { \n  void alsoOk() {}\n}\n"
    result = extract("A.java", source, "java")
    assert result.has_syntax_errors is True
    assert "A.ok" in {d.qualified_name for d in result.definitions}


def test_deep_nesting_is_handled_without_recursion() -> None:
    """10,000 nested brackets parse and extract (the engine never recurses over the tree)."""
    result = extract("deep.py", NESTED, "python")
    assert result.has_syntax_errors is False


@pytest.mark.parametrize(
    ("path", "content", "reason"),
    [
        ("dist/app.js", MINIFIED, SkipReason.TOO_LARGE),
        ("img/logo.py", BINARY, SkipReason.BINARY),
        ("web/app.js", MINIFIED[:900_000], SkipReason.MINIFIED),
    ],
    ids=["5mib-minified", "binary", "minified-under-limit"],
)
def test_broken_blobs_are_skipped_before_parsing(path: str, content: bytes, reason: str) -> None:
    """Huge, binary and minified blobs are recorded as skipped rather than parsed."""
    assert skip_reason(path, content) == reason


def test_five_mib_minified_file_extracts_if_a_limit_lets_it_through() -> None:
    """Even when settings raise the size limit, a 5 MiB one-line bundle extracts without error."""
    result = extract("bundle.js", MINIFIED, "javascript")
    assert result.definitions
    assert result.definitions[0].start_line == 1


def test_names_too_long_for_a_neo4j_key_are_left_out() -> None:
    """A 9,000-character identifier (and what nests in it) is no definition and no import;
    the code around it still is, and calls inside it count for the file."""
    long = "f" + "x" * 9000
    source = (
        f"import {long}\nimport os\n\n\nclass {long}:\n    def method(self):\n        pass\n\n\n"
        f"def {long}():\n    return short()\n\n\ndef short():\n    return 1\n"
    ).encode()
    result = extract("long.py", source, "python")
    assert [d.qualified_name for d in result.definitions] == ["short"]
    assert [i.module for i in result.imports] == ["os"]
    assert [(c.name, c.caller) for c in result.calls] == [("short", None)]
    assert len(long) > MAX_NAME_BYTES


def assert_parses_afresh() -> None:
    """The thread's Kotlin parser, halted half-way, parses the next file from its start."""
    after = extract("Ok.kt", b"class Ok {\n    fun run() = go()\n}\n", "kotlin", 10.0)
    assert [(d.qualified_name, d.start_line) for d in after.definitions] == [
        ("Ok", 1),
        ("Ok.run", 2),
    ]
    assert not after.has_syntax_errors


def test_a_parse_over_its_cpu_limit_raises_and_the_parser_starts_afresh() -> None:
    with pytest.raises(ParseTimeoutError):
        extract("Stall.kt", KOTLIN_STALL, "kotlin", cpu_seconds=0.2)
    assert_parses_afresh()


class SignalError(Exception):
    pass


def test_a_parse_interrupted_by_a_signal_leaves_the_parser_fresh() -> None:
    """A signal handler's exception raised in the parse's callbacks halts the parse too."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise SignalError

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        # py-tree-sitter may report it as a SystemError with ours as the cause.
        with pytest.raises((SignalError, SystemError)):
            extract("Stall.kt", KOTLIN_STALL, "kotlin", cpu_seconds=600.0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert_parses_afresh()


def test_a_megabyte_of_macro_like_text_is_read_once() -> None:
    """Every pass over a C/C++ source before its parse reads each byte a bounded number of
    times, so hostile files go through like any other (before, the suite's timeout ran out
    on both of these)."""
    for language in ("c", "cpp"):
        result = extract("stall.h", MACRO_WORD, language)
        assert (result.path, result.language) == ("stall.h", language)
    for source in TRAILING_MACROS:  # each `)` or name before a macro is read a bounded time
        assert len(blank_trailing_macros(source)) == len(source)
    assert namespace_macros(DEFINE_OF_COMMENTS) == ()


# Doc comments of a megabyte: one JSDoc comment of 30,000 `@import`s that never say `from`
# and 30,000 `@param {`s, documenting a function of 2,000 parameters; a PHPDoc the same.
HUGE_JSDOC = (
    b"/**\n" + b" * @import { A, B } \n" * 30_000 + b" * @param {Foo} p\n" * 30_000 + b" */\n"
    b"function f(" + b", ".join(b"p%d" % i for i in range(2_000)) + b") { p1.run(); }\n"
)
HUGE_PHPDOC = (
    b"<?php\nclass A {\n/**\n" + b" * @param Foo[] $p\n" * 50_000 + b" */\n"
    b"public function f(" + b", ".join(b"$p%d" % i for i in range(2_000)) + b") {}\n}\n"
)


# What a review found quadratic in the next versions: tags with no space after them, a name
# tested in 16,000 blocks, a comment of 40,000 `@import`s (each counted its line afresh).
PATHOLOGICAL = (
    ("vars.php", b"<?php\nfunction f() {\n/** " + b"@var" * 32_000 + b" */\n$a = 1;\n}\n", "php"),
    ("open.php", b"<?php\nclass A {\n/** " + b"@var array<" * 20_000 + b" */\npublic $x;\n}\n",
     "php"),
    ("tests.php", b"<?php\nfunction f($x) {\n" + b"if ($x instanceof Foo) { $x->a(); }\n" * 16_000
     + b"}\n", "php"),
    ("imports.js", b"/**\n" + b' * @import { A } from "m"\n' * 40_000 + b" */\n", "javascript"),
)  # fmt: skip


def test_a_megabyte_of_doc_comment_is_read_in_bounded_time() -> None:
    """A doc comment is read once, not once per parameter it documents, and each tag looks
    only a bounded way past itself: 0.19 s and 0.36 s of extraction when measured, where
    the first version of the doc readers took two minutes over the pair."""
    for path, source, language in (
        ("huge.js", HUGE_JSDOC, "javascript"),
        ("Huge.php", HUGE_PHPDOC, "php"),
    ):
        result = extract(path, source, language, cpu_seconds=60.0)
        assert [d.name for d in result.definitions][-1] == "f"
    for path, source, language in PATHOLOGICAL:  # 0.2-0.8 s each when measured
        assert extract(path, source, language, cpu_seconds=60.0).path == path
