"""The types call receivers are declared with in one file. Pure.

A parameter, local or field declared with a type (`Sink s`, `s: Sink`, `var b = new
Buffer()`, `self.api = client` after `client: Client`) says which type a call on it reaches;
resolution looks the method up there (`resolution: type`). The extraction's query captures
each such name (`@typed.name`, or `@typed.field` for a field set anywhere) with its type
(`@typed.type`) or the name whose type it takes (`@typed.alias`); this module turns those
into a table and reads a receiver's type from it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from typing import Protocol

from tree_sitter import Node

from activities.codegraph.element_types import (
    COLLECTION,
    collection_of,
    element_type,
    unwrapped,
    value_type,
)
from activities.codegraph.names import closing, dotted, last_step, type_name
from activities.codegraph.specs import text

# (position, name, spelled type, the name's node): a field's name reads `.x`, a type taken
# from another name `=other`.
TypedName = tuple[int, str, str, Node]
# No end: a binding for the rest of its definition.
_UNSCOPED = 1 << 62
# (position, enclosing definition, name, what it is declared with)
_Typed = tuple[int, str | None, str, str]
# (enclosing definition or None for the file, name) -> type name
Declared = dict[tuple[str | None, str], str]
# (position, end of its scope, type name or "" for none known) of each binding of a name
# bound more than once in one definition with different types, in order (`Bindings`).
_Rebound = dict[tuple[str | None, str], list[tuple[int, int, str]]]


class Bindings(Declared):
    """The typed names of a file (`Declared`: the first binding of each, a type written out
    before one a call gives), and for a name bound again with another type in the same
    definition, each binding by position and the end of its scope: `for _, c := range
    b.Values()` then `for _, c := range b.Succs`, lambdas' parameters of one name
    (`ts.Where(t => ...)`, `js.Where(t => ...)`), Python's `headers = Headers(headers)`
    after `headers: HeaderTypes`."""

    __slots__ = ("collections", "positions", "rebound")

    def __init__(self) -> None:
        super().__init__()
        self.rebound: _Rebound = {}
        # Where each name of the table set from a call or a loop is bound: what that binding
        # reads of other names (`r = s.make()`: `s`) is read as bound there (`_SeenAt`).
        self.positions: dict[tuple[str | None, str], int] = {}
        # The names declared as collections, with their element type as spelled (`{}` and
        # the value type for a mapping's), for a call on an element (`element_receiver`).
        self.collections: Declared = {}

    def __bool__(self) -> bool:
        """Whether any name is typed: in the table, by position alone (a type test's), or
        as a collection."""
        return bool(self.rebound) or bool(self.collections) or len(self) > 0

    def views(self) -> Callable[[int], TypeLookup]:
        """A function giving the table as a use at a position sees it (`receiver_type`): one
        view, moved from use to use."""
        if not self.rebound:
            return lambda _: self
        view = _SeenAt(self, 0)

        def seen_at(position: int) -> TypeLookup:
            view.position, view.read_rebound = position, False
            return view

        return seen_at

    @staticmethod
    def read_rebound(seen: TypeLookup) -> bool:
        """Whether a view from `views` has read a name bound again since it was moved, so
        said anything other than the table."""
        return isinstance(seen, _SeenAt) and seen.read_rebound


class TypeLookup(Protocol):
    """What `receiver_type` reads typed names from: a `Declared` table or a `Bindings` as
    one use sees it."""

    def get(self, key: tuple[str | None, str], /) -> str | None: ...


class _SeenAt:
    __slots__ = ("bindings", "found_at", "parent", "position", "read_rebound")

    def __init__(self, bindings: Bindings, position: int, parent: _SeenAt | None = None) -> None:
        self.bindings, self.position, self.parent = bindings, position, parent
        self.read_rebound = False  # whether a name bound again was read through this view
        self.found_at: int | None = None  # where the binding the last `get` found is made

    def get(self, key: tuple[str | None, str], /) -> str | None:
        """The type of `key` where the use sees it: its last binding before the use whose
        scope holds the use, or (none) the table's."""
        spells = self.bindings.rebound.get(key)
        if not spells:
            self.found_at = self.bindings.positions.get(key)
            return self.bindings.get(key)
        self._read_rebound()
        # The last binding at or before the use, back to the latest whose scope holds it;
        # past `_MAX_WALK` closed scopes (a name tested in thousands of blocks), the table.
        after = bisect_right(spells, self.position, key=lambda spell: spell[0])
        for at, until, spelled in reversed(spells[max(0, after - _MAX_WALK) : after]):
            if until >= self.position:
                self.found_at = at
                return spelled or None
        self.found_at = self.bindings.positions.get(key)
        return self.bindings.get(key)

    def _read_rebound(self) -> None:
        view: _SeenAt | None = self
        while view is not None:
            view.read_rebound = True
            view = view.parent

    def where_found(self) -> TypeLookup:
        """The table as the binding the last `get` found sees it: what a name set from a call
        or a loop reads of other names, read where it is bound (`r = s.make()` before `s` is
        bound again). Reading a name bound again through it marks this view too."""
        if self.found_at is None or self.found_at == self.position:
            return self
        return _SeenAt(self.bindings, self.found_at, self)


_MAX_WALK = 64


# Where a constructor's parameters are fields too (TypeScript's `constructor(private api:
# Api)`, PHP's `__construct(private Api $api)`), or sets them (Python's `self.api = Api()`).
_CONSTRUCTORS = ("constructor", "__construct", "__init__")
# Languages whose methods read their class's fields by the bare name (`buffer.write()`).
IMPLICIT_FIELDS = frozenset({"java", "kotlin", "csharp"})
# Pointers the language dereferences for a method call: Rust's `Arc<Shared>` is a `Shared`,
# C++'s `std::shared_ptr<logger>` a `logger`.
_DEREF = re.compile(r"^(?:Arc|Rc|Box|(?:std::)?(?:shared_ptr|unique_ptr))<(.+)>$")
# Declared types that leave the type to the initializer, which another capture reads.
_INFERRED = frozenset({"var", "val", "auto", "dynamic"})
# Before the callee of the call a name is set from, instead of a type (`CallSite.receiver_type`),
# and before the type of what a method callee is called on (`receiver_type`).
FROM_CALL = "()"
ON = "@"
MAX_CHAINED = 4
_MAX_CALLEE = 200  # a longer path is no hand-written callee (a minified chain): no type
# Between the type of what holds a field and the field's name (`receiver_type`).
FIELD = "#"
# Between a call receiver's type as last bound and the type written out at its first binding
# (`$package = $queue->dequeue()` after `BasePackage $package`): where resolution finds no
# method through the first, the second's (`CallSite.receiver_type`).
ELSE = "||"
# Before the name or path a loop variable takes its values from (`for x of xs`): its type is
# the element type of that collection's declared type (`element_type`).
EACH = "in "
# After `EACH`, before a collection a name or receiver is one element of by index (`x = xs[0]`,
# `xs[0].run()`): of a mapping, its value type (`handlers[name]`), where a loop gives keys.
AT_INDEX = "[i]"
# Calls down a chain whose results are typed (`a.b().c().d()`): each link's type spells every
# link before it, which resolution reads back, so a long builder chain is cut (its later calls
# are on an object of unknown type) rather than growing quadratically.
MAX_LINKS = 8
_MAX_SPELLED = 1000
# Between `FROM_CALL` and the end of the call site a name is set from (`result_at`).
RESULT = "^"
# (What it is called on, in `called_on`'s parentheses or not: `@(`, `@`; or "" for a whole
# type.)
_RESULT_AT = re.compile(rf"((?:{re.escape(ON)}\(?)?){re.escape(FROM_CALL)}\{RESULT}(\d+)")
# A callee resolution can follow: a name or a path of names (`server.New`), no expression.
# Rust's `net::connect` too, and PHP's `$this->factory.make`, `\\App\\Client.make`.
_CALLEE = re.compile(r"\\?\$?[A-Za-z_]\w*(?:(?:\.|::|->|\\)\$?[A-Za-z_]\w*)*")


def each_of(spelled: str) -> str | None:
    """What `spelled` is an element of, where it is one: `in (Node#children)`, as
    `receiver_type` spells it; None for anything else, such as a path through a field of an
    element (`in (Node#children)#parent`)."""
    if not spelled.startswith(f"{EACH}(") or not spelled.endswith(")"):
        return None
    depth = 0
    for i in range(len(EACH), len(spelled)):  # only parentheses: C++'s `p->all` has a `>`
        depth += {"(": 1, ")": -1}.get(spelled[i], 0)
        if depth == 0:
            return spelled[len(EACH) + 1 : -1] if i == len(spelled) - 1 else None
    return None


def split_field(spelled: str) -> tuple[str, str] | None:
    """A path through a field as `receiver_type` spells it, split before its last field:
    `()http.Get#body` -> (`()http.Get`, `body`); None where it is none. A field inside an
    element's parentheses is the element's (`in (Node#children)`)."""
    depth = 0
    for i in range(len(spelled) - 1, -1, -1):
        char = spelled[i]
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
        elif char == FIELD and depth == 0:
            return spelled[:i], spelled[i + 1 :]
    return None


def typed_name(
    caps: dict[str, list[Node]],
    documented: Callable[[Node, Node | None], tuple[str, str] | None] | None = None,
) -> TypedName | None:
    """The typed name a query match captured, with the position from which its binding
    holds (`_binding`) and its node; None for a Kotlin lambda captured for its `it` that
    names its parameters instead, or a doc comment (read by `documented`) giving no type.
    An inline doc comment naming a variable binds it from the comment's end."""
    if "typed.doc" in caps:
        comment = caps["typed.doc"][0]
        node = next((caps[c][0] for c in ("typed.name", "typed.field") if c in caps), None)
        found = documented(comment, node) if documented is not None else None
        if found is None:
            return None
        at = node.start_byte if node is not None else comment.end_byte - 1
        name = f".{found[0]}" if "typed.field" in caps else found[0]
        return at, name, found[1], node or comment
    if "typed.narrowed" in caps:  # `if (x instanceof Foo) {...}`: x is a Foo in the block
        where, node = caps["typed.narrowed"][0], caps["typed.name"][0]
        return where.start_byte, text(node), text(caps["typed.type"][0]), where
    if "typed.after" in caps:  # `assert isinstance(x, Foo)`: from there to the block's end
        test, node = caps["typed.after"][0], caps["typed.name"][0]
        block = test.parent if test.parent is not None else test
        return test.end_byte - 1, text(node), text(caps["typed.type"][0]), block
    if "typed.item" in caps and element_source(caps["typed.item"][0]) is None:
        return None  # `x = xs[1:]`: a slice, no element
    if "typed.it" in caps:
        lambda_ = caps["typed.it"][0]
        if any(child.type == "lambda_parameters" for child in lambda_.named_children):
            return None
    position, name, spelled = _binding(caps)
    return position, name, spelled, _bound_node(caps)


def _bound_node(caps: dict[str, list[Node]]) -> Node:
    """The node naming what a typed-name match binds: the name, or a Kotlin lambda for its
    implicit `it`."""
    for capture in ("typed.field", "typed.it"):
        if capture in caps:
            return caps[capture][0]
    return caps["typed.name"][0]


def _scope_end(node: Node, scopes: frozenset[str]) -> int:
    """Where the nearest node of a type in `scopes` around a bound name ends, which ends the
    binding: a block (`{ var t Time }` inside a Go func literal), a loop, a lambda (Kotlin's
    `it` is bound by the lambda itself)."""
    around: Node | None = node
    while around is not None and around.type not in scopes:
        around = around.parent
    return _UNSCOPED if around is None else around.end_byte


def _binding(caps: dict[str, list[Node]]) -> tuple[int, str, str]:
    """A typed name, at the position from which its binding holds: the last byte of what it
    is set from (`q = q.add()` calls the `q` bound before; still inside the definition it
    ends), the start of a comprehension (`[t.run() for t in ts]`), or else the name's."""
    field = "typed.field" in caps
    node = _bound_node(caps)
    name = f".{text(node)}" if field else "it" if "typed.it" in caps else text(node)
    if "typed.each" in caps:  # `for x of xs`, `xs.forEach(x => ...)`: an element of xs
        each = caps["typed.each"][0]
        iterated, clause = _iterated(each), node.parent
        if clause is not None and clause.type == "pattern_list":  # `for i, t in ...`
            if iterated.startswith(FROM_CALL) and iterated.endswith(".items"):
                # `for name, job in jobs.items()`: job is a value, as of `jobs.values()`
                iterated = f"{iterated.removesuffix('items')}values"
            clause = clause.parent
        if clause is not None and clause.type == "for_in_clause" and clause.parent is not None:
            return clause.parent.start_byte, name, f"{EACH}{iterated}"
        return max(node.start_byte, each.end_byte - 1), name, f"{EACH}{iterated}"
    if "typed.item" in caps:  # `x = xs[0]`: an element of xs
        item = caps["typed.item"][0]
        spelled = f"{EACH}{AT_INDEX}{element_source(item)}"
        return max(node.start_byte, item.end_byte - 1), name, spelled
    if "typed.alias" in caps:
        alias = caps["typed.alias"][0]
        return max(node.start_byte, alias.end_byte - 1), name, f"={text(alias)}"
    if "typed.call" in caps:  # `srv := NewServer()`: whatever NewServer returns
        callee = caps["typed.call"][0]
        call = callee.parent if callee.parent is not None else callee  # with its arguments
        written = _callee(callee)
        spelled = f"{FROM_CALL}{written}"
        if "(" in written:  # `q = s.query().filter()`: the result of the call site itself
            made = callee if callee.type in _CALLEE_FIELDS else call
            spelled = result_at(made.end_byte)
        return max(node.start_byte, call.end_byte - 1), name, spelled
    type_ = caps["typed.type"][0]
    if type_.start_byte < node.start_byte or type_.parent is None:
        return node.start_byte, name, text(type_)  # `Buffer b`
    # `x: Foo`, `val c = Client()` (also captured as a call: the same position, so the type
    # written out wins at it).
    return max(node.start_byte, type_.parent.end_byte - 1), name, text(type_)


def _iterated(node: Node) -> str:
    """What a loop iterates, as spelled: a name or path, or for a call's result (awaited or
    not) `FROM_CALL` and its callee (`for x in repo.all()`: `()repo.all`)."""
    if node.type == "await_expression" and node.named_children:
        node = node.named_children[0]
    if node.type in _CALLEE_FIELDS or node.type == "function_call_expression":  # Java, PHP
        return f"{FROM_CALL}{_callee(node)}"
    if node.type in _CALLS:
        function = node.child_by_field_name("function") or node.named_children[0]
        arguments = node.child_by_field_name("arguments")
        first = arguments.named_children[0] if arguments and arguments.named_children else None
        if node.type == "call" and text(function) in _PASSING and first is not None:
            return _iterated(first)  # Python's `sorted(tasks, key=...)`: tasks' elements
        return f"{FROM_CALL}{_callee(function)}"
    return text(node)


def element_source(node: Node) -> str | None:
    """What an element access (`xs[0]`) takes one element of, spelled as a loop's source
    (`_iterated`: `xs`, `this.items`, `()repo.all` for `repo.all()[0]`), or None: no element
    access, or a slice or range of several (`xs[1:]`, `xs[1..]`)."""
    if node.type not in _ELEMENT_ACCESS or node.named_child_count < 2:
        return None
    collection, *index = node.named_children
    while len(index) == 1 and index[0].type in _INDEX_LISTS:  # C#'s `[0]`, C++'s
        index = index[0].named_children
    if len(index) != 1 or index[0].type in _RANGES:
        return None
    return _iterated(collection)


# Element accesses (of one index, `element_source`), by language: Python's, JavaScript's,
# PHP's, C's and C++'s; Go's, Rust's and Kotlin's; Java's; C#'s; Ruby's.
_ELEMENT_ACCESS = frozenset({"subscript", "subscript_expression", "index_expression",
                             "array_access", "element_access_expression",
                             "element_reference"})  # fmt: skip
# What holds the index: C#'s `[0]` and its argument, C++'s.
_INDEX_LISTS = frozenset({"bracketed_argument_list", "argument", "subscript_argument_list"})
_RANGES = frozenset({"slice", "range_expression", "range"})


# Call nodes whose callee is their `function` field (Kotlin's: their first child).
_CALLS = frozenset({"call", "call_expression", "invocation_expression"})
# Python's built-ins iterating over their first argument's elements (enumerate's second
# loop variable; `specs.python`).
_PASSING = frozenset({"sorted", "reversed", "list", "tuple", "set", "frozenset", "iter",
                      "enumerate"})  # fmt: skip


def _callee(node: Node) -> str:
    """What a call's callee is spelled as: its node, or for a call node without one (Java's
    `method_invocation`, PHP's calls) the receiver's and the method's, joined by `.`
    (`client.get`, `$this->factory.make`, `Client.make`)."""
    if node.type == "function_call_expression":  # PHP's `make_client()`
        function = node.child_by_field_name("function")
        spelled = text(function) if function is not None else ""
        owner, backslash, name = spelled.rpartition("\\")
        # `\App\make_client()`: as its call site spells it (`extract._call`), what holds it
        # and the name.
        return f"{owner}.{name}" if backslash and "\\" in owner else spelled
    fields = _CALLEE_FIELDS.get(node.type)
    if fields is None:
        return text(node)
    target, method = node.child_by_field_name(fields[0]), node.child_by_field_name(fields[1])
    if method is None:
        return ""
    return f"{text(target)}.{text(method)}" if target is not None else text(method)


# Call nodes with no node for their callee: the fields of its receiver and its name.
_CALLEE_FIELDS = {
    "method_invocation": ("object", "name"),
    "member_call_expression": ("object", "name"),
    "nullsafe_member_call_expression": ("object", "name"),
    "scoped_call_expression": ("scope", "name"),
}


def field_types(
    declared: Declared, collections: Declared, type_scopes: set[str]
) -> tuple[tuple[str, str, str], ...]:
    """The fields of the file's types with their declared types (`FileExtraction.fields`):
    those declared in a type, and those a constructor sets (`self.api = connect()`). A
    collection is recorded as such (`collections`: `[]Task` for `List<Task>`), for another
    file's loop over it."""
    found: dict[tuple[str, str], str] = {}
    for (owner, name), spelled in (*collections.items(), *declared.items()):
        if owner is None or not name.startswith(".") or RESULT in spelled:
            continue  # a call site of this file (`result_at`) says nothing elsewhere
        holder, _, method = owner.rpartition(".")
        if owner not in type_scopes and not (method in _CONSTRUCTORS and holder in type_scopes):
            continue
        found.setdefault((owner if owner in type_scopes else holder, name[1:]), spelled)
    return tuple((owner, name, spelled) for (owner, name), spelled in sorted(found.items()))


def declared_types(
    typed: list[TypedName],
    owners: list[str | None],
    type_scopes: set[str],
    *,
    generic: bool = False,
    self_names: frozenset[str] = frozenset(),
    self_name_of: dict[str, str] | None = None,
    bare_fields: bool = False,
    scopes: frozenset[str] = frozenset(),
    narrowed: frozenset[int] = frozenset(),
    holders: bool = False,
) -> tuple[Bindings, Declared]:
    """The table of typed names (in order of position), each with its enclosing definition;
    a name declared directly in a type (`type_scopes`) is a field, `.x`. The first
    declaration in a definition wins, a type written out before one a call gives. Arrays
    and `var x` (typed by another capture) give nothing, but a loop variable over a
    collection declared in the file takes its element type (`for x of xs` with `xs: Foo[]`,
    `for _, f := range s.files`; `self_names`, each callable's `self_name_of` and
    `bare_fields` read the collection's path as `receiver_type` does). With `generic`, a
    type keeps its count of type arguments (`names.type_name`). A name bound again with
    another type has each binding kept by position too (`Bindings`), ended by the nearest
    node around it of a type in `scopes`. With `holders` (Rust), `Option<Foo>` and
    `RefCell<Foo>` are kept whole (`taken_out`).
    Second, the names declared as collections, with `COLLECTION` and the element type's name
    (`[]Task`): the fields among them are recorded so (`field_types`)."""
    found = Bindings()
    collections: Declared = {}  # (owner, name) -> the element type, as spelled
    aliases: list[_Typed] = []
    from_calls: list[_Typed] = []
    elements: list[_Typed] = []
    # Every binding of a name, with the type it gives ("" for none known).
    bound: list[_Typed] = []
    nodes = {position: node for position, _, _, node in typed}
    for (position, name, spelled, _), owner in zip(typed, owners, strict=True):
        field = owner in type_scopes and not name.startswith(".")
        key = f".{name}" if field else name
        if spelled.startswith("="):
            aliases.append((position, owner, name, spelled[1:]))
            continue
        if spelled.startswith(FROM_CALL):
            if _followed(spelled):
                from_calls.append((position, owner, key, spelled))
            continue
        if spelled.startswith(EACH):
            elements.append((position, owner, key, spelled[len(EACH) :]))
            continue
        if position in narrowed:  # a type test's: only inside its block (`_rebound`)
            plain = _plain_type(spelled, generic=generic, holders=holders)
            bound.append((position, owner, key, plain or ""))
            continue
        element = element_type(spelled)
        value = value_type(spelled) if element is None else None
        if element is not None or value is not None:
            collections.setdefault((owner, key), element or f"{_MAPPING}{value}")
        type_ = _plain_type(spelled, generic=generic, holders=holders)
        bound.append((position, owner, key, type_ or ""))
        if type_:
            found.setdefault((owner, key), type_)
    # A type written out wins over one a call gives (`var w *Writer` beside `w := open()`).
    for position, owner, name, spelled in from_calls:
        bound.append((position, owner, name, spelled))
        if (owner, name) not in found:
            found[owner, name] = spelled
            found.positions[owner, name] = position
        kept = _element_of(collections, spelled, owner, self_names,
                           self_name=(self_name_of or {}).get(owner or ""),
                           bare_fields=bare_fields)  # fmt: skip
        if kept is not None:  # `ready = tasks.filter(...)`: a collection of Task too
            collections.setdefault((owner, name), kept)
    # `self.api = client` in `__init__(self, client: Client)`: the field takes the type,
    # and `self.jobs = jobs` after `jobs: list[Job]` its element type.
    bound += [(at, owner, name, found.get((owner, source), ""))
              for at, owner, name, source in aliases]  # fmt: skip
    _take_aliases(found, aliases)
    _take_aliases(collections, aliases)
    bound += _take_elements(found, collections, elements, generic=generic,
                            self_names=self_names, self_name_of=self_name_of or {},
                            bare_fields=bare_fields)  # fmt: skip
    # Kotlin's `it` is bound by its lambda alone: never a type for an `it` of a lambda bound
    # nowhere (`ws.forEachReversed { it.close() }`), as a first binding would be.
    implicit = {position for position, node in nodes.items() if node.type == "lambda_literal"}
    # A type test's binding ends with the block (or expression) it holds for.
    found.rebound = _rebound(found, bound,
                             lambda at: nodes[at].end_byte if at in narrowed
                             else _scope_end(nodes[at], scopes),
                             implicit, narrowed)  # fmt: skip
    found.collections = collections
    marked = {key: collection_of(element, generic=generic, as_element=True)
              for key, element in collections.items()
              if not element.startswith(_MAPPING)}  # fmt: skip
    return found, {key: value for key, value in marked.items() if value is not None}


def _rebound(
    found: Declared,
    bound: list[_Typed],
    scope_end: Callable[[int], int],
    implicit: set[int],
    narrowed: frozenset[int] = frozenset(),
) -> _Rebound:
    """The bindings of each name of a callable bound with more than one type, in order, with
    the ends of their scopes (`scope_end` of a binding's position). A name set from a call
    on itself (`text = text.copy()`) calls it as bound before (`ON` that binding's type, in
    `found` too), or has no type known where it had none. A name of `implicit` bindings
    (at those positions) is read by position alone, never from `found`; one with `narrowed`
    bindings (a type test's) by position, and elsewhere as its other bindings say."""
    by_name: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for position, owner, name, spelled in bound:
        if owner is not None and not name.startswith("."):
            by_name.setdefault((owner, name), []).append((position, spelled))
    rebound: _Rebound = {}
    for key, spells in by_name.items():
        if implicit and any(at in implicit for at, _ in spells):
            found.pop(key, None)
            spells.sort()
            rebound[key] = [(at, scope_end(at), spelled) for at, spelled in spells]
            continue
        tests = [(at, spelled) for at, spelled in spells if at in narrowed]
        if tests:  # the other bindings settled as without them, then the tests among them
            plain = sorted((b for b in spells if b[0] not in narrowed),
                           key=lambda b: (b[0], _written(b[1])))  # fmt: skip
            merged = sorted([*_settled(found, key, plain), *tests])
            rebound[key] = [(at, scope_end(at), spelled) for at, spelled in merged]
            continue
        if len(spells) == 1:
            if _on_itself(key[1], spells[0][1]) and found.get(key) == spells[0][1]:
                found[key] = ""  # `text = text.copy()`, text bound nowhere before: unknown
            continue
        # At one position a type written out comes last, so wins (`x = Client()` is captured
        # both as a class and as a call).
        spells.sort(key=lambda b: (b[0], _written(b[1])))
        settled = _settled(found, key, spells)
        # One spelling that reads other names (`sect := f.Sections[i]` in each of several
        # blocks, each with an `f` of its own) is a binding of its own at each position.
        if len({spelled for _, spelled in settled}) > 1 or any(
            spelled.startswith((FROM_CALL, EACH)) for _, spelled in settled
        ):
            rebound[key] = [(at, scope_end(at), spelled) for at, spelled in settled]
    return rebound


def _on_itself(name: str, spelled: str) -> bool:
    """Whether a binding of `name` is set from a call on the name itself (`()text.copy`)."""
    return spelled.startswith(f"{FROM_CALL}{name}") and (
        last_step(spelled[len(FROM_CALL) :])[0] == name
    )


def _settled(
    found: Declared, key: tuple[str, str], spells: list[tuple[int, str]]
) -> list[tuple[int, str]]:
    """The bindings of one name in order, each set from a call on the name itself
    (`text = text.copy()`) settled on the binding before (`ON`), or unknown without one."""
    settled: list[tuple[int, str]] = []
    for position, spelled in spells:
        value = spelled
        if _on_itself(key[1], spelled):
            before = settled[-1][1] if settled else ""
            value = called_on(spelled, before) if before else ""
            if found.get(key) == spelled:
                found[key] = value  # its first binding
        settled.append((position, value))
    return settled


def _element_of(
    collections: Declared,
    source: str,
    owner: str | None,
    self_names: frozenset[str],
    *,
    self_name: str | None,
    bare_fields: bool,
    at_index: bool = False,
) -> str | None:
    """The element type, as spelled, of the collection `source` names, as far as the file
    says: one it declares (`tasks`, `this.tasks`), a call of a method keeping the elements
    of one (`tasks.filter(...)`, `tasks.Where(...)`: `()tasks.filter`), or the values of a
    mapping it declares (`jobs.values()` with `jobs: dict[str, Job]`; `at_index`, also
    `jobs[name]`)."""
    values = False
    if source.startswith(FROM_CALL):
        collection, method = last_step(source[len(FROM_CALL) :])
        values = method == "values"
        if not collection or (not values and method not in _SAME_ELEMENTS):
            return None
        source = collection
    found = _declared_type(collections, source, owner, self_names, self_name=self_name,
                           bare_fields=bare_fields)  # fmt: skip
    if found is not None and found.startswith(_MAPPING) and at_index:
        return found[len(_MAPPING) :]
    if found is None or found.startswith(_MAPPING) != values:
        return None  # iterating a mapping gives its keys
    return found[len(_MAPPING) :] if values else found


# Before a mapping's value type in the table of collections (`declared_types`).
_MAPPING = "{}"
# Methods returning a collection of the elements of the one they are called on (JavaScript's
# arrays, Kotlin's and Java's collections, C#'s LINQ, Rust's slices).
_SAME_ELEMENTS = frozenset(
    {
        "filter", "slice", "concat", "reverse", "sort", "toSorted", "toReversed",
        "filterNot", "sorted", "sortedBy", "sortedByDescending", "sortedWith", "reversed",
        "distinct", "distinctBy", "take", "drop", "takeWhile", "dropWhile", "toList",
        "toMutableList", "toSet", "asSequence", "asIterable", "subList", "stream",
        "Where", "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending", "Skip",
        "Take", "Distinct", "Reverse", "ToList", "ToArray", "AsEnumerable", "to_vec",
    }
)  # fmt: skip


def _written(spelled: str) -> bool:
    """Whether a binding's type is written out, not left to resolution (a call's, an
    element's) nor unknown."""
    return bool(spelled) and not spelled.startswith((FROM_CALL, EACH))


def _take_elements(
    found: Bindings,
    collections: Declared,
    elements: list[_Typed],
    *,
    generic: bool,
    self_names: frozenset[str],
    self_name_of: dict[str, str],
    bare_fields: bool,
) -> list[_Typed]:
    """Each loop variable (position, owner, name, collection) takes the element type of a
    collection declared in the file, or is left for resolution to find it (`EACH`).
    Returns each with the type it takes ("" for none)."""
    taken = []
    for position, owner, name, source in elements:
        type_ = _element_binding(collections, source, owner, self_names, generic=generic,
                                 self_name=self_name_of.get(owner or ""),
                                 bare_fields=bare_fields)  # fmt: skip
        taken.append((position, owner, name, type_))
        if type_ and (owner, name) not in found:
            found[owner, name] = type_
            found.positions[owner, name] = position
    return taken


def _element_binding(
    collections: Declared,
    source: str,
    owner: str | None,
    self_names: frozenset[str],
    *,
    generic: bool,
    self_name: str | None,
    bare_fields: bool,
) -> str:
    """The type an element of the collection `source` names has (a loop variable over it,
    or after `AT_INDEX` one element of it): the element type of a collection declared in
    the file, or `EACH` and `source`, left for resolution to find; "" for none known."""
    at_index = source.startswith(AT_INDEX)
    source = source.removeprefix(AT_INDEX)
    element = _element_of(collections, source, owner, self_names, self_name=self_name,
                          bare_fields=bare_fields, at_index=at_index)  # fmt: skip
    if element is not None:
        return _plain_type(element, generic=generic) or ""
    if source.startswith(FROM_CALL) and _element_of(
        collections, last_step(source[len(FROM_CALL) :])[0], owner, self_names,
        self_name=self_name, bare_fields=bare_fields,
    ) is not None:  # fmt: skip
        return ""  # `tasks.map(...)`: a method of the language's collections
    if not source.startswith(FROM_CALL) or _followed(source):
        # Not a collection declared here: an element of what a call returns or of a field
        # of another file's type, which `receiver_type` spells for resolution to read.
        return f"{EACH}{source}"
    return ""


def element_receiver(
    declared: Bindings,
    seen: TypeLookup,
    collection: str,
    caller: str | None,
    self_names: frozenset[str],
    *,
    generic: bool,
    self_name: str | None = None,
    bare_fields: bool = False,
    own_type: str | None = None,
) -> str | None:
    """The type of an element a call is made on (`xs[0].run()`, `jobs[name].run()`), given
    the collection it is one of (`element_source`), as a name set to it would have (`x =
    xs[0]`): `receiver_type` of that name, reading names as the call sees them (`seen`)."""
    type_ = _element_binding(declared.collections, f"{AT_INDEX}{collection}", caller,
                             self_names, generic=generic, self_name=self_name,
                             bare_fields=bare_fields)  # fmt: skip
    if not type_.startswith(EACH):
        return type_ or None
    return _each(type_[len(EACH) :], seen, caller, self_names, self_name=self_name,
                 bare_fields=bare_fields, own_type=own_type, chained=0)  # fmt: skip


def result_type(
    receiver: str | None, name: str, creates: bool, receiver_type: str | None
) -> str | None:
    """The type of what a call returns, spelled as `receiver_type` spells a receiver's, for a
    call made on that result (`s.query().filter()`): given the call's receiver, name, whether
    it creates an object and its receiver's type. `new Foo()` is a Foo; `make()`, `pkg.Make()`
    the callee's result (`()pkg.Make`); a method on a typed receiver the method's on that
    type (`()s.query@Store`, `()?.filter@()s.query@Store` down a chain). None where nothing is
    known: a method on an expression of unknown type, a chain past `MAX_LINKS`."""
    if creates:  # with its path (`new Lib.Options<int>()`: `Lib.Options`1`)
        return f"{dotted(receiver)}.{name}" if receiver else name
    if (receiver is not None and (ON in receiver or FIELD in receiver)) or (
        ON in name or FIELD in name
    ):
        # Ruby's `@inner`, JavaScript's `this.#store` and `#make()`, C#'s `@event()`: not a
        # type's `ON`, `FIELD`.
        return None
    # A C++ or PHP namespace path keeps its own separator (`net::Dial`, `Op\\make`).
    joint = "" if receiver is None or receiver.endswith(("::", "\\")) else "."
    callee = f"{receiver}{joint}{name}" if receiver else name
    if receiver_type is not None:
        # A receiver typed as last bound, else as first (`ELSE`): the call on either, so
        # that `ELSE` still parts the whole spelling in two.
        last, _, first = receiver_type.partition(ELSE)
        if last.count(ON) >= MAX_LINKS or len(receiver_type) > _MAX_SPELLED:
            return None
        made = called_on(f"{FROM_CALL}{callee}", last)
        return f"{made}{ELSE}{called_on(f'{FROM_CALL}{callee}', first)}" if first else made
    return None if receiver == "?" else f"{FROM_CALL}{callee}"


def _followed(spelled: str) -> bool:
    """Whether resolution follows the callee `spelled` gives a type by (`()store.Open`), or
    the extraction the call site it names (`result_at`)."""
    if _RESULT_AT.fullmatch(spelled):
        return True
    return len(spelled) <= _MAX_CALLEE and bool(_CALLEE.fullmatch(spelled, len(FROM_CALL)))


def result_at(end: int) -> str:
    """What a name is set from where that is a call on another call's result (`q =
    s.query().filter()`): the call site ending at byte `end`, whose receiver's type the
    extraction settles only once it has typed the chain (`with_results`). Never leaves the
    extraction."""
    return f"{FROM_CALL}{RESULT}{end}"


def with_results(spelled: str, result: Callable[[int], str | None]) -> str | None:
    """`spelled` with each call site it names (`result_at`) replaced by what `result` says
    that call returns (`()^812` -> `()?.filter@()s.query@Session`; `()q.run@()^812` ->
    `()q.run@()?.filter@...`). A result not known leaves the name untyped, or a call on it
    spelled without the type of what it is called on. So long a spelling (a name set again
    from a call on itself thousands of times) is no type."""
    if len(spelled) > 4 * _MAX_SPELLED:
        return None
    last, _, first = spelled.partition(ELSE)
    last_in, first_in = _results_in(last, result), _results_in(first, result)
    if last_in and first_in:
        return f"{last_in}{ELSE}{first_in}"
    return last_in or first_in


def _results_in(spelled: str, result: Callable[[int], str | None]) -> str | None:
    """One part of `with_results`: None where a call site standing for a whole type, not
    for what a call is made on (`in ()^812`, `()^812`), has no result known."""
    if RESULT not in spelled:
        return spelled or None
    unknown = False

    def replaced(found: re.Match[str]) -> str:
        nonlocal unknown
        made = result(int(found[2]))
        unknown = unknown or (not made and found[1] != ON)  # `@(`: fields of it follow
        if not made:
            return ""
        # `ELSE` parts the whole spelling: of a result's, its first part only.
        made = made.partition(ELSE)[0]
        return f"{ON}({made})" if found[1] == ON and FIELD in made else f"{found[1]}{made}"

    replaced_all = _RESULT_AT.sub(replaced, spelled)
    return None if unknown else replaced_all


def _take_aliases(table: Declared, aliases: list[_Typed]) -> None:
    """Each alias (position, owner, name, source) takes what `table` says of its source, if
    anything."""
    for _, owner, name, source in aliases:
        taken = table.get((owner, source))
        if taken is not None:
            table.setdefault((owner, name), taken)


def _plain_type(spelled: str, *, generic: bool, holders: bool = False) -> str | None:
    """The type a name declared as `spelled` has methods of, or None: an array's methods are
    the language's, and `var x` is typed by another capture. `Optional[Foo]`, `Foo | None`,
    `Foo?` and `?Foo` are a Foo; Rust's `Arc<Foo>` is a `Foo` to call methods on."""
    spelled = unwrapped(spelled)
    if "[" in spelled or "|" in spelled or spelled in _INFERRED:
        return None  # `str | bytes`: either, so neither
    wrapped = _DEREF.match(spelled)
    spelled = wrapped[1] if wrapped else spelled
    holder = _HOLDER.match(spelled) if holders else None
    if holder is not None:  # `Option<Foo>`: kept whole, for `unwrap()` to take the Foo out
        held = _plain_type(_REFERENCE.sub("", holder[2]), generic=generic, holders=True)
        return f"{holder[1]}<{held}>" if held else holder[1]
    return type_name(spelled.strip("?"), generic=generic) or None


def taken_out(spelled: str | None, method: str) -> str | None:
    """What a Rust holder's method gives (`Option<Foo>` and `unwrap`: Foo; `RefCell<Foo>` and
    `borrow`: Foo; `Option<Foo>` and `as_ref`: the Option still), or None where `spelled`
    is no holder or `method` none of those."""
    holder = _HOLDER.match(spelled) if spelled else None
    if holder is None:
        return None
    if method in _TAKING_OUT[holder[1]]:
        return holder[2]
    return spelled if method in _KEEPING else None


# Rust's holders of one value, kept in a declared type, and the methods taking it out.
_TAKING_OUT = {
    "Option": frozenset({"unwrap", "expect", "unwrap_or", "unwrap_or_else",
                         "unwrap_or_default", "unwrap_unchecked"}),
    "RefCell": frozenset({"borrow", "borrow_mut"}),
}  # fmt: skip
_KEEPING = frozenset({"as_ref", "as_mut", "clone", "by_ref"})
_HOLDER = re.compile(r"^(?:std::(?:option|cell)::)?(Option|RefCell)<(.+)>$")
_REFERENCE = re.compile(r"^&\s*(?:'\w+\s+)?(?:mut\s+)?")  # `&'a mut Foo`: a Foo


def receiver_type(
    declared: TypeLookup,
    receiver: str | None,
    caller: str | None,
    self_names: frozenset[str],
    *,
    self_name: str | None = None,
    bare_fields: bool = False,
    own_type: str | None = None,
    chained: int = 0,
) -> str | None:
    """The declared type of a call's receiver: a name of the caller, of a definition around
    it (a lambda's enclosing method, a method's class: its fields, also those its
    constructor declares or sets: `constructor(private api: Api)`), or of the file. A Go
    method's receiver variable is `self_name`; `bare_fields` where fields need no `this`.

    A name set from a call of a method (`rows := db.Query()`) gives the callee and, after
    `ON`, the type of what the method is called on (`()db.Query@DB`), as far as the file
    says, through at most `MAX_CHAINED` such calls (`c := srv.Client()` after
    `srv := NewServer()`: `()srv.Client@()NewServer`).

    A path through a field the file does not declare (`res.body`, `this.repo` of a base class
    or, in Go, of a struct in another file of the package; the caller's own type is
    `own_type`) is the type of what holds it, `FIELD` and the field's name
    (`()http.Get#body`, `Store#db`): resolution reads the field's type where it is declared
    (`FileExtraction.fields`)."""
    found = _declared_type(declared, receiver, caller, self_names, self_name=self_name,
                           bare_fields=bare_fields)  # fmt: skip
    if found is not None and found.startswith(COLLECTION):
        return None  # a list's methods are the language's
    if found is not None and isinstance(declared, _SeenAt) and found.startswith((FROM_CALL, EACH)):
        declared = declared.where_found()
    if found is not None and found.startswith(EACH):
        return _each(found[len(EACH) :], declared, caller, self_names, self_name=self_name,
                     bare_fields=bare_fields, own_type=own_type, chained=chained)  # fmt: skip
    if found is None and receiver and chained < MAX_CHAINED:
        head, _, field = receiver.replace("->", ".").rpartition(".")
        if head and field.isidentifier():
            on = (
                own_type
                if head in self_names or head == self_name
                else receiver_type(declared, head, caller, self_names, self_name=self_name,
                                   bare_fields=bare_fields, own_type=own_type,
                                   chained=chained + 1)
            )  # fmt: skip
            return f"{on}{FIELD}{field}" if on else None
    if found is None or not found.startswith(FROM_CALL) or chained >= MAX_CHAINED:
        return found
    return _on(found, declared, caller, self_names, self_name=self_name,
               bare_fields=bare_fields, own_type=own_type, chained=chained)  # fmt: skip


def _each(
    source: str,
    declared: TypeLookup,
    caller: str | None,
    self_names: frozenset[str],
    *,
    self_name: str | None,
    bare_fields: bool,
    own_type: str | None,
    chained: int,
) -> str | None:
    """The type of an element of `source`, something whose type resolution reads: `in
    (()repo.all@Repo)`, `in (Node#children)`; None where the file says nothing of it."""
    if chained >= MAX_CHAINED:
        return None
    inner: str | None
    if source.startswith(FROM_CALL):  # `for x in repo.all()`
        inner = _on(source, declared, caller, self_names, self_name=self_name,
                    bare_fields=bare_fields, own_type=own_type, chained=chained)  # fmt: skip
    else:  # `for x in xs` after `xs = repo.all()`, `for x in node.children`
        inner = receiver_type(declared, source, caller, self_names, self_name=self_name,
                              bare_fields=bare_fields, own_type=own_type,
                              chained=chained + 1)  # fmt: skip
    inferred = inner is not None and (inner.startswith(FROM_CALL) or FIELD in inner)
    return f"{EACH}({inner})" if inferred else None


def _on(
    called: str,
    declared: TypeLookup,
    caller: str | None,
    self_names: frozenset[str],
    *,
    self_name: str | None,
    bare_fields: bool,
    own_type: str | None,
    chained: int,
) -> str:
    """A name's callee (`()db.Query`) with the type of what it is called on, as far as the
    file says (`()db.Query@DB`)."""
    if chained >= MAX_CHAINED:
        return called
    callee, settled, on = called.partition(ON)
    if settled:  # by `_rebound` (`text = text.copy()`), maybe on another call's result
        if on.startswith(FROM_CALL):
            on = _on(on, declared, caller, self_names, self_name=self_name,
                     bare_fields=bare_fields, own_type=own_type, chained=chained + 1)  # fmt: skip
        return called_on(callee, on_part(on))
    qualifier = last_step(called[len(FROM_CALL) :])[0]
    if not qualifier:
        return called
    typed = receiver_type(declared, qualifier, caller, self_names, self_name=self_name,
                          bare_fields=bare_fields, own_type=own_type,
                          chained=chained + 1)  # fmt: skip
    return called_on(called, typed) if typed else called


def called_on(called: str, typed: str) -> str:
    """A callee as spelled (`()s.client.Do`) and, after `ON`, the type of what it is called
    on: in parentheses where that has a path through fields (`()s.client.Do@(Server#client)`),
    which would otherwise read as one through the call's result (`split_field`: the body of
    `r.Body` after `r := s.client.Do()` is `()s.client.Do@(Server#client)#Body`)."""
    return f"{called}{ON}({typed})" if FIELD in typed else f"{called}{ON}{typed}"


def on_part(on: str) -> str:
    """The type after `ON` as `called_on` spells it, out of its parentheses."""
    if on.startswith("(") and closing(on, 0, ("(", ")")) == len(on) - 1:
        return on[1:-1]
    return on


def _declared_type(
    declared: TypeLookup,
    receiver: str | None,
    caller: str | None,
    self_names: frozenset[str],
    *,
    self_name: str | None,
    bare_fields: bool,
) -> str | None:
    if not receiver or receiver == self_name:
        return None  # a Go method's own receiver is its `self`: resolved as such
    head, _, rest = receiver.replace("->", ".").partition(".")
    on_self = (head in self_names or head == self_name) and bool(rest)
    if on_self:
        receiver = rest  # `this.buffer.write()`, `$this->buffer->write()`: the field
    if not receiver.removeprefix("$").isidentifier():
        return None
    field = f".{receiver}"
    scope = caller
    while scope is not None:
        # `this.x` is a field, never a local `x`; a bare `x` a local, or in Java, Kotlin and
        # C# a field too.
        found = None if on_self else declared.get((scope, receiver))
        if found is None and (on_self or bare_fields):
            found = declared.get((scope, field))
        for constructor in _CONSTRUCTORS if found is None and on_self else ():
            at = f"{scope}.{constructor}"
            found = found or declared.get((at, field))
        if found is not None:
            return found
        scope = scope.rpartition(".")[0] or None
    return None if on_self else declared.get((None, receiver))
