"""PHP: classes, interfaces, traits, enums, functions, methods, `use`, `require`, calls."""

from __future__ import annotations

from tree_sitter import Node

from activities.codegraph.doc_types import doc_type_in, doc_variable, php_doc_tags
from activities.codegraph.element_types import collection_of
from activities.codegraph.model import OWN_TYPE, Import
from activities.codegraph.names import type_name
from activities.codegraph.specs import (
    LanguageSpec,
    declared_private,
    line,
    read_once,
    result_type,
    text,
)

_NAME = "[(name) (qualified_name)]"

QUERY = f"""
(class_declaration name: (name) @name) @def.Class
(interface_declaration name: (name) @name) @def.Interface
(trait_declaration name: (name) @name) @def.Trait
(enum_declaration name: (name) @name) @def.Enum
(function_definition name: (name) @name) @def.Function
(method_declaration name: (name) @name) @def.Method
(base_clause {_NAME} @inherit.extends)
(class_interface_clause {_NAME} @inherit.implements)
(declaration_list (use_declaration {_NAME} @inherit.implements))
(function_call_expression function: {_NAME} @call.name) @call
(member_call_expression object: (_) @call.receiver name: (name) @call.name) @call
(nullsafe_member_call_expression object: (_) @call.receiver name: (name) @call.name) @call
(scoped_call_expression scope: (_) @call.receiver name: (name) @call.name) @call
(object_creation_expression {_NAME} @call.name) @call
(simple_parameter
  type: [(named_type) (optional_type)] @typed.type name: (variable_name) @typed.name)
(property_declaration
  type: [(named_type) (optional_type)] @typed.type
  (property_element (variable_name (name) @typed.name)))
; A promoted parameter (`__construct(private Api $api)`) is a property and a parameter.
(property_promotion_parameter
  type: [(named_type) (optional_type)] @typed.type name: (variable_name (name) @typed.field))
(property_promotion_parameter
  type: [(named_type) (optional_type)] @typed.type name: (variable_name) @typed.name)
(assignment_expression
  left: (variable_name) @typed.name right: (object_creation_expression {_NAME} @typed.type))
(assignment_expression
  left: (member_access_expression object: (variable_name) @_this name: (name) @typed.field)
  right: (variable_name) @typed.alias
  (#eq? @_this "$this"))
(assignment_expression
  left: (variable_name) @typed.name right: (subscript_expression) @typed.item)
(assignment_expression
  left: (variable_name) @typed.name
  right: [(member_call_expression) (nullsafe_member_call_expression) (scoped_call_expression)
          (function_call_expression)] @typed.call)
(assignment_expression
  left: (member_access_expression object: (variable_name) @_this name: (name) @typed.field)
  right: [(member_call_expression) (nullsafe_member_call_expression) (scoped_call_expression)
          (function_call_expression)] @typed.call
  (#eq? @_this "$this"))
(namespace_use_declaration) @import
(require_expression) @import
(require_once_expression) @import
(include_expression) @import
(include_once_expression) @import
(namespace_definition name: (namespace_name) @package)
; `/** @var UpdateOperation $operation */` before a statement: from there on, it is one.
(compound_statement (comment) @typed.doc)
; `foreach ($this->tasks as $task)`, `foreach ($jobs as $name => $job)`: an element of them.
(foreach_statement . _EACH_OF @typed.each . (variable_name) @typed.name)
(foreach_statement . _EACH_OF @typed.each . (pair (_) . (variable_name) @typed.name .))
"""
# Types left to the doc comment (`doc_types`): a property or parameter declared with no
# type, or as an `array` whose elements only the comment names (`@param Task[] $tasks`).
_DOCUMENTED = "".join(
    f"""
(declaration_list (comment) @typed.doc .
  (property_declaration {untyped} (property_element (variable_name (name) @typed.name))))
(_ (comment) @typed.doc .
  [(method_declaration parameters: (formal_parameters
     (simple_parameter {untyped} name: (variable_name) @typed.name)))
   (function_definition parameters: (formal_parameters
     (simple_parameter {untyped} name: (variable_name) @typed.name)))])"""
    for untyped in ("!type", 'type: (_) @_array (#match? @_array "^\\\\??(array|iterable)$")')
)
# A type test (`$op instanceof UpdateOperation`) types the variable where it holds: the
# block of an `if` or `elseif` testing it (alone or first of an `&&`), a ternary's value,
# what follows it in an `&&`.
_NARROWED = """
(_ condition: (parenthesized_expression _TEST) body: (compound_statement) @typed.narrowed)
(_ condition: (parenthesized_expression (binary_expression left: _TEST "&&"))
   body: (compound_statement) @typed.narrowed)
(conditional_expression condition: _TEST body: (_) @typed.narrowed)
(binary_expression left: _TEST "&&" right: (_) @typed.narrowed)
""".replace(
    "_TEST",
    '(binary_expression left: (variable_name) @typed.name "instanceof"'
    " right: [(name) (qualified_name)] @typed.type"
    # `instanceof self` (or `static`, `parent`) names the class by a word read elsewhere.
    ' (#not-match? @typed.type "^(self|static|parent|Self|Static|Parent)$"))',
)
QUERY = (QUERY + _DOCUMENTED + _NARROWED).replace(
    # What a loop iterates: a variable, a property, a call's result.
    "_EACH_OF",
    "[(variable_name) (member_access_expression) (nullsafe_member_access_expression)"
    " (member_call_expression) (nullsafe_member_call_expression) (scoped_call_expression)"
    " (function_call_expression)]",
)


