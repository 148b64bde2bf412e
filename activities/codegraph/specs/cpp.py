"""C++: the C rules plus classes (also specialisations: `template <> struct formatter<point>`),
namespaces, methods (also out-of-line `A::f`), bases, `new`."""

from __future__ import annotations

import re

from tree_sitter import Node

from activities.codegraph.element_types import collection_of
from activities.codegraph.names import type_name
from activities.codegraph.specs import LanguageSpec, count_arguments, text
from activities.codegraph.specs.c import COMMON, file_static, imports, local_patterns, test_name

# Parameters, locals and fields declared with a named type (`const Mutex& mu`, `Mutex* mu`,
# `Mutex mu_;`): a call on one is a call of that type's method. Not `auto`.
_TYPE = "[(type_identifier) (qualified_identifier) (template_type)] @typed.type"
_NAMED = ("{}", "(pointer_declarator declarator: {})", "(reference_declarator {})")
TYPED = "".join(
    f"({owner} type: {_TYPE} declarator: {shape.format(name)})\n"
    for owner, name in (
        ("parameter_declaration", "(identifier) @typed.name"),
        ("optional_parameter_declaration", "(identifier) @typed.name"),
        ("field_declaration", "(field_identifier) @typed.name"),
        ("for_range_loop", "(identifier) @typed.name"),
        ("declaration", "(identifier) @typed.name"),
        *(("declaration", f"(init_declarator declarator: {inner})")
          for inner in (n.format("(identifier) @typed.name") for n in _NAMED)),
    )
    for shape in _NAMED
    if not (owner == "declaration" and "init_declarator" in name and shape != "{}")
)  # fmt: skip
# `auto x = Foo{1}`, `auto* x = new Foo`: the type constructed.
_AUTO = (
    "(declaration type: (placeholder_type_specifier)"
    " declarator: (init_declarator declarator: {} value: {}))\n"
)
_CONSTRUCTED = (
    "(compound_literal_expression type: [(type_identifier) (qualified_identifier)] @typed.type)",
    "(new_expression type: " + _TYPE + ")",
)
TYPED += "".join(
    _AUTO.format(shape.format("(identifier) @typed.name"), value)
    for shape in _NAMED
    for value in _CONSTRUCTED
)
# `auto conn = pool.Acquire()`, `auto x = Foo(1)`: the type the callee declares it returns
# (`returns`), or the class called (`auto n = count()` is a function's result, and Google's
# style capitalises functions too: `auto s = absl::StrCat()`).
TYPED += "".join(
    _AUTO.format(
        shape.format("(identifier) @typed.name"),
        "(call_expression function: [(identifier) (qualified_identifier) (field_expression)]"
        " @typed.call)",
    )
    for shape in _NAMED
)
# `auto& c = conns[i]`: an element of conns.
TYPED += "".join(
    _AUTO.format(shape.format("(identifier) @typed.name"), "(subscript_expression) @typed.item")
    for shape in _NAMED
)
# `auto* p = dynamic_cast<Foo*>(b)`, `static_cast` too: the type cast to.
_CAST = (
    "(call_expression function: (template_function name: (identifier) @_cast"
    f" arguments: (template_argument_list . (type_descriptor type: {_TYPE}) .))"
    ' (#match? @_cast "^(static|dynamic|reinterpret|const)_cast$"))'
)
TYPED += "".join(_AUTO.format(shape.format("(identifier) @typed.name"), _CAST) for shape in _NAMED)
# `for (auto& x : xs)`: an element of xs (`std::vector<Foo> xs`).
TYPED += "".join(
    "(for_range_loop type: (placeholder_type_specifier)"
    f" declarator: {shape.format('(identifier) @typed.name')}"
    " right: [(identifier) (field_expression)"
    "         (call_expression function: [(identifier) (qualified_identifier) (field_expression)])]"
    " @typed.each)\n"
    for shape in _NAMED
)

