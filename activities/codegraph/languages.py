"""Which grammar parses which file, and per-process caches of the expensive tree-sitter objects.

Grammars come from the individual `tree-sitter-<language>` wheels (never a downloader), and a
`Language`, `Parser` or `Query` is built once per process: building a query compiles it, which
costs more than parsing a small file.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from functools import cache
from posixpath import basename, splitext

from tree_sitter import Language, Parser, Query

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

# Languages that share one symbol space for resolution (a .c file calls a function in a .h file).
FAMILIES: dict[str, str] = {
    "c": "c",
    "cpp": "c",
    "javascript": "js",
    "typescript": "js",
    "tsx": "js",
}


def family(language: str) -> str:
    """The resolution family of a language: C with C++, JavaScript with TypeScript."""
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


@cache
def get_query(language: str, source: str) -> Query:
    """The compiled query `source` for `language`."""
    return Query(get_language(language), source)
