"""Spelling helpers shared by extraction's readers: a type reference as a dotted name. Pure."""

from __future__ import annotations


def type_name(value: str, *, generic: bool = False) -> str:
    """A type reference without generic arguments or pointer marks, with `.` as separator.
    With `generic`, where the arguments tell types apart (C#'s `Options` and `Options<T>`),
    their count stays as .NET's metadata name has it: `Dictionary<K, List<V>>` is
    `Dictionary`2`."""
    if not generic:
        value = _outer_arguments_dropped(value)
    arity = generic_arity(value) if generic else 0
    for stop in "<[(":
        cut = value.find(stop)
        if cut > 0:
            value = value[:cut]
    name = dotted(value.strip().lstrip("*&").strip())
    return with_arity(name, arity)


def _outer_arguments_dropped(value: str) -> str:
    """A nested type's path without its outer types' arguments (Kotlin's and Java's
    `Select<R>.ClauseData` is `Select.ClauseData`), so that only its own are cut."""
    kept, done = [], 0
    start = value.find("<")
    while start > 0:
        close = closing(value, start)
        if close < 0 or value[close + 1 : close + 2] != ".":
            break
        kept.append(value[done:start])
        done = close + 1
        start = value.find("<", done)
    return "".join(kept) + value[done:] if kept else value


def with_arity(name: str, arity: int) -> str:
    """`name` as a type taking `arity` type parameters is known by (`Options`1`)."""
    return f"{name}`{arity}" if arity and name else name


def generic_arity(value: str) -> int:
    """How many type arguments the first `<...>` of a type reference holds (`<,>` two)."""
    start = value.find("<")
    if start <= 0:
        return 0
    close = closing(value, start)
    return len(arguments(value[start + 1 : close])) if close > 0 else 0  # unclosed: none


def closing(value: str, start: int, brackets: tuple[str, str] = ("<[(", ">])")) -> int:
    """The position of the bracket closing the one at `start`, or -1 (`brackets`: the
    openings and the closings that count)."""
    opening, closings = brackets
    depth = 0
    for i in range(start, len(value)):
        if value[i] in opening:
            depth += 1
        elif value[i] in closings:
            depth -= 1
            if depth == 0:
                return i
    return -1


def arguments(inside: str) -> list[str]:
    """The type arguments between a generic's brackets, split at its own commas."""
    return split_outside(inside, ",")


def split_outside(
    value: str, separator: str, brackets: tuple[str, str] = ("<[(", ">])")
) -> list[str]:
    """`value` split at each `separator` outside the `brackets` (openings, closings), each
    part stripped: `Map<K, V>, T` at `,` is `Map<K, V>` and `T`."""
    opening, closing_ = brackets
    parts, depth, start = [], 0, 0
    for i, char in enumerate(value):
        if char in opening:
            depth += 1
        elif char in closing_:
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(value[start:i].strip())
            start = i + 1
    parts.append(value[start:].strip())
    return parts


def last_step(path: str) -> tuple[str, str]:
    """A callee or type path split before its last name: `a.b.f` -> (`a.b`, `f`), Rust's
    `crate::net::connect` -> (`crate::net`, `connect`), C++'s `p->make` -> (`p`, `make`);
    a bare name has the qualifier ``."""
    cut, width = max((path.rfind(sep), len(sep)) for sep in (".", "::", "->"))
    if cut < 0:
        return "", path
    return path[:cut], path[cut + width :]


def dotted(value: str) -> str:
    """`a::b`, `a\\b` and `a.b` all as `a.b`."""
    return value.replace("::", ".").replace("\\", ".").strip(".")
