"""Types that doc comments give where the code declares none: PHPDoc and JSDoc. Pure.

PHP code often leaves its types to the doc comment: `/** @var IOInterface */ protected $io;`,
`@param Task[] $tasks` on an untyped or `array` parameter, `@return Job[]`. JavaScript has no
types but JSDoc's (`@param {Compilation} compilation`, `@type {Set<Module>}`, `@returns
{Chunk}`), with their own imports (`/** @import Chunk from "./Chunk" */`, `@typedef
{import("./Chunk")} Chunk`). Static analysers, IDEs and TypeScript's checker read them, and
so does extraction (`specs.php`, `specs.javascript`), to type calls such as
`$this->io->write()` or `compilation.getPath()` and loops over collections. Only a type that
names a class, or a collection of one, is taken: `mixed`, `string`, template parameters (`T`,
`TValue`), shapes (`array{...}`, `{a: T}`) and unions of two classes name none, since a wrong
type is worse than none (in PHP a call on a declared type is never a unique-name guess).
"""

from __future__ import annotations

import re

from activities.codegraph.model import Import
from activities.codegraph.names import arguments, closing, split_outside

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
    return doc_type_in(php_doc_tags(comment), variable)


def doc_type_in(tags: PhpDocTags, variable: str | None = None) -> str | None:
    """`doc_type` from a comment's tags read once (`php_doc_tags`), as for each of the
    parameters one comment documents."""
    if variable is None:
        spelled = tags.get(("return", None))
    else:
        wanted = "$" + variable.removeprefix("$")
        spelled = tags.get(("param", wanted)) or tags.get(("var", wanted))
        spelled = spelled or tags.get(("var", None))
    return None if spelled is None else _class_type(spelled)


# A PHPDoc comment's types by tag ("param", "var", "return") and the variable the tag names.
PhpDocTags = dict[tuple[str, str | None], str]


def php_doc_tags(comment: str) -> PhpDocTags:
    """Each `@param`, `@var` and `@return` of a PHPDoc comment, by kind and the variable it
    names (`$tasks`; None for none, and always for `@return`), with the type it spells: an
    analyser's own tag (`@phpstan-param`) over a plain one, else the first."""
    found: PhpDocTags = {}
    if not comment.startswith("/**"):
        return found
    prefixed: set[tuple[str, str | None]] = set()
    for tag in _TAG.finditer(comment):
        kind = tag[1]
        spelled, end = _type_at(comment, tag.end())
        words = comment[end : end + _NAME_WINDOW].split(maxsplit=1)
        named = (
            words[0].removesuffix("*/").rstrip(",") if words and words[0].startswith("$") else None
        )
        if kind == "return":
            named = None
        elif kind == "param" and named is None:
            continue  # a `@param` names its parameter
        key = (kind, named)
        if key not in found or ("-" in tag[0] and key not in prefixed):
            found[key] = spelled
            if "-" in tag[0]:
                prefixed.add(key)
    return found


# How far after a tag's type its variable's name is looked for.
_NAME_WINDOW = 200


def doc_variable(comment: str) -> tuple[str, str] | None:
    """The variable and class an inline doc comment names (`/** @var UpdateOperation $op */`
    before a statement: from there on, `$op` is one), as `doc_type` reads the class."""
    if not comment.startswith("/**"):
        return None
    for tag in _TAG.finditer(comment):
        if tag[1] != "var":
            continue
        spelled, end = _type_at(comment, tag.end())
        words = comment[end : end + _NAME_WINDOW].split(maxsplit=1)
        if words and words[0].startswith("$") and words[0][1:].isidentifier():
            found = _class_type(spelled)
            return (words[0], found) if found is not None and found != "$this" else None
    return None


