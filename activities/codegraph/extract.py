"""Extraction: source bytes in, definitions, imports, calls and inheritance out. No I/O.

One compiled query per language finds everything in a single pass over the tree (in C); the
Python side only sorts the captures by position and sweeps once with a stack to work out
nesting, qualified names and the enclosing definition of every call. Nothing here recurses
over the tree, so pathological nesting cannot exhaust the Python stack.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from tree_sitter import Node, Query, QueryCursor

from activities.codegraph.c_macros import (
    blank_bare_macros,
    blank_declarator_macros,
    blank_export_macros,
    blank_modifier_macros,
    blank_trailing_macros,
    namespace_macros,
)
from activities.codegraph.guess_rules import JS_GLOBAL_TYPES
from activities.codegraph.languages import get_query, parse
from activities.codegraph.model import (
    CALLABLE_KINDS,
    MAX_NAME_BYTES,
    TYPE_KINDS,
    CallSite,
    Definition,
    FileExtraction,
    Import,
    Inheritance,
    singleton_name,
)
from activities.codegraph.names import dotted, type_name, with_arity
from activities.codegraph.receiver_types import (
    EACH,
    ELSE,
    FIELD,
    FROM_CALL,
    IMPLICIT_FIELDS,
    RESULT,
    Bindings,
    Declared,
    TypedName,
    TypeLookup,
    declared_types,
    element_receiver,
    element_source,
    field_types,
    receiver_type,
    result_at,
    result_type,
    taken_out,
    typed_name,
    with_results,
)
from activities.codegraph.specs import LanguageSpec, get_spec, line, reading, text
from activities.codegraph.specs.php import namespace_blocks
from activities.codegraph.specs.rust import call_path as rust_call_path

log = logging.getLogger(__name__)

_IMPL = "Impl"  # pseudo-kind of a Rust `impl` block: names methods, is not a node itself
# A receiver containing any of these is an expression, not a name we could resolve.
_EXPRESSION = re.compile(r"[()\[\]{}<>\"'\s,;]").search
_MAX_RECEIVER = 120
_MAX_PATTERN_NODES = 1000


class _Call(NamedTuple):
    """A call found by the query."""

    at: int  # where the call starts
    name: str
    receiver: str | None
    line: int
    args: int | None
    creates: bool
    hints: tuple[str | None, ...] | None  # what each argument shows of its type
    shown: str | None  # the type its receiver shows: a literal's, a cast's
    end: int  # where the call ends
    on: tuple[int, int] | None  # an expression receiver's span: a call's, down a chain
    field: str | None  # where the receiver is a field of that expression (`a.b().c.d()`)
    # Where it is an element of a collection (`xs[0].run()`), or a field (`field`) of one
    # (`xs[0].conn.close()`), that collection
    element: str | None


# Call nodes that create an object: `new T()`.
_CREATIONS = frozenset({"object_creation_expression", "new_expression"})


@dataclass(slots=True)
class _Scope:
    """A definition (or impl block) found by the query, before nesting is known."""

    start: int
    end: int
    kind: str
    name: str
    owner: str | None
    self_name: str | None
    start_line: int
    end_line: int
    pattern: int
    qualified_name: str = ""
    parent: str | None = None
    trait: str | None = None  # for impl blocks: `impl Trait for Type`
    hidden: bool = False  # see `Definition.hidden`
    singleton: bool = False  # see `Definition.singleton`
    arity: tuple[int, int | None] | None = None  # see `Definition.arity`
    generic: int = 0  # type parameters, where they tell types apart (`type_parameters`)
    extends: str | None = None  # see `Definition.extends`
    params: tuple[str | None, ...] | None = None  # see `Definition.params`
    returns: str | None = None  # see `Definition.returns`
    assigned: str | None = None  # a method assigned to its owner (`LanguageSpec.assigned_method`)


def extract(
    path: str,
    source: bytes,
    language: str,
    cpu_seconds: float | None = None,
    deadline: float | None = None,
) -> FileExtraction:
    """Extract `source` (the content of `path`) as `language`. Bad input gives what parsed,
    flagged; only a parse over `cpu_seconds` or past `deadline` raises
    (`languages.ParseTimeoutError`)."""
    spec = get_spec(language)
    query = get_query(language, spec.query)  # outside the guard: a bad query is our bug
    macros: dict[str, Any] = {}
    if language in ("c", "cpp"):
        macros["namespace_macros"] = namespace_macros(source)
        # `class SPDLOG_API logger`, `char* absl_nonnull s`, a `FMT_BEGIN_NAMESPACE` line:
        # same offsets, no macro.
        source, macros["macro_lines"] = blank_bare_macros(
            blank_modifier_macros(
                blank_export_macros(blank_declarator_macros(blank_trailing_macros(source)))
            )
        )
    root = parse(language, source, cpu_seconds, deadline).root_node
    try:
        with reading(source):
            return replace(_extract_tree(path, language, root, spec, query), **macros)
    except Exception:  # one unexpected file must not fail a whole index run
        log.exception("extraction failed, keeping the file without symbols: %s", path)
        return FileExtraction(path, language, None, (), (), (), (), True)


def _extract_tree(
    path: str, language: str, root: Node, spec: LanguageSpec, query: Query
) -> FileExtraction:
    scopes: dict[int, _Scope] = {}
    calls: list[_Call] = []
    bare: list[_Call] = []  # calls unless a local of that name
    locals_: list[tuple[int, str]] = []
    # Each with what typed it: a doc comment, a type test (`_TYPED_BY`), else None.
    typed: list[tuple[TypedName | None, str | None]] = []
    blocks: list[tuple[int, int]] = []
    supers: list[tuple[int, str, str, int]] = []
    imports: list[Import] = []
    package: str | None = None
    default_export: str | None = None
    for pattern, caps in QueryCursor(query).matches(root):
        if "call" in caps:
            if "call.name" in caps:
                found = bare if "call.unless_local" in caps else calls
                found.append(_call(caps, language, spec))
            continue
        if not _TYPED_CAPTURES.isdisjoint(caps):
            # None: a Kotlin lambda binding no `it`, a doc comment giving no type
            typed.append((typed_name(caps, spec.documented), _typed_by(caps)))
            continue
        if "block" in caps:
            blocks.append((caps["block"][0].start_byte, caps["block"][0].end_byte))
            continue
        if "local" in caps or "local.pattern" in caps:
            locals_.extend(_locals(caps))
            continue
        if "inherit.extends" in caps or "inherit.implements" in caps:
            kind = "extends" if "inherit.extends" in caps else "implements"
            node = caps[f"inherit.{kind}"][0]
            supers.append((node.start_byte, _base_name(node, language, spec), kind, line(node)))
            continue
        if "import" in caps:
            imports.extend(spec.imports(caps["import"][0]))
            continue
        if "export.default" in caps:
            default_export = text(caps["export.default"][0])
            continue
        if "package" in caps:  # the first one's
            package = package or dotted(text(caps["package"][0]).strip())
            continue
        if "impl" in caps:
            _add_impl(scopes, caps, pattern)
            continue
        _add_definition(scopes, caps, pattern, spec, path)
    # In a PHP file of several namespace blocks each block's definitions are in its own.
    package = None if language == "php" and _add_namespaces(scopes, root) else package
    ordered = sorted(scopes.values(), key=lambda s: (s.start, -s.end))
    defs = _definitions(ordered, spec)
    overloaded = _overloaded(defs)
    imports = [i for i in imports if _storable(i.module)]
    calls += _not_locals(defs, bare, locals_)
    # `impl Trait for Type` may name a type defined elsewhere, so it bypasses the local check.
    impls = [Inheritance(s.qualified_name, s.trait, "implements", s.start_line)
             for s in ordered if s.kind == _IMPL and s.trait]  # fmt: skip
    declared, collections = _declared(defs, typed, imports, spec, language)
    return FileExtraction(
        path=path,
        language=language,
        package=package,
        definitions=tuple(
            Definition(s.kind, s.name, s.qualified_name, s.start_line, s.end_line, s.parent,
                       s.self_name, s.hidden, s.arity, s.extends,
                       s.params if s.qualified_name in overloaded else None, s.returns)
            for s in defs
        ),
        imports=tuple(dict.fromkeys(imports)),
        calls=_calls(defs, calls, declared, spec, language, blocks=blocks),
        fields=field_types(
            declared, collections, {s.qualified_name for s in defs if s.kind in TYPE_KINDS}
        ),
        inherits=(*impls, *_inherits(defs, supers)),
        has_syntax_errors=root.has_error,
        default_export=default_export if default_export and _storable(default_export) else None,
    )  # fmt: skip


def _definitions(ordered: list[_Scope], spec: LanguageSpec) -> list[_Scope]:
    """The definitions among the (ordered) scopes, nested and named."""
    constructors: set[str] = set()
    if spec.assigned_method is not None:
        ordered, constructors = _assigned_methods(ordered)
    defs = [s for s in _nest(ordered, spec) if _storable(s.qualified_name)]
    for s in defs:  # after nesting: the functions a constructor declares stay functions
        if s.parent is None and s.kind == "Function" and s.name in constructors:
            s.kind = "Class"
    return defs


def _overloaded(defs: list[_Scope]) -> set[str]:
    """The callables defined more than once: their parameter types are kept, since nothing
    else is told apart by them."""
    named = Counter(s.qualified_name for s in defs if s.params is not None)
    return {name for name, count in named.items() if count > 1}


def _call(caps: dict[str, list[Node]], language: str, spec: LanguageSpec) -> _Call:
    """A call the query matched."""
    receiver_node = caps["call.receiver"][0] if "call.receiver" in caps else None
    receiver = _receiver(receiver_node) if receiver_node is not None else None
    name_node = caps["call.name"][0]
    name = text(name_node)
    node = caps["call"][0]
    # `new Options<T>()` creates `Options`1`, where type parameters tell types apart (C#).
    generic = spec.type_parameters is not None and node.type == "object_creation_expression"
    if generic and name_node.parent is not None and name_node.parent.type == "generic_name":
        name = text(name_node.parent)  # with its type arguments, counted below
    if "::" in name and language == "cpp":
        # `a::b::f()`, `new a::B()`: the receiver keeps its `::` to say it is a namespace or
        # a type, never an object whose method may be guessed; `::close()` is `::`, the
        # global namespace.
        owner, _, name = name.rpartition("::")
        receiver, name = f"{owner.strip()}::", name.strip()
    elif language == "php" and "\\" in name:
        # `new Op\Update()`, `\unlink()`: the receiver keeps a `\` to say it is a namespace
        # path, relative (`Op\`: the file's namespace's, or what `Op` is `use`d as) or
        # absolute (`\App\Op`; `\` alone, the global namespace).
        owner, _, name = name.rpartition("\\")
        receiver = owner if "\\" in owner else f"{owner}\\"
    elif not name.isidentifier():  # `a.b.C<T>` from `new a.b.C<T>()`
        owner, _, name = type_name(name, generic=generic).rpartition(".")
        receiver = owner or receiver
    elif receiver and language == "rust" and receiver_node is not None:
        parent = receiver_node.parent
        if parent is not None and parent.type == "scoped_identifier":
            receiver = rust_call_path(receiver_node, receiver)  # `super::f()`, `self::f()`
    args = spec.arguments(node) if spec.arguments is not None else None
    hints = spec.argument_types(node) if args and spec.argument_types is not None else None
    shown = (
        spec.shown_type(receiver_node)
        if receiver_node is not None and spec.shown_type is not None
        else None
    )
    creates = node.type in _CREATIONS
    on, field, element = None, None, None
    if receiver == "?" and receiver_node is not None:
        on, field, holder = _field_of(receiver_node)
        element = element_source(holder)
    return _Call(node.start_byte, name, receiver, line(node), args, creates, hints, shown,
                 node.end_byte, on, field, element)  # fmt: skip


def _field_of(node: Node) -> tuple[tuple[int, int], str | None, Node]:
    """The span of an expression receiver (`_unwrapped_span`), or where it is a field of an
    expression (`a.b().c` of `a.b().c.d()`), that expression's span and the field's name;
    and the node of the expression."""
    for holder_field, name_field in _FIELD_ACCESS.get(node.type, ()):
        holder, name = node.child_by_field_name(holder_field), node.child_by_field_name(name_field)
        if holder is not None and name is not None and name.type in _FIELD_NAMES:
            return _unwrapped_span(holder), text(name), holder
    return _unwrapped_span(node), None, node


# Nodes of a field of an expression, by their fields for the expression and the field's name
# (one node type may be two languages': Rust's and C++'s `field_expression`).
_FIELD_ACCESS = {
    "member_expression": [("object", "property")],  # JavaScript, TypeScript
    "attribute": [("object", "attribute")],  # Python
    "selector_expression": [("operand", "field")],  # Go
    "field_access": [("object", "field")],  # Java
    "field_expression": [("value", "field"), ("argument", "field")],  # Rust, C++
    "member_access_expression": [("expression", "name"), ("object", "name")],  # C#, PHP
}
# A field's name, not a computed member or a tuple index (Rust's `.0`).
_FIELD_NAMES = frozenset({"property_identifier", "identifier", "field_identifier", "name"})


def _unwrapped_span(node: Node) -> tuple[int, int]:
    """The span of an expression inside what leaves its type to calls as the callee declares
    it: parentheses (`(new Foo()).run()`), an `await` (a declared `Promise<Foo>` is kept as
    a Foo), Rust's `?` (`Result<Foo, E>` likewise), TypeScript's `!` and Kotlin's `!!`."""
    for _ in range(_MAX_WRAPPING):
        postfix = node.type == "unary_expression" and node.children[-1].type == "!!"
        if (node.type not in _WRAPPING and not postfix) or not node.named_children:
            break
        node = node.named_children[0]
    return node.start_byte, node.end_byte


