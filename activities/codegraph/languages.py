"""Which grammar parses which file, and per-process caches of the expensive tree-sitter objects.

Grammars come from the individual `tree-sitter-<language>` wheels (never a downloader), and a
`Language`, `Parser` or `Query` is built once per process: building a query compiles it, which
costs more than parsing a small file.
"""

from __future__ import annotations

import importlib
import math
import threading
import time
from collections.abc import Mapping
from functools import cache
from posixpath import basename, splitext

from tree_sitter import Language, Parser, Query, Tree

# language name -> (wheel module, function returning the grammar pointer)
GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "java": ("tree_sitter_java", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "ruby": ("tree_sitter_ruby", "language"),
    "c": ("tree_sitter_c", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
    "csharp": ("tree_sitter_c_sharp", "language"),
    "php": ("tree_sitter_php", "language_php"),
    "kotlin": ("tree_sitter_kotlin", "language"),
}

EXTENSIONS: dict[str, str] = {
    ".py": "python", ".pyi": "python", ".pyw": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".tsx": "tsx",
    ".go": "go",
    ".java": "java",
    ".rs": "rust",
    ".rb": "ruby", ".rake": "ruby", ".gemspec": "ruby", ".ru": "ruby",
    ".c": "c",
    # `.h` goes to C++: its grammar parses C headers well, while the C grammar loses every
    # class and namespace of a C++ header. Map ".h" to "c" in the extras to change that.
    ".h": "cpp",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hpp": "cpp", ".hh": "cpp",
    ".hxx": "cpp", ".h++": "cpp", ".ipp": "cpp", ".tpp": "cpp", ".inl": "cpp",
    ".cs": "csharp", ".csx": "csharp",
    ".php": "php", ".phtml": "php",
    ".kt": "kotlin", ".kts": "kotlin",
}  # fmt: skip

FILENAMES: dict[str, str] = {
    "Rakefile": "ruby", "Gemfile": "ruby", "Guardfile": "ruby", "Vagrantfile": "ruby",
    "Capfile": "ruby", "Podfile": "ruby", "Brewfile": "ruby", "Fastfile": "ruby",
    "Appfile": "ruby", "Dangerfile": "ruby", "SConstruct": "python", "SConscript": "python",
}  # fmt: skip

# Languages that share one symbol space for resolution (a .c file calls a function in a .h file;
# Java code imports Kotlin classes, okio's benchmarks its `Buffer`).
FAMILIES: dict[str, str] = {
    "c": "c",
    "cpp": "c",
    "java": "jvm",
    "kotlin": "jvm",
    "javascript": "js",
    "typescript": "js",
    "tsx": "js",
}


def family(language: str) -> str:
    """The resolution family of a language: C with C++, JavaScript with TypeScript, Java
    with Kotlin."""
    return FAMILIES.get(language, language)


def detect_language(path: str, extra: Mapping[str, str] | None = None) -> str | None:
    """The language of `path` from its file name, or None when it is not one we parse.

    `extra` maps extensions (`".jsm"`) or exact file names (`"Jenkinsfile"`) to language names
    and wins over the built-in tables.
    """
    name = basename(path)
    ext = splitext(name)[1].lower()
    if extra:
        found = extra.get(name) or (extra.get(ext) if ext else None)
        if found is not None:
            return found if found in GRAMMARS else None
    return FILENAMES.get(name) or (EXTENSIONS.get(ext) if ext else None)


@cache
def get_language(language: str) -> Language:
    """The tree-sitter grammar for `language`, loaded once per process."""
    module_name, function = GRAMMARS[language]
    module = importlib.import_module(module_name)
    return Language(getattr(module, function)())


_per_thread = threading.local()


def get_parser(language: str) -> Parser:
    """A parser for `language`, one per thread (a Parser is not safe to share between threads)."""
    parsers: dict[str, Parser] | None = getattr(_per_thread, "parsers", None)
    if parsers is None:
        parsers = _per_thread.parsers = {}
    parser = parsers.get(language)
    if parser is None:
        parser = parsers[language] = Parser(get_language(language))
    return parser


class ParseTimeoutError(Exception):
    """tree-sitter used up a file's CPU-time budget without finishing the parse."""


# A time-limited parse hands tree-sitter the source in slices of this size.
_READ_SLICE = 4096


def parse(
    language: str, source: bytes, cpu_seconds: float | None = None, deadline: float | None = None
) -> Tree:
    """Parse `source` as `language`, giving up (`ParseTimeoutError`) after `cpu_seconds` of
    this thread's CPU time or once `time.monotonic()` passes `deadline`; None: no limit.

    Error recovery in some grammars is quadratic: Kotlin takes 13 s on 250 KB of Python-like
    lines and minutes on 1 MiB, so one file could hold a run until its activity times out.
    py-tree-sitter ignores `progress_callback` when the source is bytes, so a limited parse
    reads `source` through a callback, in slices. A tree read that way reads through the
    callback again for every `Node.text`: read node text by slicing `source` instead
    (`specs.text` does). The per-file limit is CPU time, so that other processes' load does
    not decide which files time out; `deadline` is the run's, on the host's clock.
    """
    parser = get_parser(language)
    if cpu_seconds is None and deadline is None:
        return parser.parse(source)
    cpu_deadline = math.inf if cpu_seconds is None else time.thread_time() + cpu_seconds
    wall_deadline = math.inf if deadline is None else deadline

    def over() -> bool:
        return time.thread_time() > cpu_deadline or time.monotonic() > wall_deadline

    try:
        return parser.parse(
            lambda offset, _point: source[offset : offset + _READ_SLICE],
            progress_callback=lambda _offset, _has_error: over(),
        )
    except BaseException as error:
        # A halted parser resumes the same parse on its next call, whatever it is given; a
        # callback interrupted by a signal's exception halts it too.
        parser.reset()
        # ValueError "Parsing failed" is the progress callback's halt.
        if isinstance(error, ValueError) and over():
            raise ParseTimeoutError(_overrun(cpu_seconds, deadline)) from error
        raise


def _overrun(cpu_seconds: float | None, deadline: float | None) -> str:
    if deadline is not None and time.monotonic() > deadline:
        return "not parsed before the run's parse deadline"
    return f"not parsed within {cpu_seconds:g} s of CPU"


@cache
def get_query(language: str, source: str) -> Query:
    """The compiled query `source` for `language`."""
    return Query(get_language(language), source)
