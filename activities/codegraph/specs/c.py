"""C: functions, structs, enums (also typedef'd anonymous ones), `#include`, calls."""

from __future__ import annotations

import posixpath

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

# Parameters and locals: a call of one of their names calls a function pointer, a lambda or
# a functor (`void (*runAllTests)(void)` ... `runAllTests()`), never the function of that
# name elsewhere. Not a local prototype (`int helper(void);`): it declares the function.
_DECLARATORS = (
    "{}",
    "(pointer_declarator declarator: {})",
    "(function_declarator declarator:"
    " (parenthesized_declarator (pointer_declarator declarator: {})))",
)


def local_patterns(owners: tuple[str, ...], shapes: tuple[str, ...] = _DECLARATORS) -> str:
    """Query patterns capturing the names declared by `owners` nodes as `@local`."""
    return "".join(
        f"({owner} declarator: {shape.format('(identifier) @local')})\n"
        for owner in owners
        for shape in shapes
    )


LOCALS = local_patterns(("parameter_declaration", "init_declarator", "declaration"))

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
(call_expression function: (identifier) @call.name) @call @call.unless_local
(call_expression
  function: (field_expression argument: (_) @call.receiver field: (field_identifier) @call.name)
) @call
(preproc_include) @import
"""
    + LOCALS
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


# Files that are included: a `static inline` function there is seen by every includer.
_HEADERS = frozenset({".h", ".hh", ".hpp", ".hxx", ".h++", ".inl", ".ipp", ".tpp"})


def file_static(node: Node, path: str) -> bool:
    """A `static` function of a source file (not a header, not a class member): no other
    file calls it (redis: `mstime` is static in redis-benchmark.c and quicklist.c, so
    server.c's was never the one match for calls elsewhere)."""
    if posixpath.splitext(path)[1].lower() in _HEADERS:
        return False
    if not any(c.type == "storage_class_specifier" and text(c) == "static" for c in node.children):
        return False
    parent = node.parent
    while parent is not None:
        if parent.type == "field_declaration_list":
            return False  # a C++ class's static method
        parent = parent.parent
    return True


# googletest's test definitions: `TEST_F(MutexTest, Unlocks) { ... }` parses as a function
# named after the macro, so every test of a file was `TEST_F`, told apart only by its place
# (`TEST_F#17`), which moved whenever a test was added above it.
_TEST_MACROS = frozenset({"TEST", "TEST_F", "TEST_P", "TYPED_TEST", "TYPED_TEST_P"})


def test_name(node: Node, name: str) -> str:
    """A googletest test's name with its suite and test, as written (`TEST_F(MutexTest,
    Unlocks)`); any other definition's `name`."""
    if name not in _TEST_MACROS:
        return name
    declarator = node.child_by_field_name("declarator")
    parameters = declarator.child_by_field_name("parameters") if declarator else None
    if parameters is None or parameters.named_child_count != 2:
        return name
    words = [text(p) for p in parameters.named_children]
    if not all(word.isidentifier() for word in words):
        return name
    return f"{name}({words[0]}, {words[1]})"


SPEC = LanguageSpec(
    query=COMMON,
    imports=imports,
    method_containers=frozenset(),
    hidden=file_static,
    own_name=test_name,
)