_WRAPPING = frozenset({"parenthesized_expression", "await_expression", "await",
                       "try_expression", "non_null_expression"})  # fmt: skip
_MAX_WRAPPING = 8  # `(await (x()?))`: enough for any real code


def _storable(name: str) -> bool:
    # A nested definition's qualified name holds its parent's: it goes with its parent.
    return len(name.encode("utf-8", "surrogatepass")) <= MAX_NAME_BYTES


def _add_definition(
    scopes: dict[int, _Scope],
    caps: dict[str, list[Node]],
    pattern: int,
    spec: LanguageSpec,
    path: str,
) -> None:
    kind = next((k[4:] for k in caps if k.startswith("def.")), None)
    name_nodes = caps.get("name")
    if kind is None or not name_nodes:
        return
    node = caps[f"def.{kind}"][0]
    known = scopes.get(node.id)
    if known is not None and known.pattern <= pattern:
        return  # the same node matched a more specific, earlier pattern
    owner_nodes, self_nodes = caps.get("owner"), caps.get("self")
    assigned = spec.assigned_method(node) if owner_nodes and spec.assigned_method else None
    if owner_nodes and spec.assigned_method and assigned is None:
        return  # a property set inside a function, no definition
    callable_ = kind in CALLABLE_KINDS
    # A Ruby symbol names an attribute's methods (`attr_reader :response`).
    owner, name = _split_owner(text(name_nodes[0]).removeprefix(":"))
    if owner_nodes:
        owner = type_name(text(owner_nodes[0]))
    if callable_ and spec.own_name is not None:
        name = spec.own_name(node, name)
    scopes[node.id] = _Scope(
        node.start_byte, node.end_byte, kind, name, owner,
        text(self_nodes[0]) if self_nodes else None, line(node), _end_line(node), pattern,
        hidden=callable_ and spec.hidden is not None and spec.hidden(node, path),
        singleton=callable_ and spec.singleton is not None and spec.singleton(node),
        arity=spec.arity(node) if callable_ and spec.arity is not None else None,
        generic=spec.type_parameters(node) if kind in TYPE_KINDS and spec.type_parameters else 0,
        extends=spec.extends(node) if callable_ and spec.extends is not None else None,
        params=spec.parameter_types(node) if callable_ and spec.parameter_types else None,
        returns=spec.returns(node) if callable_ and spec.returns is not None else None,
        assigned=assigned,
    )  # fmt: skip


