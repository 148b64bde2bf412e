"""JavaScript: classes, functions (also `const f = () => ...` and CommonJS `exports.f = ...`),
methods (also arrow-function class fields: `handleClick = () => ...`, and ES5 methods assigned
to a constructor's prototype, a function, a class or an object: `View.prototype.render =
function`, `app.set = function`), ES imports, require(), calls, and JSX components rendered
(`<Button />`)."""

from __future__ import annotations

import re

from tree_sitter import Node

from activities.codegraph.doc_types import jsdoc_imports, jsdoc_tags
from activities.codegraph.element_types import collection_of
from activities.codegraph.model import Import
from activities.codegraph.specs import LanguageSpec, line, read_once, text

# Shared with TypeScript, whose grammar extends this one.
COMMON = """
(class_declaration name: (_) @name) @def.Class
(function_declaration name: (identifier) @name) @def.Function
(generator_function_declaration name: (identifier) @name) @def.Function
(class_body (method_definition name: (_) @name) @def.Method)
(variable_declarator
  name: (identifier) @name
  value: [(arrow_function) (function_expression) (generator_function)]) @def.Function
(assignment_expression
  left: (member_expression object: (identifier) @_exports property: (property_identifier) @name)
  right: [(arrow_function) (function_expression) (generator_function)]
  (#eq? @_exports "exports")) @def.Function
(assignment_expression
  left: (member_expression
    object: (member_expression object: (identifier) @_module property: (property_identifier) @_e)
    property: (property_identifier) @name)
  right: [(arrow_function) (function_expression) (generator_function)]
  (#eq? @_module "module") (#eq? @_e "exports")) @def.Function
(assignment_expression
  left: (member_expression
    object: (member_expression object: (identifier) @owner property: (property_identifier) @_p)
    property: (property_identifier) @name)
  right: _ASSIGNED
  (#eq? @_p "prototype")) @def.Function
(assignment_expression
  left: (member_expression object: (identifier) @owner property: (property_identifier) @name)
  right: _ASSIGNED
  (#not-any-of? @owner "exports" "module" "window" "globalThis" "global" "self")) @def.Function
(variable_declarator
  name: (identifier) @name
  value: [(object) (assignment_expression right: [
    (object) (assignment_expression right: (object))])]) @def.Object
(variable_declarator
  name: (identifier) @name
  value: (call_expression
    function: (member_expression object: (identifier) @_o property: (property_identifier) @_c))
  (#eq? @_o "Object") (#eq? @_c "create")) @def.Object
(call_expression function: (identifier) @call.name) @call
(call_expression
  function: (member_expression object: (_) @call.receiver property: (_) @call.name)) @call
(new_expression constructor: (identifier) @call.name) @call
(new_expression
  constructor: (member_expression object: (_) @call.receiver property: (_) @call.name)) @call
(variable_declarator
  name: (identifier) @typed.name
  value: (new_expression constructor: [(identifier) (member_expression)] @typed.type))
; `if (op instanceof Update) {...}` (alone or first of an `&&`): op is an Update in the block,
; in a ternary's value, after the `&&`.
(_ condition: (parenthesized_expression _INSTANCEOF) consequence: (statement_block) @typed.narrowed)
(_ condition: (parenthesized_expression (binary_expression left: _INSTANCEOF operator: "&&"))
   consequence: (statement_block) @typed.narrowed)
(ternary_expression condition: _INSTANCEOF consequence: (_) @typed.narrowed)
(binary_expression left: _INSTANCEOF operator: "&&" right: (_) @typed.narrowed)
(import_statement) @import
(export_statement source: (string)) @import
(export_statement !source (export_clause)) @import
(export_statement "default" declaration: [
  (function_declaration name: (_) @export.default)
  (generator_function_declaration name: (_) @export.default)
  (class_declaration name: (_) @export.default)])
(export_statement "default" value: (identifier) @export.default)
(export_statement !source (export_clause
  (export_specifier name: (identifier) @export.default alias: _ @_alias)
  (#eq? @_alias "default")))
(call_expression
  function: [(identifier) @_fn (import)]
  arguments: (arguments . (string))
  (#any-of? @_fn "require")) @import
(program (expression_statement (assignment_expression
  left: (member_expression
    object: [(identifier) (member_expression)] property: (property_identifier))
  right: [(identifier) (member_expression) (object)]) @import))
(variable_declarator
  name: (identifier)
  value: (call_expression
    function: (member_expression object: (identifier) @_o property: (property_identifier) @_a)
    arguments: (arguments (object)))
  (#eq? @_o "Object") (#eq? @_a "assign")) @import
""".replace(
    "_INSTANCEOF",
    '(binary_expression left: (identifier) @typed.name operator: "instanceof"'
    " right: [(identifier) (member_expression)] @typed.type"
    # `x instanceof this.constructor`: no class a name says.
    ' (#not-match? @typed.type "^this[.]"))',
).replace(
    # A function, or one also assigned to another name: `res.set = res.header = function`.
    "_ASSIGNED",
    "[_FUNCTION (assignment_expression right: [_FUNCTION])]".replace(
        "_FUNCTION", "(arrow_function) (function_expression) (generator_function)"
    ),
)

