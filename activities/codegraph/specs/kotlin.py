"""Kotlin: classes, interfaces, enum classes, objects, functions, imports, supertypes."""

from __future__ import annotations

from collections.abc import Iterator

from tree_sitter import Node

from activities.codegraph.model import Import
from activities.codegraph.names import type_name
from activities.codegraph.specs import (
    LanguageSpec,
    declared_private,
    line,
    parameter_type,
    result_type,
    text,
)

# Patterns for the same node are listed most specific first: the engine keeps the earliest.
QUERY = (
    """
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
(class_parameter (identifier) @typed.name . [(user_type) (nullable_type)] @typed.type)
(parameter (identifier) @typed.name . [(user_type) (nullable_type)] @typed.type)
(variable_declaration (identifier) @typed.name . [(user_type) (nullable_type)] @typed.type)
(property_declaration
  (variable_declaration (identifier) @typed.name .)
  (call_expression . (identifier) @typed.type (value_arguments))
  (#match? @typed.type "^[A-Z]"))
(property_declaration
  (variable_declaration (identifier) @typed.name .)
  (call_expression
    . [(identifier) (navigation_expression)] @typed.call [(value_arguments) (annotated_lambda)]))
(property_declaration
  (variable_declaration (identifier) @typed.name .) (index_expression) @typed.item)
; A smart cast (`is`, never `!is`): `if (o is Update) {...}`, a `when (o)` entry
; `is Update -> ...`, what follows `o is Update &&`: there o is an Update. So is
; `val u = o as Update`.
(if_expression
  condition: (is_expression left: (identifier) @typed.name "is" right: (user_type) @typed.type)
  . (_) @typed.narrowed)
(when_expression
  (when_subject (identifier) @typed.name)
  (when_entry condition: (type_test "is" (user_type) @typed.type) . (_) @typed.narrowed))
(binary_expression
  left: (is_expression left: (identifier) @typed.name "is" right: (user_type) @typed.type)
  "&&" right: (_) @typed.narrowed)
(if_expression
  condition: (binary_expression
    left: (is_expression left: (identifier) @typed.name "is" right: (user_type) @typed.type) "&&")
  . (_) @typed.narrowed)
(property_declaration
  (variable_declaration (identifier) @typed.name .)
  (as_expression right: [(user_type) (nullable_type)] @typed.type))
(import) @import
(package_header (qualified_identifier) @package)
(for_statement (variable_declaration (identifier) @typed.name .) _SOURCE @typed.each)
; `tasks.forEach { t -> ... }` and `tasks.map { it.run() }`: t and `it` are elements of tasks;
; in `x?.let { it.run() }` and `also`, `it` is x.
(call_expression
  (navigation_expression _SOURCE @typed.each . (identifier) @_each .)
  (annotated_lambda
    (lambda_literal (lambda_parameters . (variable_declaration (identifier) @typed.name .) .)))
  (#match? @_each "_ELEMENTS"))
(call_expression
  (navigation_expression _SOURCE @typed.each . (identifier) @_each .)
  (annotated_lambda (lambda_literal) @typed.it)
  (#match? @_each "_ELEMENTS"))
(call_expression
  (navigation_expression (identifier) @typed.alias . (identifier) @_scope .)
  (annotated_lambda (lambda_literal) @typed.it)
  (#match? @_scope "_SCOPED"))
(call_expression
  (navigation_expression (identifier) @typed.alias . (identifier) @_scope .)
  (annotated_lambda
    (lambda_literal (lambda_parameters . (variable_declaration (identifier) @typed.name .) .)))
  (#match? @_scope "_SCOPED"))
; `s.find()?.let { it.run() }`, `repo.open().also { c -> c.check() }`: what the call returns.
(call_expression
  (navigation_expression _RESULT . (identifier) @_scope .)
  (annotated_lambda (lambda_literal) @typed.it)
  (#match? @_scope "_SCOPED"))
(call_expression
  (navigation_expression _RESULT . (identifier) @_scope .)
  (annotated_lambda
    (lambda_literal (lambda_parameters . (variable_declaration (identifier) @typed.name .) .)))
  (#match? @_scope "_SCOPED"))
""".replace(
        "_RESULT",
        "(call_expression . [(identifier) (navigation_expression)] @typed.call"
        " [(value_arguments) (annotated_lambda)])",
    )
    .replace(
        # The scope functions whose lambda's parameter is the object they are called on.
        "_SCOPED",
        "^(let|also|takeIf|takeUnless)$",
    )
    .replace(
        "_SOURCE",
        "[(identifier) (navigation_expression)"
        " (call_expression . [(identifier) (navigation_expression)]"
        " [(value_arguments) (annotated_lambda)])]",
    )
    .replace(
        # The collection functions whose lambda's (first) parameter is an element.
        "_ELEMENTS",
        "^(forEach|onEach|map|mapNotNull|flatMap|filter|filterNot|find|findLast|first|"
        "firstOrNull|last|lastOrNull|any|all|none|count|sumOf|groupBy|associateBy|"
        "associateWith|sortedBy|sortedByDescending|distinctBy|maxByOrNull|minByOrNull|"
        "partition|takeWhile|dropWhile|single|singleOrNull|removeIf|removeAll|retainAll)$",
    )
)


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


