"""Ruby constant lookup: which class or module `Foo` or `Foo::Bar` names where it is written. Pure.

Ruby looks the first name of a constant up in the classes and modules the reference is
written in, innermost first (`Module.nesting`), then in the ancestors of the innermost one,
then at the top level; the names after it are looked up in what the first one found.
`module A::B` opens A::B alone: inside it, A's constants are not in sight. A superclass is
read where the class is opened, outside it; a mixin (`include Helpers`) inside it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from itertools import chain

from activities.codegraph.model import TYPE_KINDS, Definition, FileExtraction
from activities.codegraph.names import dotted

# A constant as a receiver or a base is spelled: `Foo`, `Foo::Bar`, `::Foo` (the top level).
CONSTANT = re.compile(r"(::)?[A-Z]\w*(::[A-Z]\w*)*")


def lexical_scopes(fe: FileExtraction, keys: list[str]) -> dict[str, tuple[str, ...]]:
    """For each definition (by key) of a Ruby file, the qualified names of the classes and
    modules its body is written in, innermost first: its own first for a class or module.
    A class's lexical parent is the innermost class or module around it whose name its own
    extends: `module A::B` around it holds it, an `A` written nowhere in the file does not."""
    found: dict[str, tuple[str, ...]] = {}
    open_types: list[tuple[Definition, tuple[str, ...]]] = []
    for d, key in zip(fe.definitions, keys, strict=True):
        while open_types and open_types[-1][0].end_line < d.start_line:
            open_types.pop()
        around = next(
            (
                nesting
                for t, nesting in reversed(open_types)
                if d.qualified_name.startswith(t.qualified_name + ".")
            ),
            (),
        )
        if d.kind in TYPE_KINDS:
            nesting = (d.qualified_name, *around)
            open_types.append((d, nesting))
            found[key] = nesting
        else:
            found[key] = around
    return found


def resolve_constant(
    spelled: str,
    nesting: tuple[str, ...],
    defined: Callable[[str], bool],
    ancestors: Callable[[str], Iterable[str]] = lambda _: (),
) -> str | None:
    """The qualified name (dotted) that the constant `spelled` (`Foo`, `Foo::Bar`, `::Foo`)
    names inside `nesting` (`lexical_scopes`), where `defined` tells which classes and
    modules the branch defines and `ancestors` gives those of a class or module: its first
    name as found there, the rest as written (which the caller must find in turn, since
    Ruby looks nowhere else). None when the branch defines none of the first name in sight."""
    first, _, rest = dotted(spelled).partition(".")
    if spelled.startswith("::"):
        scopes: Iterable[str] = ("",)
    else:
        # Lazily: most constants are found before the ancestors are needed.
        inherited = (a for a in ancestors(nesting[0]) if a not in nesting) if nesting else ()
        scopes = chain(nesting, inherited, ("",))
    for scope in scopes:
        head = f"{scope}.{first}" if scope else first
        if defined(head):
            return f"{head}.{rest}" if rest else head
    return None