# What a method may be assigned to: the file's top-level function, class or object.
_ASSIGNABLE = frozenset({"Function", "Class", "Object"})


def _assigned_methods(ordered: list[_Scope]) -> tuple[list[_Scope], set[str]]:
    """JavaScript's methods assigned outside a class (`View.prototype.render = function`,
    `app.set = function`): kept where the file defines their owner at its top level (not a
    library's `Array.prototype`, nor an imported object), and so are only the objects
    (`var app = {}`) given one. Returns the scopes kept and the names of the functions given
    methods, which are classes: constructors (`prototype` methods), or functions that carry
    functions of their own (`hooks.updateOffset = function`), reached as a class's."""
    top: dict[str, str] = {}  # the top-level definitions by name: their kinds
    nested: set[int] = set()
    end = -1
    for s in ordered:
        if s.start < end:
            nested.add(s.start)
        else:
            end = s.end
            if s.assigned is None:
                top.setdefault(s.name, s.kind)
    owners: set[str] = set()
    constructors: set[str] = set()
    kept = []
    for s in ordered:
        if s.assigned is not None:
            if s.owner is None or top.get(s.owner) not in _ASSIGNABLE:
                continue
            owners.add(s.owner)
            if top[s.owner] == "Function":
                constructors.add(s.owner)
        kept.append(s)
    return [
        s for s in kept if s.kind != "Object" or (s.name in owners and s.start not in nested)
    ], constructors