# JSX (JavaScript's grammar and TSX's, not plain TypeScript's): a component rendered
# (`<Button />`, `<UI.Card>`) is called by React with its props, so it is a call site; a
# lower-case name is an HTML element (`<div>`), never one.
JSX = """
(jsx_opening_element name: (identifier) @call.name (#match? @call.name "^[A-Z]")) @call
(jsx_self_closing_element name: (identifier) @call.name (#match? @call.name "^[A-Z]")) @call
(jsx_opening_element
  name: (member_expression object: (_) @call.receiver property: (_) @call.name)) @call
(jsx_self_closing_element
  name: (member_expression object: (_) @call.receiver property: (_) @call.name)) @call
"""

# A React component wrapped as it is defined (`const Card = memo((props) => ...)`,
# `forwardRef(function Input(props, ref) {...})`, one wrapper inside another, MobX's
# `observer`): a function of that name. Wrapping one defined before (`const Excalidraw =
# React.memo(ExcalidrawBase)`) makes a function that renders it: a call of it. So is a
# compound component given its parts as it is defined (`const Sidebar =
# Object.assign(forwardRef((props) => ...), { Header })`; its parts: `assigned_members`).
# Query strings unescape `\\` to `\`: the pattern is `^(React\.)?(memo|forwardRef|observer)$`.
_WRAPPERS = r'"^(React\\.)?(memo|forwardRef|observer)$"'
_FUNCTION = "[(arrow_function) (function_expression)]"
WRAPPED = f"""
(variable_declarator
  name: (identifier) @name
  value: (call_expression
    function: [(identifier) (member_expression)] @_wrapper
    arguments: (arguments . [(arrow_function) (function_expression) (identifier)]))
  (#match? @_wrapper {_WRAPPERS})) @def.Function
(variable_declarator
  name: (identifier) @name
  value: (call_expression
    function: [(identifier) (member_expression)] @_wrapper
    arguments: (arguments . (call_expression
      function: [(identifier) (member_expression)] @_inner
      arguments: (arguments . {_FUNCTION}))))
  (#match? @_wrapper {_WRAPPERS})
  (#match? @_inner {_WRAPPERS})) @def.Function
(call_expression
  function: [(identifier) (member_expression)] @_wrapper
  arguments: (arguments . (identifier) @call.name)
  (#match? @_wrapper {_WRAPPERS})) @call
(variable_declarator
  name: (identifier) @name
  value: (call_expression
    function: (member_expression object: (identifier) @_o property: (property_identifier) @_a)
    arguments: (arguments . {_FUNCTION}))
  (#eq? @_o "Object") (#eq? @_a "assign")) @def.Function
(variable_declarator
  name: (identifier) @name
  value: (call_expression
    function: (member_expression object: (identifier) @_o property: (property_identifier) @_a)
    arguments: (arguments . (call_expression
      function: [(identifier) (member_expression)] @_wrapper
      arguments: (arguments . {_FUNCTION}))))
  (#eq? @_o "Object") (#eq? @_a "assign")
  (#match? @_wrapper {_WRAPPERS})) @def.Function
"""

# The array methods whose callback's first parameter is an element (not `reduce`'s):
# `tasks.forEach(t => ...)`, `(t) => ...`, `function (t) {...}`, t is an element of tasks.
EACH = "^(forEach|map|flatMap|filter|find|findLast|findIndex|findLastIndex|some|every)$"
# What a loop or an array callback iterates, whose element type it takes: a name, a path,
# or a call's result (awaited too: `for (const u of await repo.find())`).
EACH_OF = (
    "[(identifier) (member_expression) (call_expression function: _CALLEE)"
    " (await_expression (call_expression function: _CALLEE))]"
).replace("_CALLEE", "[(identifier) (member_expression)]")

