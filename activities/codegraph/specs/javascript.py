"""JavaScript: classes, functions (also `const f = () => ...` and CommonJS `exports.f = ...`),
methods (also arrow-function class fields: `handleClick = () => ...`), ES imports, require(),
calls, and JSX components rendered (`<Button />`)."""

from __future__ import annotations

from tree_sitter import Node

from activities.codegraph.model import Import
from activities.codegraph.specs import LanguageSpec, line, text

# Shared with TypeScript, whose grammar extends this one.
COMMON = """
(class_declaration name: (_) @name) @def.Class
(function_declaration name: (identifier) @name) @def.Function
(generator_function_declaration name: (identifier) @name) @def.Function
(class_body (method_definition name: (_) @name) @def.Method)
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @def.Function
(assignment_expression
  left: (member_expression object: (identifier) @_exports property: (property_identifier) @name)
  right: [(arrow_function) (function_expression) (generator_function)]
  (#eq? @_exports "exports")) @def.Function
(assignment_expression
  left: (member_expression
    object: (member_expression object: (identifier) @_module property: (property_identifier) @_e)
    property: (property_identifier) @name)
  right: [(arrow_function) (function_expression) (generator_function)]
  (#eq? @_module "module") (#eq? @_e "exports")) @def.Function
(call_expression function: (identifier) @call.name) @call
(call_expression
  function: (member_expression object: (_) @call.receiver property: (_) @call.name)) @call
(new_expression constructor: (identifier) @call.name) @call
(new_expression
  constructor: (member_expression object: (_) @call.receiver property: (_) @call.name)) @call
(variable_declarator
  name: (identifier) @typed.name
  value: (new_expression constructor: [(identifier) (member_expression)] @typed.type))
(import_statement) @import
(export_statement source: (string)) @import
(export_statement !source (export_clause)) @import
(export_statement "default" declaration: [
  (function_declaration name: (_) @export.default)
  (generator_function_declaration name: (_) @export.default)
  (class_declaration name: (_) @export.default)])
(export_statement "default" value: (identifier) @export.default)
(export_statement !source (export_clause
  (export_specifier name: (identifier) @export.default alias: _ @_alias)
  (#eq? @_alias "default")))
(call_expression
  function: [(identifier) @_fn (import)]
  arguments: (arguments . (string))
  (#any-of? @_fn "require")) @import
"""

# JSX (JavaScript's grammar and TSX's, not plain TypeScript's): a component rendered
# (`<Button />`, `<UI.Card>`) is called by React with its props, so it is a call site; a
# lower-case name is an HTML element (`<div>`), never one.
JSX = """
(jsx_opening_element name: (identifier) @call.name (#match? @call.name "^[A-Z]")) @call
(jsx_self_closing_element name: (identifier) @call.name (#match? @call.name "^[A-Z]")) @call
(jsx_opening_element
  name: (member_expression object: (_) @call.receiver property: (_) @call.name)) @call
(jsx_self_closing_element
  name: (member_expression object: (_) @call.receiver property: (_) @call.name)) @call
"""

# A React component wrapped as it is defined (`const Card = memo((props) => ...)`,
# `forwardRef(function Input(props, ref) {...})`, one wrapper inside another, MobX's
# `observer`): a function of that name. Wrapping one defined before (`const Excalidraw =
# React.memo(ExcalidrawBase)`) makes a function that renders it: a call of it.
# Query strings unescape `\\` to `\`: the pattern is `^(React\.)?(memo|forwardRef|observer)$`.
_WRAPPERS = r'"^(React\\.)?(memo|forwardRef|observer)$"'
_FUNCTION = "[(arrow_function) (function_expression)]"
WRAPPED = f"""
(variable_declarator
  name: (identifier) @name
  value: (call_expression
    function: [(identifier) (member_expression)] @_wrapper
    arguments: (arguments . [(arrow_function) (function_expression) (identifier)]))
  (#match? @_wrapper {_WRAPPERS})) @def.Function
(variable_declarator
  name: (identifier) @name
  value: (call_expression
    function: [(identifier) (member_expression)] @_wrapper
    arguments: (arguments . (call_expression
      function: [(identifier) (member_expression)] @_inner
      arguments: (arguments . {_FUNCTION}))))
  (#match? @_wrapper {_WRAPPERS})
  (#match? @_inner {_WRAPPERS})) @def.Function
(call_expression
  function: [(identifier) (member_expression)] @_wrapper
  arguments: (arguments . (identifier) @call.name)
  (#match? @_wrapper {_WRAPPERS})) @call
"""

