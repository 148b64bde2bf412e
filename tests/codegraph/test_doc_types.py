"""PHPDoc types as `doc_types` reads them: one class, a collection of one, or nothing."""

from __future__ import annotations

import pytest

from activities.codegraph.doc_types import doc_type, doc_variable

METHOD_DOC = """/**
     * Runs the tasks.
     *
     * @param Task[]              $tasks  the tasks, in order
     * @param IOInterface|null    $io
     * @param array<string, Job>  $jobs   by name
     * @param list<string>        $names
     * @param mixed               $any
     * @param TValue              $value
     * @param Foo|Bar             $either
     * @param array{a: Foo}       $shape
     * @param \\Lib\\Session       $session
     * @phpstan-param list<Task>  $tasks
     * @return $this
     */"""


@pytest.mark.parametrize(
    ("variable", "expected"),
    [
        ("$tasks", "Task[]"),
        ("tasks", "Task[]"),
        ("io", "IOInterface"),
        ("jobs", "Job[]"),
        ("names", None),
        ("any", None),
        ("value", None),
        ("either", None),
        ("shape", None),
        ("session", "\\Lib\\Session"),
        ("missing", None),
        (None, "$this"),
    ],
)
def test_a_method_doc_gives_each_parameter_its_own_type(
    variable: str | None, expected: str | None
) -> None:
    assert doc_type(METHOD_DOC, variable) == expected


def test_a_property_doc_gives_its_var_and_only_doc_comments_count() -> None:
    assert doc_type("/** @var IOInterface */", "io") == "IOInterface"
    assert doc_type("/**\n * @var ?Config\n */", "config") == "Config"
    assert doc_type("/** @var array<int, array<string, Foo>> */", "rows") is None
    assert doc_type("/** @var Foo $other */", "mine") is None
    assert doc_type("// @var Foo", "x") is None
    assert doc_type("/* @var Foo */", "x") is None
    assert doc_type("/** @return Job[] */") == "Job[]"
    assert doc_type("/** @return void */") is None
    assert doc_type("/** @return iterable<int, Job>|null */") == "Job[]"
    assert doc_type("/** @return array<Foo", "x") is None  # unclosed: nothing


def test_an_inline_var_names_its_variable() -> None:
    assert doc_variable("/** @var UpdateOperation $operation */") == (
        "$operation",
        "UpdateOperation",
    )
    assert doc_variable("/** @var UpdateOperation */") is None
    assert doc_variable("/** @var string $name */") is None
    assert doc_variable("/** @param Foo $x */") is None