def _type_at(comment: str, start: int) -> tuple[str, int]:
    """The type spelled after a tag ending at `start`, up to a space outside brackets, and
    where it ends. A type is short: it is looked for within `_TYPE_WINDOW` characters, so no
    tag of a long comment reads the rest of it."""
    begin = _BLANKS.match(comment, start).end()  # type: ignore[union-attr]
    end = _WORD.match(comment, begin).end()  # type: ignore[union-attr]
    bracket = _OPENING.search(comment, begin, end)
    if bracket is None:  # the usual case: `IOInterface`
        return comment[begin:end], end
    i, stop = bracket.start(), min(len(comment), begin + _TYPE_WINDOW)
    while i < stop and not comment[i].isspace():
        if comment[i] in "<({[":  # `array<string, Task>` holds a space
            close = closing(comment[i:stop], 0, _DOC_BRACKETS)
            if close < 0:
                return "", i + 1
            i += close
        i += 1
    return comment[begin:i], i


_DOC_BRACKETS = ("<({[", ">)}]")
_BLANKS = re.compile(r"[ \t]*")
_TYPE_WINDOW = 300
_WORD = re.compile(rf"\S{{0,{_TYPE_WINDOW}}}")
_OPENING = re.compile(r"[<({[]")


def _class_type(spelled: str) -> str | None:
    """`spelled` as one class, a collection of one (`Task[]`) or `$this`; else None."""
    parts = [part for part in _union(spelled) if part.lower() not in ("null", "void")]
    if len(parts) != 1:
        return None  # none, or either of two types
    value = parts[0].removeprefix("?")
    if value.lower() in SELF_TYPES:
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
    return [part for part in split_outside(spelled, "|", ("<({[", ">)}]")) if part]


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


# --- JSDoc -------------------------------------------------------------------------------

_JS_TAG = re.compile(r"@(param|arg|argument|type|returns?)\s*\{")
_JS_CLASS = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
# Generics iterated for values of their one type argument, as JSDoc spells them.
_JS_COLLECTIONS = frozenset(
    {"Array", "ReadonlyArray", "Set", "ReadonlySet", "Iterable", "IterableIterator",
     "AsyncIterable", "Generator"}
)  # fmt: skip


def jsdoc_type(comment: str, tag: str, variable: str | None = None) -> str | None:
    """The class a JSDoc comment gives: with `tag` "param", the parameter `variable`'s
    (`@param {Compilation} compilation`, also `[compilation]` and `[compilation=x]`); with
    "type", a field's or variable's (`@type {Set<Module>}`); with "returns", a callable's
    result (`@returns {Chunk}`, `@return`; `Promise<Chunk>` is a Chunk once awaited). A class
    as spelled (`Compilation`, `webpack.Stats`) or a collection of one as `Module[]`."""
    if not comment.startswith("/**"):
        return None
    kind = tag.removesuffix("s")
    return jsdoc_tags(comment).get((kind, variable if kind == "param" else None))


def jsdoc_tags(comment: str) -> dict[tuple[str, str | None], str | None]:
    """Each type tag of a JSDoc comment, by kind ("param", "type", "return") and, for a
    parameter, its name, with the class it gives (the first tag of each), for `jsdoc_type`
    or for a caller reading one comment for many parameters."""
    found: dict[tuple[str, str | None], str | None] = {}
    if not comment.startswith("/**"):
        return found
    for tag in _JS_TAG.finditer(comment):
        kind = "param" if tag[1] in ("param", "arg", "argument") else tag[1].removesuffix("s")
        close = _closing_brace(comment, tag.end() - 1)
        if close < 0:
            break
        name = None
        if kind == "param":
            words = comment[close + 1 : close + 200].split(maxsplit=1)
            name = words[0].strip("[] ").partition("=")[0].rstrip(",") if words else ""
        if (kind, name) not in found:
            spelled = comment[tag.end() : close]
            found[kind, name] = _js_class_type(spelled, result=kind == "return")
    return found


def _closing_brace(comment: str, start: int) -> int:
    """The position of the `}` closing the `{` at `start`, or -1; looked for within
    `_TYPE_WINDOW`, so that an unclosed one does not make each tag read the rest."""
    close = comment.find("}", start, start + _TYPE_WINDOW)
    if close < 0 or comment.find("{", start + 1, close) < 0:
        return close  # no braces inside: the usual case
    found = closing(comment[start : start + _TYPE_WINDOW], 0, ("{", "}"))
    return start + found if found >= 0 else -1


