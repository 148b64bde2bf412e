"""C#: classes, records, interfaces, structs, enums, methods, `using`, base lists, `new`."""

from __future__ import annotations

from functools import partial

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

QUERY = """
(class_declaration name: (identifier) @name) @def.Class
(record_declaration name: (identifier) @name) @def.Class
(interface_declaration name: (identifier) @name) @def.Interface
(struct_declaration name: (identifier) @name) @def.Struct
(enum_declaration name: (identifier) @name) @def.Enum
(method_declaration name: (identifier) @name) @def.Method
(constructor_declaration name: (identifier) @name) @def.Method
(local_function_statement name: (identifier) @name) @def.Function
(base_list [(identifier) (qualified_name)] @inherit.extends)
(base_list (generic_name) @inherit.extends)
(invocation_expression function: (identifier) @call.name) @call
(invocation_expression function: (generic_name (identifier) @call.name)) @call
(invocation_expression
  function: (member_access_expression expression: _ @call.receiver name: (identifier) @call.name)
) @call
(invocation_expression
  function: (member_access_expression
    expression: _ @call.receiver name: (generic_name (identifier) @call.name))) @call
(object_creation_expression type: [(identifier) (qualified_name)] @call.name) @call
(object_creation_expression type: (generic_name (identifier) @call.name)) @call
(parameter type: (_) @typed.type name: (identifier) @typed.name)
(variable_declaration type: (_) @typed.type (variable_declarator name: (identifier) @typed.name))
(property_declaration type: (_) @typed.type name: (identifier) @typed.name)
(foreach_statement type: (_) @typed.type left: (identifier) @typed.name)
(variable_declaration
  type: (implicit_type)
  (variable_declarator
    name: (identifier) @typed.name (object_creation_expression type: (_) @typed.type)))
; `o is Update u` binds u; `var u = o as Update` and `var u = (Update)o` are Updates.
(declaration_pattern type: (_) @typed.type name: (identifier) @typed.name)
(variable_declaration
  type: (implicit_type)
  (variable_declarator
    name: (identifier) @typed.name
    [(as_expression right: (_) @typed.type) (cast_expression type: (_) @typed.type)]))
(variable_declaration
  type: (implicit_type)
  (variable_declarator
    name: (identifier) @typed.name
    (invocation_expression function: [(identifier) (member_access_expression)] @typed.call)))
(variable_declaration
  type: (implicit_type)
  (variable_declarator name: (identifier) @typed.name (element_access_expression) @typed.item))
(using_directive) @import
(namespace_declaration name: (_) @package)
(file_scoped_namespace_declaration name: (_) @package)
(foreach_statement
  type: (implicit_type) left: (identifier) @typed.name
  right: [(identifier) (member_access_expression)
          (invocation_expression function: [(identifier) (member_access_expression)])] @typed.each)
(invocation_expression
  function: (member_access_expression
    expression: [(identifier) (member_access_expression)] @typed.each name: (identifier) @_each)
  arguments: (argument_list .
    (argument (lambda_expression parameters: (implicit_parameter) @typed.name)))
  (#match? @_each "_LINQ"))
(invocation_expression
  function: (member_access_expression
    expression: [(identifier) (member_access_expression)] @typed.each name: (identifier) @_each)
  arguments: (argument_list . (argument (lambda_expression
    parameters: (parameter_list . (parameter !type name: (identifier) @typed.name) .))))
  (#match? @_each "_LINQ"))
""".replace(
    # LINQ's and List's methods whose lambda's parameter is an element.
    "_LINQ",
    "^(ForEach|Where|Select|SelectMany|Any|All|First|FirstOrDefault|Single|SingleOrDefault"
    "|Last|LastOrDefault|Count|OrderBy|OrderByDescending|ThenBy|GroupBy|ToDictionary"
    "|ToLookup|Sum|Min|Max|TakeWhile|SkipWhile|Find|FindAll|Exists|TrueForAll|RemoveAll)$",
)