QUERY = (
    COMMON
    # C++ adds default arguments and references: `F&& f` ... `f()`.
    + local_patterns(("optional_parameter_declaration",))
    + local_patterns(
        ("parameter_declaration", "optional_parameter_declaration", "init_declarator"),
        ("(reference_declarator {})",),
    )
    + """
(function_definition
  declarator: (reference_declarator (function_declarator declarator: (_) @name))) @def.Function
(class_specifier name: (type_identifier) @name body: (_)) @def.Class
(class_specifier name: (template_type name: (type_identifier) @name) body: (_)) @def.Class
(struct_specifier name: (template_type name: (type_identifier) @name) body: (_)) @def.Struct
(namespace_definition name: (_) @name) @def.Namespace
(base_class_clause [(type_identifier) (qualified_identifier)] @inherit.extends)
(base_class_clause (template_type name: (_) @inherit.extends))
(call_expression function: (qualified_identifier) @call.name (#not-match? @call.name "[<>]")) @call
(new_expression type: [(type_identifier) (qualified_identifier)] @call.name) @call
"""
    + TYPED
)

_MAX_DECLARATORS = 16  # `int *const *&f(...)`: pointers and references around the name


def arity(node: Node) -> tuple[int, int | None] | None:
    """`f(int a, int b = 2, ...)` takes one argument or more; `f(void)` none."""
    declarator = node.child_by_field_name("declarator")
    for _ in range(_MAX_DECLARATORS):
        if declarator is None or declarator.type == "function_declarator":
            break
        declarator = declarator.child_by_field_name("declarator")
    if declarator is None or declarator.type != "function_declarator":
        return None
    parameters = declarator.child_by_field_name("parameters")
    kinds = [c.type for c in parameters.children] if parameters is not None else []
    required = kinds.count("parameter_declaration")
    if required == 1 and parameters is not None and _void(parameters):
        required = 0
    optional = kinds.count("optional_parameter_declaration")
    variadic = "..." in kinds or "variadic_parameter_declaration" in kinds
    return required, None if variadic else required + optional


def _void(parameters: Node) -> bool:
    """`(void)`: a C-style empty parameter list."""
    only = parameters.named_children[0]
    return only.child_by_field_name("declarator") is None and text(only) == "void"


# Pointers a call's result is used through, as `_DEREF` in receiver_types sees through them.
_SMART_POINTER = re.compile(r"(?:std::)?(?:unique_ptr|shared_ptr)\s*<(.+)>")


def returns(node: Node) -> str | None:
    """The type a function definition returns (`Conn* Pool::Acquire()`, `net::Conn`,
    `std::unique_ptr<Conn>` as Conn); not a primitive, `auto`, or the standard library's."""
    found = node.child_by_field_name("type") if node.type == "function_definition" else None
    if found is None or found.type not in ("type_identifier", "qualified_identifier",
                                           "template_type"):  # fmt: skip
        return None
    spelled = text(found)
    collection = collection_of(spelled)  # `std::vector<Conn*>`: `[]Conn`
    if collection is not None:
        return collection
    pointer = _SMART_POINTER.fullmatch(spelled)
    name = type_name(pointer[1] if pointer else spelled)
    return None if not name or name.startswith("std.") else name


def cast_type(node: Node) -> str | None:
    """The type a call's receiver shows by a cast (`static_cast<Foo*>(b)->bar()`: Foo)."""
    function = node.child_by_field_name("function") if node.type == "call_expression" else None
    if function is None or function.type != "template_function":
        return None
    name, arguments = (function.child_by_field_name(f) for f in ("name", "arguments"))
    if name is None or arguments is None or text(name) not in _CASTS:
        return None
    described = arguments.named_children[0] if arguments.named_child_count == 1 else None
    found = described.child_by_field_name("type") if described is not None else None
    if found is None or found.type not in ("type_identifier", "qualified_identifier"):
        return None
    return type_name(text(found)) or None


_CASTS = frozenset({"static_cast", "dynamic_cast", "reinterpret_cast", "const_cast"})

SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Class", "Struct"}),
    hidden=file_static,
    arity=arity,
    arguments=count_arguments,
    own_name=test_name,
    returns=returns,
    shown_type=cast_type,
)