def imports(node: Node) -> list[Import]:
    """`use A\\B\\C as D;` (also grouped) is module `A\\B`, name `C`; `require 'x.php'` a path."""
    ln = line(node)
    if node.type != "namespace_use_declaration":
        strings = [c for c in _descendants(node) if c.type == "string_content"]
        return [Import(text(strings[-1]), None, None, ln)] if strings else []
    group_prefix = next((text(c) for c in node.named_children if c.type == "namespace_name"), "")
    found: list[Import] = []
    for clause in _descendants(node):
        if clause.type != "namespace_use_clause":
            continue
        alias = clause.child_by_field_name("alias")
        target = next((c for c in clause.named_children if alias is None or c.id != alias.id), None)
        if target is None:
            continue
        path = "\\".join(p for p in (group_prefix, text(target).lstrip("\\")) if p)
        module, _, name = path.rpartition("\\")
        found.append(Import(module, name, text(alias) if alias is not None else None, ln))
    return found


def namespace_blocks(nodes: list[Node], root: Node) -> list[tuple[Node, str, int, int]]:
    """The blocks of a file of several `namespace` statements: each one's node, namespace as
    written ('' for the global `namespace { }`), and the byte and (1-based) line where it
    ends: a braced block at its `}`, `namespace A;` before the next one (or the file's end)."""
    nodes = sorted(nodes, key=lambda n: n.start_byte)
    found = []
    for i, node in enumerate(nodes):
        name = node.child_by_field_name("name")
        braced = node.child_by_field_name("body") is not None
        if braced or i + 1 == len(nodes):
            last = node if braced else root
            stop, (row, column) = last.end_byte, last.end_point
        else:
            stop, (row, column) = nodes[i + 1].start_byte, nodes[i + 1].start_point
        # A block ending at column 0 ends with the previous line's newline.
        end_line = row if column == 0 and row > node.start_point.row else row + 1
        found.append((node, text(name) if name is not None else "", stop, end_line))
    return found


def _descendants(node: Node) -> list[Node]:
    # Import statements are shallow; a bounded breadth-first walk avoids recursion anyway.
    out: list[Node] = []
    queue = list(node.named_children)
    while queue and len(out) < 1000:
        child = queue.pop(0)
        out.append(child)
        queue.extend(child.named_children)
    return out


def returns(node: Node) -> str | None:
    """The class a function or method declares it returns (`: Session`, `: ?Session`,
    `: \\Lib\\Session` as `Lib.Session`); `self` and `static` are the declaring class
    (`OWN_TYPE`). A built-in (`array`, `int`) or a union names none. With no type, or
    `array`, the doc comment's `@return` (`Task[]`, `$this`) is read instead."""
    found = node.child_by_field_name("return_type")
    if found is not None and found.type == "optional_type":
        found = found.named_children[0] if found.named_children else None
    if found is None or (found.type == "primitive_type" and text(found) in ("array", "iterable")):
        return _documented_result(node)
    if found.type != "named_type" or not found.named_children:
        return None
    spelled = text(found.named_children[0])
    if spelled.lower() in ("self", "static"):
        return OWN_TYPE
    return result_type(found.named_children[0])


def _documented_result(node: Node) -> str | None:
    """What the doc comment just before a callable's node says it returns (`@return Job[]`)."""
    comment = node.prev_named_sibling
    if comment is None or comment.type != "comment":
        return None
    spelled = doc_type_in(read_once(comment, php_doc_tags))
    if spelled is None:
        return None
    if spelled == "$this":
        return OWN_TYPE
    return collection_of(spelled) if spelled.endswith("[]") else type_name(spelled) or None


def documented_name(comment: Node, name: Node | None) -> tuple[str, str] | None:
    """The name and type the doc comment `comment` gives: the parameter or property `name`'s,
    or with none, the variable an inline `/** @var Task $task */` names."""
    if name is None:
        return doc_variable(text(comment))
    spelled = doc_type_in(read_once(comment, php_doc_tags), text(name))
    return None if spelled is None or spelled == "$this" else (text(name), spelled)


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Class", "Interface", "Trait", "Enum"}),
    self_names=frozenset({"$this", "self", "static"}),
    super_names=frozenset({"parent"}),
    hidden=declared_private,
    returns=returns,
    documented=documented_name,
)