QUERY = (
    COMMON
    + WRAPPED
    + JSX
    + """
(class_heritage [(identifier) (member_expression)] @inherit.extends)
(class_body (field_definition
  property: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @def.Method)
"""
)


def imports(node: Node) -> list[Import]:
    """ES `import`/`export ... from` statements and `require('x')` calls with their bindings."""
    ln = line(node)
    if node.type == "call_expression":
        return _require(node, ln)
    source = node.child_by_field_name("source")
    if source is None:
        return _local_exports(node) if node.type == "export_statement" else []
    module = _string(source)
    if node.type == "export_statement":
        return _re_exports(node, module, ln)
    found: list[Import] = []
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    for child in clause.named_children if clause is not None else ():
        if child.type == "identifier":
            found.append(Import(module, "default", text(child), ln))
        elif child.type == "namespace_import":
            alias = next((text(c) for c in child.named_children if c.type == "identifier"), None)
            found.append(Import(module, "*", alias, ln))
        elif child.type == "named_imports":
            for spec in child.named_children:
                name_node = spec.child_by_field_name("name")
                alias_node = spec.child_by_field_name("alias")
                if name_node is not None:
                    alias = text(alias_node) if alias_node is not None else None
                    found.append(Import(module, text(name_node), alias, ln))
    return found or [Import(module, None, None, ln)]


def _re_exports(node: Node, module: str, ln: int) -> list[Import]:
    """`export { a as b } from 'x'`, `export * from 'x'` and `export * as ns from 'x'`: the
    names a barrel module passes on, recorded as its imports (`export *` as a wildcard)."""
    for child in node.named_children:
        if child.type == "export_clause":
            found = []
            for spec in child.named_children:
                name_node = spec.child_by_field_name("name")
                alias_node = spec.child_by_field_name("alias")
                if spec.type == "export_specifier" and name_node is not None:
                    alias = text(alias_node) if alias_node is not None else None
                    found.append(Import(module, text(name_node), alias, ln))
            return found or [Import(module, None, None, ln)]
        if child.type == "namespace_export":
            alias = next((text(c) for c in child.named_children if c.type == "identifier"), None)
            return [Import(module, "*", alias, ln)]
    if any(child.type == "*" for child in node.children):
        return [Import(module, "*", None, ln)]
    return [Import(module, None, None, ln)]


def _local_exports(node: Node) -> list[Import]:
    """`export { renderApp as render }`: the module passes its own `renderApp` on as
    `render`, recorded as an import of itself (module ''). Only renames: `export { a }`
    exports what `a` already names, and `as default` is the default export."""
    found = []
    for clause in node.named_children:
        for spec in clause.named_children if clause.type == "export_clause" else ():
            name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
            if name is None or alias is None or alias.type != "identifier":
                continue
            if text(alias) not in ("default", text(name)):
                found.append(Import("", text(name), text(alias), line(node)))
    return found


def _require(node: Node, ln: int) -> list[Import]:
    args = node.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None or first.type != "string":
        return []
    module = _string(first)
    declarator = node.parent
    if declarator is None or declarator.type != "variable_declarator":
        return [Import(module, None, None, ln)]
    target = declarator.child_by_field_name("name")
    if target is not None and target.type == "identifier":
        return [Import(module, None, text(target), ln)]
    if target is not None and target.type == "object_pattern":
        found = []
        for prop in target.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                found.append(Import(module, text(prop), None, ln))
            elif prop.type == "pair_pattern":
                key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                if key is not None and value is not None:
                    found.append(Import(module, text(key), text(value), ln))
        return found
    return [Import(module, None, None, ln)]


def _string(node: Node) -> str:
    return text(node).strip("'\"`")


SPEC = LanguageSpec(query=QUERY, imports=imports)
