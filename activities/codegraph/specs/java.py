"""Java: classes, interfaces, enums, records, methods and constructors, imports, `new`."""

from __future__ import annotations

from tree_sitter import Node

from activities.codegraph.model import Import
from activities.codegraph.specs import (
    LanguageSpec,
    cast_type,
    count_arguments,
    declared_private,
    line,
    parameter_type,
    result_type,
    text,
)

_TYPE = "[(type_identifier) (scoped_type_identifier) (generic_type)]"

# The stream operations whose lambda's parameter is an element (`xs.stream().filter(x -> ...)`).
_STREAM_OPS = (
    "^(forEach|removeIf|filter|map|flatMap|anyMatch|allMatch|noneMatch|sorted|peek"
    "|mapToInt|mapToLong|mapToDouble|takeWhile|dropWhile)$"
)
QUERY = f"""
(class_declaration name: (identifier) @name) @def.Class
(record_declaration name: (identifier) @name) @def.Class
(interface_declaration name: (identifier) @name) @def.Interface
(annotation_type_declaration name: (identifier) @name) @def.Interface
(enum_declaration name: (identifier) @name) @def.Enum
(method_declaration name: (identifier) @name) @def.Method
(constructor_declaration name: (identifier) @name) @def.Method
(superclass {_TYPE} @inherit.extends)
(super_interfaces (type_list {_TYPE} @inherit.implements))
(extends_interfaces (type_list {_TYPE} @inherit.extends))
(method_invocation !object name: (identifier) @call.name) @call
(method_invocation object: (_) @call.receiver name: (identifier) @call.name) @call
(object_creation_expression type: [(type_identifier) (generic_type)] @call.name) @call
(object_creation_expression
  type: (scoped_type_identifier (_) @call.receiver . (type_identifier) @call.name .)) @call
(formal_parameter type: (_) @typed.type name: (identifier) @typed.name)
(enhanced_for_statement type: (_) @typed.type name: (identifier) @typed.name)
(local_variable_declaration
  type: (_) @typed.type declarator: (variable_declarator name: (identifier) @typed.name))
(field_declaration
  type: (_) @typed.type declarator: (variable_declarator name: (identifier) @typed.name))
(local_variable_declaration
  type: (type_identifier) @_var
  declarator: (variable_declarator
    name: (identifier) @typed.name value: (object_creation_expression type: (_) @typed.type))
  (#eq? @_var "var"))
(local_variable_declaration
  declarator: (variable_declarator
    name: (identifier) @typed.name value: (method_invocation) @typed.call))
(local_variable_declaration
  type: (type_identifier) @_var
  declarator: (variable_declarator name: (identifier) @typed.name value: (array_access) @typed.item)
  (#eq? @_var "var"))
; `o instanceof Update u` binds u; `var u = (Update) o` is an Update.
(instanceof_expression right: (_) @typed.type name: (identifier) @typed.name)
(local_variable_declaration
  type: (type_identifier) @_var
  declarator: (variable_declarator
    name: (identifier) @typed.name value: (cast_expression type: (_) @typed.type))
  (#eq? @_var "var"))
(import_declaration) @import
(package_declaration [(identifier) (scoped_identifier)] @package)
(enhanced_for_statement
  type: (type_identifier) @_var name: (identifier) @typed.name
  value: [(identifier) (field_access) (method_invocation)] @typed.each
  (#eq? @_var "var"))
(method_invocation
  object: [(identifier) (field_access) (method_invocation)] @typed.each
  name: (identifier) @_each
  arguments: (argument_list . (lambda_expression parameters: (identifier) @typed.name))
  (#match? @_each "^(forEach|removeIf)$"))
(method_invocation
  object: (method_invocation
    object: [(identifier) (field_access)] @typed.each name: (identifier) @_stream)
  name: (identifier) @_each
  arguments: (argument_list . (lambda_expression parameters: (identifier) @typed.name))
  (#eq? @_stream "stream")
  (#match? @_each "{_STREAM_OPS}"))
"""


def imports(node: Node) -> list[Import]:
    """`import a.b.C;`, `import a.b.*;`, `import static a.b.C.m;` as module `a.b`, name `C`."""
    path = "".join(
        text(c) for c in node.named_children if c.type in ("scoped_identifier", "identifier")
    )
    if not path:
        return []
    if any(c.type == "asterisk" for c in node.children):
        return [Import(path, "*", None, line(node))]
    module, _, name = path.rpartition(".")
    return [Import(module, name, None, line(node))]


def arity(node: Node) -> tuple[int, int | None]:
    """`f(int a, String... rest)` takes one argument or more."""
    parameters = node.child_by_field_name("parameters")
    kinds = [c.type for c in parameters.named_children] if parameters is not None else []
    required = kinds.count("formal_parameter")
    return required, None if "spread_parameter" in kinds else required


# Literal argument types, by node type.
_LITERALS = {
    "string_literal": "String", "text_block": "String", "character_literal": "char",
    "true": "boolean", "false": "boolean", "class_literal": "Class",
}  # fmt: skip
_INTEGERS = ("decimal_integer_literal", "hex_integer_literal", "octal_integer_literal",
             "binary_integer_literal")  # fmt: skip


def parameter_types(node: Node) -> tuple[str | None, ...]:
    """`f(int a, Sink s, byte[] b, Foo... f)`: `int`, `Sink`, `byte[]` and a variadic."""
    parameters = node.child_by_field_name("parameters")
    found: list[str | None] = []
    for child in parameters.named_children if parameters is not None else ():
        spelled = child.child_by_field_name("type") if child.type == "formal_parameter" else None
        if child.type in ("formal_parameter", "spread_parameter"):
            found.append(parameter_type(text(spelled)) if spelled is not None else None)
    return tuple(found)


def argument_types(call: Node) -> tuple[str | None, ...] | None:
    """What `f("s", 1, Foo.class, new Sink(), sink)` shows of its arguments' types."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return None
    found: list[str | None] = []
    for child in arguments.named_children:
        kind = child.type
        if kind in ("line_comment", "block_comment"):
            continue
        if kind in _LITERALS:
            found.append(_LITERALS[kind])
        elif kind in _INTEGERS:
            found.append("long" if text(child)[-1] in "lL" else "int")
        elif kind == "decimal_floating_point_literal":
            found.append("float" if text(child)[-1] in "fF" else "double")
        elif kind in ("object_creation_expression", "cast_expression"):
            spelled = child.child_by_field_name("type")
            found.append(parameter_type(text(spelled)) if spelled is not None else None)
        elif kind == "identifier":
            found.append(f"={text(child)}")
        else:
            found.append(None)
    return tuple(found)


def returns(node: Node) -> str | None:
    """The type a method declares it returns (`Client get()`; `List` for `List<Client>`)."""
    if node.type != "method_declaration":
        return None  # a constructor
    return result_type(node.child_by_field_name("type"))


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Class", "Interface", "Enum"}),
    hidden=declared_private,
    arity=arity,
    arguments=count_arguments,
    parameter_types=parameter_types,
    argument_types=argument_types,
    returns=returns,
    shown_type=cast_type,
)