# JSDoc (`doc_types`): its imports at the top of a module, and the types it gives a
# function's parameters (`@param`), a field set in a method or a variable (`@type`).
_PARAMS = (
    "(formal_parameters [(identifier) @typed.name"
    " (assignment_pattern left: (identifier) @typed.name)])"
)
_FUNCTION_VALUE = (
    f"[(arrow_function parameters: {_PARAMS}) (arrow_function parameter: (identifier) @typed.name)"
    f" (function_expression parameters: {_PARAMS})]"
)
JSDOC = f"""
(program (comment) @import)
; CommonJS's `module.exports = Parser`: what an ES or JSDoc default import of the module gets.
(program (expression_statement (assignment_expression
  left: (member_expression object: (identifier) @_module property: (property_identifier) @_exports)
  right: (identifier) @export.default)
  (#eq? @_module "module") (#eq? @_exports "exports")))
(_ (comment) @typed.doc . [
  (function_declaration parameters: {_PARAMS})
  (generator_function_declaration parameters: {_PARAMS})
  (export_statement declaration: (function_declaration parameters: {_PARAMS}))
  (lexical_declaration (variable_declarator value: {_FUNCTION_VALUE}))
  (variable_declaration (variable_declarator value: {_FUNCTION_VALUE}))])
(class_body (comment) @typed.doc . (method_definition parameters: {_PARAMS}))
(program (comment) @typed.doc .
  (expression_statement (assignment_expression right: {_FUNCTION_VALUE})))
(_ (comment) @typed.doc .
  (expression_statement (assignment_expression
    left: (member_expression object: (this) property: (property_identifier) @typed.field))))
(_ (comment) @typed.doc . [
  (lexical_declaration (variable_declarator name: (identifier) @typed.name))
  (variable_declaration (variable_declarator name: (identifier) @typed.name))
  (field_definition property: (property_identifier) @typed.name)])
(for_in_statement left: (identifier) @typed.name operator: "of" right: {EACH_OF} @typed.each)
(call_expression
  function: (member_expression object: {EACH_OF} @typed.each property: (property_identifier) @_each)
  arguments: (arguments . [
    (arrow_function parameter: (identifier) @typed.name)
    (arrow_function parameters: (formal_parameters . (identifier) @typed.name))
    (function_expression parameters: (formal_parameters . (identifier) @typed.name))])
  (#match? @_each "{EACH}"))
"""

QUERY = (
    COMMON
    + WRAPPED
    + JSX
    + """
(class_heritage [(identifier) (member_expression)] @inherit.extends)
(variable_declarator name: (identifier) @typed.name value: (subscript_expression) @typed.item)
(class_body (field_definition
  property: (property_identifier) @name
  value: [(arrow_function) (function_expression)]) @def.Method)
"""
    + JSDOC
)


def imports(node: Node) -> list[Import]:
    """ES `import`/`export ... from` statements and `require('x')` calls with their bindings;
    JSDoc's type imports (`/** @import Chunk from "./Chunk" */`)."""
    ln = line(node)
    if node.type == "comment":
        return jsdoc_imports(text(node), ln)
    if node.type == "call_expression":
        return _require(node, ln)
    if node.type in ("assignment_expression", "variable_declarator"):
        return assigned_members(node)
    source = node.child_by_field_name("source")
    if source is None:
        return _local_exports(node) if node.type == "export_statement" else []
    module = _string(source)
    if node.type == "export_statement":
        return _re_exports(node, module, ln)
    found: list[Import] = []
    clause = next((c for c in node.named_children if c.type == "import_clause"), None)
    for child in clause.named_children if clause is not None else ():
        if child.type == "identifier":
            found.append(Import(module, "default", text(child), ln))
        elif child.type == "namespace_import":
            alias = next((text(c) for c in child.named_children if c.type == "identifier"), None)
            found.append(Import(module, "*", alias, ln))
        elif child.type == "named_imports":
            for spec in child.named_children:
                name_node = spec.child_by_field_name("name")
                alias_node = spec.child_by_field_name("alias")
                if name_node is not None:
                    alias = text(alias_node) if alias_node is not None else None
                    found.append(Import(module, text(name_node), alias, ln))
    return found or [Import(module, None, None, ln)]


