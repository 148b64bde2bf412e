"""Types that PHPDoc comments give where the code declares none. Pure.

PHP code often leaves its types to the doc comment: `/** @var IOInterface */ protected $io;`,
`@param Task[] $tasks` on an untyped or `array` parameter, `@return Job[]`. Static analysers
and IDEs read them, and so does extraction (`specs.php`), to type calls such as
`$this->io->write()` or a loop over `$tasks`. Only a type that names a class, or a
collection of one, is taken: `mixed`, `string`, template parameters (`T`, `TValue`), shapes
(`array{...}`) and unions of two classes name none, since a wrong type is worse than none
(a call on a declared type is never a unique-name guess).
"""

from __future__ import annotations

import re

from activities.codegraph.names import arguments, closing

# What `@return` spells for the declaring class: a fluent method's `$this`.
SELF_TYPES = frozenset({"$this", "static", "self"})
# PHP's and the analysers' built-in and pseudo types, which are no class of the branch (those
# with a `-`, `non-empty-string`, never match `_CLASS`).
_BUILT_IN_WORDS = (
    "array bool boolean callable false float double int integer iterable list mixed never "
    "null numeric object resource scalar string true void"
)
_BUILT_IN = frozenset(_BUILT_IN_WORDS.split())
# Collections of values of their last type argument: `array<string, Job>`, `list<Job>`.
_COLLECTIONS = frozenset({"array", "list", "iterable", "non-empty-array", "non-empty-list"})
_CLASS = re.compile(r"\\?[A-Za-z_][A-Za-z0-9_]*(?:\\[A-Za-z_][A-Za-z0-9_]*)*")
# Template parameters as the analysers' convention names them: `T`, `TKey`, `TValue`.
_TEMPLATE = re.compile(r"T(?:[A-Z][a-z]\w*)?")
_TAG = re.compile(r"@(?:phpstan-|psalm-)?(param|var|return)\b")


def doc_type(comment: str, variable: str | None = None) -> str | None:
    """The class a doc comment gives `variable` (`$tasks`, or a property's `tasks`) by a
    `@param` or `@var` naming it, or by a `@var` naming none; with no `variable`, what its
    `@return` gives. A class as spelled (`IOInterface`, `\\Lib\\Session`), a collection of
    one as `Task[]`, `$this` for the declaring class; None where it names no single class.
    The analysers' own tags (`@phpstan-var`) come first: they are the more precise."""
    if not comment.startswith("/**"):
        return None
    wanted = None if variable is None else "$" + variable.removeprefix("$")
    found: dict[bool, str] = {}  # prefixed tag or not -> the type it spells
    for tag in _TAG.finditer(comment):
        kind = tag[1]
        if (kind == "return") != (wanted is None):
            continue
        spelled, rest = _type_at(comment, tag.end())
        named = rest.split(maxsplit=1)[0] if rest.split() else ""
        if wanted is not None and named.startswith("$") and named.rstrip(",") != wanted:
            continue  # another parameter's
        if wanted is not None and not named.startswith("$") and kind != "var":
            continue  # a `@param` names its parameter
        found.setdefault("-" in tag[0], spelled)
    best = found.get(True, found.get(False))
    return None if best is None else _class_type(best)


def doc_variable(comment: str) -> tuple[str, str] | None:
    """The variable and class an inline doc comment names (`/** @var UpdateOperation $op */`
    before a statement: from there on, `$op` is one), as `doc_type` reads the class."""
    if not comment.startswith("/**"):
        return None
    for tag in _TAG.finditer(comment):
        if tag[1] != "var":
            continue
        spelled, rest = _type_at(comment, tag.end())
        words = rest.split(maxsplit=1)
        if words and words[0].startswith("$") and words[0][1:].isidentifier():
            found = _class_type(spelled)
            return (words[0], found) if found is not None and found != "$this" else None
    return None


def _type_at(comment: str, start: int) -> tuple[str, str]:
    """The type spelled after a tag ending at `start`, up to a space outside brackets, and
    what follows it."""
    i = start
    while i < len(comment) and comment[i] in " \t":
        i += 1
    begin = i
    while i < len(comment) and not comment[i].isspace():
        if comment[i] in "<({[":
            close = closing(comment.replace("{", "(").replace("}", ")"), i)
            if close < 0:
                return "", ""
            i = close
        i += 1
    return comment[begin:i], comment[i:]


def _class_type(spelled: str) -> str | None:
    """`spelled` as one class, a collection of one (`Task[]`) or `$this`; else None."""
    parts = [part for part in _union(spelled) if part.lower() not in ("null", "void")]
    if len(parts) != 1:
        return None  # none, or either of two types
    value = parts[0].removeprefix("?")
    if value in SELF_TYPES:
        return "$this"
    element = _element(value)
    if element is not None:
        named = _class_type(element)
        return f"{named}[]" if named is not None and not named.endswith(("[]", "$this")) else None
    if not _CLASS.fullmatch(value) or value.lower() in _BUILT_IN or _TEMPLATE.fullmatch(value):
        return None
    return value


def _union(spelled: str) -> list[str]:
    """The types of a union (`Foo|null`), split at its own bars only."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(spelled):
        if char in "<({[":
            depth += 1
        elif char in ">)}]":
            depth -= 1
        elif char == "|" and depth == 0:
            parts.append(spelled[start:i].strip())
            start = i + 1
    parts.append(spelled[start:].strip())
    return [part for part in parts if part]


def _element(value: str) -> str | None:
    """What a collection spelled `Task[]`, `array<Task>`, `array<string, Task>`, `list<Task>`
    or `iterable<int, Task>` holds, as spelled; None for anything else."""
    if value.endswith("[]"):
        return value[:-2]
    start = value.find("<")
    if start <= 0 or value[:start].lower() not in _COLLECTIONS:
        return None
    if closing(value, start) != len(value) - 1:
        return None
    args = arguments(value[start + 1 : -1])
    return args[-1] if 1 <= len(args) <= 2 else None
