"""The spellings extraction hands resolution for types it cannot settle alone. Pure."""

from __future__ import annotations

import pytest

from activities.codegraph.element_types import collection_of, value_type
from activities.codegraph.names import generic_arity, type_name
from activities.codegraph.receiver_types import each_of, split_field


@pytest.mark.parametrize(
    ("spelled", "expected"),
    [
        ("list[Task]", "[]Task"),
        ("Optional[Sequence[jobs.Job]]", "[]jobs.Job"),
        ("Iterator[Task]", "[]Task"),
        ("[]*net.Conn", "[]net.Conn"),
        ("map[string]*Job", "[]Job"),
        ("Task[]", "[]Task"),
        ("Array<Task>", "[]Task"),
        ("std::vector<Conn*>", "[]Conn"),
        ("Vec<Task>", "[]Task"),
        ("List<Task>", "[]Task"),
        ("dict[str, Task]", None),  # a dict iterates its keys
        ("list[list[Task]]", None),  # elements of elements: not followed
        ("Task", None),
        ("tuple[int, str]", None),
    ],
)
def test_a_collection_is_recorded_by_its_element_type(spelled: str, expected: str | None) -> None:
    assert collection_of(spelled) == expected


def test_a_generic_collection_keeps_its_element_types_arity_where_asked() -> None:
    assert collection_of("IEnumerable<Options<T>>", generic=True) == "[]Options`1"
    assert collection_of("IEnumerable<Options<T>>") == "[]Options"


@pytest.mark.parametrize(
    ("spelled", "expected"),
    [
        ("in (Board#tasks)", "Board#tasks"),
        ("in (()board->jobs@Board)", "()board->jobs@Board"),  # a `>` is no bracket here
        ("in (in (Board#rows)#cells)", "in (Board#rows)#cells"),
        ("in (Board#rows)#cells", None),  # a field of an element, not an element
        ("()load", None),
        ("Task", None),
    ],
)
def test_an_element_is_told_from_a_path_through_one(spelled: str, expected: str | None) -> None:
    assert each_of(spelled) == expected


@pytest.mark.parametrize(
    ("spelled", "expected"),
    [
        ("()http.Get#body", ("()http.Get", "body")),
        ("Store#db#conn", ("Store#db", "conn")),
        ("in (Board#rows)#cells", ("in (Board#rows)", "cells")),
        ("in (Board#rows)", None),  # the field is inside the element's parentheses
        ("Store", None),
    ],
)
def test_a_path_through_fields_splits_before_its_last_field(
    spelled: str, expected: tuple[str, str] | None
) -> None:
    assert split_field(spelled) == expected


def test_generic_arity_counts_only_the_first_generics_own_arguments() -> None:
    assert [generic_arity(v) for v in ("A<B>", "A<B, C<D, E>>", "A<,>", "A", "A<B")] == [
        1, 2, 2, 0, 0,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("spelled", "expected"),
    [
        ("dict[str, Job]", "Job"),
        ("Optional[typing.Mapping[str, jobs.Job]]", "jobs.Job"),
        ("defaultdict[str, list[Job]]", "list[Job]"),
        ("list[Job]", None),
        ("dict", None),
        ("Counter[str]", None),
    ],
)
def test_a_mappings_value_type_is_its_second_argument(spelled: str, expected: str | None) -> None:
    assert value_type(spelled) == expected


@pytest.mark.parametrize(
    ("spelled", "expected"),
    [
        ("List<Task>", "List"),
        ("Map<K, List<V>>", "Map"),
        ("SelectImplementation<R>.ClauseData", "SelectImplementation.ClauseData"),
        ("Outer<A<B>>.Mid<C>.Inner", "Outer.Mid.Inner"),
        ("std::vector<Conn*>", "std.vector"),
        ("list[Task]", "list"),
        ("*net.Conn", "net.Conn"),
    ],
)
def test_a_type_name_drops_its_arguments_and_its_outer_types(spelled: str, expected: str) -> None:
    assert type_name(spelled) == expected
