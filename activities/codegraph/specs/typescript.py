"""TypeScript and TSX: the JavaScript rules plus interfaces (with their method signatures),
abstract methods, enums and `implements`; TSX also JSX's components rendered."""

from __future__ import annotations

from activities.codegraph.specs import LanguageSpec, declared_private
from activities.codegraph.specs.javascript import COMMON, JSX, WRAPPED, imports

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
(public_field_definition
  name: (property_identifier) @typed.name type: (type_annotation _TYPE @typed.type))
(variable_declarator name: (identifier) @typed.name type: (type_annotation _TYPE @typed.type))
(assignment_expression
  left: (member_expression object: (this) property: (property_identifier) @typed.field)
  right: (identifier) @typed.alias)
""".replace("_TYPE", "[(type_identifier) (nested_type_identifier) (generic_type)]")
)

SPEC = LanguageSpec(query=QUERY, imports=imports, hidden=declared_private)
# Plain TypeScript's grammar has no JSX: `<T>x` there is a type assertion.
SPECS = {
    "typescript": SPEC,
    "tsx": LanguageSpec(query=QUERY + JSX, imports=imports, hidden=declared_private),
}
