"""Language detection from file names, with extra mappings from settings."""

from __future__ import annotations

import pytest

from activities.codegraph.languages import GRAMMARS, detect_language, get_language, get_parser


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("a/b.py", "python"),
        ("stubs/x.pyi", "python"),
        ("web/app.mjs", "javascript"),
        ("web/App.jsx", "javascript"),
        ("web/app.ts", "typescript"),
        ("web/App.tsx", "tsx"),
        ("cmd/main.go", "go"),
        ("src/Main.java", "java"),
        ("src/lib.rs", "rust"),
        ("lib/a.rb", "ruby"),
        ("Rakefile", "ruby"),
        ("sub/Gemfile", "ruby"),
        ("src/a.c", "c"),
        ("include/a.h", "cpp"),
        ("src/a.cc", "cpp"),
        ("src/A.HPP", "cpp"),
        ("src/A.cs", "csharp"),
        ("public/index.php", "php"),
        ("app/Main.kt", "kotlin"),
        ("build.gradle.kts", "kotlin"),
        ("README.md", None),
        ("Makefile", None),
        ("noext", None),
    ],
)
def test_detect_language_by_extension_and_name(path: str, language: str | None) -> None:
    """Extensions (case-insensitive) and well-known file names pick the grammar."""
    assert detect_language(path) == language


def test_extra_mappings_win_and_unknown_languages_are_ignored() -> None:
    """Settings can add extensions or names, or remap `.h` to C; bad targets map to nothing."""
    extra = {".h": "c", "Jenkinsfile": "kotlin", ".jsm": "javascript", ".x": "cobol"}
    assert detect_language("inc/a.h", extra) == "c"
    assert detect_language("ci/Jenkinsfile", extra) == "kotlin"
    assert detect_language("lib/a.jsm", extra) == "javascript"
    assert detect_language("a.x", extra) is None
    assert detect_language("a.py", extra) == "python"


def test_grammar_objects_load_from_wheels_and_are_cached() -> None:
    """Every grammar loads offline from its wheel; parsers are built once per process."""
    for language in GRAMMARS:
        assert get_language(language) is get_language(language)
        assert get_parser(language) is get_parser(language)
