"""C++: the C rules plus classes, namespaces, methods (also out-of-line `A::f`), bases, `new`."""

from __future__ import annotations

from activities.codegraph.specs import LanguageSpec
from activities.codegraph.specs.c import COMMON, imports

QUERY = (
    COMMON
    + """
(function_definition
  declarator: (reference_declarator (function_declarator declarator: (_) @name))) @def.Function
(class_specifier name: (type_identifier) @name body: (_)) @def.Class
(namespace_definition name: (_) @name) @def.Namespace
(base_class_clause [(type_identifier) (qualified_identifier)] @inherit.extends)
(base_class_clause (template_type name: (_) @inherit.extends))
(call_expression function: (qualified_identifier) @call.name (#not-match? @call.name "[<>]")) @call
(new_expression type: [(type_identifier) (qualified_identifier)] @call.name) @call
"""
)

SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Class", "Struct"}),
)
