"""Symbol tables of one branch for resolution: per file, per package and repository-wide. Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from posixpath import dirname

from activities.codegraph.graph_rows import file_key, symbol_keys
from activities.codegraph.languages import family
from activities.codegraph.model import (
    CALLABLE_KINDS,
    CLASS_KINDS,
    SINGLETON,
    TYPE_KINDS,
    Definition,
    FileExtraction,
)

# Types method lookup visits at most (cycles are ignored): deep chains are cut. Generous,
# since each part of a partial class counts (Polly's `Policy` has 30).
_MAX_ANCESTRY = 128
# Where a type declared again under the same name in another file is the same type, a part
# of it: C#'s partial classes (in one namespace), Ruby's reopened classes.
_PARTIAL_TYPES = {"csharp": CLASS_KINDS, "ruby": frozenset({"Class"})}


@dataclass(slots=True)
class FileSymbols:
    """One file's definitions with their node keys."""

    extraction: FileExtraction
    key: str
    family: str
    keys: list[str]
    by_qn: dict[str, str] = field(default_factory=dict)  # first definition of each name
    top: dict[str, str] = field(default_factory=dict)  # top-level names
    # Names defined more than once (overloads, a property's getter and setter): the line
    # range and key of each definition.
    overloads: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict)
    # A PHP file of several namespace blocks: its definitions' qualified names start with
    # their block's namespace, and `top` holds only the global block's (`top_in`).
    namespaced: bool = False
    # Ruby: per definition, the classes and modules around it (`ruby_constants.lexical_scopes`),
    # worked out on the first constant looked up in the file.
    nesting: dict[str, tuple[str, ...]] | None = None

    def definition_around(self, qualified_name: str, line: int) -> str | None:
        """The definition named `qualified_name` whose lines hold `line`, where the name is
        defined more than once; else its first definition."""
        for start, end, key in self.overloads.get(qualified_name, ()):
            if start <= line <= end:
                return key
        return self.by_qn.get(qualified_name)


