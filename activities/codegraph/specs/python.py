"""Python: classes, functions (methods inside classes), imports, calls, base classes."""

from __future__ import annotations

import re

from tree_sitter import Node

from activities.codegraph.model import Import
from activities.codegraph.specs import LanguageSpec, first_named, line, result_type, text

QUERY = (
    """
(class_definition name: (identifier) @name) @def.Class
(function_definition name: (identifier) @name) @def.Function
(class_definition superclasses: (argument_list [(identifier) (attribute)] @inherit.extends))
(call function: (identifier) @call.name) @call
(call function: (attribute object: (_) @call.receiver attribute: (identifier) @call.name)) @call
(typed_parameter (identifier) @typed.name type: (type _TYPE @typed.type))
(typed_default_parameter name: (identifier) @typed.name type: (type _TYPE @typed.type))
(assignment left: (identifier) @typed.name type: (type _TYPE @typed.type))
(assignment
  left: (attribute object: (identifier) @_self attribute: (identifier) @typed.field)
  type: (type _TYPE @typed.type)
  (#eq? @_self "self"))
(for_statement left: (identifier) @typed.name right: _EACH @typed.each)
; `job = jobs[0]`, `job = by_name[key]`: an element of jobs, a value of by_name.
(assignment left: (identifier) @typed.name !type right: (subscript) @typed.item)
; `with Client() as c:`: c is what the call gives, as `__enter__` mostly returns itself.
(with_item value: (as_pattern
  (call function: [(identifier) (attribute)] @typed.call)
  alias: (as_pattern_target (identifier) @typed.name)))
; `if isinstance(op, Update):` (alone or first of an `and`): op is an Update in the block,
; and after the `and`.
(_ condition: _ISINSTANCE consequence: (block) @typed.narrowed)
(_ condition: (boolean_operator left: _ISINSTANCE operator: "and")
   consequence: (block) @typed.narrowed)
(boolean_operator left: _ISINSTANCE operator: "and" right: (_) @typed.narrowed)
; `assert isinstance(op, Update)`: from there to the end of its block.
(block (assert_statement . _ISINSTANCE) @typed.after)
(for_in_clause left: (identifier) @typed.name right: _EACH @typed.each)
; `for i, t in enumerate(tasks)`: t is an element of tasks (`receiver_types._iterated`);
; `for name, job in jobs.items()`: job is a value of jobs.
(for_statement left: (pattern_list . (identifier) . (identifier) @typed.name .) right: _PAIRS)
(for_in_clause left: (pattern_list . (identifier) . (identifier) @typed.name .) right: _PAIRS)
(assignment
  left: (identifier) @typed.name
  right: (call function: (identifier) @typed.type)
  (#match? @typed.type "^[A-Z]"))
(assignment
  left: (attribute object: (identifier) @_self attribute: (identifier) @typed.field)
  right: (call function: (identifier) @typed.type)
  (#eq? @_self "self") (#match? @typed.type "^[A-Z]"))
(assignment
  left: (attribute object: (identifier) @_self attribute: (identifier) @typed.field)
  right: (identifier) @typed.alias
  (#eq? @_self "self"))
(assignment
  left: (identifier) @typed.name
  !type
  right: (call function: [(identifier) (attribute)] @typed.call))
(assignment
  left: (attribute object: (identifier) @_self attribute: (identifier) @typed.field)
  right: (call function: [(identifier) (attribute)] @typed.call)
  (#eq? @_self "self"))
(import_statement) @import
(import_from_statement) @import
""".replace("_TYPE", "[(identifier) (attribute) (generic_type) (binary_operator)]")
    .replace(
        # What a loop iterates, whose element type it takes: a name, a path or a call's result.
        "_EACH",
        "[(identifier) (attribute) (call function: [(identifier) (attribute)])]",
    )
    .replace(
        "_PAIRS",
        "[(call function: (identifier) @_pairs (argument_list . [(identifier) (attribute)]))"
        " (call function: (attribute object: [(identifier) (attribute)]"
        ' attribute: (identifier) @_pairs))] @typed.each (#match? @_pairs "^(enumerate|items)$")',
    )
    .replace(
        "_ISINSTANCE",
        "(call function: (identifier) @_isinstance arguments: (argument_list"
        " . (identifier) @typed.name . [(identifier) (attribute)] @typed.type .)"
        ' (#eq? @_isinstance "isinstance"))',
    )
)


def imports(node: Node) -> list[Import]:
    """`import a.b as c` and `from ..a import b as c, d` (relative modules keep their dots)."""
    ln = line(node)
    if node.type == "import_statement":
        return [_imported(child, None, ln) for child in node.children_by_field_name("name")]
    module_node = node.child_by_field_name("module_name")
    if module_node is None:
        return []
    module = text(module_node).replace(" ", "")
    found = [_imported(child, module, ln) for child in node.children_by_field_name("name")]
    if any(child.type == "wildcard_import" for child in node.children):
        found.append(Import(module, "*", None, ln))
    return found


def _imported(node: Node, module: str | None, ln: int) -> Import:
    alias_node = node.child_by_field_name("alias") if node.type == "aliased_import" else None
    name_node = node.child_by_field_name("name") if node.type == "aliased_import" else node
    name = text(name_node) if name_node is not None else ""
    alias = text(alias_node) if alias_node is not None else None
    if module is None:
        return Import(name, None, alias, ln)
    return Import(module, name, alias, ln)


def returns(node: Node) -> str | None:
    """The class a function's annotation says it returns: `-> Client`, `-> mod.Client`,
    `-> "Client"`, `-> Optional[Client]` and `-> Client | None` all name Client."""
    found = first_named(node.child_by_field_name("return_type"))
    if found is not None and found.type == "string":
        quoted = text(found).strip("'\"")
        return quoted if _DOTTED.fullmatch(quoted) else None
    if found is not None and found.type == "generic_type" and text(found).startswith("Optional["):
        found = first_named(first_named(found.named_children[-1]))  # the type of its type parameter
    if found is not None and found.type == "binary_operator":  # `Client | None`
        right = found.child_by_field_name("right")
        found = found.child_by_field_name("left") if right and right.type == "none" else None
    spelled = result_type(found)  # `-> list[Client]`, `-> Iterator[Client]`: `[]Client`
    return None if spelled in _BUILTINS else spelled


# Built-in types (and typing's), never the repository's classes.
_BUILTINS = frozenset({
    "int", "str", "float", "bool", "bytes", "bytearray", "complex", "list", "dict", "set",
    "frozenset", "tuple", "object", "type", "Any", "List", "Dict", "Set", "Tuple",
    "Iterator", "Iterable", "Generator", "Callable", "Sequence", "Mapping",
})  # fmt: skip
_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Class"}),
    self_names=frozenset({"self", "cls"}),
    returns=returns,
)
