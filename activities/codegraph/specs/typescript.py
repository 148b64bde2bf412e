"""TypeScript and TSX: the JavaScript rules plus interfaces (with their method signatures),
abstract methods, enums and `implements`; TSX also JSX's components rendered."""

from __future__ import annotations

from dataclasses import replace

from tree_sitter import Node

from activities.codegraph.model import OWN_TYPE
from activities.codegraph.names import type_name
from activities.codegraph.specs import (
    LanguageSpec,
    declared_private,
    first_named,
    result_type,
    text,
)
from activities.codegraph.specs.javascript import (
    COMMON,
    EACH,
    EACH_OF,
    JSX,
    WRAPPED,
    assigned_method,
    imports,
)

# `tasks.forEach(t => ...)`, `(t: Task) => ...`, `function (t) {...}`: t is an element of
# tasks (`javascript.EACH`).
_CALLBACKS = "".join(
    f"""
(call_expression
  function: (member_expression
    object: _EACH_OF @typed.each property: (property_identifier) @_each)
  arguments: (arguments . {callback})
  (#match? @_each "{EACH}"))"""
    for callback in (
        "(arrow_function parameter: (identifier) @typed.name)",
        *(f"({kind} parameters: (formal_parameters . "
          "(required_parameter pattern: (identifier) @typed.name)))"
          for kind in ("arrow_function", "function_expression")),
    )
)  # fmt: skip
QUERY = (
    COMMON
    + WRAPPED
    + """
(abstract_class_declaration name: (_) @name) @def.Class
(class_body (public_field_definition
  name: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @def.Method)
(export_statement "default" declaration: (abstract_class_declaration name: (_) @export.default))
(interface_declaration name: (_) @name) @def.Interface
(interface_body (method_signature name: (_) @name) @def.Method)
(class_body (abstract_method_signature name: (_) @name) @def.Method)
(enum_declaration name: (_) @name) @def.Enum
(extends_clause value: [(identifier) (member_expression)] @inherit.extends)
(implements_clause [(type_identifier) (nested_type_identifier)] @inherit.implements)
(implements_clause (generic_type name: (_) @inherit.implements))
(extends_type_clause type: [(type_identifier) (nested_type_identifier)] @inherit.extends)
(extends_type_clause type: (generic_type name: (_) @inherit.extends))
(required_parameter pattern: (identifier) @typed.name type: (type_annotation _TYPE @typed.type))
(optional_parameter pattern: (identifier) @typed.name type: (type_annotation _TYPE @typed.type))
; A parameter property (`constructor(protected logger: Logger)`) is a field of the class too.
(_
  [(accessibility_modifier) "readonly" (override_modifier)]
  pattern: (identifier) @typed.field
  type: (type_annotation _TYPE @typed.type))
(public_field_definition
  name: (property_identifier) @typed.name type: (type_annotation _TYPE @typed.type))
(variable_declarator name: (identifier) @typed.name type: (type_annotation _TYPE @typed.type))
; `const y = x as Foo`: y is a Foo. Not `connect() as Connect.Server`: an asserted call's
; type is often an alias resolution does not follow, where a guess did better (vite).
(variable_declarator
  name: (identifier) @typed.name
  !type
  value: (as_expression [(identifier) (member_expression)] _TYPE @typed.type))
(assignment_expression
  left: (member_expression object: (this) property: (property_identifier) @typed.field)
  right: (identifier) @typed.alias)
(variable_declarator
  name: (identifier) @typed.name
  !type
  value: [
    (call_expression function: [(identifier) (member_expression)] @typed.call)
    (await_expression (call_expression function: [(identifier) (member_expression)] @typed.call))
  ])
(for_in_statement
  left: (identifier) @typed.name
  operator: "of"
  right: _EACH_OF @typed.each)
(variable_declarator name: (identifier) @typed.name !type value: (subscript_expression) @typed.item)
""".replace(
        "_TYPE",
        "[(type_identifier) (nested_type_identifier) (generic_type) (array_type) (readonly_type)]",
    )
    + _CALLBACKS
).replace("_EACH_OF", EACH_OF)


def returns(node: Node) -> str | None:
    """The type a function, method or arrow function declares it returns (`(): Client`,
    `: ns.Client`, a builder's `: this`: `OWN_TYPE`); an async one's `Promise<Client>` is a
    Client once awaited, as the names set from it are (`const c = await connect()`)."""
    value = node.child_by_field_name("value") if node.type in _HOLDERS else node
    found = first_named(value.child_by_field_name("return_type") if value is not None else None)
    if found is not None and found.type == "this_type":
        return OWN_TYPE
    if found is not None and found.type == "generic_type":
        name = found.child_by_field_name("name")
        if name is not None and text(name) == "Promise":
            found = first_named(found.child_by_field_name("type_arguments"))
    return result_type(found)


# Definitions whose function is their value: `const f = (): T => ...`, a class field.
_HOLDERS = frozenset({"variable_declarator", "public_field_definition", "field_definition"})


def asserted_type(node: Node) -> str | None:
    """The type a call's receiver shows by an assertion (`(x as Foo).bar()`: Foo)."""
    if node.type != "parenthesized_expression" or node.named_child_count != 1:
        return None
    inner = node.named_children[0]
    if inner.type != "as_expression" or inner.named_child_count != 2:
        return None
    found = inner.named_children[1]
    return type_name(text(found)) or None if found.type in _NAMED_TYPES else None


# Type nodes naming a class (not an array, a union, a literal type).
_NAMED_TYPES = frozenset({"type_identifier", "nested_type_identifier", "generic_type"})


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    hidden=declared_private,
    returns=returns,
    assigned_method=assigned_method,
    shown_type=asserted_type,
)
# Plain TypeScript's grammar has no JSX: `<T>x` there is a type assertion.
SPECS = {"typescript": SPEC, "tsx": replace(SPEC, query=QUERY + JSX)}
