"""Kotlin: classes, interfaces, enum classes, objects, functions, imports, supertypes."""

from __future__ import annotations

from tree_sitter import Node

from activities.codegraph.model import Import
from activities.codegraph.specs import LanguageSpec, line, text

# Patterns for the same node are listed most specific first: the engine keeps the earliest.
QUERY = """
(class_declaration "interface" name: (identifier) @name) @def.Interface
(class_declaration
  (modifiers (class_modifier) @_mod (#eq? @_mod "enum")) name: (identifier) @name) @def.Enum
(class_declaration name: (identifier) @name) @def.Class
(object_declaration name: (identifier) @name) @def.Object
(function_declaration name: (identifier) @name) @def.Function
(delegation_specifier (constructor_invocation (user_type) @inherit.extends))
(delegation_specifier (user_type) @inherit.implements)
(call_expression . (identifier) @call.name) @call
(call_expression
  . (navigation_expression (_) @call.receiver . (identifier) @call.name .)) @call
(import) @import
(package_header (qualified_identifier) @package)
"""


def imports(node: Node) -> list[Import]:
    """`import a.b.C`, `import a.b.C as D` and `import a.b.*` as module `a.b`, name `C`."""
    path_node = next((c for c in node.named_children if c.type == "qualified_identifier"), None)
    if path_node is None:
        return []
    path = text(path_node).replace(" ", "")
    if any(c.type == "*" for c in node.children):
        return [Import(path, "*", None, line(node))]
    alias = next((text(c) for c in node.named_children if c.type == "identifier"), None)
    module, _, name = path.rpartition(".")
    return [Import(module, name, alias, line(node))]


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Class", "Interface", "Enum", "Object"}),
)
