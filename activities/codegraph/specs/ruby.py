"""Ruby: classes, modules, methods, `require`/`require_relative`, superclasses and mixins."""

from __future__ import annotations

from tree_sitter import Node

from activities.codegraph.model import Import
from activities.codegraph.specs import LanguageSpec, line, text

QUERY = """
(class name: [(constant) (scope_resolution)] @name) @def.Class
(module name: [(constant) (scope_resolution)] @name) @def.Namespace
(method name: (_) @name) @def.Function
(singleton_method name: (_) @name) @def.Method
(superclass [(constant) (scope_resolution)] @inherit.extends)
(call
  method: (identifier) @_mixin
  arguments: (argument_list [(constant) (scope_resolution)] @inherit.implements)
  (#any-of? @_mixin "include" "extend" "prepend"))
(call
  method: (identifier) @_req
  arguments: (argument_list . (string))
  (#any-of? @_req "require" "require_relative" "load" "autoload")) @import
(call !receiver method: (identifier) @call.name) @call
(call receiver: (_) @call.receiver method: (identifier) @call.name) @call
"""


def imports(node: Node) -> list[Import]:
    """`require 'a/b'` imports `a/b`; `require_relative 'b'` imports `./b`."""
    method = node.child_by_field_name("method")
    args = node.child_by_field_name("arguments")
    strings = [c for c in args.named_children if c.type == "string"] if args else []
    if method is None or not strings:
        return []
    path = text(strings[-1]).strip("'\"")
    if text(method) == "require_relative" and not path.startswith("."):
        path = f"./{path}"
    return [Import(path, None, None, line(node))]


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Class", "Namespace"}),
    self_names=frozenset({"self"}),
)
