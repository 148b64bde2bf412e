"""Go: struct, interface and other named types (`type Color int`), functions, methods by
receiver type (and what each returns), imports, embedding."""

from __future__ import annotations

from tree_sitter import Node

from activities.codegraph.element_types import collection_of
from activities.codegraph.model import Import
from activities.codegraph.names import type_name
from activities.codegraph.specs import LanguageSpec, line, text

QUERY = """
(type_spec name: (type_identifier) @name type: (struct_type)) @def.Struct
(type_spec name: (type_identifier) @name type: (interface_type)) @def.Interface
(type_spec
  name: (type_identifier) @name
  type: [(type_identifier) (qualified_type) (generic_type) (function_type) (slice_type)
         (array_type) (map_type) (pointer_type) (channel_type)]) @def.Type
(interface_type (method_elem name: (field_identifier) @name) @def.Method)
(function_declaration name: (identifier) @name) @def.Function
(method_declaration
  receiver: (parameter_list
    (parameter_declaration
      name: (identifier)? @self
      type: [
        (type_identifier) @owner
        (pointer_type (type_identifier) @owner)
        (generic_type type: (type_identifier) @owner)
        (pointer_type (generic_type type: (type_identifier) @owner))
      ]))
  name: (field_identifier) @name) @def.Function
(field_declaration !name type: [(type_identifier) (qualified_type)] @inherit.extends)
(field_declaration !name type: (pointer_type [(type_identifier) (qualified_type)] @inherit.extends))
(interface_type (type_elem [(type_identifier) (qualified_type)] @inherit.extends))
(call_expression function: (identifier) @call.name) @call
(call_expression
  function: (selector_expression
    operand: (_) @call.receiver field: (field_identifier) @call.name)) @call
; A function's parameters and named results, not those a function type spells
; (`identical func(x, y *Ident)` beside `x, y reflect.Value`): they bind nothing.
[
  (function_declaration parameters: (parameter_list _PARAMETER))
  (function_declaration result: (parameter_list _PARAMETER))
  (method_declaration parameters: (parameter_list _PARAMETER))
  (method_declaration result: (parameter_list _PARAMETER))
  (method_declaration receiver: (parameter_list _PARAMETER))
  (func_literal parameters: (parameter_list _PARAMETER))
  (func_literal result: (parameter_list _PARAMETER))
]
(var_spec name: (identifier) @typed.name type: _TYPE @typed.type)
(field_declaration name: (field_identifier) @typed.name type: _TYPE @typed.type)
; An embedded struct or interface is a field named after its type (`priv.PublicKey.N`).
(field_declaration !name type: [
  (type_identifier) @typed.name
  (qualified_type name: (type_identifier) @typed.name)
  (pointer_type [
    (type_identifier) @typed.name (qualified_type name: (type_identifier) @typed.name)])
] @typed.type)
(short_var_declaration
  left: (expression_list . (identifier) @typed.name)
  right: (expression_list . (call_expression
    function: [(identifier) (selector_expression)] @typed.call) .))
(var_spec
  name: (identifier) @typed.name
  !type
  value: (expression_list . (call_expression
    function: [(identifier) (selector_expression)] @typed.call) .))
(short_var_declaration
  left: (expression_list . (identifier) @typed.name .)
  right: (expression_list . [
    (composite_literal type: [(type_identifier) (qualified_type)] @typed.type)
    (unary_expression
      operand: (composite_literal type: [(type_identifier) (qualified_type)] @typed.type))] .))
(short_var_declaration
  left: (expression_list . (identifier) @typed.name .)
  right: (expression_list . (composite_literal type: [(slice_type) (map_type)] @typed.type) .))
(short_var_declaration
  left: (expression_list . (identifier) @typed.name .)
  right: (expression_list . (call_expression
    function: (identifier) @_make
    arguments: (argument_list . [(slice_type) (map_type)] @typed.type)) .)
  (#eq? @_make "make"))
; `c := conns[i]`, `c, ok := byName[key]`: an element of conns, a value of byName.
(short_var_declaration
  left: (expression_list . (identifier) @typed.name)
  right: (expression_list . (index_expression) @typed.item .))
(range_clause
  left: (expression_list (_) . (identifier) @typed.name .)
  right: [(identifier) (selector_expression)
          (call_expression function: [(identifier) (selector_expression)])] @typed.each)
; `y := x.(*Foo)`, `y, ok := x.(*Foo)`: y is a Foo; a type switch's `v` is, in a `case *Foo:`
; of one type, a Foo.
(short_var_declaration
  left: (expression_list . (identifier) @typed.name)
  right: (expression_list . (type_assertion_expression type: _TYPE @typed.type) .))
(type_switch_statement
  alias: (expression_list . (identifier) @typed.name .)
  (type_case . type: _TYPE @typed.type . (statement_list) @typed.narrowed))
(import_spec) @import
(package_clause (package_identifier) @package)
""".replace(
    "_PARAMETER", "(parameter_declaration name: (identifier) @typed.name type: _TYPE @typed.type)"
).replace(
    "_TYPE",
    "[(type_identifier) (qualified_type) (pointer_type [(type_identifier) (qualified_type)])"
    " (slice_type) (map_type) (array_type)]",
)


