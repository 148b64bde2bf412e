"""What extraction produces for one file: plain frozen dataclasses, picklable and JSON-friendly.

Names are recorded as written in the source; resolution (`resolve.py`) turns them into edges.
Qualified names are scoped within the file (`Outer.Inner.method`), always joined with `.`;
the file's package or namespace, where the language has one, is `FileExtraction.package`
(a PHP file of several namespace blocks has none: each block is a Namespace definition).
A Ruby method defined on its class itself rather than on its instances (`def self.build`)
has `self` before its name (`Foo.self.build`, beside the instance method `Foo.build`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Kinds become Neo4j labels, so they are fixed words rather than grammar node types. Ruby
# modules, Rust `mod` blocks and C++ namespaces are all `Namespace` ("Module" labels the
# external modules that imports point at).
# `Type`: a Go named type over another type (`type Color int`), which may have methods.
CLASS_KINDS = frozenset({"Class", "Interface", "Struct", "Enum", "Trait", "Object", "Type"})
CALLABLE_KINDS = frozenset({"Function", "Method"})
TYPE_KINDS = CLASS_KINDS | {"Namespace"}  # what a type reference or a mixin may name
ALL_KINDS = TYPE_KINDS | CALLABLE_KINDS
# Qualified names and module names end up in indexed properties and keys, which Neo4j caps at
# 8,167 bytes; extraction leaves out definitions and imports that spell longer ones (no
# hand-written code does), rather than fail the whole run.
MAX_NAME_BYTES = 1000
# The word between a class and the name of a method defined on the class itself, where
# such a method and an instance method of one name may stand side by side (Ruby's
# `def self.build` and `def build`: `Foo.self.build` and `Foo.build`).
SINGLETON = "self"
# `Definition.returns` for a callable returning the type that declares it (Rust's `Self`,
# PHP's `self` and `static`).
OWN_TYPE = "Self"


@dataclass(frozen=True, slots=True)
class Definition:
    """A class-like or callable definition; lines are 1-based and inclusive."""

    kind: str
    name: str
    qualified_name: str
    start_line: int
    end_line: int
    parent: str | None = None
    # The variable a method uses for its own instance when the language lets you pick it
    # (Go receivers), so `s.listen()` inside `func (s *Server)` resolves like `self.listen()`.
    self_name: str | None = None
    # A callable that other files cannot call by its name: declared `private` (Java, Kotlin,
    # C#, PHP, TypeScript), a Kotlin extension declared inside a class, a `static` function
    # of a C or C++ source file, a Ruby `def` inside a block. Never the guess for a call
    # elsewhere (okio: `x.toLong()` is Kotlin's, not a class's private
    # `fun LARGE_INTEGER.toLong()`); an import or `#include` of its file still reaches it.
    hidden: bool = False
    # How many arguments a callable takes, at least and at most (None: any number), where
    # the language overloads by it (Java, Kotlin, C#, C++): picks the overload a call reaches.
    arity: tuple[int, int | None] | None = None
    # The type a Kotlin extension function extends (`fun String.slugify()`: `String`): a
    # call on an object may reach it without its file importing it (the same package).
    extends: str | None = None
    # The declared type of each parameter (None: not known, or variadic), kept for the
    # definitions a file overloads (several of one qualified name): of the overloads that
    # take a call's arguments, the one whose types match most of `CallSite.arg_types`.
    params: tuple[str | None, ...] | None = None
    # The type a callable declares it returns, as spelled (pointers and a second result
    # left out: Go's `(*Server, error)` is `Server`), where the language declares it: a local
    # set from a call of it (`srv := NewServer()`) has that type.
    returns: str | None = None

    @property
    def singleton(self) -> bool:
        """Whether the method is defined on its class itself, not on its instances (Ruby's
        `def self.build`, a `def` inside `class << self`): its qualified name says so."""
        return self.parent is not None and self.qualified_name == singleton_name(
            self.parent, self.name
        )


def singleton_name(parent: str, name: str) -> str:
    """The qualified name of the method `name` defined on the class `parent` itself."""
    return f"{parent}.{SINGLETON}.{name}"


@dataclass(frozen=True, slots=True)
class Import:
    """One imported module or name: `from a.b import c as d` is module `a.b`, name `c`, alias `d`.

    `name` is None when a whole module is imported and `*` for wildcard imports. Module paths
    keep the language's own spelling (`..pkg`, `./x`, `crate::a`, `App\\Models`, `<stdio.h>`).
    """

    module: str
    name: str | None
    alias: str | None
    line: int
    # Binds in every file of the project, not only this one (C# `global using`).
    project_wide: bool = False


@dataclass(frozen=True, slots=True)
class CallSite:
    """A call (or instantiation) of `name`, on `receiver` if qualified (`?` for an expression)."""

    name: str
    receiver: str | None
    line: int
    caller: str | None  # qualified name of the innermost enclosing definition; None at top level
    # How many arguments it passes, where the language overloads by arity (None: not known,
    # such as a spread `f(*xs)`).
    args: int | None = None
    # The type the receiver is declared with, where the file says (`Buffer b` a parameter,
    # local or field; `var b = new Buffer()`): the call is looked up in that type. Set
    # from a call instead (`srv := NewServer()`), it is `()` and that call's callee as
    # written (`()NewServer`, `()server.New`): the type that callee returns. On another
    # call's result, that call's callee and, after `@`, its own receiver's type, down a
    # chain (`s.query().filter()`: `()s.query@Session`; `receiver_types.result_type`).
    receiver_type: str | None = None
    # `new Buffer()`: the name is a type's (or a JavaScript constructor function's), never
    # a method of the enclosing class named alike.
    creates: bool = False
    # What each argument shows of its type (a literal's, `new T()`'s, a typed name's; None
    # where nothing does), kept where one does: picks among overloads of one arity.
    arg_types: tuple[str | None, ...] | None = None
    # In a block inside its caller (Ruby's `it do ... end`, `define_method(:x) { ... }`),
    # which may run with another `self` than the caller's own (a spec's `@block`).
    in_block: bool = False


@dataclass(frozen=True, slots=True)
class Inheritance:
    """`child` (a qualified name in this file) extends or implements `parent` as written
    (dotted; a Ruby base spelled from the top level keeps its `::`: `::StandardError`)."""

    child: str
    parent: str
    kind: str  # "extends" | "implements", as the syntax says; resolution refines it
    line: int


@dataclass(frozen=True, slots=True, weakref_slot=True)  # weak: see affected.outside_words
class FileExtraction:
    """Everything extracted from one file, before any cross-file resolution."""

    path: str
    language: str
    package: str | None
    definitions: tuple[Definition, ...]
    imports: tuple[Import, ...]
    calls: tuple[CallSite, ...]
    inherits: tuple[Inheritance, ...]
    has_syntax_errors: bool
    # The name a JavaScript/TypeScript module exports as its default (`export default
    # function bar`, `export default Bar;`, `export { Bar as default }`): what
    # `import Foo from './bar'` binds.
    default_export: str | None = None
    # C/C++ macros this file defines to open namespaces, each with the dotted paths that reach
    # into them (`FMT_BEGIN_NAMESPACE`: `fmt.v11`, `fmt`), and the macros alone on a line of
    # it (`FMT_BEGIN_NAMESPACE`): where one of those opens a namespace (in whatever file
    # defines it), `fmt::format()` reaches the file's top-level definitions.
    namespace_macros: tuple[tuple[str, tuple[str, ...]], ...] = ()
    macro_lines: tuple[str, ...] = ()
    # The declared types of the fields of this file's types, (type, field, type as spelled
    # here, or `receiver_types.FROM_CALL` and a callee): a call through a field of another
    # file's type (`res.body.close()`, `s.db.Query()`) is looked up in the field's type.
    fields: tuple[tuple[str, str, str], ...] = ()

    def namespace_blocks(self) -> tuple[str, ...]:
        """The namespaces of a PHP file of several `namespace` blocks, in file order, as its
        top-level Namespace definitions name them (`League.Flysystem.Ftp`); its `package`
        is None. Empty for any other file."""
        if self.language != "php" or self.package is not None:
            return ()
        return tuple(d.qualified_name for d in self.definitions
                     if d.kind == "Namespace" and d.parent is None)  # fmt: skip

    def packages(self) -> tuple[str, ...]:
        """The packages (namespaces) the file defines names in: its own, or its blocks'."""
        return (self.package,) if self.package else self.namespace_blocks()

    def to_json(self) -> dict[str, Any]:
        """A compact JSON-ready form (lists of lists) for durable storage beside the File node."""
        data = {
            "v": 1,
            "path": self.path,
            "language": self.language,
            "package": self.package,
            "errors": self.has_syntax_errors,
            "defs": [_definition_row(d) for d in self.definitions],
            "imports": [_import_row(i) for i in self.imports],
            "calls": [_call_row(c) for c in self.calls],
            "inherits": [[h.child, h.parent, h.kind, h.line] for h in self.inherits],
        }
        if self.default_export is not None:  # absent otherwise: most files have none
            data["default"] = self.default_export
        if self.namespace_macros:
            data["ns_macros"] = [[name, list(paths)] for name, paths in self.namespace_macros]
        if self.macro_lines:
            data["macro_lines"] = list(self.macro_lines)
        if self.fields:
            data["fields"] = [list(field) for field in self.fields]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FileExtraction:
        """Inverse of `to_json`."""
        return cls(
            path=data["path"],
            language=data["language"],
            package=data["package"],
            definitions=tuple(_definition(row) for row in data["defs"]),
            imports=tuple(Import(*row) for row in data["imports"]),
            calls=tuple(_call(row) for row in data["calls"]),
            inherits=tuple(Inheritance(*row) for row in data["inherits"]),
            has_syntax_errors=data["errors"],
            default_export=data.get("default"),
            namespace_macros=tuple(
                (name, tuple(paths)) for name, paths in data.get("ns_macros", ())
            ),
            macro_lines=tuple(data.get("macro_lines", ())),
            fields=tuple((owner, name, spelled) for owner, name, spelled in data.get("fields", ())),
        )