def _js_class_type(spelled: str, *, result: bool = False) -> str | None:
    """`spelled` as one class or a collection of one (`Module[]`); else None."""
    value = spelled.strip().removesuffix("=").lstrip("?!").strip()
    if value.startswith("(") and closing(value, 0) == len(value) - 1:
        value = value[1:-1].strip()
    parts = [p for p in _union(value) if p not in ("null", "undefined", "void")]
    if len(parts) != 1:
        return None
    value = parts[0].lstrip("?!")
    if value.endswith("[]"):
        element = _js_class_type(value[:-2])
        return f"{element}[]" if element is not None and not element.endswith("[]") else None
    start = value.find("<")
    if start > 0:
        if closing(value, start) != len(value) - 1:
            return None
        head, args = value[:start], arguments(value[start + 1 : -1])
        if head in _JS_COLLECTIONS and len(args) == 1:
            element = _js_class_type(args[0])
            return f"{element}[]" if element is not None and not element.endswith("[]") else None
        if head == "Promise" and result and len(args) == 1:
            return _js_class_type(args[0])
        value = head  # `SyncHook<[Compilation]>`: a SyncHook
    if not _JS_CLASS.fullmatch(value):
        return None
    last = value.rpartition(".")[2]
    if not last[:1].isupper() or last.isupper() or _TEMPLATE.fullmatch(last):
        return None  # a built-in (`string`), a constant-like alias (`EXPECTED_ANY`), `T`
    return value


_JS_IMPORT = re.compile(
    r"@import\s+(?P<what>[^@]{1,1000}?)\s+from\s+[\"'](?P<module>[^\"']+)[\"']"
    r"|@typedef\s*\{\s*import\(\s*[\"'](?P<typedef>[^\"']{1,1000})[\"']\s*\)"
    r"(?:\.(?P<member>[A-Za-z_$][\w$]*))?(?:<[^{}]{0,300}>)?\s*\}\s*(?P<alias>[A-Za-z_$][\w$]*)"
)


def jsdoc_imports(comment: str, first_line: int) -> list[Import]:
    """The type imports of a JSDoc comment starting on `first_line`: TypeScript's
    `@import Chunk from "./Chunk"`, `@import { A, B as C } from "m"`, `@import * as ns from
    "m"`, and `@typedef {import("./Chunk")} Chunk` (the module's export) or
    `@typedef {import("./Module").BuildInfo} BuildInfo` (a name it exports)."""
    if not comment.startswith("/**") or "import" not in comment:
        return []
    found: list[Import] = []
    line, counted = first_line, 0
    for match in _JS_IMPORT.finditer(comment):
        line += comment.count("\n", counted, match.start())  # from the last match on
        counted = match.start()
        if match["typedef"] is not None:
            member, alias = match["member"], match["alias"]
            alias = None if alias == member else alias
            found.append(Import(match["typedef"], member, alias, line))
            continue
        # A clause over several lines loses each line's leading `*` first.
        what = _LINE_STARS.sub(" ", match["what"])
        what = " ".join(what.replace("*", " * ").split())
        found += _import_clause(what, match["module"], line)
    return found


_LINE_STARS = re.compile(r"\n\s*\*(?!\s*as\b)")


def _import_clause(what: str, module: str, line: int) -> list[Import]:
    """The names of an ES import clause as written after `@import` (`A, { B as C }`)."""
    found = []
    default, _, rest = what.partition("{")
    default = default.strip().rstrip(",").strip()
    if default.startswith("* as "):
        found.append(Import(module, "*", default[len("* as ") :].strip(), line))
    elif default and _JS_CLASS.fullmatch(default):
        found.append(Import(module, "default", default, line))
    for item in rest.partition("}")[0].split(","):
        name, _, alias = (word.strip() for word in item.partition(" as "))
        if name and _JS_CLASS.fullmatch(name):
            found.append(Import(module, name, alias or None, line))
    return found
