"""What iterating a collection gives, read from the collection's type as spelled. Pure.

A loop variable (`for x of xs`, `xs.forEach(x => ...)`) has the element type of what it
iterates; so does one over a callable's result or a field of another file's type, which
resolution reads from `Definition.returns` and `FileExtraction.fields`, where a collection
is recorded as `COLLECTION` and its element type (`[]Foo` for `list[Foo]`).
"""

from __future__ import annotations

import re

from activities.codegraph.names import arguments, closing, type_name

# Before the element type of a collection declared as a callable's result or a field's type
# (`collection_of`): never a type to call methods on itself.
COLLECTION = "[]"


def collection_of(spelled: str, *, generic: bool = False, as_element: bool = False) -> str | None:
    """`COLLECTION` and the element type's name for a collection type as spelled
    (`list[Foo]` -> `[]Foo`, `[]*net.Conn` -> `[]net.Conn`), or None: not a collection of
    a named type. With `as_element`, `spelled` is the element type already."""
    element = unwrapped(spelled if as_element else element_type(spelled) or "")
    if not element or element_type(element) is not None:
        return None  # elements of elements (`list[list[Foo]]`) are not followed
    name = type_name(element, generic=generic)
    return f"{COLLECTION}{name}" if _NAMED.fullmatch(name) else None


_NAMED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*(?:`\d+)?")


def element_type(spelled: str) -> str | None:
    """What iterating a collection declared as `spelled` gives, as spelled: `Foo` for
    `Foo[]`, `readonly Foo[]`, `Array<Foo>`, `list[Foo]`, `Optional[Sequence[Foo]]`,
    `tuple[Foo, ...]`, `Vec<Foo>`, Rust's `[Foo]`, `std::vector<Foo*>`, `IEnumerable<Foo>`;
    `*Foo` for Go's `[]*Foo` and, as range's second variable is the value,
    `map[string]*Foo`. None for anything else (a map elsewhere iterates keys or pairs)."""
    value = unwrapped(spelled).removeprefix("readonly ").strip()
    found = _element(value)
    return found.rstrip("*& ") or None if found else None  # C++'s `Foo*`: a Foo


def _element(value: str) -> str | None:
    if value.startswith("map["):  # Go
        close = closing(value, len("map"))
        return value[close + 1 :].strip() if close > 0 else None
    if value.startswith("["):
        close = closing(value, 0)
        if close == len(value) - 1:  # Rust: `[Foo]`, `[Foo; 4]`
            return value[1:close].partition(";")[0].strip()
        return value[value.find("]") + 1 :].strip()  # Go: `[]Foo`, `[4]Foo`
    if value.endswith("[]"):
        return value[:-2].strip()
    start = min((i for i in (value.find("<"), value.find("[")) if i > 0), default=-1)
    if start < 0 or closing(value, start) != len(value) - 1:
        return None
    head = value[:start].strip()
    if head not in _COLLECTIONS and re.split(r"\.|::", head)[-1] not in _COLLECTIONS:
        return None
    args = arguments(value[start + 1 : -1])
    if len(args) == 2 and args[1] == "...":  # Python's `tuple[Foo, ...]`
        return args[0]
    return args[0] if len(args) == 1 else None


def value_type(spelled: str) -> str | None:
    """The value type, as spelled, of a mapping declared as `spelled`: `Job` for
    `dict[str, Job]`, `Mapping[str, Job]`, `Optional[defaultdict[str, Job]]`; None for
    anything else."""
    value = unwrapped(spelled)
    start = value.find("[")
    if start <= 0 or closing(value, start) != len(value) - 1:
        return None
    if value[:start].strip().rpartition(".")[2] not in _MAPPINGS:
        return None
    args = arguments(value[start + 1 : -1])
    return args[1] if len(args) == 2 else None


# Python's mappings, whose `.values()` and `.items()` give values of their second type argument.
_MAPPINGS = frozenset(
    {"dict", "Dict", "Mapping", "MutableMapping", "defaultdict", "DefaultDict", "OrderedDict"}
)


# Generic collections iterated for values of their one type argument, as written in the
# languages that have them (or the last step of their path: `typing.List`, `std::vector`).
_COLLECTIONS = frozenset(
    {
        # Python
        "list", "List", "Sequence", "MutableSequence", "Iterable", "Iterator", "Collection",
        "set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet", "deque", "Deque",
        "Generator", "AsyncIterable", "AsyncIterator", "tuple", "Tuple",
        # TypeScript
        "Array", "ReadonlyArray", "ReadonlySet", "IterableIterator",
        # Java, Kotlin, C#
        "ArrayList", "LinkedList", "HashSet", "TreeSet", "LinkedHashSet", "SortedSet",
        "MutableList", "MutableCollection", "IEnumerable", "ICollection",
        "IList", "IReadOnlyList", "IReadOnlyCollection", "ISet", "ImmutableArray",
        "ImmutableList", "Stream",
        # Rust, C++
        "Vec", "VecDeque", "BTreeSet", "vector", "array", "span", "unordered_set",
    }
)  # fmt: skip
_OPTIONAL = re.compile(r"^(?:typing\.)?Optional\[(.+)\]$")
_NONE_UNION = re.compile(
    r"^(.+?)\s*\|\s*(?:None|null|undefined)$|^(?:None|null|undefined)\s*\|\s*(.+)$"
)


def unwrapped(spelled: str) -> str:
    """`spelled` without an optional around it: `Optional[Foo]`, `Foo | None`, `Foo?`."""
    value = spelled.strip()
    for _ in range(2):
        matched = _OPTIONAL.match(value) or _NONE_UNION.match(value)
        if matched is None:
            break
        value = (matched[1] or matched[2]).strip()
    return value.removesuffix("?")