def _add_namespaces(scopes: dict[int, _Scope], root: Node) -> bool:
    """A PHP file of several `namespace` blocks: each named block is a Namespace whose
    qualified name is its namespace (`League.Flysystem.Ftp`), so its definitions are
    `League.Flysystem.Ftp.ftp_raw`; those of a global `namespace { }` have no prefix.
    Returns whether the file is one such."""
    nodes = [node for node in root.named_children if node.type == "namespace_definition"]
    if len(nodes) < 2:
        return False
    for node, name, stop, end_line in namespace_blocks(nodes, root):
        if name:
            scopes[node.id] = _Scope(
                node.start_byte, stop, "Namespace", name, None, None, line(node), end_line, -1,
                qualified_name=dotted(name),
            )  # fmt: skip
    return True


def _add_impl(scopes: dict[int, _Scope], caps: dict[str, list[Node]], pattern: int) -> None:
    node, type_nodes, trait = caps["impl"][0], caps.get("impl.type"), caps.get("impl.trait")
    if not type_nodes:
        return
    scopes[node.id] = _Scope(
        node.start_byte, node.end_byte, _IMPL, type_name(text(type_nodes[0])), None, None,
        line(node), _end_line(node), pattern, trait=type_name(text(trait[0])) if trait else None,
    )  # fmt: skip