class SymbolIndex:
    """Lookups over all definitions of a branch."""

    def __init__(
        self, repo_id: str, branch: str, extractions: Mapping[str, FileExtraction]
    ) -> None:
        self.repo_id, self.branch = repo_id, branch
        self.files: dict[str, FileSymbols] = {}
        self.kind: dict[str, str] = {}
        self.qualified: dict[str, str] = {}
        self.owner: dict[str, str | None] = {}  # symbol key -> key of its class, if any
        self.self_name: dict[str, str] = {}
        self.members: dict[str, dict[str, str]] = defaultdict(dict)
        # The files that define members of a type (for a Go type or a C++ class, not only its
        # own file): `replace_file` re-derives a type's members from exactly these.
        self._member_files: dict[str, set[str]] = defaultdict(set)
        self.parents: dict[str, list[str]] = defaultdict(list)  # see `set_parents`
        self.open_types: set[str] = set()  # types with a base not found in the branch
        self.global_top: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.global_methods: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.global_types: dict[tuple[str, str], list[str]] = defaultdict(list)
        # Ruby: how many classes and modules of the branch each constant path holds, the
        # qualified name of each and every path it extends (`class Minitest::Spec` says that
        # a `Minitest` exists, wherever it is defined): `defines_constant`.
        self._ruby_constants: Counter[str] = Counter()
        # The constant paths that came or went since the caller last cleared it, with
        # whether each was there before (`constants_moved`).
        self._constants_before: dict[str, bool] = {}
        self.go_types: dict[tuple[str, str], str] = {}
        # Callables other files cannot call by name (`Definition.hidden`): in no global table
        # but their own, and a package's lookup (`top_in(shared=True)`) passes over them.
        self.hidden: set[str] = set()
        self.hidden_methods: dict[tuple[str, str], list[str]] = defaultdict(list)
        # Methods defined on a class itself (`Definition.singleton`): found by `self.<name>`
        # in `members` and the method tables, never by their plain name.
        self.singletons: set[str] = set()
        # Callables defined more than once under one qualified name in a file (overloads):
        # each one's set, in file order; and the arguments callables take (`Definition.arity`).
        self.overload_set: dict[str, tuple[str, ...]] = {}
        self.arity: dict[str, tuple[int, int | None]] = {}
        self.extends: dict[str, str] = {}  # extension functions: the type (`Definition.extends`)
        self.extension_names: Counter[str] = Counter()  # and how many of each name
        self.top_extensions: dict[str, list[str]] = defaultdict(list)  # top-level ones by name
        self.params: dict[str, tuple[str | None, ...]] = {}  # overloads' (`Definition.params`)
        self.returns: dict[str, str] = {}  # callables' declared results (`Definition.returns`)
        # Types' fields and their declared types as spelled in the type's file
        # (`FileExtraction.fields`), by type key.
        self.fields: dict[str, dict[str, str]] = {}
        for path in sorted(extractions):
            self._add_file(self._file_symbols(extractions[path]), types=True)
        for fs in self.files.values():
            self._attach_members(fs)
        self._constants_before.clear()  # a change is measured from the index as built

    def _file_symbols(self, fe: FileExtraction) -> FileSymbols:
        fs = FileSymbols(fe, file_key(self.repo_id, self.branch, fe.path), family(fe.language),
                         symbol_keys(self.repo_id, self.branch, fe),
                         namespaced=bool(fe.namespace_blocks()))  # fmt: skip
        for d, key in zip(fe.definitions, fs.keys, strict=True):
            fs.by_qn.setdefault(d.qualified_name, key)
            if d.parent is None:
                fs.top.setdefault(lookup_name(d), key)
        if len(fs.by_qn) < len(fe.definitions):  # rare: pay for the spans only then
            spans: dict[str, list[tuple[int, int, str]]] = {}
            for d, key in zip(fe.definitions, fs.keys, strict=True):
                spans.setdefault(d.qualified_name, []).append((d.start_line, d.end_line, key))
            fs.overloads = {name: found for name, found in spans.items() if len(found) > 1}
        return fs

    def _add_file(self, fs: FileSymbols, *, types: bool) -> None:
        """Register the file's definitions (without `types`, only its callables)."""
        fe = fs.extraction
        self.files[fe.path] = fs
        self._add_fields(fs)
        if fs.overloads:
            self._add_overloads(fs)
        for d, key in zip(fe.definitions, fs.keys, strict=True):
            is_type = d.kind in TYPE_KINDS
            if is_type and not types:
                continue
            self._remember(d, key)
            if d.hidden:
                self.hidden.add(key)
                if d.kind == "Method":
                    self.hidden_methods[(fs.family, lookup_name(d))].append(key)
                continue
            if d.parent is None:
                self.global_top[(fs.family, d.name)].append(key)
                if is_type and fe.language == "go":
                    self.go_types.setdefault((dirname(fe.path), d.name), key)
            if d.kind == "Method":
                self.global_methods[(fs.family, lookup_name(d))].append(key)
            if is_type:
                self.global_types[(fs.family, d.qualified_name)].append(key)
                if fs.family == "ruby":
                    for constant in _constant_paths(d.qualified_name):
                        self._ruby_constants[constant] += 1
                        if self._ruby_constants[constant] == 1:
                            self._constants_before.setdefault(constant, False)

    def _add_fields(self, fs: FileSymbols) -> None:
        """The declared types of the file's types' fields (`field_type`), anew."""
        for owner, name, spelled in fs.extraction.fields:
            key = fs.by_qn.get(owner)
            if key is not None:
                self.fields.setdefault(key, {})[name] = spelled

    def field_type(self, type_key: str, name: str) -> tuple[str, str] | None:
        """The declared type of field `name` of a type or (nearest first) its ancestors, as
        spelled in its declaring type's file, with that type's key."""
        for current in self._ancestry(type_key):
            spelled = self.fields.get(current, {}).get(name)
            if spelled is not None:
                return spelled, current
        return None

    def _remember(self, d: Definition, key: str) -> None:
        """What lookups read of one definition by its key (`_forget` drops it)."""
        self.kind[key] = d.kind
        self.qualified[key] = d.qualified_name
        if d.self_name:
            self.self_name[key] = d.self_name
        if d.arity is not None:
            self.arity[key] = d.arity
        if d.extends is not None:
            self.extends[key] = d.extends
            self.extension_names[d.name] += 1
            if d.parent is None:
                self.top_extensions[d.name].append(key)
        if d.params is not None:
            self.params[key] = tuple(_type_word(p) for p in d.params)
        if d.returns is not None:
            self.returns[key] = d.returns
        if d.singleton:
            self.singletons.add(key)

    def _forget(self, key: str) -> None:
        if key in self.extends:
            name = self.qualified[key].rpartition(".")[2]
            self.extension_names[name] -= 1
            if not self.extension_names[name]:
                del self.extension_names[name]
            top = self.top_extensions.get(name)
            if top is not None and key in top:
                top.remove(key)
                if not top:
                    del self.top_extensions[name]
        del self.kind[key], self.qualified[key]
        self.singletons.discard(key)
        self.fields.pop(key, None)
        tables = (self.self_name, self.overload_set, self.arity, self.extends, self.params,
                  self.returns)  # fmt: skip
        for table in tables:
            table.pop(key, None)

    def _add_overloads(self, fs: FileSymbols) -> None:
        overloaded = [
            (d, key)
            for d, key in zip(fs.extraction.definitions, fs.keys, strict=True)
            if d.kind in CALLABLE_KINDS and d.qualified_name in fs.overloads
        ]
        # Kotlin extensions of one name on different types are no overloads of one another:
        # the receiver picks among them (`extensions.choose`), the arguments only then.
        sets: dict[tuple[str, str | None], list[str]] = defaultdict(list)
        for d, key in overloaded:
            sets[(d.qualified_name, d.extends)].append(key)
        for d, key in overloaded:
            self.overload_set[key] = tuple(sets[(d.qualified_name, d.extends)])

    def overload_for(
        self, key: str, args: int | None, arg_types: tuple[str | None, ...] | None = None
    ) -> str:
        """The overload of callable `key` that a call passing `args` arguments reaches
        (javapoet: `newName(s)` calls `newName(s, tag)`): of those that take them, the one
        whose parameter types match most of `arg_types` (okio's `write(bytes, 0, n)` with
        a `ByteArray` is `write(ByteArray, Int, Int)`, not `write(ByteString, Int, Int)`);
        else `key` if it takes them, else the first that does, one without variable
        arguments before one with them, as Java and C# prefer; `key` when none does or
        either is unknown."""
        keys = self.overload_set.get(key)
        if keys is None or args is None:
            return key
        if arg_types:
            matched = self._by_types((key, *keys), args, arg_types)
            if matched is not None:
                return matched
        for variadic in (False, True):
            for k in (key, *keys):
                arity = self.arity.get(k)
                if arity is None or (_takes(arity, args) and (arity[1] is None) == variadic):
                    return k
        return key

    def _by_types(
        self, keys: tuple[str, ...], args: int, arg_types: tuple[str | None, ...]
    ) -> str | None:
        """Of `keys` that take `args` arguments, the first whose parameters' types match
        the most known argument types, if one matches any."""
        wanted = [_type_word(t) for t in arg_types]
        best, best_score = None, 0
        for k in keys:
            params = self.params.get(k)
            if params is None or not self.takes(k, args):
                continue
            score = sum(1 for p, t in zip(params, wanted, strict=False) if p and p == t)
            if score > best_score:
                best, best_score = k, score
        return best

    def takes(self, key: str, args: int) -> bool:
        """Whether callable `key` can take `args` arguments, as far as is known."""
        arity = self.arity.get(key)
        return arity is None or _takes(arity, args)

    def _attach_members(self, fs: FileSymbols) -> None:
        path = fs.extraction.path
        for d, key in zip(fs.extraction.definitions, fs.keys, strict=True):
            if d.parent is None:
                self.owner[key] = None
                continue
            owner = self.scope_by_qn(fs, d.parent)
            self.owner[key] = owner
            if owner is not None and self.kind[owner] in TYPE_KINDS:
                self.members[owner].setdefault(lookup_name(d), key)
                self._member_files[owner].add(path)

    def replace_file(self, fe: FileExtraction) -> None:
        """Swap in a new extraction of an indexed file whose non-callable definitions are the
        same, in the same order (a narrow change, see `affected.py`). The lookups then equal
        those of an index built afresh: the types, and so every other file's owners, stay."""
        old = self.files[fe.path]
        touched: set[str] = set()  # types whose members are derived again
        for d, key in zip(old.extraction.definitions, old.keys, strict=True):
            if d.kind in TYPE_KINDS:
                self.fields.pop(key, None)  # `_add_file` reads them again
            owner = self.owner.pop(key)
            if owner is not None and owner in self._member_files:
                self._member_files[owner].discard(fe.path)
                touched.add(owner)
            if d.kind in TYPE_KINDS:
                continue
            self._forget(key)
            self._discard_global(old.family, d, key)
        fs = self._file_symbols(fe)
        self._add_file(fs, types=False)
        for d, key in zip(fe.definitions, fs.keys, strict=True):
            owner = self.scope_by_qn(fs, d.parent) if d.parent is not None else None
            self.owner[key] = owner
            if owner is not None and self.kind[owner] in TYPE_KINDS:
                self._member_files[owner].add(fe.path)
                touched.add(owner)
        for owner in touched:
            self._derive_members(owner)

    def add_file(self, fe: FileExtraction) -> tuple[set[str], set[str]]:
        """Take in a new file, as an index built afresh with it would hold it. Returns the
        names and the files of other files' definitions whose owner changed (a Go method whose
        receiver type the file declares, a C++ out-of-line method whose class is now defined
        twice): those files, and the calls that reach those names, must be resolved again."""
        fs = self._file_symbols(fe)
        self.files = dict(sorted({**self.files, fe.path: fs}.items()))
        self._add_file(fs, types=True)
        touched: set[str] = set()
        names, paths = self._owners_again(fs, touched)
        for owner in touched:
            self._derive_members(owner)
        return names, paths

    def _owners_again(self, fs: FileSymbols, touched: set[str]) -> tuple[set[str], set[str]]:
        """After `fs` came or went: the first Go type of its directory found again, and the
        owners of definitions its types may own (its own too, when it is indexed). Returns
        the names and files of other files' definitions whose owner changed."""
        fe = fs.extraction
        folder = dirname(fe.path)
        if fe.language == "go":
            for d in fe.definitions:
                if d.parent is None and d.kind in TYPE_KINDS:
                    self._first_go_type(folder, d.name)
        type_names = {d.qualified_name for d in fe.definitions if d.kind in TYPE_KINDS}
        names: set[str] = set()
        paths: set[str] = set()
        for other in self.files.values():
            if other is fs or self._may_own(other, fs, folder, type_names):
                for name in self._reown(other, fs, type_names, touched):
                    names.add(name)
                    paths.add(other.extraction.path)
        return names, paths

    def _reown(
        self, other: FileSymbols, new: FileSymbols, type_names: set[str], touched: set[str]
    ) -> list[str]:
        """Find again the owners of `other`'s definitions that `new`'s types may own (all of
        them when `other` is `new`); returns the names of those whose owner changed."""
        moved = []
        for d, key in zip(other.extraction.definitions, other.keys, strict=True):
            if d.parent is None:
                if other is new:
                    self.owner[key] = None
                continue
            if other is not new and d.parent not in type_names:
                continue
            old = None if other is new else self.owner.get(key)
            owner = self.owner[key] = self.scope_by_qn(other, d.parent)
            if old != owner:
                moved.append(d.name)
            for either in (old, owner):
                if either is not None and self.kind.get(either) in TYPE_KINDS:
                    touched.add(either)
            if owner is not None and self.kind[owner] in TYPE_KINDS:
                self._member_files[owner].add(other.extraction.path)
        return moved if other is not new else []

    def remove_file(self, path: str) -> tuple[set[str], set[str]]:
        """Drop a file, as an index built afresh without it would be. Returns the names and
        the files of other files' definitions whose owner changed (see `add_file`)."""
        fs = self.files.pop(path)
        fe = fs.extraction
        gone = set(fs.keys)
        touched: set[str] = set()
        for d, key in zip(fe.definitions, fs.keys, strict=True):
            owner = self.owner.pop(key, None)
            if owner is not None and owner not in gone and owner in self._member_files:
                self._member_files[owner].discard(path)
                touched.add(owner)
            self._forget(key)
            self.members.pop(key, None)
            self._member_files.pop(key, None)
            self._discard_global(fs.family, d, key)
            if d.kind in TYPE_KINDS:
                _discard(self.global_types, (fs.family, d.qualified_name), key)
                if fs.family == "ruby":
                    for constant in _constant_paths(d.qualified_name):
                        self._ruby_constants[constant] -= 1
                        if not self._ruby_constants[constant]:
                            del self._ruby_constants[constant]
                            self._constants_before.setdefault(constant, True)
        names, paths = self._owners_again(fs, touched)
        for owner in touched - gone:
            self._derive_members(owner)
        return names, paths

    def _discard_global(self, family: str, d: Definition, key: str) -> None:
        """Take a definition out of the global name tables, as `_add_file` put it in."""
        if d.hidden:
            self.hidden.discard(key)
            if d.kind == "Method":
                _discard(self.hidden_methods, (family, lookup_name(d)), key)
            return
        if d.parent is None:
            _discard(self.global_top, (family, d.name), key)
        if d.kind == "Method":
            _discard(self.global_methods, (family, lookup_name(d)), key)

    def _may_own(
        self, other: FileSymbols, new: FileSymbols, folder: str, type_names: set[str]
    ) -> bool:
        """Whether `new`'s types can own definitions of `other` (see `scope_by_qn`)."""
        if not type_names or other.family != new.family:
            return False
        if new.extraction.language == "go":
            return dirname(other.extraction.path) == folder
        return True

    def _first_go_type(self, folder: str, name: str) -> None:
        """The Go type `name` of a directory is the first one declared, in path order."""
        self.go_types.pop((folder, name), None)
        for path, fs in self.files.items():
            if dirname(path) != folder or fs.extraction.language != "go":
                continue
            for d, key in zip(fs.extraction.definitions, fs.keys, strict=True):
                if d.parent is None and d.kind in TYPE_KINDS and d.name == name:
                    self.go_types.setdefault((folder, name), key)

    def _derive_members(self, owner: str) -> None:
        """A type's members as the full build finds them: files in path order, first name wins."""
        members: dict[str, str] = {}
        contributing = set()
        for path in sorted(self._member_files[owner]):
            fs = self.files.get(path)
            for d, key in zip(fs.extraction.definitions, fs.keys, strict=True) if fs else ():
                if self.owner[key] == owner:
                    members.setdefault(lookup_name(d), key)
                    contributing.add(path)
        self._member_files[owner] = contributing
        if members:
            self.members[owner] = members
        else:
            self.members.pop(owner, None)
            self._member_files.pop(owner, None)

    def set_parents(self, pairs: Iterable[tuple[str, str]], open_types: Iterable[str]) -> None:
        """The resolved (child, parent) type pairs, in the order method lookup tries them, and
        the types with a base that is not in the branch (a library's, or one not found)."""
        self.parents.clear()
        for child, parent in pairs:
            self.parents[child].append(parent)
        self.open_types = set(open_types)

    def partial_parts(self) -> Iterator[tuple[str, str]]:
        """(part, other part) pairs linking the parts of each partial type, a node per file:
        a C# partial class declared in several files of one namespace (Polly's `PolicyWrap`
        in PolicyWrap.cs and PolicyWrap.ContextAndKeys.cs), a Ruby class reopened in another
        file (`class Minitest::Test`). Method lookup takes every part's members for the
        type's own, before its bases'. The first part (in path order) and each other are
        linked both ways, so a lookup from any part reaches all in two steps."""
        for (fam, _), keys in self.global_types.items():
            kinds = _PARTIAL_TYPES.get(fam)
            if kinds is None or len(keys) < 2:
                continue
            types: dict[str | None, list[str]] = defaultdict(list)
            # In path order, as a fresh index lists them (a kept one appends added files).
            for key in sorted(keys, key=path_of):
                if self.kind[key] in kinds:
                    types[self.files[path_of(key)].extraction.package].append(key)
            for parts in types.values():
                first, *others = parts
                for other in others:
                    if path_of(other) != path_of(first):
                        yield other, first
                        yield first, other

    def type_named(self, family: str, qualified: str) -> str | None:
        """The type of that qualified name in the branch, if one: the only declaration, or
        the first part of a partial type (`partial_parts`), through which lookup reaches
        the others."""
        keys = self.global_types.get((family, qualified))
        kinds = _PARTIAL_TYPES.get(family)
        if keys and len(keys) > 1 and kinds and all(self.kind[key] in kinds for key in keys):
            packages = {self.files[path_of(key)].extraction.package for key in keys}
            return min(keys, key=path_of) if len(packages) == 1 else None
        return unique(keys)

    def defines_constant(self, qualified: str) -> bool:
        """Whether a Ruby class or module of the branch is, or is inside, the constant of
        that qualified name."""
        return qualified in self._ruby_constants

    def constants_moved(self, *, clear: bool = False) -> set[str]:
        """The Ruby constant paths that came or went since this was last cleared: a
        reference spelling one may now reach another class (`BranchResolution.update`)."""
        moved = {
            constant
            for constant, before in self._constants_before.items()
            if before != (constant in self._ruby_constants)
        }
        if clear:
            self._constants_before.clear()
        return moved

    def inherits_from_outside(self, type_key: str) -> bool:
        """Whether the type or one of its ancestors has a base from outside the branch: then
        a method it does not define may well be that base's."""
        return any(key in self.open_types for key in self._ancestry(type_key))

    def scope_by_qn(self, fs: FileSymbols, qn: str) -> str | None:
        """The definition named `qn` as seen from `fs`: in the same file, else a type of the same
        Go package, else the unique type of that qualified name (C++ out-of-line methods)."""
        local = fs.by_qn.get(qn)
        if local is not None:
            return local
        if fs.extraction.language == "go":
            return self.go_types.get((dirname(fs.extraction.path), qn))
        return self.type_named(fs.family, qn)

    def enclosing_type(self, fs: FileSymbols, caller: str | None) -> str | None:
        """The class, struct or trait around the definition `caller`, if any."""
        key = fs.by_qn.get(caller) if caller else None
        while key is not None:
            if self.kind[key] in CLASS_KINDS or self.kind[key] == "Namespace":
                return key if self.kind[key] in CLASS_KINDS or fs.family == "ruby" else None
            key = self.owner.get(key)
        return None

    def guess_candidates(self, fs: FileSymbols, name: str) -> list[str]:
        """The methods named `name` that a call in `fs` on an object of unknown type may reach:
        any file's, and the file's own hidden ones (`other.mountFilesystems()` on another
        instance of the class in PHP, Java or C#)."""
        found = self.global_methods.get((fs.family, name), [])
        hidden = self.hidden_methods.get((fs.family, name))
        if hidden:
            own = fs.key + "|"
            found = [*found, *(key for key in hidden if key.startswith(own))]
        overloads = self.overload_set.get(found[0]) if len(found) > 1 else None
        if overloads is not None and all(key in overloads for key in found):
            return found[:1]  # overloads of one method: the call's arguments pick one
        return found

    def find_member(
        self, type_key: str, name: str, *, own: bool = True, args: int | None = None
    ) -> str | None:
        """`name` in the type or (breadth-first) its ancestors; `own=False` skips the type.
        With `args`, the nearest whose overloads can take that many arguments, else the
        nearest: okio's `source.read(sink, n)` on a `BufferedSource`, whose own `read`s
        take one or three, is `Source.read`."""
        nearest = None
        for current in self._ancestry(type_key):
            if own or current != type_key:
                found = self.members.get(current, {}).get(name)
                if found is None:
                    continue
                if args is None or self.takes(self.overload_for(found, args), args):
                    return found
                nearest = nearest or found
        return nearest

    def find_singleton(self, type_key: str, name: str) -> str | None:
        """What a Ruby call on the class or module itself reaches (`Foo.build`, `self.build`
        in `def self.x` or the class body): its own or an ancestor's method of the class
        (`self.build`); else an instance method of a module it or an ancestor is, or mixes in
        (`module_function`, `extend self`, `extend Helpers`: the call says which, since the
        extraction does not tell `extend` from `include`), never one of a class's instances."""
        found = self.find_member(type_key, singleton_lookup(name))
        if found is not None:
            return found
        for current in self._ancestry(type_key):
            if self.kind[current] == "Namespace":
                found = self.members.get(current, {}).get(name)
                if found is not None and self.kind[found] in CALLABLE_KINDS:
                    return found
        return None

    def names_type(self, fs_family: str, spelled: str) -> bool:
        """Whether a type of the branch goes by `spelled` (`Outer.Inner`) or by its last
        name: a library's type is never a subtype of one."""
        last = spelled.rpartition(".")[2]
        return bool(self.global_types.get((fs_family, spelled))) or bool(
            self.global_types.get((fs_family, last))
        )

    def ancestry(self, type_key: str) -> Iterator[str]:
        """The type, then its ancestors in the branch breadth-first (nearest first)."""
        return self._ancestry(type_key)

    def _ancestry(self, type_key: str) -> Iterator[str]:
        """The type, then its ancestors breadth-first, each once, at most `_MAX_ANCESTRY`."""
        queue, seen = [type_key], {type_key}
        for depth in range(_MAX_ANCESTRY):
            if depth >= len(queue):
                return
            current = queue[depth]
            yield current
            for parent in self.parents.get(current, ()):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)

    def top_in(
        self,
        paths: tuple[str, ...],
        name: str,
        *,
        shared: bool = False,
        package: str | None = None,
    ) -> str | None:
        """A definition named by `name` (a top-level name or a qualified one) in `paths`;
        with `shared`, one that other files may call by name (a Kotlin package's, not one
        file's private function). An import or `#include` reaches any. With `package`, the
        one the paths are files of: in a PHP file of several namespace blocks, only that
        namespace's block is looked in."""
        for path in paths:
            fs = self.files.get(path)
            if fs is None:
                continue
            if fs.namespaced and package:
                found = fs.by_qn.get(f"{package}.{name}")
            else:
                found = fs.top.get(name) if "." not in name else fs.by_qn.get(name)
            if found is not None and not (shared and found in self.hidden):
                return found
        return None