# Rows leave out trailing values at their defaults: most definitions and calls have them.


def _import_row(i: Import) -> list[Any]:
    row: list[Any] = [i.module, i.name, i.alias, i.line]
    return [*row, True] if i.project_wide else row


def _definition_row(d: Definition) -> list[Any]:
    row = [d.kind, d.name, d.qualified_name, d.start_line, d.end_line, d.parent, d.self_name]
    extras: dict[str, Any] = {}
    if d.hidden:
        extras["hidden"] = True
    if d.arity is not None:
        extras["arity"] = list(d.arity)
    if d.extends is not None:
        extras["extends"] = d.extends
    if d.params is not None:
        extras["params"] = list(d.params)
    if d.returns is not None:
        extras["returns"] = d.returns
    if extras:
        row.append(extras)
    return row


def _definition(row: list[Any]) -> Definition:
    extras = row[7] if len(row) > 7 else {}
    arity = extras.get("arity")
    kind, name, qualified_name, start_line, end_line, parent, self_name = row[:7]
    return Definition(
        kind, name, qualified_name, start_line, end_line, parent, self_name,
        hidden=extras.get("hidden", False), arity=tuple(arity) if arity else None,
        extends=extras.get("extends"),
        params=tuple(extras["params"]) if "params" in extras else None,
        returns=extras.get("returns"),
    )  # fmt: skip


def _call(row: list[Any]) -> CallSite:
    name, receiver, line, caller, *rest = row
    rest += [None, None, False, None, False][len(rest) :]
    args, receiver_type, creates, arg_types, in_block = rest
    return CallSite(name, receiver, line, caller, args, receiver_type, creates,
                    tuple(arg_types) if arg_types is not None else None, in_block)  # fmt: skip


def _call_row(c: CallSite) -> list[Any]:
    arg_types = list(c.arg_types) if c.arg_types is not None else None
    row = [c.name, c.receiver, c.line, c.caller, c.args, c.receiver_type, c.creates, arg_types,
           c.in_block]  # fmt: skip
    while len(row) > 4 and (row[-1] is None or row[-1] is False):
        row.pop()
    return row