def _nest(ordered: list[_Scope], spec: LanguageSpec) -> list[_Scope]:
    """Give every scope its qualified name, parent and final kind; drop impl pseudo-scopes."""
    stack: list[_Scope] = []
    namespaces: set[str] = set()
    result: list[_Scope] = []
    for scope in ordered:
        while stack and stack[-1].end <= scope.start:
            stack.pop()
        outer = stack[-1] if stack else None
        prefix = outer.qualified_name if outer is not None else ""
        if scope.assigned:  # named from the top level, even inside `a.b = a.c = function`
            prefix = ""
        if scope.owner:
            scope.parent = _join(prefix, scope.owner)
            if scope.kind == "Function" and scope.parent not in namespaces:
                scope.kind = "Method"
        elif outer is not None:
            scope.parent = prefix
            if scope.kind == "Function" and (
                outer.kind == _IMPL or outer.kind in spec.method_containers
            ):
                scope.kind = "Method"
        name = with_arity(scope.name, scope.generic)
        if scope.qualified_name:  # a PHP namespace block's, set by `_add_namespaces`
            pass
        elif scope.singleton and outer is not None and outer.kind in spec.method_containers:
            scope.qualified_name = singleton_name(prefix, name)
        else:
            scope.qualified_name = _join(scope.parent or "", name)
        if scope.kind == "Namespace":
            namespaces.add(scope.qualified_name)
        stack.append(scope)
        if scope.kind != _IMPL:
            result.append(scope)
    return result


def _enclosing(defs: list[_Scope], positions: list[int]) -> list[str | None]:
    """The qualified name of the innermost definition around each (ascending) position."""
    stack: list[_Scope] = []
    out: list[str | None] = []
    i = 0
    for pos in positions:
        while i < len(defs) and defs[i].start <= pos:
            while stack and stack[-1].end <= defs[i].start:
                stack.pop()
            stack.append(defs[i])
            i += 1
        while stack and stack[-1].end <= pos:
            stack.pop()
        out.append(stack[-1].qualified_name if stack else None)
    return out


def _calls(
    defs: list[_Scope],
    calls: list[_Call],
    declared: Bindings,
    spec: LanguageSpec,
    language: str,
    *,
    blocks: list[tuple[int, int]],
) -> tuple[CallSite, ...]:
    calls.sort(key=lambda c: c.at)
    positions = [c.at for c in calls]
    callers = _enclosing(defs, positions)
    in_blocks = _in_blocks(defs, blocks, positions) if blocks else [False] * len(calls)
    # A Go method names its receiver: `s.db.Query()` inside `func (s *Store)` reads a field.
    own = {s.qualified_name: s.self_name for s in defs if s.self_name} if declared else {}
    bare_fields = language in IMPLICIT_FIELDS
    own_types = _own_types(defs) if language in _FIELDS_TYPED else {}

    def typed(hint: str | None, caller: str | None, seen: TypeLookup) -> str | None:
        if hint is None or not hint.startswith("="):
            return hint
        if not declared:
            return None
        found = receiver_type(seen, hint[1:], caller, spec.self_names, bare_fields=bare_fields)
        if found is not None and RESULT in found:
            # A chain's result names no type an overload declares; the type written out for
            # the name may (`Type type = new TypeToken<T>() {}.getType()`).
            found = receiver_type(declared, hint[1:], caller, spec.self_names,
                                  bare_fields=bare_fields)  # fmt: skip
        return found

    def arg_types(
        hints: tuple[str | None, ...] | None, caller: str | None, seen: TypeLookup
    ) -> tuple[str | None, ...] | None:
        found = tuple(typed(hint, caller, seen) for hint in hints) if hints else ()
        return found if any(found) else None

    def receiver_in(table: TypeLookup, receiver: str | None, caller: str | None) -> str | None:
        return receiver_type(table, receiver, caller, spec.self_names,
                             self_name=own.get(caller or ""), bare_fields=bare_fields,
                             own_type=own_types.get(caller or ""))  # fmt: skip

    receivers: list[str | None] = []
    hinted: list[tuple[str | None, ...] | None] = []
    seen_at = declared.views()
    for call, caller in zip(calls, callers, strict=True):
        receiver, shown = call.receiver, call.shown
        seen = seen_at(call.at)  # a name bound again: its binding before the call
        typed_as = shown or (receiver_in(seen, receiver, caller) if declared or own_types else None)
        if not shown and Bindings.read_rebound(seen):
            typed_as = _or_first(typed_as, receiver_in(declared, receiver, caller))
        if call.element is not None and (declared or own_types):
            typed_as = element_receiver(declared, seen, call.element, caller, spec.self_names,
                                        generic=spec.type_parameters is not None,
                                        self_name=own.get(caller or ""), bare_fields=bare_fields,
                                        own_type=own_types.get(caller or ""))  # fmt: skip
            if typed_as is not None and call.field is not None:  # `xs[0].conn.close()`
                typed_as = f"{typed_as}{FIELD}{call.field}"
        receivers.append(typed_as)
        hinted.append(arg_types(call.hints, caller, seen))
    _type_chains(calls, receivers, hinted, spec)
    return tuple(
        CallSite(c.name, c.receiver, c.line, caller, c.args, typed_as, c.creates, hints, block)
        for c, caller, block, typed_as, hints in zip(calls, callers, in_blocks, receivers, hinted,
                                                      strict=True)
    )  # fmt: skip


