"""Per-language extraction specs: one tree-sitter query plus small hooks for what queries can't say.

Capture names the engine understands (see `extract.py`):

- `@def.<Kind>` a definition node, `@name` its name (may be `A::b`, split into owner and name),
  `@owner` an explicit owner type (Go receivers), `@self` the receiver variable name;
- `@impl` a block that adds methods to `@impl.type` (Rust `impl`), optionally for `@impl.trait`;
- `@call` a call or instantiation, `@call.name` the callee, `@call.receiver` what it is called on;
  with `@call.unless_local` only if the enclosing definition binds no local of that name, as
  a `@local` (a name it binds) or within a `@local.pattern` (a pattern of names it binds);
- `@inherit.extends` / `@inherit.implements` a supertype of the innermost enclosing definition;
- `@block` a block that may run with another `self` than the method around it (Ruby's
  `instance_eval`, `define_method`): the calls in it are `CallSite.in_block`;
- `@import` a node handed to the spec's `imports` hook; `@package` the file's package name;
- `@export.default` the name a module exports as its default (JavaScript, TypeScript);
- `@typed.name` a parameter, local or field declared with the type `@typed.type` (`Buffer b`,
  `var b = new Buffer()`), which calls on that name are looked up in; `@typed.field` one
  set as a field (`self.b = Buffer()`) wherever it is; `@typed.alias` instead of a type, a
  name whose declared type it takes (`self.client = client`); `@typed.call` instead, the
  callee of the call it is set from (`srv := NewServer()`), whose declared result it takes
  (`LanguageSpec.returns`); `@typed.each` instead, the collection a loop variable takes its
  values from (`for x of xs`, `xs.forEach(x => ...)`), whose element type it has;
  `@typed.item` instead, an element access it is set to (`x = xs[0]`; not a slice), whose
  collection's element type (or a mapping's value type) it has;
  `@typed.doc` instead, a doc comment giving the name's type (`LanguageSpec.documented`);
  with `@typed.narrowed`, a type test's: the name has `@typed.type` only inside that node
  (`if (x instanceof Foo) {...}`), or with `@typed.after`, from the end of that node (an
  `assert isinstance(x, Foo)`) to the end of the block holding it.
Captures starting with `_` are only for predicates.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from tree_sitter import Node

from activities.codegraph.element_types import collection_of
from activities.codegraph.model import Import
from activities.codegraph.names import type_name

_file = threading.local()
T = TypeVar("T")


@contextmanager
def reading(source: bytes) -> Iterator[None]:
    """Within the block, `text` reads the nodes of a tree parsed from `source`, and
    `read_once` keeps what hooks work out from them."""
    outer, outer_memo = getattr(_file, "source", None), getattr(_file, "memo", None)
    _file.source, _file.memo = source, {}
    try:
        yield
    finally:
        _file.source, _file.memo = outer, outer_memo


def read_once(node: Node, reader: Callable[[str], T]) -> T:
    """What `reader` makes of `node`'s text, worked out once while one file is read
    (`reading`), though matches hand a hook the node many times (a doc comment, once per
    parameter it documents, and again for its function's result)."""
    memo: dict[tuple[Any, int, int], Any] | None = getattr(_file, "memo", None)
    if memo is None:
        raise RuntimeError("specs.read_once called outside `reading(source)`")
    key = (reader, node.start_byte, node.end_byte)
    if key not in memo:
        memo[key] = reader(text(node))
    found: T = memo[key]
    return found


def text(node: Node) -> str:
    """The source text of `node`, decoded leniently (sources need not be valid UTF-8).

    Sliced from the file's bytes (see `reading`), not `node.text`: a tree parsed under a time
    limit was read through a callback, which `node.text` would call again for every node.
    """
    source: bytes | None = getattr(_file, "source", None)
    if source is None:
        raise RuntimeError("specs.text called outside `reading(source)`")
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")


def line(node: Node) -> int:
    """The 1-based line where `node` starts."""
    return node.start_point.row + 1


@dataclass(frozen=True)
class LanguageSpec:
    """How to extract one language: its query and the hooks that turn import nodes into data."""

    query: str
    imports: Callable[[Node], list[Import]]
    # Kinds whose directly nested functions are methods (a def in a class body).
    method_containers: frozenset[str] = frozenset({"Class", "Interface", "Struct", "Enum"})
    # Words that mean "this object" or "my parent class" as a call receiver.
    self_names: frozenset[str] = frozenset({"this"})
    super_names: frozenset[str] = frozenset({"super"})
    # Whether a callable's node (in the file at the path) declares it out of sight of other
    # files (`Definition.hidden`).
    hidden: Callable[[Node, str], bool] | None = None
    # Where a class may define a method on itself beside an instance method of the same
    # name (Ruby's `def self.build` and `def build`): whether a callable's node is one
    # (`Definition.singleton`).
    singleton: Callable[[Node], bool] | None = None
    # Where the language overloads by arity: the arguments a callable's node takes
    # (`Definition.arity`), and how many a call node passes (`CallSite.args`).
    arity: Callable[[Node], tuple[int, int | None] | None] | None = None
    arguments: Callable[[Node], int | None] | None = None
    # Where types are told apart by how many type parameters they take (C#'s `Options`
    # and `Options<T>`): the count a type's node declares. A generic type's qualified name
    # then carries it, and so do references to it (`Options`1`, as .NET names it).
    type_parameters: Callable[[Node], int] | None = None
    # The type an extension function's node extends (`Definition.extends`).
    extends: Callable[[Node], str | None] | None = None
    # Where overloads of one arity differ in their parameters' types: each parameter's
    # declared type (`Definition.params`; None for a variadic one), and what each of a
    # call's arguments shows of its type (`CallSite.arg_types`): a literal's, a `new T()`,
    # `=name` for a name whose declared type the extraction reads, else None.
    parameter_types: Callable[[Node], tuple[str | None, ...]] | None = None
    argument_types: Callable[[Node], tuple[str | None, ...] | None] | None = None
    # The type a call's receiver node shows by itself (`"x".slugify()`: `String`; `(s as
    # Sink).buffer()`: `Sink`), taken for the call's `CallSite.receiver_type` (Kotlin,
    # where it picks among extension functions).
    shown_type: Callable[[Node], str | None] | None = None
    # The name a callable's node goes by where the grammar's is a macro's (googletest's
    # `TEST_F(Suite, Name) {`: `TEST_F(Suite, Name)`), given the grammar's.
    own_name: Callable[[Node, str], str] | None = None
    # The type a callable's node declares it returns (`Definition.returns`).
    returns: Callable[[Node], str | None] | None = None
    # Methods of the language's own that give back what they are called on, as far as its
    # methods go (Rust's `unwrap` of an `Option<Foo>` whose callee's result is kept as a
    # Foo, Kotlin's `apply {}`): a call on their result is on that type (`result_type`).
    passing: frozenset[str] = frozenset()
    # Methods of the wrappers a declared result is kept through (`passing`): called on a
    # call's result, they may be the wrapper's (`a.get().map(...)` on an `Option<Foo>`), so
    # such a call is not taken for the kept type's.
    wrapper_methods: frozenset[str] = frozenset()
    # Where methods are defined by assignment (JavaScript's `F.prototype.m = function`,
    # `X.m = function`): for such a definition's node (one with an `@owner`), `prototype` or
    # `static` where it is a definition, None where it only sets a property (a handler
    # inside a function). The file's top-level function, class or object (`@def.Object`,
    # kept only then) of the owner's name gets it as a method; a function that gets
    # `prototype` ones is a constructor, a Class (`extract._assigned_methods`).
    assigned_method: Callable[[Node], str | None] | None = None
    # Where the doc comment may give the type the code leaves out (PHPDoc's `@var`,
    # `@param`): the name and type, as spelled, that a comment node (`@typed.doc`) gives a
    # name's node (`@typed.name`), or without one, a variable it names itself.
    documented: Callable[[Node, Node | None], tuple[str, str] | None] | None = None


# Where grammars put a declaration's `private`: Java's `modifiers`, C#'s `modifier`, PHP's
# `visibility_modifier`, TypeScript's `accessibility_modifier`, Kotlin's `modifiers`.
_MODIFIER_NODES = frozenset(
    {"modifiers", "modifier", "visibility_modifier", "accessibility_modifier"}
)


# Arguments whose count is known only at run time: `f(args...)` (C++), `f(*xs)` (Kotlin).
_SPREADS = frozenset({"parameter_pack_expansion", "spread_expression"})


def parameter_type(spelled: str) -> str:
    """A parameter's declared type as overloads are told apart by it: without generic
    arguments, nullability or a package (`java.util.List<String>?` is `List`), an array
    keeping its brackets (`byte[]`)."""
    value = spelled.strip().rstrip("?")
    cut = value.find("<")
    if cut > 0:
        close = value.rfind(">")
        value = value[:cut] + value[close + 1 :] if close > cut else value[:cut]
    return value.replace(" ", "").rpartition(".")[2]


def count_arguments(call: Node) -> int | None:
    """How many arguments the call node passes in its `arguments` field; None for a spread."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return None
    count = 0
    for child in arguments.named_children:
        if child.type in _SPREADS:
            return None
        count += child.type != "comment"
    return count


# Result type nodes that may name a type of the branch: a name, a path, a generic type.
# Never `void`, a primitive, an array, a union or a function type.
_NAMED_RESULTS = frozenset({
    "type_identifier", "identifier", "scoped_type_identifier", "generic_type",
    "nested_type_identifier", "qualified_name", "generic_name", "attribute", "user_type",
    "name",
})  # fmt: skip


# Array types' nodes: `Client[]`, `readonly Client[]`, Go's `[]*Client`, Rust's `[Client]`.
_ARRAYS = frozenset({"array_type", "readonly_type", "slice_type"})


def first_named(node: Node | None) -> Node | None:
    """The first named child of `node`, if any (None for None)."""
    return node.named_children[0] if node is not None and node.named_children else None


def result_type(node: Node | None, *, generic: bool = False) -> str | None:
    """A callable's declared result (`Definition.returns`) from its type node: a type name
    (`ns.Client`; `Options` for `Options<Client>`, or with `generic` `Options`1`), a
    collection's element type after `COLLECTION` (`[]Client` for `List<Client>` and
    `Client[]`), or None where it cannot name a type of the branch."""
    if node is None or (node.type not in _NAMED_RESULTS and node.type not in _ARRAYS):
        return None
    spelled = text(node)
    found = collection_of(spelled, generic=generic)
    if found is not None or node.type in _ARRAYS:
        return found
    return type_name(spelled, generic=generic) or None


def cast_type(node: Node, *, generic: bool = False) -> str | None:
    """The type a call's receiver node shows by a cast (Java's and C#'s `((Update) o).run()`,
    C#'s `(o as Update).Run()`), for `LanguageSpec.shown_type`; with `generic`, named with
    its arity (`type_name`)."""
    if node.type != "parenthesized_expression" or node.named_child_count != 1:
        return None
    inner = node.named_children[0]
    if inner.type == "cast_expression":
        found = inner.child_by_field_name("type")
    elif inner.type == "as_expression":
        found = inner.child_by_field_name("right")
    else:
        return None
    return type_name(text(found), generic=generic) or None if found is not None else None


def declared_private(node: Node, path: str = "") -> bool:
    """Whether the declaration `node` carries a `private` modifier."""
    for child in node.children:
        if child.type in _MODIFIER_NODES:
            for inner in child.children:
                if inner.type == "private" or any(t.type == "private" for t in inner.children):
                    return True
    return False


_MODULES: dict[str, str] = {
    "python": "python",
    "javascript": "javascript",
    "typescript": "typescript",
    "tsx": "typescript",
    "go": "go",
    "java": "java",
    "kotlin": "kotlin",
    "rust": "rust",
    "ruby": "ruby",
    "c": "c",
    "cpp": "cpp",
    "csharp": "csharp",
    "php": "php",
}


@cache
def get_spec(language: str) -> LanguageSpec:
    """The spec for `language`, imported on first use."""
    module = importlib.import_module(f"activities.codegraph.specs.{_MODULES[language]}")
    spec: LanguageSpec = module.SPECS[language] if hasattr(module, "SPECS") else module.SPEC
    return spec
