"""Rust: structs, enums, traits, inline modules, functions, methods of `impl` blocks, `use`."""

from __future__ import annotations

from tree_sitter import Node

from activities.codegraph.element_types import collection_of
from activities.codegraph.model import Import
from activities.codegraph.specs import LanguageSpec, line, text

_TYPE = "[(type_identifier) (scoped_type_identifier) (generic_type type: (_) @impl.type)]"

QUERY = """
(struct_item name: (type_identifier) @name) @def.Struct
(union_item name: (type_identifier) @name) @def.Struct
(enum_item name: (type_identifier) @name) @def.Enum
(trait_item name: (type_identifier) @name) @def.Trait
(mod_item name: (identifier) @name body: (declaration_list)) @def.Namespace
(function_item name: (identifier) @name) @def.Function
(function_signature_item name: (identifier) @name) @def.Function
(impl_item
  trait: [(type_identifier) (scoped_type_identifier)]? @impl.trait
  trait: (generic_type type: (_) @impl.trait)?
  type: [(type_identifier) (scoped_type_identifier)] @impl.type) @impl
(impl_item
  trait: [(type_identifier) (scoped_type_identifier)]? @impl.trait
  trait: (generic_type type: (_) @impl.trait)?
  type: (generic_type type: (_) @impl.type)) @impl
(trait_item bounds: (trait_bounds [(type_identifier) (scoped_type_identifier)] @inherit.extends))
(call_expression function: (identifier) @call.name) @call
(call_expression
  function: (field_expression value: (_) @call.receiver field: (field_identifier) @call.name)) @call
(call_expression
  function: (scoped_identifier path: (_) @call.receiver name: (identifier) @call.name)) @call
(parameter pattern: (identifier) @typed.name type: _TYPE @typed.type)
(parameter pattern: (identifier) @typed.name type: (reference_type type: _TYPE @typed.type))
(let_declaration pattern: (identifier) @typed.name type: _TYPE @typed.type)
(let_declaration
  pattern: (identifier) @typed.name type: (reference_type type: _TYPE @typed.type))
(field_declaration name: (field_identifier) @typed.name type: _TYPE @typed.type)
(let_declaration
  pattern: (identifier) @typed.name
  value: (call_expression
    function: (scoped_identifier
      path: [(identifier) (scoped_identifier)] @typed.type name: (identifier) @_new))
  (#eq? @_new "new") (#not-eq? @typed.type "Self"))
(let_declaration
  pattern: (identifier) @typed.name
  value: (struct_expression name: [(type_identifier) (scoped_type_identifier)] @typed.type))
(let_declaration
  pattern: (identifier) @typed.name
  !type
  value: [
    (call_expression function: _CALLEE @typed.call)
    (try_expression (call_expression function: _CALLEE @typed.call))
  ])
(let_condition
  pattern: (tuple_struct_pattern type: (identifier) @_held . (identifier) @typed.name .)
  value: [
    (call_expression function: _CALLEE @typed.call)
    (try_expression (call_expression function: _CALLEE @typed.call))
  ]
  (#match? @_held "^(Some|Ok)$"))
(match_expression
  value: [
    (call_expression function: _CALLEE @typed.call)
    (try_expression (call_expression function: _CALLEE @typed.call))
  ]
  body: (match_block
    (match_arm
      pattern: (match_pattern
        (tuple_struct_pattern type: (identifier) @_held . (identifier) @typed.name .))))
  (#match? @_held "^(Some|Ok)$"))
(let_declaration
  pattern: (identifier) @typed.name
  !type
  value: [
    (index_expression) @typed.item
    (reference_expression value: (index_expression) @typed.item)
  ])
(use_declaration) @import
(mod_item !body) @import
(parameter pattern: (identifier) @typed.name type: (reference_type type: (array_type) @typed.type))
(for_expression
  pattern: (identifier) @typed.name value: [(identifier) (field_expression)] @typed.each)
(for_expression
  pattern: (identifier) @typed.name
  value: (reference_expression value: [(identifier) (field_expression)] @typed.each))
(for_expression
  pattern: (identifier) @typed.name
  value: (call_expression
    function: (field_expression
      value: [(identifier) (field_expression)] @typed.each field: (field_identifier) @_iter))
  (#match? @_iter "^(iter|iter_mut|into_iter)$"))
(for_expression
  pattern: (identifier) @typed.name
  value: (call_expression function: [(identifier) (scoped_identifier)]) @typed.each)
(for_expression
  pattern: (identifier) @typed.name
  value: (call_expression function: (field_expression field: (field_identifier) @_call)) @typed.each
  (#not-match? @_call "^(iter|iter_mut|into_iter)$"))
""".replace("_TYPE", "[(type_identifier) (scoped_type_identifier) (generic_type)]").replace(
    "_CALLEE", "[(identifier) (field_expression) (scoped_identifier)]"
)