def imports(node: Node) -> list[Import]:
    """`using A.B;` imports namespace `A.B` (name `*`); `using X = A.B.C;` imports `C` as `X`.
    A `global using` binds in every file of the project (`RepoLayout.project_imports`)."""
    names = [c for c in node.named_children if c.type in ("identifier", "qualified_name")]
    alias_node = node.child_by_field_name("name")
    targets = [c for c in names if alias_node is None or c.id != alias_node.id]
    if not targets:
        return []
    path = text(targets[-1]).replace(" ", "")
    project_wide = any(child.type == "global" for child in node.children)
    if alias_node is None:
        return [Import(path, "*", None, line(node), project_wide)]
    module, _, name = path.rpartition(".")
    return [Import(module, name, text(alias_node), line(node), project_wide)]


def arity(node: Node) -> tuple[int, int | None]:
    """`M(int a, int b = 2, params int[] c)` takes one argument or more. An extension method
    (`this T x` first) is called either on its first argument or with it."""
    parameters = node.child_by_field_name("parameters")
    required = optional = 0
    extension = variadic = False
    for child in parameters.children if parameters is not None else ():
        if child.type == "params":
            variadic = True
        elif child.type == "parameter":
            if any(c.type == "=" for c in child.children):
                optional += 1
            else:
                required += 1
            if required + optional == 1:
                extension = any(text(c) == "this" for c in child.children if c.type == "modifier")
    least = max(required - 1, 0) if extension else required
    return least, None if variadic else required + optional


_LITERALS = {
    "string_literal": "string", "verbatim_string_literal": "string",
    "raw_string_literal": "string", "interpolated_string_expression": "string",
    "character_literal": "char", "boolean_literal": "bool", "real_literal": "double",
    "typeof_expression": "Type",
}  # fmt: skip


def parameter_types(node: Node) -> tuple[str | None, ...]:
    """`M(int a, Options o, params int[] rest)`: `int`, `Options` and a variadic."""
    parameters = node.child_by_field_name("parameters")
    found: list[str | None] = []
    variadic = False
    for child in parameters.children if parameters is not None else ():
        if child.type == "params":
            variadic = True
        elif child.type == "parameter":
            spelled = child.child_by_field_name("type")
            found.append(parameter_type(text(spelled)) if spelled is not None else None)
    return (*found, None) if variadic else tuple(found)


def argument_types(call: Node) -> tuple[str | None, ...] | None:
    """What `M("s", 1, new Options(), options)` shows of its arguments' types; nothing
    where an argument is named (`M(options: null)`)."""
    arguments = call.child_by_field_name("arguments")
    if arguments is None:
        return None
    found: list[str | None] = []
    for argument in arguments.named_children:
        if argument.type != "argument":
            continue
        if any(child.type == ":" for child in argument.children):
            return None
        values = argument.named_children
        found.append(_argument_type(values[-1]) if len(values) == 1 else None)
    return tuple(found)


def _argument_type(value: Node) -> str | None:
    kind = value.type
    if kind in _LITERALS:
        return _LITERALS[kind]
    if kind == "integer_literal":
        return "long" if text(value)[-1] in "lL" else "int"
    if kind == "object_creation_expression":
        spelled = value.child_by_field_name("type")
        return parameter_type(text(spelled)) if spelled is not None else None
    return f"={text(value)}" if kind == "identifier" else None


def type_parameters(node: Node) -> int:
    """`class Options<TResult>` takes one type parameter: it is `Options`1`."""
    for child in node.named_children:
        if child.type == "type_parameter_list":
            return sum(1 for c in child.named_children if c.type == "type_parameter")
    return 0


def returns(node: Node) -> str | None:
    """The type a method declares it returns (`Client Get()`, `List<Client>` as `List`1`)."""
    if node.type != "method_declaration":
        return None
    return result_type(node.child_by_field_name("returns"), generic=True)


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Class", "Interface", "Struct", "Enum"}),
    self_names=frozenset({"this"}),
    super_names=frozenset({"base"}),
    hidden=declared_private,
    arity=arity,
    arguments=count_arguments,
    type_parameters=type_parameters,
    parameter_types=parameter_types,
    argument_types=argument_types,
    returns=returns,
    shown_type=partial(cast_type, generic=True),
)
