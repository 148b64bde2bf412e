"""Cross-file resolution of one file's CALLS and INHERITS edges against a branch's symbol
tables. Pure; `branch_resolution.BranchResolution` holds the tables and runs it per file.

Names are looked up the way the language does, most specific first: the enclosing scope
(nested functions, the own class via `self`/`this`, the file), then imported names, then the
file's package, then wildcard imports. Only when all of those fail does a repository-wide
unique-name match apply, and only where a wrong guess is unlikely (`guess_rules`): never for
a method name common on built-in types or the language's library, a receiver spelled as a
type, or a method on `self` whose class has a base from outside the branch. Names imported
from outside the repository are never guessed into edges. Each edge says how it was
resolved: `scope`, `import`, `package`, `type` or `unique_name`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace

from activities.codegraph.affected import RE_EXPORTING
from activities.codegraph.bindings import FileScope
from activities.codegraph.element_types import COLLECTION
from activities.codegraph.extensions import Receiver, choose, receiver_of
from activities.codegraph.graph_rows import EdgeRow
from activities.codegraph.guess_rules import JS_GLOBALS, in_tests, library_method, names_a_type
from activities.codegraph.model import CALLABLE_KINDS, OWN_TYPE, TYPE_KINDS, CallSite, Inheritance
from activities.codegraph.modules import PYTHON_PACKAGE_MARKERS, RepoLayout, Target, rust_path
from activities.codegraph.names import last_step
from activities.codegraph.receiver_types import (
    EACH,
    ELSE,
    FIELD,
    FROM_CALL,
    MAX_CHAINED,
    ON,
    each_of,
    on_part,
    split_field,
)
from activities.codegraph.ruby_constants import CONSTANT, lexical_scopes, resolve_constant
from activities.codegraph.specs import get_spec
from activities.codegraph.symbols import (
    FileSymbols,
    SymbolIndex,
    path_of,
    singleton_lookup,
    unique,
    unique_file,
)

# How a CALLS edge was resolved, the most specific first: a call site resolved twice keeps
# the better.
RANK = {"scope": 0, "import": 1, "package": 2, "type": 3, "unique_name": 4}
# Languages where a bare name may be defined in any file (C's single namespace, Ruby's and
# PHP's global functions and classes): there a unique definition is a good guess.
_GLOBAL_FAMILIES = frozenset({"c", "ruby", "php"})
# Re-exports (`RE_EXPORTING` families) are followed through at most this many modules.
_MAX_RE_EXPORTS = 8
# What `self` (or an object of unknown type) may be, for a Ruby call on it, the likelier
# first: True the class or module itself (`def self.build` reaches it), False an instance
# (`def build`). Other languages call only instances' methods so, their static ones too.
_Selves = tuple[bool, ...]
_INSTANCE: _Selves = (False,)
_CLASS: _Selves = (True,)
_CLASS_FIRST: _Selves = (True, False)
_EITHER: _Selves = (False, True)
# Languages where a bare call inside a method may call another method of the same class.
_IMPLICIT_THIS = frozenset({"java", "kotlin", "csharp", "cpp", "ruby"})
# Of those, where it reaches the methods of enclosing classes before any other name.
_OUTER_FIRST = frozenset({"java", "csharp", "cpp"})
# Where one namespace is opened in many files (C++ `namespace fmt {`, Ruby `module Sinatra`),
# unlike a Rust module, which is one file or one inline block.
_REOPENED_NAMESPACES = frozenset({"c", "ruby"})
# Fields that hold another node of the same type: a method called through one of them
# inside its namesake is recursion (Go's standard library: `t.left.aInsert()`,
# `c.parent.setRan()`, `b.child.flushChild()`), not a wrapper handing the call on.
_LINKED_FIELDS = frozenset({"parent", "child", "left", "right", "next", "prev"})


class Resolver:
    """Resolves one file at a time against the branch's tables: its INHERITS edges
    (`inherits`) and CALLS edges (`calls`). What it works out per name holds while the
    tables do: `BranchResolution` calls `forget` before they change."""

    def __init__(
        self,
        index: SymbolIndex,
        scopes: Mapping[str, FileScope],
        layout: Callable[[], RepoLayout],
    ) -> None:
        self.index = index
        self.scopes = scopes  # every file's, for names a module imports to export them
        self.layout = layout  # the branch's paths, for Rust module paths in calls
        # Per (file, name): the extension functions it may reach beyond its own types'
        # (`_extension_levels`), while the tables stay as they are: `forget` drops them.
        self._levels: dict[tuple[str, str], list[tuple[list[str], str]]] = {}
        # C++ namespaces' definitions by (namespace, name), over every file opening one
        # (`_reopened_members`): abseil's `absl` is opened in 800 files.
        self._in_namespaces: dict[tuple[str, str], list[str]] | None = None
        # The receiver types inferred last (`_inferred_type`, by scope, definition, line and
        # spelling): a link of a chain returning its own type (`-> Self`, `: this`) reads
        # the type it is called on again after the call did (`_returned`), which without
        # them doubles the time with each link. A few suffice: it is read right after.
        self._inferred: dict[tuple[int, str | None, int, str], tuple[FileScope, str | None]] = {}

    def forget(self) -> None:
        """Drop what was worked out from the tables, which are about to change."""
        self._inferred.clear()
        self._levels.clear()
        self._in_namespaces = None

    def inherits(self, scope: FileScope) -> tuple[list[EdgeRow], set[str]]:
        """INHERITS edges of one file, and its types with a base not found in the branch. A
        base is looked up among the types' own members only (`Outer.Inner`), never through
        the hierarchy being linked."""
        fs = scope.symbols
        edges: dict[tuple[str, str], EdgeRow] = {}
        outside: set[str] = set()
        for h in fs.extraction.inherits:
            child = self._local(fs, h.child, types=True) or self.index.scope_by_qn(fs, h.child)
            if child is None or self.index.kind.get(child) not in TYPE_KINDS:
                continue
            if fs.family == "ruby":
                found = self._ruby_base(scope, h, child)
            else:
                found = self.type_ref(self._block(scope, child), h, child)
            if found is None or found[0] == child:
                # `class Thread(Thread)` names a library's class of the same name.
                outside.add(child)
                continue
            if (child, found[0]) in edges:
                continue
            parent, how = found
            # `file_key`: the child may be declared in another file (a Rust impl, a C#
            # partial class); the edge is this file's to delete and rewrite.
            edges[(child, parent)] = EdgeRow(
                "INHERITS", "Symbol", child, "Symbol", parent,
                {"kind": self._inherit_kind(child, parent), "resolution": how,
                 "file_key": fs.key},
            )  # fmt: skip
        return list(edges.values()), outside

    def _block(self, scope: FileScope, key: str | None) -> FileScope:
        """The scope that names used in the file's definition `key` (None: at the top) are
        looked up in: in a PHP file of several namespace blocks, the block's around it."""
        if not scope.blocks:
            return scope
        index = self.index
        while key is not None and index.owner.get(key) is not None:
            key = index.owner[key]
        if key is None or index.kind[key] != "Namespace":
            return scope.blocks.get(None, scope)  # the global block's
        return scope.blocks.get(index.qualified[key], scope)

    def _inherit_kind(self, child: str, parent: str) -> str:
        abstract = {"Interface", "Trait"}
        kind, parent_kind = self.index.kind[child], self.index.kind[parent]
        if (parent_kind in abstract and kind not in abstract) or parent_kind == "Namespace":
            return "implements"
        return "extends"

    def type_ref(self, scope: FileScope, h: Inheritance, child: str) -> tuple[str, str] | None:
        """The type that `h.parent` names, as seen from the child's file."""
        *qualifier, name = h.parent.split(".")
        found = self.lookup(scope, ".".join(qualifier) or None, name, h.child, types=True)
        if found is not None and self.index.kind.get(found[0]) in TYPE_KINDS:
            return found
        return None

    def _ruby_base(self, scope: FileScope, h: Inheritance, child: str) -> tuple[str, str] | None:
        """The class or module a Ruby superclass or mixin names, looked up as Ruby does
        (`ruby_constants`): a superclass where the class is opened, a mixin inside it. Not
        through ancestors, which are what is being linked."""
        fs = scope.symbols
        nesting = self._nesting(fs, child)
        if h.kind == "extends" and nesting[:1] == (self.index.qualified[child],):
            nesting = nesting[1:]
        found = resolve_constant(h.parent, nesting, self.index.defines_constant)
        return self._ruby_type(fs, found) if found is not None else None

    def _ruby_type(self, fs: FileSymbols, qualified: str) -> tuple[str, str] | None:
        """The class or module of that qualified name: the file's own, else the branch's."""
        local = self._local(fs, qualified, types=True)
        if local is not None and self.index.kind[local] in TYPE_KINDS:
            return local, "scope"
        found = self.index.type_named(fs.family, qualified)
        return (found, "unique_name") if found is not None else None

    def _ruby_class(self, fs: FileSymbols, qualified: str) -> tuple[str, str] | None:
        """`Foo.new` where no `def self.new` takes it: the class, as `new T()` elsewhere."""
        found = self._ruby_type(fs, qualified)
        return found if found is not None and self.index.kind[found[0]] == "Class" else None

    def _nesting(self, fs: FileSymbols, key: str | None) -> tuple[str, ...]:
        """The Ruby classes and modules the file's definition `key` is written in."""
        if fs.nesting is None:
            fs.nesting = lexical_scopes(fs.extraction, fs.keys)
        return fs.nesting.get(key, ()) if key is not None else ()

    def _constant(self, fs: FileSymbols, spelled: str, here: str | None) -> str | None:
        """The qualified name of the Ruby constant `spelled` inside the definition `here`,
        looked up as Ruby does (`ruby_constants.resolve_constant`), the ancestors of the
        innermost class or module too."""
        index = self.index

        def ancestors(qualified: str) -> Iterator[str]:
            own = fs.by_qn.get(qualified)
            return (index.qualified[key] for key in index.ancestry(own)) if own else iter(())

        nesting = self._nesting(fs, here)
        return resolve_constant(spelled, nesting, self.index.defines_constant, ancestors)

    def calls(self, scope: FileScope) -> list[EdgeRow]:
        """CALLS edges of one file, one per (caller, callee) with a count of call sites."""
        fs = scope.symbols
        self_names = get_spec(fs.extraction.language).self_names
        best: dict[tuple[str, str], tuple[str, int]] = {}
        for call in fs.extraction.calls:
            caller = fs.definition_around(call.caller, call.line) if call.caller else None
            found = self.call(self._block(scope, caller), call)
            if found is None:
                continue
            if found == (caller, "unique_name") and self._hands_on(call, found[0], self_names):
                continue
            edge = (caller or fs.key, found[0])
            how, count = best.get(edge, (found[1], 0))
            best[edge] = (min(how, found[1], key=RANK.__getitem__), count + 1)
        return [
            EdgeRow("CALLS", "Symbol" if src != fs.key else "File", src, "Symbol", dst,
                    {"resolution": how, "count": count})
            for (src, dst), (how, count) in best.items()
        ]  # fmt: skip

    def _hands_on(self, call: CallSite, caller: str, self_names: frozenset[str]) -> bool:
        """Whether a method hands the call on to an object it holds: `self.inner.read()`
        inside `read` (a wrapper, a Rust newtype) reaches the wrapped type's method, which
        only guessing by name would take for the caller itself."""
        receiver = call.receiver
        if receiver is None:
            return False
        if receiver.startswith("@"):
            return True  # Ruby's `@inner.read`
        head, *fields = re.split(r"\.|->", receiver)
        if fields and fields[-1] in _LINKED_FIELDS:
            return False  # a tree or a list recursing: `t.left.insert()` in Go's AVL tree
        return bool(fields) and (head in self_names or head == self.index.self_name.get(caller))

    def call(self, scope: FileScope, call: CallSite) -> tuple[str, str] | None:
        """The definition a call site reaches, with how it was resolved."""
        declared = call.receiver_type or self._extended_this(scope, call)
        declared, _, written = (declared or "").partition(ELSE)  # see `ELSE`
        if _inferred(declared):
            found = self._on_inferred(scope, call, declared, written or None)
        elif declared:
            found = self._on_declared_type(scope, call, declared)
            if found is None and written:
                found = self._on_declared_type(scope, call, written)
        else:
            found = self._undeclared(scope, call)
        if found is None or call.args is None:
            return found
        key = self.index.overload_for(found[0], call.args, call.arg_types)
        guessed = found[1] == "unique_name" or key in self.index.extends
        if guessed and not self.index.takes(key, call.args):
            return None  # a guess (or an extension) whose arguments cannot fit
        return key, found[1]

    def _undeclared(self, scope: FileScope, call: CallSite) -> tuple[str, str] | None:
        """A call as if its receiver had no type known: looked up by its name and receiver as
        spelled, or on an expression (`?`, a call's result) by its name alone."""
        if call.receiver == "?":
            return self._on_unknown(scope, call.name, call.caller, call.args)
        return self.lookup(scope, call.receiver, call.name, call.caller, types=call.creates,
                           in_block=call.in_block, line=call.line)  # fmt: skip

    def _on_declared_type(
        self, scope: FileScope, call: CallSite, declared: str
    ) -> tuple[str, str] | None:
        """A call on a receiver declared with a type (`Sink s; s.write()`): the type's method,
        or its ancestors'. Otherwise (`String`, `List<T>`, a type parameter, a type without
        that method) never a guess of another type's method, but an extension's."""
        *path, type_name = declared.split(".")
        found = self._written_type(scope, path, type_name, call.caller)
        language = scope.symbols.extraction.language
        type_key = None
        if found is not None and self.index.kind.get(found[0]) in TYPE_KINDS:
            type_key = found[0]
            member = self.index.find_member(type_key, call.name, args=call.args)
            extension_instead = language == "kotlin" and not self._applies(member, call)
            if member is not None and not extension_instead:
                return member, "type"
        # Kotlin's extension functions and C#'s extension methods add to any type, a
        # library's too (`s: String; s.encodeUtf8()`): the one of the receiver's type.
        if language == "kotlin":
            receiver = receiver_of(self.index, type_key, declared)
            here = scope.symbols.definition_around(call.caller, call.line) if call.caller else None
            return self._extension(scope, call.name, receiver, call.args, here)
        head = path[0] if path else type_name
        if language == "javascript" and type_key is None and scope.names.get(head) is not None:
            # A name imported from the branch that resolution does not follow to a class
            # (`module.exports.Logger = WebpackLogger`, a CommonJS module imported as ES's
            # default): as if undeclared. One from a package, or a global, never.
            return self._undeclared(scope, call)
        if language == "csharp" or (language == "python" and found is None):
            # Python's annotations are loose (a Protocol, an alias, a TypeVar): a type not
            # found leaves the call as one on an object of unknown type.
            return self._guess_method(scope, call.name, _INSTANCE)
        outside = type_key is None or self.index.inherits_from_outside(type_key)
        if language == "cpp" and outside and path[:1] != ["std"]:
            # So are C++'s aliases (`using memory_buffer = basic_memory_buffer<char>`),
            # template parameters and types with a base the branch does not define (often a
            # template argument's): as if undeclared. The standard library's types never.
            return self._undeclared(scope, call)
        return None

    def _on_inferred(
        self, scope: FileScope, call: CallSite, spelled: str, written: str | None = None
    ) -> tuple[str, str] | None:
        """A call on a name set from another call (`srv := NewServer(); srv.Run()`) or on a
        path through a field the file does not declare (`res.body.close()`): the method of
        the type `_inferred_type` finds (`type`). Where it finds none, or one without that
        method, the call is on the type the name was declared with before (`written`, as on
        a declared type), or else looked up as if undeclared."""
        index = self.index
        made = self._inferred_type(scope, call.caller, call.line, spelled)
        if made is not None:
            member = index.find_member(made, call.name, args=call.args)
            if scope.symbols.extraction.language == "kotlin" and not self._applies(member, call):
                # As on a declared type: an extension function of the type (or its ancestors)
                # where no member takes the call (`val b = buffer(); b.readUtf8Line()`).
                spelled_name = index.qualified[made].rpartition(".")[2]
                fs = scope.symbols
                here = fs.definition_around(call.caller, call.line) if call.caller else None
                found = self._extension(scope, call.name,
                                        receiver_of(index, made, spelled_name), call.args,
                                        here)  # fmt: skip
                if found is not None:
                    return found
            if member is not None:
                return member, "type"
        if written is not None and _inferred(written):  # down a chain (`result_type`)
            return self._on_inferred(scope, call, written)
        if written is not None:
            return self._on_declared_type(scope, call, written)
        return self._undeclared(scope, call)

    def _inferred_type(
        self, scope: FileScope, where: str | None, line: int, spelled: str, depth: int = 0
    ) -> str | None:
        """The type key of a receiver type the extraction could not settle by itself
        (`receiver_types.receiver_type`), used in definition `where` of `scope`: a type
        spelled there; what a callee returns (`()store.Open`: resolved as a call, the type
        its definition declares looked up from its own file; a class called is an instance
        of it); a field's type (`()http.Get#body`: where the field is declared, through the
        type's ancestors). None where it is no type of the branch or not known for sure."""
        if depth > 0:
            return self._inferred_afresh(scope, where, line, spelled, depth)
        key = (id(scope), where, line, spelled)
        kept = self._inferred.get(key)
        if kept is not None and kept[0] is scope:
            return kept[1]
        if len(self._inferred) >= _INFERRED_KEPT:
            self._inferred.clear()
        found = self._inferred_afresh(scope, where, line, spelled, depth)
        self._inferred[key] = (scope, found)  # the scope kept alive: its id is not reused
        return found

    def _inferred_afresh(
        self, scope: FileScope, where: str | None, line: int, spelled: str, depth: int
    ) -> str | None:
        index = self.index
        if depth > 4 * MAX_CHAINED or spelled.startswith(COLLECTION):
            return None  # a collection (`list[Foo]`) is no type of the branch
        collection = each_of(spelled)
        if collection is not None:  # an element of it
            return self._element_type(scope, where, collection, depth + 1)
        through = split_field(spelled)
        if through is not None:
            declared = self._field_type(scope, where, line, through, depth)
            if declared is None:
                return None
            home, holder, spelled = declared
            return self._inferred_type(home, holder, 0, spelled, depth + 1)
        if not spelled.startswith(FROM_CALL):  # a type written out
            path, name = last_step(spelled)
            found = self._written_type(scope, path.split(".") if path else [], name, where)
            return found[0] if found and index.kind.get(found[0]) in TYPE_KINDS else None
        made = self._returned(scope, where, line, spelled)
        if made is None or isinstance(made, str):
            return made  # no type known, or a type's key: a class called, Rust's `-> Self`
        home, callee, returned = made
        return self._inferred_type(home, callee, 0, returned, depth + 1)

    def _written_type(
        self, scope: FileScope, path: list[str], name: str, where: str | None
    ) -> tuple[str, str] | None:
        """The definition a type written out in `scope` names (`Client`, `net.Client`, Rust's
        `crate::net::Client`). PHP reads a path relative to the file's namespace or to what
        its first name is `use`d as (`Op\\Update`); the spelling (`Op.Update`) no longer says
        whether it was absolute (`\\Lib\\Session`), which is looked up after."""
        if path and scope.symbols.family == "php":
            found = self._php_class_path(scope, "\\".join(path), name)
            if found is not None:
                return found
        joint = "::" if scope.symbols.family == "rust" else "."
        return self.lookup(scope, joint.join(path) or None, name, where, types=True)

    def _element_type(
        self, scope: FileScope, where: str | None, spelled: str, depth: int
    ) -> str | None:
        """The type key of an element of a collection spelled as `_inferred_type` reads it:
        a field or callable result declared as a collection (`COLLECTION`, `[]Foo`), or
        taking one from a call or another field."""
        if depth > 4 * MAX_CHAINED:
            return None
        if spelled.startswith(COLLECTION):
            return self._inferred_type(scope, where, 0, spelled[len(COLLECTION) :], depth + 1)
        through = split_field(spelled)
        if through is not None:
            declared = self._field_type(scope, where, 0, through, depth)
        elif spelled.startswith(FROM_CALL):
            made = self._returned(scope, where, 0, spelled)
            declared = None if made is None or isinstance(made, str) else made
        else:
            return None  # a type written out: not known to be a collection
        return self._element_type(*declared, depth + 1) if declared else None

    def _field_type(
        self,
        scope: FileScope,
        where: str | None,
        line: int,
        through: tuple[str, str],
        depth: int,
    ) -> tuple[FileScope, str, str] | None:
        """Where a path's last field (`through`: what holds it as spelled, its name) is
        declared, through the holder's type's ancestors: that file's scope, the declaring
        type, and the field's type as spelled there."""
        index = self.index
        holder, field = through
        owner = self._inferred_type(scope, where, line, holder, depth + 1)
        hit = index.field_type(owner, field) if owner is not None else None
        home = self.scopes.get(path_of(hit[1])) if hit is not None else None
        if hit is None or home is None:
            return None
        return home, index.qualified[hit[1]], hit[0]

    def _returned(
        self, scope: FileScope, where: str | None, line: int, spelled: str
    ) -> str | tuple[FileScope, str, str] | None:
        """What the callee of `spelled` (`()store.Open@Store`) returns: the key of a class
        called (an instance of it) or of Rust's `Self`; otherwise where the callee is
        declared with the result it declares as spelled there. None where unknown."""
        index = self.index
        callee, _, on = spelled[len(FROM_CALL) :].partition(ON)
        on = on_part(on)
        qualifier, name = last_step(callee)
        cpp_path = scope.symbols.extraction.language == "cpp" and (
            callee[len(qualifier) : len(qualifier) + 2] == "::"
        )
        if cpp_path:
            qualifier += "::"  # as C++ call sites spell a namespace or type path: `net::`
        maker = self.call(
            scope, CallSite(name, qualifier or None, line, where, receiver_type=on or None)
        )
        # A C++ function called by its namespace path (`net::Dial()`), declared in a header
        # and defined in a .cc, is found by its one definition: no guess of an object's type.
        if maker is None or (maker[1] == "unique_name" and not cpp_path):
            return None
        if index.kind[maker[0]] in TYPE_KINDS:
            return maker[0]  # a class called (Python's `mod.Client()`): an instance of it
        returned = index.returns.get(maker[0])
        if returned == OWN_TYPE:  # Rust's `-> Self`, PHP's `: static`, TypeScript's `: this`
            # The type it is called on, where the method was found through it (a subclass's
            # `qb.where()` with `where(): this` declared in the base), else its own.
            # (Read as the call just did: kept, `_inferred`.)
            first = on.partition(ELSE)[0]
            receiver = self._inferred_type(scope, where, line, first) if first else None
            if receiver is not None and index.find_member(receiver, name) == maker[0]:
                return receiver
            return index.owner.get(maker[0])
        home = self.scopes.get(path_of(maker[0])) if returned else None
        if returned is None or home is None:
            return None
        return home, index.qualified[maker[0]], returned

    def _applies(self, member: str | None, call: CallSite) -> bool:
        """Whether a member can take the call's arguments, as far as is known. In Kotlin a
        member wins over an extension function only where it applies: okio's
        `path.resolve()` is the file's `fun Path.resolve()`, not `Path.resolve(child)`."""
        if member is None or call.args is None:
            return True
        return self.index.takes(self.index.overload_for(member, call.args), call.args)

    def lookup(
        self,
        scope: FileScope,
        qualifier: str | None,
        name: str,
        where: str | None,
        *,
        types: bool,
        in_block: bool = False,
        line: int = 0,
    ) -> tuple[str, str] | None:
        """Resolve `qualifier.name` (or a bare `name`) used inside definition `where` (at
        `line`, which tells apart definitions of one name)."""
        index, fs = self.index, scope.symbols
        spec = get_spec(fs.extraction.language)
        here = fs.by_qn.get(where) if where else None
        selves = _INSTANCE if types else self._selves(fs, here, in_block)
        if qualifier is not None:
            own = index.enclosing_type(fs, where)
            if fs.family == "ruby" and qualifier == "self.class":
                if False not in selves:
                    return None  # the class of a class is `Class`
                # `self.class.build()` in an instance method: as `Foo.build()`.
                qualifier, selves = "self", _CLASS if own else _EITHER
            if qualifier in spec.self_names or (here and qualifier == index.self_name.get(here)):
                member = self._member(own, name, selves) if own else None
                if member is None and own is not None and fs.extraction.language == "kotlin":
                    # `this.readUtf8()` in `class Buffer`: `fun Buffer.readUtf8()` elsewhere
                    own_name = index.qualified[own].rpartition(".")[2]
                    receiver = receiver_of(index, own, own_name)
                    extension = self._extension(scope, name, receiver, here=here)
                    if extension is not None:
                        return extension
                return (
                    (member, "scope") if member else self._guess_on_self(scope, own, name, selves)
                )
            if qualifier in spec.super_names:
                member = index.find_member(own, name, own=False) if own else None
                return (member, "scope") if member else None
            if fs.family == "ruby" and CONSTANT.fullmatch(qualifier):
                # `Helper.build()`, `Config::Loader.load()`: the constant Ruby finds from
                # here, a path from the top level on, and nothing else where it is one.
                around = fs.definition_around(where, line) if where and line else here
                constant = self._constant(fs, qualifier, around)
                if constant is not None:
                    found = self._qualified(
                        scope, constant, name, path=True, types=types, where=where
                    )
                    if found is None and name == "new":
                        return self._ruby_class(fs, constant)
                    return found
                # None in the branch: a library's class, or a constant holding an object
                # (`PARSER.parse()`), which `_outside_qualifier` tells apart.
            return self._assigned_member(scope, f"{qualifier}.{name}") or self._qualified(
                scope, qualifier, name, types=types, where=where
            )
        if here is not None and where is not None and line:
            here = fs.definition_around(where, line)
        return self._bare(scope, name, here, types=types, selves=selves)

    def _selves(self, fs: FileSymbols, here: str | None, in_block: bool) -> _Selves:
        """What `self` may be where the file's definition `here` runs (`_Selves`). In Ruby:
        the class itself in its body and its methods of the class (`def self.build`), an
        instance in a class's instance methods; either, the likelier first, in a block
        (`it { make_request }` in a spec class, `define_method`, `instance_eval`), in a
        module's method (`extend`ed into a class, or `module_function`), in a method of no
        class and at the top of the file."""
        if fs.family != "ruby":
            return _INSTANCE
        index = self.index
        if here is None:
            return _EITHER
        if here in index.singletons or index.kind[here] in TYPE_KINDS:
            return _CLASS_FIRST if in_block else _CLASS
        owner = index.owner.get(here)
        if in_block or owner is None or index.kind[owner] != "Class":
            return _EITHER
        return _INSTANCE

    def _member(self, owner: str, name: str, selves: _Selves) -> str | None:
        """`name` on the type `owner`, called on what `selves` says: an instance's method,
        or one of the Ruby class or module itself (`SymbolIndex.find_singleton`)."""
        index = self.index
        for on_class in selves:
            found = (
                index.find_singleton(owner, name) if on_class else index.find_member(owner, name)
            )
            if found is not None:
                return found
        return None

    def _bare(
        self, scope: FileScope, name: str, here: str | None, *, types: bool, selves: _Selves
    ) -> tuple[str, str] | None:
        index, fs = self.index, scope.symbols
        nested = self._nested(fs, here, name)
        if nested is not None:
            return nested, "scope"
        language = fs.extraction.language
        own = None
        if language in _IMPLICIT_THIS:
            own = index.enclosing_type(fs, index.qualified.get(here) if here else None)
            member = self._member(own, name, selves) if own else None
            # A type's name (`new Pool()`, a base) may be a nested type's, its own or that
            # of another part of a C# partial class, but never a method's (a constructor).
            if member and (not types or index.kind[member] in TYPE_KINDS):
                return member, "scope"
            # A Java inner class calls its outer class's methods (C++ and C# nested classes,
            # its static ones) without a qualifier; a Ruby one shares none of them.
            outer = not types and language in _OUTER_FIRST
            member = self._outer_member(fs, own, name) if outer else None
            if member:
                return member, "scope"
        scoped = self._enclosing_scopes(scope, name, here, types=types)
        if scoped is not None:
            return scoped
        if language == "kotlin" and not types:
            settled, extension = self._implicit_extension(scope, name, here)
            if settled:
                return extension
        # A PHP namespace block's own definitions, then the file's (its global block's).
        in_block = fs.by_qn.get(f"{scope.block}.{name}") if scope.block is not None else None
        top = in_block or fs.top.get(name)
        if top is not None:  # itself too: recursion, as `self.f()` in a method is
            return top, "scope"
        if name in scope.names:
            bound = scope.names[name]
            exported = self._module_export(bound) if bound is not None else None
            return self._in_target(bound, exported or name)
        outside = self._outside(scope, name, index.qualified.get(here) if here else None,
                                types=types, selves=selves)  # fmt: skip
        if outside is None and own is not None and language == "kotlin" and not types:
            # Only an `inner` class (the extraction does not say which) sees its outer
            # class's methods, and after top-level functions a plain nested one would call.
            member = self._outer_member(fs, own, name)
            return (member, "scope") if member else None
        return outside

    def _nested(self, fs: FileSymbols, here: str | None, name: str) -> str | None:
        """`name` nested in the function `here` or in a function around it (itself too: a
        nested function's recursion)."""
        index = self.index
        key, lexical = here, True
        while key is not None and index.kind.get(key) in CALLABLE_KINDS:
            found = fs.by_qn.get(f"{index.qualified[key]}.{name}")
            if found is not None:
                return found
            lexical = index.kind[key] == "Function"
            key = index.owner.get(key)
        if lexical and key is not None and fs.family == "js" and index.kind[key] == "Class":
            # A JavaScript constructor function's body, or a function nested in it, sees the
            # functions declared in that body (not its prototype methods, written outside).
            found = fs.by_qn.get(f"{index.qualified[key]}.{name}")
            if found is not None and index.kind[found] == "Function":
                return found
        return None

    def _outer_member(self, fs: FileSymbols, own: str | None, name: str) -> str | None:
        """`name` in the classes enclosing the class `own` (and their ancestors), innermost
        first."""
        index = self.index
        while own is not None:
            outer = index.owner.get(own)
            own = index.enclosing_type(fs, index.qualified[outer]) if outer else None
            member = index.find_member(own, name) if own else None
            if member:
                return member
        return None

    def _outside(
        self,
        scope: FileScope,
        name: str,
        where: str | None,
        *,
        types: bool,
        selves: _Selves,
    ) -> tuple[str, str] | None:
        """A bare name not declared in the file, used inside definition `where`: the
        package, wildcard imports, then globals."""
        index, fs = self.index, scope.symbols
        found = index.top_in(scope.package_files, name, shared=True, package=scope.package)
        if found is not None:
            return found, "package"
        seen: set[str] = set()
        for target in scope.wildcards:
            found_there = self._in_target(target, name, seen=seen)
            if found_there is not None:
                return found_there
        if fs.family in _GLOBAL_FAMILIES:
            found = self._global(fs.family, name)
            if found is not None:
                return found, "unique_name"
        if not types and fs.extraction.language == "ruby":
            # A bare Ruby call is a call on self.
            own = index.enclosing_type(fs, where)
            return self._guess_on_self(scope, own, name, selves)
        return None

    def _global(self, family: str, name: str) -> str | None:
        """The one top-level definition of `name` in the global scope of a language that has
        one (C, Ruby, PHP). PHP's global scope is the files outside any namespace: from
        another namespace, a function or class of `namespace A` is reached only by a `use`
        or its path, and flysystem's mocks of `unlink()` in `namespace League\\Flysystem\\Ftp`
        are no `unlink()` for the rest of the code."""
        keys = self.index.global_top.get((family, name))
        if keys and family == "php":
            files = self.index.files
            keys = [key for key in keys if files[path_of(key)].extraction.package is None]
        return unique_file(keys)

    def _enclosing_scopes(
        self, scope: FileScope, name: str, here: str | None, *, types: bool
    ) -> tuple[str, str] | None:
        """`name` declared in an enclosing namespace (or, for type names, an enclosing type)."""
        index, fs = self.index, scope.symbols
        unseen: list[str] | None = None  # C++: the innermost namespace's definitions elsewhere
        prefix = index.qualified[here].rpartition(".")[0] if here else ""
        if here in index.singletons:
            prefix = prefix.rpartition(".")[0]  # `Foo.self.build` is in `Foo`
        while prefix:
            key = fs.by_qn.get(prefix)
            # Ruby reopens modules and classes across files: an unknown prefix is a namespace.
            kind = index.kind.get(key) if key else ("Namespace" if fs.family == "ruby" else None)
            if kind == "Namespace" or (types and kind in TYPE_KINDS):
                qualified = f"{prefix}.{name}"
                found = self._local(fs, qualified, types=types)
                if found is not None:
                    return found, "scope"
                if fs.family in _GLOBAL_FAMILIES:
                    found = index.type_named(fs.family, qualified)
                    if found is not None and found != here:
                        return found, "unique_name"
                if kind == "Namespace" and not types and fs.family == "c":
                    # C++ sees the namespace's functions in the files it includes too:
                    # `Lock()` inside `namespace absl` is an included header's `absl::Lock()`.
                    members = self._reopened_members(prefix, name)
                    found = self._nearest_included(scope, members) if members else None
                    if found is not None:
                        return found, "unique_name"
                    if members and unseen is None:
                        unseen = members
            prefix = prefix.rpartition(".")[0]
        # Else a definition no include shows (declared in a header, defined in a .cc): of
        # the innermost namespace defining the name, its one file's.
        found = unique_file(unseen) if unseen else None
        return (found, "unique_name") if found is not None else None

    def _reopened_members(self, namespace: str, name: str) -> list[str]:
        """The definitions of `name` in the C++ namespace of that qualified name, in every
        file opening it (a header and its .cc), in path order."""
        if self._in_namespaces is None:
            index = self.index
            table: dict[tuple[str, str], list[str]] = defaultdict(list)
            for (family, qualified), opened in index.global_types.items():
                if family != "c" or any(index.kind[key] != "Namespace" for key in opened):
                    continue
                for key in opened:
                    for member_name, member in index.members.get(key, {}).items():
                        table[(qualified, member_name)].append(member)
            self._in_namespaces = table
        return self._in_namespaces.get((namespace, name), [])

    def _nearest_included(self, scope: FileScope, keys: list[str]) -> str | None:
        """Of `keys`, the one in the nearest file the caller's compiler sees (its includes,
        itself, then theirs: `_include_levels`), or None when it sees none of them."""
        by_file: dict[str, str] = {}
        for key in keys:
            by_file.setdefault(path_of(key), key)
        for level in self._include_levels(scope):
            near = [path for path in level if path in by_file]
            if near:
                return by_file[near[0]]
        return None

    def _local(self, fs: FileSymbols, qualified: str, *, types: bool) -> str | None:
        """The file's definition named `qualified`; with `types`, its type of that name, which
        a constructor (Java's `Adapter.Adapter`) or factory function (Kotlin's) may share."""
        found = fs.by_qn.get(qualified)
        if found is None or not types or self.index.kind[found] in TYPE_KINDS:
            return found
        return next((key for *_, key in fs.overloads.get(qualified, ())
                     if self.index.kind[key] in TYPE_KINDS), None)  # fmt: skip

    def _qualified(
        self,
        scope: FileScope,
        qualifier: str,
        name: str,
        *,
        path: bool = False,
        types: bool = False,
        where: str | None = None,
    ) -> tuple[str, str] | None:
        """`qualifier.name` where the qualifier is a module, a class or an unknown object;
        with `path`, a namespace or type (C++'s `a::b::f()`), never an object to guess on;
        with `types`, a type's nested type, else (in Ruby) a method of the class itself."""
        index, fs = self.index, scope.symbols
        if fs.family == "rust" and ("::" in qualifier or qualifier in ("super", "crate")):
            return self._rust_path(scope, [s for s in qualifier.split("::") if s], name)
        if (fs.family == "c" and qualifier.endswith("::")) or (
            fs.family == "ruby" and "::" in qualifier  # `Rack::Utils.parse_query()`
        ):
            return self._path(scope, qualifier, name, types=types, where=where)
        if fs.family == "php" and "\\" in qualifier:
            return self._php_class_path(scope, qualifier, name)
        parts = qualifier.split(".")
        for cut in range(len(parts), 0, -1):
            head = ".".join(parts[:cut])
            if head not in scope.names:
                continue
            target = scope.names[head]
            if target is None:
                return None  # an external module or class: never guess
            return self._in_binding(target, head, parts[cut:], name, fs.family)
        # `Foo.build()`: in Ruby a method of the class itself.
        selves = _CLASS if fs.family == "ruby" and not types else _INSTANCE
        local = fs.by_qn.get(qualifier)
        if local is not None and index.kind[local] in TYPE_KINDS:
            member = self._member(local, name, selves)
            if member is not None:
                return member, "scope"
            if index.kind[local] != "Namespace" or fs.family not in _REOPENED_NAMESPACES:
                return None
            # Other files open the namespace too (`fmt::format()` in a file adding a
            # specialisation to `fmt`): it is looked for there.
        for files, package, how in ((scope.package_files, scope.package, "package"),
                                    *((t.files, t.package, "import") for t in scope.wildcards
                                      if t.symbol is None)):  # fmt: skip
            owner = index.top_in(files, qualifier, package=package)
            if owner is not None and index.kind[owner] in TYPE_KINDS:
                member = index.find_member(owner, name)
                return (member, how) if member else None
        return self._outside_qualifier(
            scope, qualifier, name, path=path, selves=selves, where=where
        )

    def _in_binding(
        self, target: Target, head: str, rest: list[str], name: str, family: str
    ) -> tuple[str, str] | None:
        """`head.rest.name` where an import binds `head` to `target`."""
        found = self._in_module(target, rest, name)
        if found is None and not rest and family == "js" and target.symbol is None:
            # `const View = require('./view'); View.all()`: the module's class of the
            # binding's name (`module.exports = View`), as `new View()` finds it.
            found = self._in_module(replace(target, symbol=head), [], name)
        if found is None and rest and family == "python":
            # `import pkg` then `pkg.sub.f()`: the submodule pkg/sub.py, when the package
            # itself defines no `sub` (then that name wins: no edge rather than a guess).
            sub = _python_submodule(self.index, target, rest)
            found = self._in_module(*sub, name) if sub else None
        return found

    def _path(
        self, scope: FileScope, qualifier: str, name: str, *, types: bool, where: str | None
    ) -> tuple[str, str] | None:
        """`a::b::f()`: C++'s namespace or type path, Ruby's `Rack::Utils.parse_query()`."""
        dotted = qualifier.removesuffix("::").replace("::", ".").strip(".")
        if not dotted:
            return self._global_scope(scope, name) if qualifier == "::" else None
        found = self._qualified(scope, dotted, name, path=True, types=types)
        if found is None and scope.symbols.family == "c":
            found = self._in_macro_namespace(scope, dotted, name)
            if found is None and not types and not qualifier.startswith("::"):
                found = self._from_enclosing_namespaces(scope, dotted, name, where)
        return found

    def _from_enclosing_namespaces(
        self, scope: FileScope, dotted: str, name: str, where: str | None
    ) -> tuple[str, str] | None:
        """C++'s `str::Len()` inside `namespace acme`: `acme::str::Len()`, the path looked up
        from each namespace around the caller, innermost first; in a file the caller
        includes, else in the one file defining it."""
        index = self.index
        prefix = where.rpartition(".")[0] if where else ""  # the caller's qualified name
        unseen: list[str] = []
        while prefix:
            if index.kind.get(scope.symbols.by_qn.get(prefix, "")) == "Namespace":
                members = self._reopened_members(f"{prefix}.{dotted}", name)
                found = self._nearest_included(scope, members) if members else None
                if found is not None:
                    return found, "unique_name"
                unseen = unseen or members
            prefix = prefix.rpartition(".")[0]
        found = unique_file(unseen) if unseen else None
        return (found, "unique_name") if found is not None else None

    def _global_scope(self, scope: FileScope, name: str) -> tuple[str, str] | None:
        """C++'s `::close()`: a function of the global namespace, never a method or a
        namespace's function of that name (the usual reason to spell the `::`). A file
        whose definitions a macro puts in a namespace (`_in_macro_namespace`) has none there."""
        top = scope.symbols.top.get(name)
        found = (
            (top, "scope")
            if top
            else self._outside(scope, name, None, types=False, selves=_INSTANCE)
        )
        if found is None:
            return None
        opened = self.layout().macro_namespaces.values()
        return None if any(path_of(found[0]) in users for users in opened) else found

    def _in_macro_namespace(
        self, scope: FileScope, dotted: str, name: str
    ) -> tuple[str, str] | None:
        """`fmt::format()`, `fmt::detail::write()` where fmt's files open `fmt` with a macro
        (`RepoLayout.macro_namespaces`): the name among their top-level definitions, in a file
        the caller includes, its own, or one they include in turn (nearest first,
        `_include_levels`), else in the one file defining it."""
        opened = self.layout().macro_namespaces
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            users = opened.get(".".join(parts[:cut]))
            if users is None:
                continue
            rest = parts[cut:]
            in_namespace = set(users)
            for level in self._include_levels(scope):
                near = tuple(p for p in level if p in in_namespace)
                found = self._in_module(Target(near), rest, name) if near else None
                if found is not None:
                    return found
            anywhere = [self._in_module(Target((path,)), rest, name) for path in users]
            key = unique_file([hit[0] for hit in anywhere if hit is not None])
            return (key, "unique_name") if key is not None else None
        return None

    def _include_levels(self, scope: FileScope) -> Iterator[list[str]]:
        """What a C/C++ file's compiler sees, nearest first: the files it includes (in path
        order), itself, then what those include in turn, level by level. Lazily: most
        lookups end at the first level."""
        own = scope.symbols.extraction.path
        level = sorted(scope.imported)
        seen = {own, *level}
        yield level
        yield [own]
        while level:
            deeper = {
                path
                for included in level
                if (inner := self.scopes.get(included)) is not None
                for path in inner.imported
                if path not in seen
            }
            level = sorted(deeper)
            seen.update(level)
            yield level

    def _php_class_path(
        self, scope: FileScope, qualifier: str, name: str
    ) -> tuple[str, str] | None:
        """`\\App\\Support\\Str::slug()`: a class by its namespace path, never an object
        whose method may be guessed. As PHP reads it, a path without the leading `\\` starts
        with the namespace its first name is `use`d as, or else in the file's namespace."""
        parts = [part for part in qualifier.split("\\") if part]
        if not parts:  # `\unlink()`: the global function
            found = self._global("php", name)
            return (found, "unique_name") if found is not None else None
        if not qualifier.startswith("\\"):
            used = next((f"{i.module}\\{i.name}" for i in scope.imports
                         if i.name and (i.alias or i.name) == parts[0]), None)  # fmt: skip
            if used is not None:
                parts[:1] = used.split("\\")
            elif scope.package:
                parts[:0] = scope.package.split(".")
        dotted = ".".join(part for part in parts if part)
        return self._outside_qualifier(scope, dotted, name, path=True) if dotted else None

    def _outside_qualifier(
        self,
        scope: FileScope,
        qualifier: str,
        name: str,
        *,
        path: bool,
        selves: _Selves = _INSTANCE,
        where: str | None = None,
    ) -> tuple[str, str] | None:
        """`qualifier.name` where the file neither imports nor declares the qualifier: a fully
        qualified namespace, a global type, a library's type, or an object of unknown type."""
        index, fs = self.index, scope.symbols
        namespace = self._namespace(fs, qualifier)
        if namespace is not None:
            return self._in_module(*namespace, name)
        if fs.family in _GLOBAL_FAMILIES | {"rust", "cpp", "c"}:
            owner = index.type_named(fs.family, qualifier)
            if owner is not None:
                member = self._member(owner, name, selves)
                return (member, "unique_name") if member else None
            # A namespace opened in several files (a header and its .cpp) is several nodes;
            # the type inside it is still one.
            inner = index.type_named(fs.family, f"{qualifier}.{name}")
            if inner is not None:
                return inner, "unique_name"
            # So is a function in it: spdlog's `set_level`, in one of the 76 files opening
            # `spdlog`; Ruby's `Sinatra.register`, in one of the files reopening the module.
            opened = index.global_types.get((fs.family, qualifier), [])
            if fs.family in _REOPENED_NAMESPACES and all(
                index.kind[key] == "Namespace" for key in opened
            ):
                # A Ruby module's own methods before those `module_function` or
                # `extend self` make its own (`SymbolIndex.find_singleton`).
                for word in (singleton_lookup(name), name) if selves == _CLASS else (name,):
                    members = [index.members.get(key, {}).get(word) for key in opened]
                    found = unique_file([member for member in members if member is not None])
                    if found is not None:
                        return found, "unique_name"
                    if any(members):
                        break
        if path or names_a_type(qualifier, fs.extraction.language):
            return None  # `JSON.parse`, `Integer.parseInt`: a library's type, never guessed
        if fs.family == "js" and qualifier in JS_GLOBALS:
            # `document.createElement()`; not `window.app.scene.refresh()`, where a script
            # hung its own objects on the global.
            return None
        return self._on_unknown(scope, name, where)

    def _namespace(self, fs: FileSymbols, qualifier: str) -> tuple[Target, list[str]] | None:
        """The longest package or namespace a fully qualified name starts with, and the types
        that follow: `\\App\\Support\\helper()`, `new \\App\\Models\\User()`,
        `com.acme.util.Helper.help()`."""
        parts = qualifier.split(".")
        packages = self.layout().by_package
        # A lone word is more likely a variable than a package in Java, Kotlin and C#
        # (`api.fetch()`); a PHP name with backslashes is always a namespace.
        fewest = 1 if fs.family == "php" else 2
        for cut in range(len(parts), fewest - 1, -1):
            package = ".".join(parts[:cut])
            files = packages.get((fs.family, package))
            if files:
                return Target(tuple(files), precise=False, package=package), parts[cut:]
        return None

    def _rust_path(
        self, scope: FileScope, segments: list[str], name: str
    ) -> tuple[str, str] | None:
        """`a::b::name()`: `name` in the module the path names, or in the type it ends with
        (`client::Client::new`). A path that names nothing in the branch is a crate's or the
        standard library's: no edge."""
        bound = scope.names.get(segments[0])
        bound_file = bound.files[0] if bound and bound.symbol is None and bound.files else None
        found = rust_path(self.layout(), scope.symbols.extraction, segments, bound_file)
        if found is None:
            return None
        path, rest = found
        return self._in_module(Target((path,)), rest, name)

    def _in_module(self, target: Target, rest: list[str], name: str) -> tuple[str, str] | None:
        """`name` in the import target, inside the class path `rest` (may be empty)."""
        index = self.index
        symbol = self._default_export(target) or target.symbol
        parts = [*([symbol] if symbol else []), *rest]
        if not parts:
            found = self._in_target(target, name)
            exported = self._module_export(target) if found is None else None
            if exported is None:
                return found
            parts = [exported]  # `Parser.create()`: a static method of the module's class
        owner = index.top_in(
            target.files, ".".join(parts), package=target.package
        ) or self._passed_on_owner(target, parts)
        member = index.find_member(owner, name) if owner else None
        if member is None and self._family_of(target) == "js":
            # `Card.Header` set on the module's `Card` (`FileScope.members`), or on what it
            # passes on as `Card`.
            path = ".".join([*parts, name])
            return self._in_target(Target(target.files, symbol=path, package=target.package), path)
        return (member, "import") if member else None

    def _family_of(self, target: Target) -> str | None:
        symbols = self.index.files.get(target.files[0]) if len(target.files) == 1 else None
        return symbols.family if symbols is not None else None

    def _assigned_member(self, scope: FileScope, path: str) -> tuple[str, str] | None:
        """`Card.Header` (or `Card.Header.Badge`) where the file sets that member or one
        before it (`Card.Header = CardHeader`): what it is set from, as the file reads it."""
        parts = path.split(".")
        if not any(".".join(parts[:cut]) in scope.members for cut in range(2, len(parts) + 1)):
            return None
        fs = scope.symbols
        found = self._in_target(Target((fs.extraction.path,), symbol=path), path)
        if found is not None and found[0].startswith(f"{fs.key}|"):
            return found[0], "scope"
        return found

    def _passed_on_owner(self, target: Target, parts: list[str]) -> str | None:
        """The type `parts` names where the module passes its first part on from another:
        `Engine.start()` after `from pkg import Engine`, which pkg/__init__.py imports from
        `.core`; `Model.create()` through a barrel's `export { Model } from './model'`."""
        found = self._in_target(target, parts[0])
        owner = found[0] if found is not None else None
        for part in parts[1:]:  # a nested type: `Outer.Inner.f()`
            owner = self.index.members.get(owner, {}).get(part) if owner else None
        return owner

    def _in_target(
        self, target: Target | None, name: str, depth: int = 0, seen: set[str] | None = None
    ) -> tuple[str, str] | None:
        """`name` (or the target's own symbol) defined in the import target, or imported there
        to be exported again: Python's `from .core import Engine` in a package's
        `__init__.py`, a TypeScript barrel's `export * from './strings'`. `seen` holds the
        modules a lookup has been through: each once, so cycles of wildcard imports cost
        no more than the modules in them."""
        if target is None:
            return None
        if target.wildcard and target.symbol is not None:  # a type's static members
            owner = self.index.top_in(target.files, target.symbol, package=target.package)
            if owner is None or self.index.kind[owner] not in TYPE_KINDS:
                return None
            member = self.index.find_member(owner, name)
            return (member, "import") if member is not None else None
        symbol = self._default_export(target) or target.symbol or name
        found = self.index.top_in(target.files, symbol, package=target.package)
        if found is not None:
            return found, "import"
        scope = self.scopes.get(target.files[0]) if len(target.files) == 1 else None
        if scope is None or scope.symbols.family not in RE_EXPORTING or depth >= _MAX_RE_EXPORTS:
            return None
        seen = set() if seen is None else seen
        if target.files[0] in seen:
            return None
        seen.add(target.files[0])
        if "." in symbol and scope.symbols.family == "js":  # `Card.Header`
            return self._member_path(scope, target, symbol, depth, seen)
        if symbol in scope.exports or symbol in scope.names:
            # Also under another name (`export { fmt as format } from './fmt'`): narrow
            # re-indexes then reach the importers spelling `format` (`affected.renamed_too`).
            # Not when a wildcard import reached the module: `__all__` and TypeScript's
            # export-or-import are not extracted, so a name a module merely imports, a
            # private helper under a public name (networkx's `from .betweenness import
            # _single_source_shortest_path_basic as shortest_path`), would pass for its
            # export. Under the same name it is likely the one definition either way.
            onward = scope.exports.get(symbol) or scope.names[symbol]
            if onward is None or (target.wildcard and onward.symbol not in (None, symbol)):
                return None
            if onward.files == target.files:
                # `export { draw as render }`: its own name `draw`, looked up in it again
                # (a cycle of such renames ends at _MAX_RE_EXPORTS).
                seen.discard(target.files[0])
            return self._in_target(onward, symbol, depth + 1, seen)
        # `export *` never passes a default export on, and a default export's name is a
        # binding of its own module: a default import is not looked for behind wildcards.
        for wildcard in () if target.default else scope.wildcards:
            found_there = self._in_target(wildcard, symbol, depth + 1, seen)
            if found_there is not None:
                return found_there
        return None

    def _member_path(
        self, scope: FileScope, target: Target, path: str, depth: int, seen: set[str]
    ) -> tuple[str, str] | None:
        """`Card.Header` in a module that sets it (`Card.Header = CardHeader`), or that sets
        or binds what it starts with (`Card`, or `Card.Header` for `Card.Header.Badge`) to
        another name: what it is set from, or the rest of the path in what that is (a member
        set on it, or a name of the module a namespace import binds)."""
        if path in scope.members:
            value = scope.members[path]
            if value.files == target.files:
                seen.discard(target.files[0])
            return self._in_target(value, path, depth + 1, seen)
        parts = path.split(".")
        heads = (".".join(parts[:cut]) for cut in range(len(parts) - 1, 0, -1))
        bound = (scope.members, scope.exports, scope.names)
        head = next((h for h in heads if any(h in names for names in bound)), None)
        if head is None:
            return None
        rest = path[len(head) + 1 :]
        onward = scope.members.get(head) or scope.exports.get(head) or scope.names[head]
        if onward is None or (
            target.wildcard and head not in scope.members and onward.symbol not in (None, head)
        ):
            return None
        if onward.files == target.files:
            seen.discard(target.files[0])
        if onward.symbol is None and not onward.default:  # `import * as Items`: its `rest`
            return self._in_target(onward, rest, depth + 1, seen)
        owner = self._default_export(onward) or onward.symbol
        inner = Target(onward.files, symbol=f"{owner}.{rest}", package=onward.package)
        return self._in_target(inner, rest, depth + 1, seen)

    def _module_export(self, target: Target) -> str | None:
        """For a JavaScript module bound whole (`const Parser = require("./Parser")`), the
        definition it exports as itself (`module.exports = JavascriptParser`), under whatever
        name the importer gives it."""
        if not target.required or target.symbol is not None or len(target.files) != 1:
            return None
        symbols = self.index.files.get(target.files[0])
        return symbols.extraction.default_export if symbols is not None else None

    def _default_export(self, target: Target) -> str | None:
        """For a default import, the name its module exports as default, if it says, or
        `default` where it passes another module's on (`export { default } from './Card'`,
        `export { pad as default } from './fmt'`: its bound names lead there). Where it does
        neither (`export default () => ...`, CommonJS), the import's local name is taken for
        the definition's, as React's `import Button from './Button'` has it."""
        if not target.default:
            return None
        path = target.files[0]
        symbols = self.index.files.get(path)
        declared = symbols.extraction.default_export if symbols is not None else None
        if declared:
            return declared
        scope = self.scopes.get(path)
        return "default" if scope is not None and "default" in scope.names else None

    # Kotlin extension functions: which one a call reaches (`extensions.choose` picks among
    # the candidates of each level these gather).

    def _extended_this(self, scope: FileScope, call: CallSite) -> str | None:
        """The type `this` is inside a Kotlin extension function (`fun String.titled()`:
        `String`), or in a function nested in one, for a call on `this`."""
        fs = scope.symbols
        if call.receiver != "this" or call.caller is None or fs.extraction.language != "kotlin":
            return None
        key = fs.definition_around(call.caller, call.line)
        while key is not None and self.index.kind[key] in CALLABLE_KINDS:
            extended = self.index.extends.get(key)
            if extended is not None:
                return extended
            key = self.index.owner.get(key)
        return None

    def _on_unknown(
        self, scope: FileScope, name: str, where: str | None, args: int | None = None
    ) -> tuple[str, str] | None:
        """A method called on an object of unknown type inside definition `where`: a Kotlin
        extension function, else the method of that unique name, but not where an
        extension function of the name is in sight (`flow.onEach {}` is the extension's or
        a builder's, who knows which)."""
        here = scope.symbols.by_qn.get(where) if where else None
        found = self._extension(scope, name, None, args, here)
        if found is not None:
            return found
        if self._extensions_in_sight(scope, name, here):
            return None
        return self._guess_method(scope, name, _EITHER)

    def _extensions_in_sight(self, scope: FileScope, name: str, here: str | None) -> bool:
        """Whether a Kotlin call of `name` inside definition `here` may reach an extension
        function."""
        if scope.symbols.extraction.language != "kotlin" or name not in self.index.extension_names:
            return False
        extends = self.index.extends
        levels = self._extension_levels(scope, name, here)
        return any(key in extends for keys, _ in levels for key in keys)

    def _extension(
        self,
        scope: FileScope,
        name: str,
        receiver: Receiver | None,
        args: int | None = None,
        here: str | None = None,
    ) -> tuple[str, str] | None:
        """A Kotlin call of `name` on an object (of unknown type where `receiver` is None),
        inside definition `here`: only an extension function can be called so (`fun
        String.slugify()`), looked up level by level (`_extension_levels`). Where the type
        is not known, the extensions of all levels must extend one type, and the name be
        none that the standard library has as a method (`first`), nor, unless the file
        imports it by name, a class of the branch (`job.cancel()` is `Job`'s, not `fun
        CoroutineScope.cancel()`)."""
        fs = scope.symbols
        if fs.extraction.language != "kotlin" or name not in self.index.extension_names:
            return None
        may_guess = not library_method(name, fs.family) and (
            name in scope.names or not self._is_method(fs.family, name)
        )
        if receiver is None and not may_guess:
            return None
        levels = list(self._extension_levels(scope, name, here))
        # Of a receiver whose type is not known, any level's may be the one that applies.
        ways = levels if receiver is not None else [([k for ks, _ in levels for k in ks], "")]
        for candidates, how in ways:
            found, settled = choose(self.index, fs.family, candidates, receiver, args=args,
                                    may_guess=may_guess)  # fmt: skip
            if found is not None:
                level = how or next(way for keys, way in levels if found in keys)
                own = level == "package" and path_of(found) == fs.extraction.path
                return found, "scope" if own else level
            if settled:
                return None
        return None

    def _is_method(self, family: str, name: str) -> bool:
        """Whether some class of the branch has a method `name` (not an extension)."""
        extends = self.index.extends
        return any(key not in extends for key in self.index.global_methods.get((family, name), ()))

    def _implicit_extension(
        self, scope: FileScope, name: str, here: str | None
    ) -> tuple[bool, tuple[str, str] | None]:
        """A bare Kotlin call of an extension function, on an implicit receiver: the one
        of the enclosing extension function's type (`slugify()` inside `fun
        String.titled()`), else of the enclosing classes'; and whether that settles the
        call. It does not where no extension function of that name is in sight, or none
        applies while a plain function of that name is. A lambda's receiver (`launch {
        cancel() }`) is not known: where none applies, it is a call on an unknown type."""
        index, fs = self.index, scope.symbols
        if name not in index.extension_names:
            return False, None
        levels = list(self._extension_levels(scope, name, None))
        if not any(key in index.extends for candidates, _ in levels for key in candidates):
            return False, None
        for receiver in self._implicit_receivers(scope, here):
            for candidates, how in levels:
                found = choose(index, fs.family, candidates, receiver, may_guess=False)[0]
                if found is not None:
                    own = how == "package" and path_of(found) == fs.extraction.path
                    return True, (found, "scope" if own else how)
        if any(key not in index.extends for candidates, _ in levels for key in candidates):
            return False, None
        return True, self._extension(scope, name, None)

    def _implicit_receivers(self, scope: FileScope, here: str | None) -> Iterator[Receiver]:
        """The receivers a bare call inside definition `here` may be made on, innermost
        first (`_implicit_types`)."""
        for type_key, spelled in self._implicit_types(scope, here):
            yield receiver_of(self.index, type_key, spelled)

    def _implicit_types(
        self, scope: FileScope, here: str | None
    ) -> Iterator[tuple[str | None, str]]:
        """The types `this` may stand for inside definition `here`, innermost first, each
        as found in the branch (None: a library's) and as spelled: what enclosing
        extension functions extend, and the enclosing classes."""
        index = self.index
        key = here
        while key is not None:
            if index.kind[key] in CALLABLE_KINDS:
                extended = index.extends.get(key)
                if extended is not None:
                    yield self._on_type(scope, extended, index.qualified[key]), extended
            elif index.kind[key] in TYPE_KINDS:
                yield key, index.qualified[key].rpartition(".")[2]
            key = index.owner.get(key)

    def _on_type(self, scope: FileScope, spelled: str, where: str | None) -> str | None:
        """The type of the branch `spelled` names as seen from `where`, if one."""
        *path, name = spelled.split(".")
        found = self.lookup(scope, ".".join(path) or None, name, where, types=True)
        return found[0] if found is not None and self.index.kind[found[0]] in TYPE_KINDS else None

    def _extension_levels(
        self, scope: FileScope, name: str, here: str | None
    ) -> Iterator[tuple[list[str], str]]:
        """The definitions of `name` a Kotlin call inside definition `here` may reach, level
        by level, as Kotlin looks: declared in the types `this` stands for there, a private
        one too (okio's `private fun Path.resolve()` in its file system class;
        `CancellableContinuation`'s `fun CoroutineDispatcher.resumeUndispatched()`, inside
        an extension of it); imported by name; of the package (the file's own first, its
        private ones too); of each package imported with `*`. A name imported from outside
        the repository hides the rest: a library's extension, which the branch cannot
        show."""
        index = self.index
        members = [
            key
            for type_key, _ in self._implicit_types(scope, here)
            if type_key is not None and (member := index.find_member(type_key, name))
            for key in self._same_named(member)
        ]
        yield members, "scope"
        path = scope.symbols.extraction.path
        found = self._levels.get((path, name))
        if found is None:
            found = self._levels[(path, name)] = list(self._file_levels(scope, name))
        yield from found

    def _file_levels(self, scope: FileScope, name: str) -> Iterator[tuple[list[str], str]]:
        """`_extension_levels` but the first, which depends on where in the file."""
        own = scope.symbols.extraction.path
        # Every top-level definition of the name that other files may call: few.
        tops = self.index.global_top.get((scope.symbols.family, name), [])
        if name in scope.names:
            target = scope.names[name]
            if target is None:
                return
            yield self._imported_extensions(scope, target, name), "import"
        package = scope.package_files
        yield self._top_named(own, name) + _in_files(tops, package, but=own), "package"
        for target in scope.wildcards:
            if target.symbol is None:  # a package's, not a type's static members
                yield _in_files(tops, target.files), "import"

    def _imported_extensions(self, scope: FileScope, target: Target, name: str) -> list[str]:
        """What `import a.b.name` (or `a.b.Obj.Companion.name`, `a.b.f as name`) names."""
        symbol = target.symbol or name
        if "." not in symbol:
            tops = self.index.global_top.get((scope.symbols.family, symbol), [])
            return _in_files(tops, target.files)
        member = self.index.top_in(target.files, symbol)  # an object's member
        return self._same_named(member) if member is not None else []

    def _top_named(self, path: str, name: str) -> list[str]:
        """The top-level definitions of `name` in file `path`, its private ones too."""
        fs = self.index.files.get(path)
        key = fs.top.get(name) if fs is not None else None
        return self._same_named(key) if key is not None else []

    def _same_named(self, key: str) -> list[str]:
        """The definitions of the file of `key` with its qualified name, in file order."""
        fs = self.index.files[path_of(key)]
        spans = fs.overloads.get(self.index.qualified[key])
        return [found for *_, found in spans] if spans else [key]

    def _guess_on_self(
        self, scope: FileScope, own: str | None, name: str, selves: _Selves
    ) -> tuple[str, str] | None:
        """A method called on `self` that its class and ancestors do not define: a subclass's
        perhaps, guessed by its unique name, unless some ancestor comes from outside the
        branch (Django's `Model`, Rails' `ActionController::Base`), which likely defines it."""
        if own is not None and self.index.inherits_from_outside(own):
            return None
        return self._guess_method(scope, name, selves)

    def _guess_method(self, scope: FileScope, name: str, selves: _Selves) -> tuple[str, str] | None:
        """The one method of that name that an object of unknown type, or `self` where that
        is what `selves` says, may have, where a guess is likely right. A Ruby object of
        unknown type may be a class (`app.settings`): it takes `_EITHER`."""
        if library_method(name, scope.symbols.family) or name.startswith("__"):
            return None
        candidates = [
            key
            for on_class in selves
            for key in self.index.guess_candidates(
                scope.symbols, singleton_lookup(name) if on_class else name
            )
        ]
        if candidates and not in_tests(scope.symbols.extraction.path):
            candidates = [key for key in candidates if not in_tests(path_of(key))]
        found = unique(candidates)
        return (found, "unique_name") if found else None


