"""Ruby: classes, modules, methods (also `attr_reader :name`; `def self.build` and those in
`class << self` as the class's own, `Foo.self.build`), `require`/`require_relative`,
superclasses and mixins."""

from __future__ import annotations

from tree_sitter import Node

from activities.codegraph.model import Import
from activities.codegraph.specs import LanguageSpec, line, text

QUERY = """
(class name: [(constant) (scope_resolution)] @name) @def.Class
(module name: [(constant) (scope_resolution)] @name) @def.Namespace
(method name: (_) @name) @def.Function
(singleton_method name: (_) @name) @def.Method
(call
  method: (identifier) @_attr
  arguments: (argument_list (simple_symbol) @name @def.Method)
  (#any-of? @_attr "attr_reader" "attr_accessor" "attr_writer"))
(superclass [(constant) (scope_resolution)] @inherit.extends)
(call
  !receiver
  method: (identifier) @_mixin
  arguments: (argument_list [(constant) (scope_resolution)] @inherit.implements)
  (#any-of? @_mixin "include" "extend" "prepend"))
(call
  method: (identifier) @_req
  arguments: (argument_list . (string))
  (#any-of? @_req "require" "require_relative" "load" "autoload")) @import
(call !receiver method: (identifier) @call.name) @call
(call receiver: (_) @call.receiver method: (identifier) @call.name) @call
(in_clause pattern: (_) @local.pattern)
[(block) (do_block) (lambda)] @block
"""

# A bare name where an expression stands is a call without parentheses (`helper`,
# `current_user.name`, `"#{title}"`) unless its method binds it as a local: Ruby's parser
# decides the same way, by the assignments it has seen. Positions as (parent, field).
_STATEMENT_LISTS = ("program", "body_statement", "block_body", "then", "else", "begin")
_EXPRESSIONS = (
    *((parent, "") for parent in (*_STATEMENT_LISTS, "ensure", "do", "in", "array",
                                  "parenthesized_statements", "interpolation", "argument_list")),
    *((parent, "body") for parent in ("if_modifier", "unless_modifier", "while_modifier",
                                      "until_modifier", "rescue_modifier")),
    *((parent, "condition") for parent in ("if", "elsif", "unless", "while", "until",
                                           "if_modifier", "unless_modifier", "conditional")),
    ("conditional", "consequence"), ("conditional", "alternative"),
    ("assignment", "right"), ("operator_assignment", "right"),
    ("binary", "left"), ("binary", "right"), ("unary", "operand"),
    ("element_reference", "object"), ("pair", "value"), ("case", "value"),
    ("case_match", "value"), ("call", "receiver"),
    ("method", "body"), ("singleton_method", "body"),  # endless: `def title = name`
)  # fmt: skip
# Where a name is bound as a local (patterns of `case ... in` are walked: `@local.pattern`).
_BINDINGS = (
    ("assignment", "left"), ("operator_assignment", "left"), ("for", "pattern"),
    *((parent, "") for parent in ("left_assignment_list", "destructured_left_assignment",
                                  "rest_assignment", "method_parameters", "block_parameters",
                                  "lambda_parameters", "destructured_parameter",
                                  "exception_variable")),
    *((parent, "name") for parent in ("optional_parameter", "keyword_parameter",
                                      "splat_parameter", "hash_splat_parameter",
                                      "block_parameter")),
)  # fmt: skip


def _patterns(positions: tuple[tuple[str, str], ...], captures: str) -> str:
    return "".join(
        f"({parent} {field + ': ' if field else ''}(identifier) {captures})\n"
        for parent, field in positions
    )


QUERY += _patterns(_EXPRESSIONS, "@call.name @call @call.unless_local")
QUERY += _patterns(_BINDINGS, "@local")


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


# Where a `def` belongs to a class or module, or to the file.
_SCOPES = frozenset({"class", "module", "singleton_class", "program"})


def hidden(node: Node, path: str) -> bool:
    """A `def` inside a block (`describe ... do def body ... end`, `Class.new do`): defined
    on whatever object runs the block, never the global function the file would make it."""
    return _made_in(node) is None


def singleton(node: Node) -> bool:
    """A method of the class or module itself, not of its instances: `def self.build` (or
    `def Foo.build` inside `Foo`), or a `def` (an `attr_reader`) inside `class << self`; not
    inside a block, whose `self` is whatever runs it (`Struct.new do def self.x`)."""
    scope = _made_in(node)
    if scope is None:
        return False
    if node.type == "singleton_method":
        target = node.child_by_field_name("object")
        return target is not None and (target.type == "self" or _names(scope, target))
    if scope.type != "singleton_class":
        return False
    target = scope.child_by_field_name("value")
    return target is not None and target.type == "self" and _made_in(scope) is not None


def _made_in(node: Node) -> Node | None:
    """The class, module, `class << x` or file a definition is made in; None in a block."""
    parent = node.parent
    while parent is not None and parent.type not in _SCOPES:
        if parent.type in ("block", "do_block"):
            return None
        parent = parent.parent
    return parent


def _names(scope: Node | None, target: Node) -> bool:
    """Whether `target` spells the class or module `scope` by its own name."""
    name = scope.child_by_field_name("name") if scope is not None else None
    if name is None or scope is None or scope.type not in ("class", "module"):
        return False
    return target.type == "constant" and text(target) == text(name).rpartition("::")[2]


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Class", "Namespace"}),
    self_names=frozenset({"self"}),
    hidden=hidden,
    singleton=singleton,
)