def imports(node: Node) -> list[Import]:
    """`import "a/b"`, `import x "a/b"`, `import . "a/b"` (name `*`) and `import _ "a/b"`."""
    path = node.child_by_field_name("path")
    if path is None:
        return []
    module = text(path).strip('"`')
    name_node = node.child_by_field_name("name")
    if name_node is None:
        return [Import(module, None, None, line(node))]
    if name_node.type == "dot":
        return [Import(module, "*", None, line(node))]
    return [Import(module, None, text(name_node), line(node))]


# What a function's first result may be to have methods: a named type (`*Server`,
# `http.Request`, `List[T]`), not a slice, map, channel, function or interface literal.
_NAMED_TYPES = frozenset({"type_identifier", "qualified_type", "generic_type"})
# Go's predeclared types: never the branch's, and most results are one of them.
_PREDECLARED = frozenset({
    "any", "bool", "byte", "comparable", "complex64", "complex128", "error", "float32",
    "float64", "int", "int8", "int16", "int32", "int64", "rune", "string", "uint", "uint8",
    "uint16", "uint32", "uint64", "uintptr",
})  # fmt: skip


def returns(node: Node) -> str | None:
    """The type a function or method declares as its (first) result, without pointers:
    `*Server` and `(*Server, error)` are `Server`, `*http.Request` is `http.Request`; a
    slice's or map's element type after `COLLECTION`."""
    result = node.child_by_field_name("result")
    if result is not None and result.type == "parameter_list":
        first = next((c for c in result.named_children if c.type == "parameter_declaration"), None)
        result = first.child_by_field_name("type") if first is not None else None
    while result is not None and result.type == "pointer_type" and result.named_children:
        result = result.named_children[0]
    if result is not None and result.type == "generic_type":
        result = result.child_by_field_name("type")
    if result is not None and result.type in ("slice_type", "map_type"):
        return collection_of(text(result))  # `[]*Client`: `[]Client`, for a range over it
    if result is None or result.type not in _NAMED_TYPES:
        return None
    spelled = text(result)
    return None if spelled in _PREDECLARED else spelled


def asserted_type(node: Node) -> str | None:
    """The type a call's receiver shows by a type assertion (`x.(*Foo).Bar()`: Foo) or as
    a new one (`new(big.Int).SetInt64(1)`: big.Int)."""
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if function is None or text(function) != "new" or arguments is None:
            return None
        found = arguments.named_children[0] if arguments.named_child_count == 1 else None
    elif node.type == "type_assertion_expression":
        found = node.child_by_field_name("type")
    else:
        return None
    return type_name(text(found)) or None if found is not None else None


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    self_names=frozenset(),
    returns=returns,
    shown_type=asserted_type,
)