def _type_chains(
    calls: list[_Call],
    typed: list[str | None],
    hinted: list[tuple[str | None, ...] | None],
    spec: LanguageSpec,
) -> None:
    """Type each call made on another call's result (`s.query().filter()`, `new Foo().run()`)
    by what that call returns (`receiver_types.result_type`), and each on a name set from
    such a call (`q = s.query().filter(); q.run()`: `result_at`): the calls' receiver types
    (`typed`) and argument types (`hinted`), in place. Inner calls end first, so each link
    is typed before the calls on its result; a use before the call its name is set from
    (a function above a module's `q = ...`) is typed once that call is. A method passing its
    receiver on (`LanguageSpec.passing`: Rust's `unwrap`) gives its receiver's type; an
    `Option`'s own (`LanguageSpec.wrapper_methods`) on a call's result is on no known type;
    a name set from a call keeps the callee's declared type for them (`let h = s.find();
    h.is_none()`), which the branch may define (ripgrep's `Match::is_none`)."""
    todo = [i for i, (call, typed_as, hints) in enumerate(zip(calls, typed, hinted, strict=True))
            if call.on is not None or (typed_as and RESULT in typed_as)
            or (hints and any(hint and RESULT in hint for hint in hints))]  # fmt: skip
    if not todo:
        return
    by_span = {(call.at, call.end): i for i, call in enumerate(calls)}
    by_end: dict[int, int] = {}  # the outermost call ending at each byte (Ruby's `f g x`)
    for i, call in enumerate(calls):
        if call.end not in by_end or calls[by_end[call.end]].at > call.at:
            by_end[call.end] = i
    pending = set(todo)  # calls the first round has yet to type

    def returned(i: int | None) -> str | None:
        if i is None:
            return None
        made, typed_as = calls[i], typed[i]
        if made.receiver is not None and typed_as is not None:
            # Rust's declared `Option<Foo>`, unwrapped: of a type as last bound, else as first
            # (`ELSE`), each part's where each is a holder (a `Wrapper` of the branch may
            # define an `unwrap` of its own, which its `Option<Foo>` before must not replace).
            held = [taken_out(part, made.name) for part in typed_as.split(ELSE)]
            if all(held):
                return ELSE.join(part for part in held if part)
        if made.name in spec.passing and made.receiver is not None:
            return typed[i]
        return result_type(made.receiver, made.name, made.creates, typed[i])

    def result(end: int) -> str | None:
        i = by_end.get(end)
        if i is not None and i in pending:
            return result_at(end)  # not typed yet: kept for the second round
        return returned(i)

    todo.sort(key=lambda i: calls[i].end)
    for i in todo:
        call, typed_as = calls[i], typed[i]
        if typed_as is not None and RESULT in typed_as:
            typed[i] = with_results(typed_as, result)
        elif typed_as is None and call.on is not None and call.name not in spec.wrapper_methods:
            made = returned(by_span.get(call.on))  # None: on no call (`xs[0].run()`)
            if made is not None and call.field is not None:  # `a.b().c.d()`: b's result's c
                made = f"{made.partition(ELSE)[0]}{FIELD}{call.field}"
            typed[i] = made
        pending.discard(i)
    for i in todo:  # what the first round kept, then nothing of a call site left
        for known in (result, lambda _: None):
            typed_as = typed[i]
            if typed_as is not None and RESULT in typed_as:
                typed[i] = with_results(typed_as, known)
        hints = hinted[i]
        if hints is not None and any(hint and RESULT in hint for hint in hints):
            kept = tuple(None if hint and RESULT in hint else hint for hint in hints)
            hinted[i] = kept if any(kept) else None


def _or_first(last: str | None, first: str | None) -> str | None:
    """A receiver's type by the binding before the call (`last`), or where that says nothing,
    by the name's first binding in its definition (`first`): the same variable, or one of
    the same name, likelier of the same type than not. Where the first is a type written
    out, it is the fallback (`ELSE`) of another last: `$package = $queue->dequeue()` after
    `BasePackage $package`, `dep = new ParamDependency()` (a class passed as a parameter)
    after `dep = new ConstDependency()`."""
    if last is None or first is None or last == first:
        return last or first
    written = not first.startswith((FROM_CALL, EACH)) and FIELD not in first
    return f"{last}{ELSE}{first}" if written and ELSE not in last else last