def _re_exports(node: Node, module: str, ln: int) -> list[Import]:
    """`export { a as b } from 'x'`, `export * from 'x'` and `export * as ns from 'x'`: the
    names a barrel module passes on, recorded as its imports (`export *` as a wildcard)."""
    for child in node.named_children:
        if child.type == "export_clause":
            found = []
            for spec in child.named_children:
                name_node = spec.child_by_field_name("name")
                alias_node = spec.child_by_field_name("alias")
                if spec.type == "export_specifier" and name_node is not None:
                    alias = text(alias_node) if alias_node is not None else None
                    found.append(Import(module, text(name_node), alias, ln))
            return found or [Import(module, None, None, ln)]
        if child.type == "namespace_export":
            alias = next((text(c) for c in child.named_children if c.type == "identifier"), None)
            return [Import(module, "*", alias, ln)]
    if any(child.type == "*" for child in node.children):
        return [Import(module, "*", None, ln)]
    return [Import(module, None, None, ln)]


def _local_exports(node: Node) -> list[Import]:
    """`export { renderApp as render }`: the module passes its own `renderApp` on as
    `render`, recorded as an import of itself (module ''). Only renames: `export { a }`
    exports what `a` already names, and `as default` is the default export."""
    found = []
    for clause in node.named_children:
        for spec in clause.named_children if clause.type == "export_clause" else ():
            name, alias = spec.child_by_field_name("name"), spec.child_by_field_name("alias")
            if name is None or alias is None or alias.type != "identifier":
                continue
            if text(alias) not in ("default", text(name)):
                found.append(Import("", text(name), text(alias), line(node)))
    return found


def assigned_members(node: Node) -> list[Import]:
    """A React compound component's parts, set at the top of the module: `Card.Header =
    CardHeader`, `Menu.Hints = { MenuHint }`, `const Card = Object.assign(CardBase, {
    Header: CardHeader, Body })`. Each is recorded as an import of the module's own name
    (module '') under the member's path (`Card.Header`), which resolution follows for
    `<Card.Header />` and `Card.Header()` here and in the modules importing `Card`; `Card`
    itself, where the first argument is a name, is passed on as that one (`CardBase`)."""
    if node.type == "assignment_expression":
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        owner = text(left) if left is not None else ""
        if right is None or not _PATH.fullmatch(owner) or not _settable(owner):
            return []
        return _members(owner, right, line(node), 0)
    statement = node.parent
    if statement is not None and statement.parent is not None:
        statement = statement.parent if statement.parent.type == "export_statement" else statement
    name, call = node.child_by_field_name("name"), node.child_by_field_name("value")
    arguments = call.child_by_field_name("arguments") if call is not None else None
    if statement is None or statement.parent is None or statement.parent.type != "program":
        return []  # inside a function: `Object.assign(style, {...})` sets some object
    if name is None or arguments is None or not arguments.named_children:
        return []
    owner, ln = text(name), line(node)
    first, *sources = arguments.named_children
    found = [Import("", text(first), owner, ln)] if first.type == "identifier" else []
    for source in sources:
        found += _members(owner, source, ln, 1) if source.type == "object" else []
    return found


# A path of names (`DropdownMenu.Trigger`), what a member may be set from or set on.
_PATH = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
# Owners whose members are no component's parts: a module's exports, the globals, a
# prototype (an instance's members).
_NOT_OWNERS = frozenset({"exports", "module", "window", "globalThis", "global", "self"})
_MAX_DEPTH = 4


def _settable(owner: str) -> bool:
    parts = owner.split(".")
    return parts[0] not in _NOT_OWNERS and "prototype" not in parts


def _members(owner: str, value: Node, ln: int, depth: int) -> list[Import]:
    """`owner` set from `value`: a name or path (`CardHeader`, `DropdownMenu.Item`), or an
    object of such members (`{ Header: CardHeader, Body }`, nested too)."""
    if value.type in ("identifier", "member_expression"):
        spelled = text(value)
        return [Import("", spelled, owner, ln)] if _PATH.fullmatch(spelled) else []
    if value.type != "object" or depth >= _MAX_DEPTH:
        return []
    found = []
    for entry in value.named_children:
        if entry.type == "shorthand_property_identifier":
            found.append(Import("", text(entry), f"{owner}.{text(entry)}", ln))
        elif entry.type == "pair":
            key, inner = entry.child_by_field_name("key"), entry.child_by_field_name("value")
            if key is not None and inner is not None and key.type == "property_identifier":
                found += _members(f"{owner}.{text(key)}", inner, ln, depth + 1)
    return found


def _require(node: Node, ln: int) -> list[Import]:
    args = node.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None or first.type != "string":
        return []
    module = _string(first)
    declarator = node.parent
    if declarator is None or declarator.type != "variable_declarator":
        return [Import(module, None, None, ln)]
    target = declarator.child_by_field_name("name")
    if target is not None and target.type == "identifier":
        return [Import(module, None, text(target), ln)]
    if target is not None and target.type == "object_pattern":
        found = []
        for prop in target.named_children:
            if prop.type == "shorthand_property_identifier_pattern":
                found.append(Import(module, text(prop), None, ln))
            elif prop.type == "pair_pattern":
                key, value = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                if key is not None and value is not None:
                    found.append(Import(module, text(key), text(value), ln))
        return found
    return [Import(module, None, None, ln)]