def imports(node: Node) -> list[Import]:
    """One Import per leaf of `use a::{b, c::D as E, f::*}`; `mod m;` imports `self::m`."""
    ln = line(node)
    if node.type == "mod_item":
        name = node.child_by_field_name("name")
        return [Import(f"self::{text(name)}", None, None, ln)] if name is not None else []
    argument = node.child_by_field_name("argument")
    found: list[Import] = []
    # An explicit stack instead of recursion: use-trees nest arbitrarily deep.
    stack: list[tuple[str, Node]] = [("", argument)] if argument is not None else []
    while stack:
        prefix, tree = stack.pop()
        kind = tree.type
        if kind == "scoped_use_list":
            path = tree.child_by_field_name("path")
            inner = _join(prefix, text(path)) if path is not None else prefix
            items = tree.child_by_field_name("list")
            stack.extend((inner, item) for item in (items.named_children if items else ()))
        elif kind == "use_list":
            stack.extend((prefix, item) for item in tree.named_children)
        elif kind == "use_wildcard":
            path = next(iter(tree.named_children), None)
            found.append(Import(_join(prefix, text(path)) if path else prefix, "*", None, ln))
        elif kind == "use_as_clause":
            path, alias = tree.child_by_field_name("path"), tree.child_by_field_name("alias")
            if path is not None:
                found.append(_leaf(prefix, text(path), text(alias) if alias else None, ln))
        elif kind in ("identifier", "scoped_identifier", "self", "crate", "super"):
            found.append(_leaf(prefix, text(tree), None, ln))
    inline = _inline_modules(node)
    if inline:
        found = [_from_file_level(imp, inline) for imp in found]
    return sorted(found, key=lambda i: (i.module, i.name or "", i.alias or ""))


def _inline_modules(node: Node) -> list[str]:
    """The inline modules (`mod tests { ... }`) around `node`, outermost first."""
    names: list[str] = []
    parent = node.parent
    while parent is not None:
        if parent.type == "mod_item":
            name = parent.child_by_field_name("name")
            names.append(text(name) if name is not None else "")
        parent = parent.parent
    return names[::-1]


def _from_file_level(imp: Import, inline: list[str]) -> Import:
    """A `use` inside inline modules, with its path as seen from the file's own module: in
    `mod tests { use super::*; }` (in every crate's tests), `super` is the file itself."""
    segments = imp.module.split("::")
    ups = 0
    while ups < len(segments) and segments[ups] == "super":
        ups += 1
    if ups:
        # Each `super` climbs one inline module; past the outermost, the file's parent.
        kept = inline[: max(len(inline) - ups, 0)]
        rest = ["super"] * max(ups - len(inline), 0) + segments[ups:]
        path = ["self", *kept, *rest] if ups <= len(inline) else rest
    elif segments[0] == "self":
        path = ["self", *inline, *segments[1:]]
    else:
        return imp  # `crate::...`, or a crate's name (`use std::fs`)
    return Import("::".join(path), imp.name, imp.alias, imp.line)