def _in_files(keys: list[str], files: tuple[str, ...], but: str = "") -> list[str]:
    """The definitions of `keys` in `files` (but not in file `but`), in the order of
    `files`, then of `keys`."""
    found = [key for key in keys if (path := path_of(key)) != but and path in files]
    found.sort(key=lambda key: files.index(path_of(key)))
    return found


def _python_submodule(
    index: SymbolIndex, target: Target, rest: list[str]
) -> tuple[Target, list[str]] | None:
    """The deepest submodule of the package `target` named by a prefix of `rest`, and what
    is left of `rest` after it: ["sub", "C"] from pkg/__init__.py is pkg/sub.py and ["C"]."""
    if target.symbol is not None or len(target.files) != 1:
        return None
    if index.top_in(target.files, rest[0]) is not None:
        return None  # the package defines that name itself
    package, _, init = target.files[0].rpartition("/")
    if init not in PYTHON_PACKAGE_MARKERS:
        return None
    for cut in range(len(rest), 0, -1):
        base = "/".join([package, *rest[:cut]]) if package else "/".join(rest[:cut])
        for path in (f"{base}.py", f"{base}/__init__.py", f"{base}.pyi", f"{base}/__init__.pyi"):
            if path in index.files:
                return Target((path,)), rest[cut:]
    return None


_INFERRED_KEPT = 256


def _inferred(spelled: str) -> bool:
    """Whether a receiver type is for resolution to infer (`receiver_types.receiver_type`):
    what a call returns, an element of a collection, a field's type."""
    return spelled.startswith((FROM_CALL, EACH)) or FIELD in spelled
