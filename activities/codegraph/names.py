"""Spelling helpers shared by extraction's readers: a type reference as a dotted name. Pure."""

from __future__ import annotations


def type_name(value: str) -> str:
    """A type reference without generic arguments or pointer marks, with `.` as separator."""
    for stop in "<[(":
        cut = value.find(stop)
        if cut > 0:
            value = value[:cut]
    return dotted(value.strip().lstrip("*&").strip())


def dotted(value: str) -> str:
    """`a::b`, `a\\b` and `a.b` all as `a.b`."""
    return value.replace("::", ".").replace("\\", ".").strip(".")