def call_path(receiver: Node, path: str) -> str:
    """The module path of a call `path::f()` as seen from the file's own module, as `use`
    paths are (`super::helper()` in `mod tests` names the file itself). A path that is just
    the file's module reads `self::`: a bare `self` receiver means the method's object."""
    if path.split("::", maxsplit=1)[0] not in ("self", "super"):
        return path
    inline = _inline_modules(receiver)
    found = _from_file_level(Import(path, None, None, 0), inline).module if inline else path
    return "self::" if found == "self" else found


def _leaf(prefix: str, path: str, alias: str | None, ln: int) -> Import:
    full = _join(prefix, path)
    if path == "self":  # `use a::b::{self}` imports the module `a::b` itself
        return Import(prefix, None, alias or prefix.rpartition("::")[2], ln)
    module, _, name = full.rpartition("::")
    return Import(module, name, alias, ln)


def _join(prefix: str, path: str) -> str:
    return f"{prefix}::{path}" if prefix else path


# Results a call's `?` (or a deref) sees through to the type whose methods are called:
# `-> Result<Session, Error>` gives a Session to `let s = open()?`.
_WRAPPERS = frozenset({"Result", "Option", "Box", "Arc", "Rc"})


def returns(node: Node) -> str | None:
    """The type a function declares it returns (`-> Client`, `-> net::Conn`, `-> Self`),
    through references and `Result`, `Option`, `Box`, `Arc` and `Rc`; a `Vec`'s, slice's or
    other collection's element type after `COLLECTION` (`-> Vec<Client>`: `[]Client`)."""
    found = node.child_by_field_name("return_type")
    for _ in range(8):  # `Result<Option<Box<T>>>` at most, as written
        if found is None or found.type not in ("reference_type", "generic_type"):
            break
        if found.type == "reference_type":
            found = found.child_by_field_name("type")
            continue
        base, arguments = (
            found.child_by_field_name("type"),
            found.child_by_field_name("type_arguments"),
        )
        if base is None or text(base).rpartition("::")[2] not in _WRAPPERS:  # `io::Result`
            return collection_of(text(found)) or _named(base)
        found = (
            arguments.named_children[0]
            if arguments is not None and arguments.named_children
            else None
        )
    if found is not None and found.type == "array_type":  # `-> &[Client]`
        return collection_of(text(found))
    return _named(found)


def _named(node: Node | None) -> str | None:
    """The type a node names, if it is a type's name (`Client`, `net::Conn`)."""
    named = node is not None and node.type in ("type_identifier", "scoped_type_identifier")
    return text(node) if named and node is not None else None


SPEC = LanguageSpec(
    query=QUERY,
    imports=imports,
    method_containers=frozenset({"Trait"}),
    self_names=frozenset({"self", "Self"}),
    super_names=frozenset(),
    returns=returns,
    # An `Option` or `Result` unwrapped (a callee's is kept as what it holds), a value
    # cloned: the type it was. Not `as_ref` or `borrow`, which a type of the branch may
    # implement for another (`impl AsRef<Handle> for Wrapper`), but of a declared `Option`
    # or `RefCell` (`receiver_types.taken_out`).
    passing=frozenset({"unwrap", "expect", "unwrap_or", "unwrap_or_else", "unwrap_or_default",
                       "unwrap_unchecked", "clone", "to_owned"}),
    # Those of `Option` and `Result` alone: not `filter`, `take` or `iter`, which builders and
    # collections of the branch define as often.
    wrapper_methods=frozenset({
        "map", "map_err", "map_or", "map_or_else", "and_then", "or_else", "ok", "err",
        "ok_or", "ok_or_else", "is_some", "is_none", "is_ok", "is_err", "as_deref",
        "as_deref_mut", "zip", "flatten", "get_or_insert", "get_or_insert_with", "copied",
        "cloned", "unwrap_err", "expect_err", "inspect", "transpose", "xor", "is_some_and",
        "is_ok_and",
    }),
)  # fmt: skip