def _parameters(node: Node) -> Iterator[tuple[Node, bool, bool]]:
    """Each `parameter` of a `function_declaration`, whether it is `vararg` and whether it
    has a default (`b: Int = 2`)."""
    parameters = next((c for c in node.children if c.type == "function_value_parameters"), None)
    children = parameters.children if parameters is not None else []
    for i, child in enumerate(children):
        if child.type != "parameter":
            continue
        before = children[i - 1] if i else None
        vararg = (
            before is not None
            and before.type == "parameter_modifiers"
            and "vararg" in text(before).split()
        )
        default = i + 1 < len(children) and children[i + 1].type == "="
        yield child, vararg, default


def arity(node: Node) -> tuple[int, int | None]:
    """`fun f(a: Int, b: Int = 2, vararg c: Int)` takes one argument or more."""
    required = optional = 0
    variadic = False
    for _, vararg, default in _parameters(node):
        if vararg:
            variadic = True
        elif default:
            optional += 1
        else:
            required += 1
    return required, None if variadic else required + optional


def arguments(call: Node) -> int | None:
    """Arguments in parentheses plus a trailing lambda (`run(1) { ... }`, which nests the
    call in another `call_expression`)."""
    count = 0
    for child in call.children:
        if child.type == "value_arguments":
            for argument in child.named_children:
                if any(c.type == "spread_expression" for c in argument.named_children):
                    return None
                count += argument.type == "value_argument"
        elif child.type == "annotated_lambda":
            count += 1
    outer = call.parent
    if outer is not None and outer.type == "call_expression" and outer.children[0] == call:
        count += sum(c.type == "annotated_lambda" for c in outer.children)
    return count


def parameter_types(node: Node) -> tuple[str | None, ...]:
    """`fun f(a: Int, b: ByteArray?, vararg c: Foo)`: `Int`, `ByteArray` and a variadic."""
    found: list[str | None] = []
    for parameter, vararg, _ in _parameters(node):
        spelled = next((c for c in parameter.named_children if c.type != "identifier"), None)
        found.append(None if vararg or spelled is None else parameter_type(text(spelled)))
    return tuple(found)


_KOTLIN_WORDS = {"true": "Boolean", "false": "Boolean"}


def argument_types(call: Node) -> tuple[str | None, ...] | None:
    """What `f("s", 1, Sink(), sink)` shows of its arguments' types; nothing where an
    argument is named (`f(count = 1)`: the order is the caller's)."""
    found: list[str | None] = []
    for child in call.children:
        if child.type == "annotated_lambda":
            found.append(None)
        if child.type != "value_arguments":
            continue
        for argument in child.named_children:
            if argument.type != "value_argument":
                continue
            parts = argument.named_children
            if len(parts) != 1:
                return None  # a named argument
            found.append(_argument_type(parts[0]))
    return tuple(found)