def _discard(table: dict[tuple[str, str], list[str]], name: tuple[str, str], key: str) -> None:
    keys = table[name]
    keys.remove(key)
    if not keys:
        del table[name]


# Spellings of one type across languages and boxing: `Integer` takes an `int` literal.
_SAME_TYPE = {"integer": "int", "bool": "boolean", "character": "char"}


def _constant_paths(qualified: str) -> list[str]:
    """`A.B.C`, `A.B` and `A`."""
    parts = qualified.split(".")
    return [".".join(parts[:cut]) for cut in range(len(parts), 0, -1)]


def _type_word(spelled: str | None) -> str | None:
    """A type as argument and parameter types are compared: its last name, lower case,
    without a C# arity (`Options`1`)."""
    if not spelled:
        return None
    word = spelled.rpartition(".")[2].partition("`")[0].lower()
    return _SAME_TYPE.get(word, word)


def _takes(arity: tuple[int, int | None], args: int) -> bool:
    least, most = arity
    return least <= args and (most is None or args <= most)


def lookup_name(d: Definition) -> str:
    """The name a definition is found by in its scope: its name, but for a C# generic type
    the name with its arity (`Options`1`, the end of its qualified name), so a plain
    `Options` never reaches it, nor `Options<T>` the plain one; and for a Ruby method of the
    class itself `self.build` (`singleton_lookup`), so a call on an instance never reaches
    it, nor a call on the class the instances' `build`."""
    if "`" in d.qualified_name:
        return d.qualified_name.rpartition(".")[2]
    return singleton_lookup(d.name) if d.singleton else d.name


def singleton_lookup(name: str) -> str:
    """What a method defined on a class itself is found by, in `members` and the method tables."""
    return f"{SINGLETON}.{name}"


def unique(keys: list[str] | None) -> str | None:
    """The only element of `keys`, or None when there are none or several."""
    return keys[0] if keys and len(keys) == 1 else None


def unique_file(keys: list[str] | None) -> str | None:
    """The first of `keys` if all are one file's definitions (`#if` variants of a C function,
    redis's 7 `zmalloc_get_rss`), or None."""
    if not keys:
        return None
    first_file = path_of(keys[0])
    return keys[0] if all(path_of(key) == first_file for key in keys[1:]) else None


def path_of(key: str) -> str:
    """The path part of a definition key (`repo|branch|path|Kind:name`, paths escape `|`)."""
    return key.split("|", 3)[2]
