"""Which files' outgoing edges an edit can change, so a re-index re-resolves only those. Pure.

Resolution reads other files only through their definitions (names, kinds, owners), their
inheritance, their imports, their package and the set of paths. When modified files keep all
of that and differ only in calls, line numbers and callables (functions and methods) added or
removed, an edge of another file can change only where that file names one of those callables:
a call by that name, an import of it, a receiver or parent spelled with it. Anything else that
moves (a type, an import, a parent, a package, an added or deleted path) may reach files that
never spell the changed name (through a class hierarchy or a module layout), so the caller
resolves the whole branch instead: `affected_files` answers None. A C# `global using` that
came, went or changed always does: it binds names in every file of its project. So does a
C/C++ macro that opens a namespace defined anew, or a file's lines of one that changed; in a
branch with such macros or C++ namespaces, an include that moved or a C/C++ file come or gone
reaches the files including it, through any number of others.

Whoever holds the branch's kept resolution tables (`BranchResolution`, passing
`kept_tables=True`) can narrow the wider changes too, because it checks after the fact what
no spelling shows:
- An edited import binds names in its own file alone, so only that file's edges change
  (and those of the files spelling its callables that declare a result, or its types'
  fields, whose types are looked up through those imports: `s := newStore()` elsewhere
  takes newStore's `store.Store`, `res.Body.Close()` the Body field's type); a field
  changed, or one of a type come or gone, reaches the files spelling its name;
  where a module passes on what it imports (Python, JavaScript/TypeScript re-exports), the
  kept resolution adds the files that spell the names it now binds differently.
- A module may pass a name on under another (`export { fmt as format } from './fmt'`,
  `from .core import Engine as Motor`): a file reading `format` reaches `fmt` without
  spelling it. So wherever a change reaches the files spelling some names, it also reaches
  those spelling what any module of the branch renames them to (`files_naming`). A default
  import is such a rename of `default`: a modified file whose default export moved (named
  otherwise, or its definition come or gone) reaches the files spelling `default`.
- A type added, removed or renamed in a modified file, or a base changed, reaches the files
  that spell the names of the definitions that came or went. So does a callable come or gone
  under a type's name (`def Query()` beside `def query(self) -> Query`), which may shadow
  that type where a result or a field is declared with it: the files spelling those
  callables and fields (`_typed_by`), such as a chain's `s.query().filter()`. The owners
  its types give to or take from other files' methods (Go receivers, C++ out-of-line
  methods), and a class hierarchy that moved under other files' method calls, are the kept
  resolution's to find (`BranchResolution.update`).
- Added and deleted files are narrow on the same condition. A new or vanished file can change
  what another file's import, bare name or unique-name match reaches only where that file
  spells its path, package or definitions, shares its directory or package, or imports
  relatively without naming anything (`from . import *`).
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from activities.codegraph.languages import family
from activities.codegraph.model import CALLABLE_KINDS, TYPE_KINDS, Definition, FileExtraction
from activities.codegraph.modules import PYTHON_PACKAGE_MARKERS
from activities.codegraph.npm_workspaces import Packages

# Beyond this share of the branch changed, resolving everything costs about the same.
MAX_CHANGED_SHARE = 0.2
_WORD = re.compile(r"(?!\d)[\w$]+")  # identifiers: Python, Go and most allow non-ASCII letters
# Words of a module path that name no file: Rust's relative module paths.
_RELATIVE_WORDS = frozenset({"crate", "self", "super"})
# Families whose modules export the names they import (a package's `__init__.py`, a
# TypeScript barrel, a Rust crate's `pub use`): resolution follows those imports into other
# files, and a kept resolution finds who reads through them (`BranchResolution.update`).
# A Rust `use` without `pub` is followed too: child modules see it.
RE_EXPORTING = frozenset({"python", "js", "rust"})


def affected_files(
    before: Mapping[str, FileExtraction],
    after: Mapping[str, FileExtraction],
    branch: Mapping[str, FileExtraction],
    max_share: float = MAX_CHANGED_SHARE,
    *,
    kept_tables: bool = False,
    added: Mapping[str, FileExtraction] | None = None,
    deleted: Mapping[str, FileExtraction] | None = None,
) -> set[str] | None:
    """Paths whose edges must be re-resolved when files change from `before` to `after`.

    `before` and `after` hold the modified files (same paths, old and new extraction);
    `branch` is every parsed file of the branch after the change, `added` included. None
    means "all of them". With `kept_tables`, a modified file's imports, types and bases may
    differ too, and `added` and `deleted` files (their last extraction) may be given (see
    above).
    """
    added, deleted = added or {}, deleted or {}
    if (added or deleted) and not kept_tables:
        return None
    touched = len(after) + len(added) + len(deleted)
    if before.keys() != after.keys() or touched > max_share * max(len(branch), 1):
        return None
    names: set[str] = set()
    for path, new in after.items():
        changed = _changed_names(before[path], new, kept_tables)
        if changed is None:
            return None
        names |= changed
    if not kept_tables and not renamed_too(branch, names).isdisjoint(_base_words(branch)):
        # A function named like a base may shadow it where the base is looked up (a
        # wildcard import, one namespace): the hierarchy, and so calls in files that never
        # name it, may move. Only the kept tables can tell.
        return None
    if any(_project_wide(fe) for fe in (*added.values(), *deleted.values())):
        return None
    includers = _macro_namespace_reach(before, after, branch, added, deleted)
    if includers is None:
        return None
    affected = set(after) | set(added) | includers
    # A callable come or gone may also shadow a type of its name where a result is declared
    # with it (`def Query()` beside `def query(self) -> Query`): that result's callers too.
    names |= _typed_by(branch, _types_moved(before, after, added, deleted) | names)
    for fe in (*added.values(), *deleted.values()):
        names |= {d.name for d in fe.definitions}
        names.update(_path_words(fe))
        names.update(_WORD.findall(fe.package or ""))
        names |= _modules_rooted_by(branch, fe)
    if added or deleted:
        affected |= neighbours(branch, [*added.values(), *deleted.values()])
    affected |= files_naming(branch, names)
    return affected


def go_import_readers(
    scope: set[str],
    *,
    before: Mapping[str, FileExtraction],
    after: Mapping[str, FileExtraction],
    branch: Mapping[str, FileExtraction],
    added: Mapping[str, FileExtraction],
    deleted: Mapping[str, FileExtraction],
    reached: set[str],
) -> set[str]:
    """The Go files of `scope` whose calls the change cannot move: they are in scope only
    because they spell an added or deleted Go file's path, package or module, that is, they
    import its package. Only their IMPORTS (and INHERITS, which are cheap) need resolving.

    A Go call reaches into another package as `pkg.Name` (or a bare `Name` after a dot
    import), looked up by name among the package's files, so a file added to or deleted
    from the package changes what such a call reaches only where the caller spells one of
    that file's definitions; methods go by name too. `reached` holds the files the change
    reaches otherwise (methods whose owner moved, the callers of their names). The caller
    must also check that each package keeps its files and the name importers bind for it
    (`RepoLayout.go_package_name`). Empty unless every added and deleted file is Go.
    """
    files = [*added.values(), *deleted.values()]
    if not files or any(fe.language != "go" for fe in files):
        return set()
    names: set[str] = set()
    for path, new in after.items():
        changed = _changed_names(before[path], new, kept_tables=True)
        if changed is None:
            return set()
        names |= changed
    for fe in files:
        names |= {d.name for d in fe.definitions}
    names |= _typed_by(branch, _types_moved(before, after, added, deleted) | names)
    left = scope - reached - after.keys() - added.keys()
    candidates = {path: branch[path] for path in left if branch[path].language == "go"}
    return set(candidates) - neighbours(candidates, files) - files_naming(candidates, names)


def _types_moved(
    before: Mapping[str, FileExtraction],
    after: Mapping[str, FileExtraction],
    added: Mapping[str, FileExtraction],
    deleted: Mapping[str, FileExtraction],
) -> set[str]:
    """The names of the types that came, went or changed in modified, added or deleted files."""
    found = {d.name for fe in (*added.values(), *deleted.values()) for d in fe.definitions
             if d.kind in TYPE_KINDS}  # fmt: skip
    for path, new in after.items():
        old_defs, new_defs = _definitions(before[path]), _definitions(new)
        moved = (old_defs - new_defs) + (new_defs - old_defs)
        found |= {d.name for d in moved if d.kind in TYPE_KINDS}
    return found


def _typed_by(branch: Mapping[str, FileExtraction], types: set[str]) -> set[str]:
    """The names through which a file may reach a type's methods without spelling the type:
    callables declared to return it (`h := makeHalves(); h.swap()`) or a collection of it,
    and fields declared with it (`w.inner.swap()`) or a collection of it. A type come or
    gone reaches the files spelling those; its own fields are reached only through something
    of its type, so through these names too. `types` may hold any names that moved: a
    callable come or gone may shadow a type of its name where it is looked up. Followed
    as far as it goes: a field set from such a callable (`self.api = wrap()`, spelled
    `()wrap`) is reached through it, and what reads that field through the field."""
    if not types:
        return set()
    # Each word of a declared result or field type, and the names declared with it.
    declared_with: dict[str, set[str]] = {}
    for fe in branch.values():
        for d in fe.definitions:
            for word in _WORD.findall(d.returns or ""):
                declared_with.setdefault(word, set()).add(d.name)
        for _, name, spelled in fe.fields:  # Rust's `Option<Foo>` too
            for word in _WORD.findall(spelled):
                declared_with.setdefault(word, set()).add(name)
    found: set[str] = set()
    frontier = set(types)
    while frontier:
        reached = set().union(*(declared_with.get(word, ()) for word in frontier)) - found
        found |= reached
        frontier = reached - types
    return found


def files_naming(branch: Mapping[str, FileExtraction], names: set[str]) -> set[str]:
    """The files that spell any of `names`, or a name a module passes one of them on as,
    where they refer outside themselves."""
    if not names:
        return set()
    names = renamed_too(branch, names)
    # A member set on a name (`Card.Header = CardHeader`) is read as `Card.Header`: its
    # readers spell the member's name.
    names |= {name.rpartition(".")[2] for name in names if "." in name}
    return {path for path, fe in branch.items() if not names.isdisjoint(_words_of(fe).outside)}


def renamed_too(branch: Mapping[str, FileExtraction], names: set[str]) -> set[str]:
    """`names` and every name a module of the branch passes one of them on as, through any
    number of modules: `fmt`, then `format` after `export { fmt as format } from './fmt'`."""
    renames = [pair for fe in branch.values() for pair in _words_of(fe).renames]
    if not renames:
        return names
    found, latest = set(names), set(names)
    while latest:
        latest = {alias for name, alias in renames if name in latest} - found
        found |= latest
    return found


@dataclass(frozen=True, slots=True)
class _Words:
    outside: frozenset[str]  # every identifier naming something outside the file
    renames: tuple[tuple[str, str], ...]  # (name, alias) of the names it passes on renamed


# id(extraction) -> (a weak reference to it, its words); an entry goes with its extraction.
_words_cache: dict[int, tuple[weakref.ref[FileExtraction], _Words]] = {}


def outside_words(fe: FileExtraction) -> frozenset[str]:
    """Every identifier `fe` uses to name something outside itself."""
    return _words_of(fe).outside


def _words_of(fe: FileExtraction) -> _Words:
    """`fe`'s words, kept while `fe` lives. Every narrow change scans the whole branch for
    the files naming something (7,700 files: 0.7 s for Go's tree, several times a run), and
    the worker keeps a branch's extractions from run to run."""
    key = id(fe)
    entry = _words_cache.get(key)
    if entry is not None and entry[0]() is fe:
        return entry[1]
    words = _Words(frozenset(_words(fe)), _renames(fe))

    def forget(ref: weakref.ref[FileExtraction]) -> None:
        if _words_cache.get(key, (None,))[0] is ref:
            del _words_cache[key]

    _words_cache[key] = (weakref.ref(fe, forget), words)
    return words


def _renames(fe: FileExtraction) -> tuple[tuple[str, str], ...]:
    """(name, alias) of each name a module passes on under another, which resolution
    follows (`BranchResolution._in_target`): its imports (`default` too, as in a barrel's
    `export { default as Button } from './Button'`) and its default export."""
    language = family(fe.language)
    if language not in RE_EXPORTING:
        return ()
    # A JS package import (`import React from 'react'`) never reaches the branch; an
    # export of the module's own name under another (module '') does.
    renames = [
        (imp.name, imp.alias)
        for imp in fe.imports
        if imp.name and imp.alias and imp.name not in ("*", imp.alias)
        if language != "js" or imp.module.startswith(".") or not imp.module
    ]
    if fe.default_export:
        # `export default formatTime` passes formatTime on as `default`, maybe from an
        # import: a change to formatTime's own file reaches this module's default importers.
        renames.append((fe.default_export, "default"))
    return tuple(renames)


def _modules_rooted_by(branch: Mapping[str, FileExtraction], fe: FileExtraction) -> set[str]:
    """For a Python package's `__init__.py` that came or went: every word of every path
    below its directory. Whether that directory is a package decides whether an absolute
    import may start there or in any directory below it (`RepoLayout.python_root`), and
    an importer spells only the module path from that start (`import json`, not the
    directories holding json.py)."""
    if fe.language != "python" or posixpath.basename(fe.path) not in PYTHON_PACKAGE_MARKERS:
        return set()
    below = posixpath.dirname(fe.path) + "/"
    if below == "/":
        return set()  # the repository root is always a root
    rests = (path[len(below) :] for path in branch if path.startswith(below))
    return {word for rest in rests for word in _WORD.findall(posixpath.splitext(rest)[0])}


def through_roots(
    branch: Mapping[str, FileExtraction],
    fe: FileExtraction,
    go_modules: Mapping[str, str],
    rust_crates: Mapping[str, str] | None = None,
    js_packages: Packages | None = None,
) -> set[str]:
    """Files whose imports reach an added or deleted file through a root its words do not
    spell: a Rust crate root (lib.rs, main.rs) roots every module below it, and the other
    crates of the workspace import it by the crate's name (Cargo.toml); a Go package is
    imported by its module path (go.mod) rather than by its directory; a file of a
    JavaScript workspace package is imported by the package's name (`@acme/ui/button`), or
    by a name of the package's `imports` (`#utils/log`)."""
    folder = posixpath.dirname(fe.path)
    if family(fe.language) == "js" and js_packages:
        names = {
            word
            for name, package in js_packages.items()
            if not package["dir"] or fe.path.startswith(package["dir"] + "/")
            for spelled in (name, *package.get("imports", {}))  # `#utils/*` too
            for word in _WORD.findall(spelled)
        }
        return files_naming(branch, names)
    if fe.language == "rust" and posixpath.basename(fe.path) in ("lib.rs", "main.rs"):
        below = f"{folder}/" if folder else ""
        crates = {name for name, lib in (rust_crates or {}).items() if lib == fe.path}
        return {
            p for p, other in branch.items() if other.language == "rust" and p.startswith(below)
        } | files_naming(branch, crates)
    if fe.language != "go":
        return set()
    words: set[str] = set()
    for root, module in go_modules.items():
        if not root or folder == root or folder.startswith(root + "/"):
            words.update(_WORD.findall(module))
    return files_naming(branch, words)


def neighbours(branch: Mapping[str, FileExtraction], added: Iterable[FileExtraction]) -> set[str]:
    """Files that see new files without naming them: the same directory (Go packages,
    sibling imports) or package, files importing relatively without a name, and Rust files
    calling through their parent module. Not a C/C++ file's directory: an include spells
    the name of the file it reaches, and C/C++ has no packages of directories."""
    dirs = {posixpath.dirname(fe.path) for fe in added if family(fe.language) != "c"}
    packages = {(fe.language, fe.package) for fe in added if fe.package}
    return {
        path
        for path, fe in branch.items()
        if posixpath.dirname(path) in dirs
        or (fe.language, fe.package) in packages
        or any(not set(_WORD.findall(i.module)) - _RELATIVE_WORDS for i in fe.imports)
        or (fe.language == "rust" and any(_through_parent(c.receiver) for c in fe.calls))
    }


def _path_words(fe: FileExtraction) -> list[str]:
    """The words an import reaching `fe` by its path may spell. A C/C++ `#include` reaches
    a file by a path ending in its name (`modules._by_path`): its directories are no words
    of it there, and C++ files spell them all over as namespaces (`absl::`)."""
    path = posixpath.basename(fe.path) if family(fe.language) == "c" else fe.path
    return _WORD.findall(posixpath.splitext(path)[0])


def _through_parent(receiver: str | None) -> bool:
    """A Rust call path from the parent module (`super::f()`, `super::Type::f()`): which
    file that module is (`a.rs` or `a/mod.rs`) shows in no word the caller spells."""
    return receiver is not None and receiver.split("::", 1)[0] == "super"


def _changed_names(old: FileExtraction, new: FileExtraction, kept_tables: bool) -> set[str] | None:
    """Names of the definitions added or removed, or None if the file changed in a wider way
    than the caller can follow: without kept tables, anything beyond callables and calls."""
    if (old.language, old.packages()) != (new.language, new.packages()):
        return None  # a package, or a PHP file's namespace blocks, moved the layout
    if _project_wide(old) != _project_wide(new):
        return None  # a `global using` binds in every file of its project
    if not kept_tables and (_inherits(old) != _inherits(new) or _imports(old) != _imports(new)):
        return None
    old_defs, new_defs = _definitions(old), _definitions(new)
    moved = (old_defs - new_defs) + (new_defs - old_defs)
    if not kept_tables and any(d.kind not in CALLABLE_KINDS for d in moved):
        return None
    names = {d.name for d in moved}
    # A path through a field elsewhere (`res.body.close()`) spells the field's name. One of a
    # type come or gone is reached only through what has its type (`_typed_by`).
    types = {d.qualified_name for d in moved if d.kind in TYPE_KINDS}
    names |= {name for owner, name, _ in set(old.fields) ^ set(new.fields) if owner not in types}
    if _imports(old) != _imports(new):
        # A callable's declared result, and a field's type, are looked up from its file
        # (`store.Store`): a name set from a call of it elsewhere (`s := newStore()`), or a
        # path through the field, may now have another type.
        names |= {d.name for fe in (old, new) for d in fe.definitions if d.returns}
        names |= {name for fe in (old, new) for _, name, _ in fe.fields}
        # A member set on a name (`Card.Header = CardHeader`), recorded as an import of the
        # module's own, is read by its path.
        changed = set(old.imports) ^ set(new.imports)
        names |= {i.alias for i in changed if not i.module and i.alias and "." in i.alias}
    if old.default_export != new.default_export:
        # A default import reaches the definition under a name of its own: its file spells
        # `default` (and a barrel's readers what it passes that on as: `renamed_too`). A
        # change to the definition itself gets there through the module's rename of its
        # default export (`_renames`).
        names.add("default")
    return names


def _definitions(fe: FileExtraction) -> Counter[Definition]:
    """The definitions with everything but their lines: a multiset, as a second definition
    of the same name shifts keys and breaks unique matches. A method made private leaves
    the unique-name matches; its arity picks among overloads."""
    return Counter(dataclasses.replace(d, start_line=0, end_line=0) for d in fe.definitions)


def _base_words(branch: Mapping[str, FileExtraction]) -> set[str]:
    """Every word of every base named in the branch."""
    return {word for fe in branch.values() for h in fe.inherits for word in _WORD.findall(h.parent)}


def _imports(fe: FileExtraction) -> list[tuple[str, str | None, str | None]]:
    return [(i.module, i.name, i.alias) for i in fe.imports]


def _macro_namespace_reach(
    before: Mapping[str, FileExtraction],
    after: Mapping[str, FileExtraction],
    branch: Mapping[str, FileExtraction],
    added: Mapping[str, FileExtraction],
    deleted: Mapping[str, FileExtraction],
) -> set[str] | None:
    """The files whose calls into a C++ namespace (opened by a macro, `FMT_BEGIN_NAMESPACE`,
    or as written) may now reach other definitions without their names coming or going, or
    None for all of them. Such a call looks through includes of includes
    (`Resolver._include_levels`): in a branch with such namespaces, an include that moved
    or a C/C++ file come or gone reaches every file that includes it, directly or through
    others (`_includers`). A macro defined
    anew, or a modified file's lines of one, move which files the namespace holds: the
    whole branch."""
    changed = (*after.values(), *added.values(), *deleted.values())
    if all(family(fe.language) != "c" for fe in changed):
        return set()
    come_or_gone = (*added.values(), *deleted.values())
    if any(fe.namespace_macros for fe in come_or_gone):
        return None
    opening = {
        name for fe in (*branch.values(), *before.values()) for name, _ in fe.namespace_macros
    }
    if not opening and not _has_namespaces((*branch.values(), *before.values(), *come_or_gone)):
        return set()
    moved = {fe.path for fe in come_or_gone if family(fe.language) == "c"}
    for path, new in after.items():
        old = before[path]
        if old.namespace_macros != new.namespace_macros:
            return None
        if not opening.isdisjoint(set(old.macro_lines) ^ set(new.macro_lines)):
            return None
        if family(new.language) == "c" and _imports(old) != _imports(new):
            moved.add(path)
    if not moved:
        return set()
    includers = _includers(moved, (*branch.values(), *before.values(), *deleted.values()))
    return includers & branch.keys()


def _has_namespaces(files: Iterable[FileExtraction]) -> bool:
    """Whether a C++ file opens a namespace: a bare call in one reaches the namespace's
    functions in any file it includes, through others (`Resolver._nearest_included`)."""
    return any(
        d.kind == "Namespace" for fe in files if family(fe.language) == "c" for d in fe.definitions
    )


def _includers(paths: set[str], files: Iterable[FileExtraction]) -> set[str]:
    """The C/C++ files of `files` that may include one of `paths`, directly or through
    others: an include reaches a file only by a path ending in its name (relative or by
    suffix, `modules._by_path`), so a file including that name may be one of its includers."""
    by_name: dict[str, set[str]] = {}
    for fe in files:
        if family(fe.language) == "c":
            for imp in fe.imports:
                by_name.setdefault(posixpath.basename(imp.module.strip("<>")), set()).add(fe.path)
    found: set[str] = set()
    todo = list(paths)
    while todo:
        for includer in by_name.get(posixpath.basename(todo.pop()), ()):
            if includer not in found:
                found.add(includer)
                todo.append(includer)
    return found


def _project_wide(fe: FileExtraction) -> list[tuple[str, str | None, str | None]]:
    """The file's imports that bind in every file of its project (C# `global using`)."""
    return [(i.module, i.name, i.alias) for i in fe.imports if i.project_wide]


def _inherits(fe: FileExtraction) -> list[tuple[str, str, str]]:
    return [(h.child, h.parent, h.kind) for h in fe.inherits]


def _words(fe: FileExtraction) -> Iterable[str]:
    """Every identifier a file uses to name something outside itself."""
    for call in fe.calls:
        yield call.name
        if call.receiver:
            yield from _WORD.findall(call.receiver)
        if call.receiver_type:  # `Sink s; s.write()` reads the type Sink
            yield from _WORD.findall(call.receiver_type)
    for d in fe.definitions:
        if d.extends:  # a Kotlin extension's bare calls are looked up in the type it extends
            yield from _WORD.findall(d.extends)
    for h in fe.inherits:
        # The child too: Rust's `impl Trait for Foo` may name a type of another file.
        yield from _WORD.findall(h.parent)
        yield from _WORD.findall(h.child)
    for imp in fe.imports:
        yield from _WORD.findall(imp.module)
        # A JS default import looks its definition up by the local alias.
        yield from (word for word in (imp.name, imp.alias) if word)
        if imp.name is None and imp.alias and family(fe.language) == "js":
            # `const Parser = require("./Parser")` reads what the module exports as itself,
            # its default export, however it is named (see `_changed_names`).
            yield "default"