def _argument_type(node: Node) -> str | None:
    kind = node.type
    if kind == "string_literal":
        return "String"
    if kind == "character_literal":
        return "Char"
    if kind == "number_literal":
        return "Long" if text(node)[-1] in "lL" else "Int"
    if kind == "float_literal":
        return "Float" if text(node)[-1] in "fF" else "Double"
    if kind == "identifier":
        word = text(node)
        return _KOTLIN_WORDS.get(word, None if word == "null" else f"={word}")
    if kind == "call_expression":  # `Sink()`: a class, as Kotlin names them
        callee = node.children[0] if node.children else None
        name = text(callee) if callee is not None and callee.type == "identifier" else ""
        return name if name[:1].isupper() else None
    return None


def hidden(node: Node, path: str) -> bool:
    """A `private` function, or an extension declared in a class (`fun Large.toLong()` inside
    `class WinHandle`): callable only where that class is in scope as a receiver. One in an
    `object` or a companion object is not: `import okio.ByteString.Companion.encodeUtf8`."""
    if declared_private(node, path):
        return True
    body = node.parent
    owner = body.parent if body is not None and body.type == "class_body" else None
    return owner is not None and owner.type == "class_declaration" and extends(node) is not None


def extends(node: Node) -> str | None:
    """The receiver type a `function_declaration` names (`fun List<T>.firstOf()`: `List`);
    for a type parameter, its bound (`fun <T : Job> T.f()`: `Job`), else `Any`."""
    receiver = None
    for child in node.children:
        if child.type == ".":
            # `fun String?.orEmpty()` extends `String` (and takes its null)
            spelled = type_name(text(receiver)).rstrip("?") if receiver is not None else None
            return _bound(node, spelled) if spelled else None
        if child.type in ("identifier", "function_value_parameters"):
            return None  # the name came first
        if child.is_named and child.type not in ("modifiers", "type_parameters"):
            receiver = child
    return None


def _bound(node: Node, spelled: str) -> str:
    """`spelled`, or where it is one of the function's type parameters, what bounds it: in
    `<T : Job>` or `where T : Job`, else `Any`, as every receiver is one."""
    declared = False
    for child in node.children:
        for part in child.named_children if child.type in _TYPE_PARAMETER_LISTS else ():
            names = [c for c in part.named_children if c.type in ("identifier", "type_identifier")]
            if not names or text(names[0]) != spelled:
                continue
            declared = True
            bound = next((c for c in part.named_children[1:] if c.type in _BOUNDS), None)
            if bound is not None:
                return type_name(text(bound).strip("?"))
    return "Any" if declared else spelled


_TYPE_PARAMETER_LISTS = frozenset({"type_parameters", "type_constraints"})
_BOUNDS = frozenset({"user_type", "nullable_type"})


def shown_type(node: Node) -> str | None:
    """The type a call's receiver shows by itself: a literal's (`"x".slugify()`: `String`,
    `1L`: `Long`) or a cast's (`(sink as Sink).buffer()`: `Sink`)."""
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        inner = node.named_children[0]
        cast = inner.named_children[-1] if inner.type == "as_expression" else None
        if cast is not None and cast.type in _BOUNDS:
            return type_name(text(cast)).rstrip("?") or None
        return None
    if node.type in ("call_expression", "identifier") and text(node) not in _KOTLIN_WORDS:
        return None  # `Sink()` may be a function's; a name is typed elsewhere
    return _argument_type(node)


def returns(node: Node) -> str | None:
    """The type a function declares it returns (`fun open(): Session`, `: ns.Client?`;
    `List` for `List<Client>`)."""
    if node.type != "function_declaration":
        return None
    parameters = False
    for child in node.named_children:
        if child.type == "function_value_parameters":
            parameters = True
        elif parameters and child.type in ("user_type", "nullable_type"):
            found = child.named_children[0] if child.type == "nullable_type" else child
            return result_type(found) if found is not None and found.type == "user_type" else None
        elif parameters and child.type == "function_body":
            return None
    return None


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Class", "Interface", "Enum", "Object"}),
    hidden=hidden,
    arity=arity,
    arguments=arguments,
    extends=extends,
    parameter_types=parameter_types,
    argument_types=argument_types,
    shown_type=shown_type,
    returns=returns,
    passing=frozenset({"apply", "also"}),  # `Builder().apply { ... }.build()`
)