# What a match binding a typed name captures (`specs`).
_TYPED_CAPTURES = frozenset({"typed.type", "typed.alias", "typed.call", "typed.each", "typed.item",
                             "typed.doc"})  # fmt: skip
# What may type a name other than its declaration: a doc comment, a type test.
_TYPED_BY = ("typed.doc", "typed.narrowed", "typed.after")
# Languages whose doc comments name types that the file must import or define to count:
# JSDoc's may name a typedef of an object's shape or an ambient type, which says nothing of
# an object's methods (its calls stay as on an unknown object), besides a global class.
_DOC_TYPES_IMPORTED = frozenset({"javascript"})
# The nodes that end a binding made inside them, by language: blocks where the language
# scopes names to them, loops (their variable), lambdas. Python's and PHP's blocks do not.
_BINDING_SCOPES = {
    "go": frozenset({"block", "func_literal", "for_statement", "if_statement",
                     "expression_switch_statement", "type_switch_statement"}),
    "java": frozenset({"block", "lambda_expression", "enhanced_for_statement",
                       "for_statement"}),
    "csharp": frozenset({"block", "lambda_expression", "foreach_statement", "for_statement"}),
    "kotlin": frozenset({"block", "lambda_literal", "for_statement"}),
    "rust": frozenset({"block", "closure_expression", "for_expression"}),
    "c": frozenset({"compound_statement", "for_statement"}),
    "cpp": frozenset({"compound_statement", "lambda_expression", "for_range_loop",
                      "for_statement"}),
    "python": frozenset({"lambda", "list_comprehension", "set_comprehension",
                         "dictionary_comprehension", "generator_expression"}),
    "php": frozenset({"anonymous_function", "arrow_function"}),
}  # fmt: skip
_BINDING_SCOPES |= dict.fromkeys(
    ("javascript", "typescript", "tsx"),
    frozenset({"statement_block", "arrow_function", "function_expression",
               "for_in_statement", "for_statement"}),
)  # fmt: skip


# Languages whose fields have declared types (`FileExtraction.fields`): a path through a
# field of the caller's own type that the file does not declare is looked up in the type's
# other files (`this.repo.save()` of a base class's field, a Go struct in another file).
_FIELDS_TYPED = frozenset(
    {"go", "java", "kotlin", "csharp", "typescript", "tsx", "python", "php", "rust", "cpp",
     "javascript"}
)  # fmt: skip


def _own_types(defs: list[_Scope]) -> dict[str, str]:
    """For each callable, the type whose method it is or is nested in (a Go method's
    receiver type, though another file defines it)."""
    by_name = {s.qualified_name: s for s in defs}
    found: dict[str, str] = {}
    for scope in defs:
        current: _Scope | None = scope
        for _ in range(_MAX_NESTING):
            if current is None or current.kind not in CALLABLE_KINDS:
                break
            if current.kind == "Method" and current.parent:
                found[scope.qualified_name] = current.parent
                break
            current = by_name.get(current.parent) if current.parent else None
    return found


_MAX_NESTING = 16  # functions in functions in a method: enough for any real code


def _in_blocks(
    defs: list[_Scope], blocks: list[tuple[int, int]], positions: list[int]
) -> list[bool]:
    """For each (ascending) position, whether a block (`@block`) holds it within its
    innermost definition (or the file): one sweep, as blocks and definitions nest."""
    blocks.sort(key=lambda b: (b[0], -b[1]))
    open_defs: list[_Scope] = []
    open_blocks: list[tuple[int, int]] = []
    out: list[bool] = []
    d = b = 0
    for pos in positions:
        while d < len(defs) and defs[d].start <= pos:
            open_defs.append(defs[d])
            d += 1
        while b < len(blocks) and blocks[b][0] <= pos:
            open_blocks.append(blocks[b])
            b += 1
        while open_defs and open_defs[-1].end <= pos:
            open_defs.pop()
        while open_blocks and open_blocks[-1][1] <= pos:
            open_blocks.pop()
        scope_start = open_defs[-1].start if open_defs else -1
        out.append(bool(open_blocks) and open_blocks[-1][0] > scope_start)
    return out


def _declared(
    defs: list[_Scope],
    found: list[tuple[TypedName | None, str | None]],
    imports: list[Import],
    spec: LanguageSpec,
    language: str,
) -> tuple[Bindings, Declared]:
    """The file's typed names (see `receiver_types`; found with what typed them, `_TYPED_BY`),
    each under its enclosing definition, and those of collections (`declared_types`)."""
    typed = _typed_names(found, imports, defs, language)
    if not typed:
        return Bindings(), {}
    narrowed = frozenset(
        name[0] for name, by in found if name and by in ("typed.narrowed", "typed.after")
    )
    typed.sort(key=lambda t: t[0])
    owners = _enclosing(defs, [t[0] for t in typed])
    types = {s.qualified_name for s in defs if s.kind in TYPE_KINDS}
    return declared_types(
        typed,
        owners,
        types,
        generic=spec.type_parameters is not None,
        self_names=spec.self_names,
        self_name_of={s.qualified_name: s.self_name for s in defs if s.self_name},
        bare_fields=language in IMPLICIT_FIELDS,
        scopes=_BINDING_SCOPES.get(language, frozenset()),
        narrowed=narrowed,
        holders=language == "rust",
    )