# What may stand between a method assigned at the top of the file and the program: blocks of
# `if`, another assignment of the same function (`req.get = req.header = function`).
_STATEMENT_LEVEL = frozenset(
    {"expression_statement", "statement_block", "if_statement", "else_clause",
     "assignment_expression", "parenthesized_expression", "unary_expression"}
)  # fmt: skip
_MAX_LEVELS = 64


def assigned_method(node: Node) -> str | None:
    """For `F.prototype.m = function` (`prototype`) or `X.m = function` (`static`): which,
    where it is a statement of the program or of the body of a function called at once
    (`(function () { ... })()`, an IIFE); None inside any other function, where it sets a
    property of some object (`request.onabort = function`), defining nothing."""
    left = node.child_by_field_name("left")
    target = left.child_by_field_name("object") if left is not None else None
    kind = "prototype" if target is not None and target.type == "member_expression" else "static"
    current = node.parent
    for _ in range(_MAX_LEVELS):
        if current is None:
            return None
        if current.type == "program":
            return kind
        if current.type in ("function_expression", "arrow_function"):
            call = _called_at_once(current)
            current = call.parent if call is not None else None
        elif current.type not in _STATEMENT_LEVEL:
            return None
        else:
            current = current.parent
    return None


def _called_at_once(function: Node) -> Node | None:
    """The call of an IIFE, `(function () {})()`, `(() => {})()`, `(function () {}).call(this)`,
    or of the IIFE a UMD bundle hands its module body to (`(function (root, factory) {
    ... })(this, function () { body })`); None for a function not called where it is
    written (a callback)."""
    callee = _unwrapped(function)
    call = callee.parent
    if call is not None and call.type == "arguments":  # a UMD factory
        call = call.parent
        wrapper = call.child_by_field_name("function") if call is not None else None
        while wrapper is not None and wrapper.type == "parenthesized_expression":
            wrapper = wrapper.named_children[0] if wrapper.named_children else None
        return call if wrapper is not None and wrapper.type == "function_expression" else None
    if call is not None and call.type == "member_expression":  # `.call(this)`, `.apply()`
        method = call.child_by_field_name("property")
        if call.child_by_field_name("object") != callee or method is None:
            return None
        if text(method) not in ("call", "apply"):
            return None
        callee, call = call, call.parent
    if call is None or call.type != "call_expression":
        return None
    return call if call.child_by_field_name("function") == callee else None


def _unwrapped(node: Node) -> Node:
    """`node` with the parentheses around it."""
    while node.parent is not None and node.parent.type == "parenthesized_expression":
        node = node.parent
    return node


def _string(node: Node) -> str:
    return text(node).strip("'\"`")


def documented(comment: Node, name: Node | None) -> tuple[str, str] | None:
    """The name and type a JSDoc comment gives a parameter (`@param {Chunk} chunk`), or a
    field or variable (`@type {Chunk}`)."""
    if name is None:
        return None
    holder = name.parent
    is_parameter = holder is not None and holder.type in _PARAMETER_HOLDERS
    tags = read_once(comment, jsdoc_tags)
    spelled = tags.get(("param", text(name)) if is_parameter else ("type", None))
    return (text(name), spelled) if spelled is not None else None


# What holds a parameter's name: the list, a default (`chunks = []`), a lone arrow parameter.
_PARAMETER_HOLDERS = frozenset({"formal_parameters", "assignment_pattern", "arrow_function"})
# What holds a definition's node at the statement a doc comment precedes.
_STATEMENTS = frozenset(
    {"lexical_declaration", "variable_declaration", "expression_statement", "export_statement"}
)


def returns(node: Node) -> str | None:
    """What a function or method's JSDoc says it returns (`@returns {Chunk}`)."""
    statement = node
    while statement.parent is not None and statement.parent.type in _STATEMENTS:
        statement = statement.parent
    comment = statement.prev_named_sibling
    if comment is None or comment.type != "comment":
        return None
    spelled = read_once(comment, jsdoc_tags).get(("return", None))
    if spelled is None:
        return None
    return collection_of(spelled) if spelled.endswith("[]") else spelled


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    assigned_method=assigned_method,
    documented=documented,
    returns=returns,
)
