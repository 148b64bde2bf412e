"""C: functions, structs, enums (also typedef'd anonymous ones), `#include`, calls."""

from __future__ import annotations

from tree_sitter import Node

from activities.codegraph.model import Import
from activities.codegraph.specs import LanguageSpec, line, text

# A function's name sits under any number of pointer declarators; these cover the usual depths.
FUNCTION_NAMES = """
(function_definition declarator: (function_declarator declarator: (_) @name)) @def.Function
(function_definition
  declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name))
) @def.Function
(function_definition
  declarator: (pointer_declarator
    declarator: (pointer_declarator declarator: (function_declarator declarator: (_) @name)))
) @def.Function
"""

COMMON = (
    FUNCTION_NAMES
    + """
(struct_specifier name: (type_identifier) @name body: (_)) @def.Struct
(union_specifier name: (type_identifier) @name body: (_)) @def.Struct
(enum_specifier name: (type_identifier) @name body: (_)) @def.Enum
(type_definition type: (struct_specifier !name body: (_)) declarator: (type_identifier) @name
) @def.Struct
(type_definition type: (enum_specifier !name body: (_)) declarator: (type_identifier) @name
) @def.Enum
(call_expression function: (identifier) @call.name) @call
(call_expression
  function: (field_expression argument: (_) @call.receiver field: (field_identifier) @call.name)
) @call
(preproc_include) @import
"""
)


def imports(node: Node) -> list[Import]:
    """`#include "a/b.h"` imports `a/b.h`; `#include <b.h>` imports `<b.h>` (brackets kept)."""
    path = node.child_by_field_name("path")
    if path is None:
        return []
    value = text(path).strip()
    if path.type == "string_literal":
        value = value.strip('"')
    return [Import(value, None, None, line(node))]


SPEC = LanguageSpec(query=COMMON, imports=imports, method_containers=frozenset())