def _typed_by(caps: dict[str, list[Node]]) -> str | None:
    """What typed the name a match captured, if not its declaration (`_TYPED_BY`)."""
    return next((capture for capture in _TYPED_BY if capture in caps), None)


def _typed_names(
    typed: list[tuple[TypedName | None, str | None]],
    imports: list[Import],
    defs: list[_Scope],
    language: str,
) -> list[TypedName]:
    """The typed names found, but of those typed by a doc comment in `_DOC_TYPES_IMPORTED`
    only the ones whose type the file imports or defines, or is a global class."""
    if language not in _DOC_TYPES_IMPORTED:
        return [name for name, _ in typed if name is not None]
    known = {i.alias or i.name for i in imports} | {s.name for s in defs if s.parent is None}
    known |= JS_GLOBAL_TYPES
    return [name for name, by in typed if name is not None
            and (by != "typed.doc" or name[2].removesuffix("[]").partition(".")[0] in known)
            ]  # fmt: skip


def _not_locals(
    defs: list[_Scope],
    bare: list[_Call],
    locals_: list[tuple[int, str]],
) -> list[_Call]:
    """The bare names that are calls: those their enclosing definition binds nowhere as a
    local. Anywhere, not only before the use as Ruby has it, so a doubt is no call."""
    if not bare:
        return []
    bare.sort(key=lambda b: b.at)
    locals_.sort()
    bound = set(zip(_enclosing(defs, [pos for pos, _ in locals_]), (n for _, n in locals_),
                    strict=True))  # fmt: skip
    callers = _enclosing(defs, [b.at for b in bare])
    return [b for b, caller in zip(bare, callers, strict=True) if (caller, b.name) not in bound]


def _locals(caps: dict[str, list[Node]]) -> list[tuple[int, str]]:
    """The names a `@local` or `@local.pattern` match binds, with their positions."""
    if "local.pattern" in caps:
        return _pattern_names(caps["local.pattern"][0])
    node = caps["local"][0]
    return [(node.start_byte, text(node))]


def _pattern_names(pattern: Node) -> list[tuple[int, str]]:
    """Every name a `case ... in` pattern may bind (`in {name:}`, `in [first, *rest]`)."""
    found: list[tuple[int, str]] = []
    queue, seen = [pattern], 0
    while queue and seen < _MAX_PATTERN_NODES:  # a walk, not recursion: nesting is unbounded
        node = queue.pop()
        seen += 1
        if node.type in ("identifier", "hash_key_symbol"):
            found.append((node.start_byte, text(node)))
        queue.extend(node.named_children)
    return found


def _inherits(
    defs: list[_Scope], supers: list[tuple[int, str, str, int]]
) -> tuple[Inheritance, ...]:
    kinds = {s.qualified_name: s.kind for s in defs}
    supers.sort(key=lambda s: s[0])
    children = _enclosing(defs, [s[0] for s in supers])
    found = [
        Inheritance(child, parent, kind, ln)
        for (_, parent, kind, ln), child in zip(supers, children, strict=True)
        if child is not None and kinds.get(child) in TYPE_KINDS and parent
    ]
    return tuple(dict.fromkeys(found))


def _base_name(node: Node, language: str, spec: LanguageSpec) -> str:
    """A base as written, dotted; a Ruby one from the top level keeps its `::`
    (`class Error < ::StandardError`), which its lookup starts from."""
    parent = type_name(text(node), generic=spec.type_parameters is not None)
    return f"::{parent}" if language == "ruby" and text(node).startswith("::") else parent


def _receiver(node: Node) -> str:
    if node.end_byte - node.start_byte > _MAX_RECEIVER:
        return "?"
    value = text(node)
    if value == "super()":
        return "super"
    # `$this->client` (PHP), `self->inner` (C): a path through fields, not an expression.
    return "?" if _EXPRESSION(value.replace("->", ".")) else value


def _split_owner(name: str) -> tuple[str | None, str]:
    """`geo::Circle::area` -> (`geo.Circle`, `area`): C++ out-of-line definitions."""
    if "::" not in name:
        return None, name
    owner, _, last = name.rpartition("::")
    return type_name(owner) or None, last


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _end_line(node: Node) -> int:
    end = node.end_point
    # A node ending at column 0 ends with the previous line's newline.
    if end.column == 0 and end.row > node.start_point.row:
        return end.row
    return end.row + 1
