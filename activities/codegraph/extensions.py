"""Which Kotlin extension function a call reaches, by its receiver's type. Pure.

Kotlin looks an extension function up level by level (the caller's class, explicit imports,
the package, star imports): at the first level where one applies to the receiver's type,
the most specific wins (kotlinx.coroutines' `scope.cancel()` on a `CoroutineScope` is
`fun CoroutineScope.cancel()`, not `fun Job.cancel()` of the same package). Resolution
gathers each level's candidates; this module picks among them. Where the receiver's type is
not known, a level whose extensions all extend one type gives that one; one whose
extensions extend several gives nothing, rather than a guess.
"""

from __future__ import annotations

from dataclasses import dataclass

from activities.codegraph.symbols import SymbolIndex

# What an unbounded type parameter receiver extends (`fun <T> T.also()`): any receiver.
ANY = "Any"


@dataclass(frozen=True, slots=True)
class Receiver:
    """What is known of a call receiver's type: its name as spelled, then its ancestors'
    in the branch, nearest first; `open` when some ancestor lies outside the branch (a
    library's type, or a class of the branch extending one), which may add more."""

    names: tuple[str, ...]
    open: bool


def receiver_of(index: SymbolIndex, type_key: str | None, spelled: str) -> Receiver:
    """The receiver of a type spelled `spelled`, found in the branch as `type_key` (None:
    a library's type, such as `String`)."""
    if type_key is None:
        return Receiver((spelled,), open=True)
    names = [spelled]
    names += (index.qualified[key].rpartition(".")[2] for key in index.ancestry(type_key))
    return Receiver(tuple(dict.fromkeys(names)), open=index.inherits_from_outside(type_key))


def choose(
    index: SymbolIndex,
    family: str,
    candidates: list[str],
    receiver: Receiver | None,
    *,
    args: int | None = None,
    may_guess: bool = True,
) -> tuple[str | None, bool]:
    """The extension function among one level's `candidates` (definitions of one name) that
    a call passing `args` arguments on `receiver` (None: of unknown type) reaches, and
    whether the level settles the call: with nothing picked, the next level is looked at
    only when it does not. Without `may_guess`, only an extension of the receiver's type
    or of its known ancestors is taken (not for a name some class of the branch or the
    standard library has as a method, such as `cancel` or `first`)."""
    extensions = [key for key in dict.fromkeys(candidates) if key in index.extends]
    if not extensions:
        return None, False
    if receiver is not None:
        matched = _matching(index, extensions, receiver.names)
        if matched:
            return next((key for key in matched if _takes(index, key, args)), matched[0]), True
        # An ancestor from outside the branch may be what the others extend (a `List` is
        # an `Iterable`), and more specific than `Any`; never a type of the branch that the
        # receiver's known ancestors do not name.
        extensions = [
            key
            for key in extensions
            if receiver.open and not index.names_type(family, index.extends[key])
        ] or [key for key in extensions if index.extends[key] == ANY]
        if not extensions:
            return None, False  # none applies here: Kotlin looks further
        if not receiver.open:
            return extensions[0], True  # `Any`'s, for certain
    if not may_guess:
        return None, True
    fitting = [key for key in extensions if _takes(index, key, args)]
    extended = {index.extends[key] for key in fitting}
    return (fitting[0] if len(extended) == 1 else None), True


def _takes(index: SymbolIndex, key: str, args: int | None) -> bool:
    """Whether the extension `key`, or an overload of it on the same type, takes `args`."""
    return args is None or index.takes(index.overload_for(key, args), args)


def _matching(index: SymbolIndex, extensions: list[str], names: tuple[str, ...]) -> list[str]:
    """The extensions of the nearest of `names`, as spelled, else by last name
    (`Flow.Publisher`)."""
    for name in names:
        exact = [key for key in extensions if index.extends[key] == name]
        if exact:
            return exact
        last = name.rpartition(".")[2]
        loose = [key for key in extensions if index.extends[key].rpartition(".")[2] == last]
        if loose:
            return loose
    return []
