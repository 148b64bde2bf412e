"""Resolution of a whole branch: its symbol tables, every file's bound names, IMPORTS and
INHERITS edges, and the CALLS that `resolve.Resolver` finds per file. Pure. The indexer keeps
a `BranchResolution` between runs and takes in narrow changes with `update`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain

from activities.codegraph.affected import (
    RE_EXPORTING,
    files_naming,
    go_import_readers,
    through_roots,
)
from activities.codegraph.bindings import FileScope, bind_file
from activities.codegraph.graph_rows import DigestParts, EdgeRow
from activities.codegraph.model import CALLABLE_KINDS, FileExtraction
from activities.codegraph.modules import RepoLayout, Target
from activities.codegraph.msbuild import ProjectUsings
from activities.codegraph.npm_workspaces import Packages
from activities.codegraph.resolve import Resolver
from activities.codegraph.symbols import SymbolIndex
from activities.codegraph.tsconfig import Aliases

# IMPORTS and INHERITS rows by edge type, then by the path of the file they start from.
BoundEdges = dict[str, dict[str, list[EdgeRow]]]
_UNBOUND = object()


def resolve_edges(
    repo_id: str,
    branch: str,
    extractions: Mapping[str, FileExtraction],
    go_modules: Mapping[str, str] | None = None,
    only: Collection[str] | None = None,
    *,
    js_aliases: Aliases | None = None,
    rust_crates: Mapping[str, str] | None = None,
    cs_usings: ProjectUsings | None = None,
    js_packages: Packages | None = None,
) -> dict[str, list[EdgeRow]]:
    """IMPORTS, CALLS and INHERITS edges of a branch, keyed by the path they start from.

    `extractions` maps path to `FileExtraction`; `go_modules` maps a directory to the module
    path its `go.mod` declares (`parse_go_mod` reads one), `js_aliases` each tsconfig's path
    aliases (`tsconfig.path_aliases`), `rust_crates` the workspace's library crates
    (`cargo.crate_roots`), `cs_usings` the usings of the C# projects
    (`msbuild.project_usings`), `js_packages` the JavaScript workspace's packages
    (`npm_workspaces.workspace_packages`). With `only`, just the edges of those paths are resolved
    (still against the whole branch).
    """
    resolution = BranchResolution(
        repo_id,
        branch,
        extractions,
        go_modules,
        js_aliases=js_aliases,
        rust_crates=rust_crates,
        cs_usings=cs_usings,
        js_packages=js_packages,
    )
    return resolution.edges(only)


class BranchResolution:
    """What resolution knows of one branch: its symbol tables, every file's bound names and
    IMPORTS edges, and every file's INHERITS edges (the class hierarchy that method lookup
    walks). Building it is most of the cost of resolving a few files, so the indexer keeps it
    between runs and `update` takes in a narrow change by re-deriving only what it touches.
    """

    def __init__(
        self,
        repo_id: str,
        branch: str,
        extractions: Mapping[str, FileExtraction],
        go_modules: Mapping[str, str] | None = None,
        *,
        js_aliases: Aliases | None = None,
        rust_crates: Mapping[str, str] | None = None,
        cs_usings: ProjectUsings | None = None,
        js_packages: Packages | None = None,
    ) -> None:
        self.extractions = dict(extractions)
        self._go_modules = dict(go_modules or {})
        self._js_aliases = js_aliases or {}
        self._rust_crates = dict(rust_crates or {})
        self._cs_usings = dict(cs_usings or {})
        self._js_packages = dict(js_packages or {})
        self._layout = self._new_layout()
        self._index = SymbolIndex(repo_id, branch, extractions)
        self._scopes: dict[str, FileScope] = {}
        self._resolver = Resolver(self._index, self._scopes, lambda: self._layout)
        self._imports: dict[str, list[EdgeRow]] = {}
        self._inherits: dict[str, list[EdgeRow]] = {}
        self._open: dict[str, set[str]] = {}  # per file: its types with a base not found
        self._bind(self._index.files)
        self._link_hierarchy()
        # Set by `update`: files of its scope whose CALLS it cannot have moved.
        self.calls_stable: set[str] = set()
        # Kept for the indexer: the digest parts of the lists of `bound_edges`.
        self.digest_parts = DigestParts()

    def _through_roots(self, fe: FileExtraction) -> set[str]:
        return through_roots(
            self.extractions, fe, self._go_modules, self._rust_crates, self._js_packages
        )

    def _new_layout(self) -> RepoLayout:
        return RepoLayout(
            list(self.extractions.values()),
            self._go_modules,
            self._js_aliases,
            self._rust_crates,
            self._cs_usings,
            js_packages=self._js_packages,
        )

    def _bind(self, paths: Iterable[str]) -> None:
        index = self._index
        for path in paths:
            self._scopes[path], self._imports[path] = bind_file(
                self._layout, index, index.files[path], index.repo_id, index.branch
            )

    def _link_hierarchy(self, paths: Iterable[str] | None = None) -> None:
        """Resolve the INHERITS edges of `paths` (default all), then the whole hierarchy.

        Every file's bases are looked up before any is linked, so what a file's bases resolve
        to never depends on which files come before it."""
        index = self._index
        index.set_parents((), ())
        for path in self._scopes if paths is None else paths:
            self._inherits[path], self._open[path] = self._resolver.inherits(self._scopes[path])
        bases = (
            (edge.src_key, edge.dst_key) for path in index.files for edge in self._inherits[path]
        )
        index.set_parents(
            chain(index.partial_parts(), bases),
            (key for path in index.files for key in self._open[path]),
        )

    def can_update(self, changed: Mapping[str, FileExtraction]) -> bool:
        """Whether `update` can take in these modified files: known paths whose language and
        package stayed as they were."""
        for path, new in changed.items():
            old = self.extractions.get(path)
            if old is None or _packaging(old) != _packaging(new):
                return False
        return True

    def retyped(self, changed: Mapping[str, FileExtraction]) -> list[str]:
        """The modified files whose types (non-callable definitions, in order) differ: `update`
        takes each of them in as a deleted file and an added one, which costs a pass over
        the branch's definitions, where a file with the same types is swapped in place."""
        return sorted(
            path
            for path, new in changed.items()
            if path in self.extractions and _types_of(self.extractions[path]) != _types_of(new)
        )

    def update(
        self,
        changed: Mapping[str, FileExtraction],
        scope: Collection[str],
        added: Mapping[str, FileExtraction] | None = None,
        deleted: Collection[str] = (),
    ) -> set[str] | None:
        """Take in modified files that `can_update` accepts, `added` files and `deleted`
        paths, `scope` being what `affected_files` answered for them. Returns the files whose
        edges must be resolved again: `scope`, widened to the files and callers of methods
        whose owner an added, deleted or retyped file changed and to the readers of names a
        module now passes on differently (`_re_exports_moved`), or None (all of them) when the
        class hierarchy of the types that stayed moved, since a base resolved elsewhere reaches
        the callers of every subclass's methods. Afterwards `edges` equals that of a
        resolution built afresh."""
        added = added or {}
        scope = set(scope)
        self.calls_stable = set()
        if (
            not self.can_update(changed)
            or not changed.keys() | added.keys() <= scope
            or not added.keys().isdisjoint(self.extractions)
            or not set(deleted) <= self.extractions.keys() - changed.keys()
        ):
            raise ValueError("not a change BranchResolution.update can take in")
        index = self._index
        retyped = self.retyped(changed)
        old_keys = {key for path in [*deleted, *retyped] for key in index.files[path].keys}
        hierarchy_before = _Hierarchy.of(index)
        scopes_before = dict(self._scopes)
        before, gone = ({p: self.extractions[p] for p in paths} for paths in (changed, deleted))
        packages_before = _go_packages(self._layout, [*added.values(), *gone.values()])
        names: set[str] = set()  # of definitions that changed owner: their callers move
        owners: set[str] = set()  # files with methods whose owner moved
        index.constants_moved(clear=True)
        for path in sorted(deleted):
            gone_file = self.extractions.pop(path)
            del self._scopes[path], self._imports[path], self._inherits[path], self._open[path]
            moved, owned = index.remove_file(path)
            names |= moved
            owners |= owned
            scope |= owned | self._through_roots(gone_file)
        for path in retyped:
            moved, owned = index.remove_file(path)
            names |= moved
            owners |= owned
            scope |= owned
        for path in sorted(changed):
            self.extractions[path] = changed[path]
            if path not in retyped:
                index.replace_file(changed[path])
        for path in sorted(added):
            self.extractions[path] = added[path]
            moved, owned = index.add_file(added[path])
            names |= moved
            owners |= owned
            scope |= owned | self._through_roots(added[path])
        for path in retyped:
            moved, owned = index.add_file(changed[path])
            names |= moved
            owners |= owned
            scope |= owned
        # A Ruby constant path that came or went with no class of its own (`Shop::Reports`
        # of `class Shop::Reports::Daily`) moves what references spelling it reach.
        names |= {constant.rpartition(".")[2] for constant in index.constants_moved(clear=True)}
        callers = files_naming(self.extractions, names)
        scope |= callers
        if added or deleted:
            self._layout = self._new_layout()
        scope -= set(deleted)
        in_scope = self._bind_again(scope, scopes_before)
        self._link_hierarchy(in_scope)
        new_keys = {key for path in [*added, *retyped] for key in index.files[path].keys}
        # Definitions that came or went have no hierarchy to compare; those that stayed must
        # keep theirs.
        if hierarchy_before.without(old_keys - new_keys) != _Hierarchy.of(index).without(
            new_keys - old_keys
        ):
            return None
        if packages_before == _go_packages(self._layout, [*added.values(), *gone.values()]):
            self.calls_stable = go_import_readers(
                scope,
                before=before,
                after=changed,
                branch=self.extractions,
                added=added,
                deleted=gone,
                reached=owners | callers,
            )
        return scope

    def _bind_again(self, scope: set[str], before: Mapping[str, FileScope]) -> list[str]:
        """Bind the files of `scope` again, and add to it the files reading names through
        a module whose imports moved (`_re_exports_moved`). Returns its files in index order."""
        in_scope = [path for path in self._index.files if path in scope]
        self._bind(in_scope)
        passed_on = self._re_exports_moved(before, in_scope)
        if not passed_on:
            return in_scope
        scope |= files_naming(self.extractions, passed_on)
        return [path for path in self._index.files if path in scope]

    def _re_exports_moved(self, before: Mapping[str, FileScope], paths: Iterable[str]) -> set[str]:
        """The names whose lookup through the modules `paths` (bound again) may now reach
        another definition: names they bind differently, and every name a wildcard import
        they gained or lost passes on. Importers reading through them spell those names,
        or names other modules pass them on as (`files_naming` adds those)."""
        moved: set[str] = set()
        for path in paths:
            old, new = before.get(path), self._scopes.get(path)
            # An added or deleted module's readers import it by a path they spell: they are
            # in scope already, and bound again they show what moved through them.
            if old is None or new is None or new.symbols.family not in RE_EXPORTING:
                continue
            for before_names, now_names in (
                (old.names, new.names),
                (old.exports, new.exports),
                (old.members, new.members),
            ):
                moved.update(
                    name
                    for name in before_names.keys() | now_names.keys()
                    if before_names.get(name, _UNBOUND) != now_names.get(name, _UNBOUND)
                )
            if old.wildcards != new.wildcards:
                # The first wildcard to define a name wins: reordered ones move names too.
                seen: set[str] = set()
                for target in {*old.wildcards} | {*new.wildcards}:
                    moved |= self._passed_on(target, before, seen)
        return moved

    def _passed_on(
        self, target: Target, before: Mapping[str, FileScope], seen: set[str]
    ) -> set[str]:
        """Every name a wildcard import of `target` may bind: its files' top-level names and,
        through their own imports (as bound before and now), what those pass on."""
        names: set[str] = set()
        for path in target.files:
            if path in seen:
                continue
            seen.add(path)
            symbols = self._index.files.get(path)
            names.update(symbols.top if symbols else ())
            for scope in (before.get(path), self._scopes.get(path)):
                if scope is not None and scope.symbols.family in RE_EXPORTING:
                    names.update(scope.names, scope.exports, scope.members)
                    for onward in scope.wildcards:
                        names |= self._passed_on(onward, before, seen)
        return names

    def bound_edges(self) -> BoundEdges:
        """Each file's IMPORTS and INHERITS rows as they are now, by type then path. `update`
        replaces these lists rather than changing them, so what this returns before it still
        describes the edges from before: the writer need not read those back from Neo4j."""
        return {"IMPORTS": dict(self._imports), "INHERITS": dict(self._inherits)}

    def edges(
        self, only: Collection[str] | None = None, without_calls: Collection[str] = ()
    ) -> dict[str, list[EdgeRow]]:
        """The edges of the paths in `only` (default all), keyed by the path they start from;
        for those in `without_calls`, their IMPORTS and INHERITS alone."""
        wanted = self._scopes.keys() if only is None else self._scopes.keys() & set(only)
        self._resolver.forget()  # the tables may have moved since the last call (`update`)
        out: dict[str, list[EdgeRow]] = {}
        for path in sorted(wanted):
            rows = [*self._imports[path], *self._inherits[path]]
            if path not in without_calls:
                rows += self._resolver.calls(self._scopes[path])
            if rows:
                rows.sort(key=EdgeRow.sort_key)
                out[path] = rows
        return out


@dataclass(frozen=True)
class _Hierarchy:
    """What method lookup reads of the class hierarchy: each type's resolved parents, and
    the types with a base found nowhere in the branch (a method on `self` of theirs or of a
    subclass, in any file, is never guessed: `Resolver._guess_on_self`)."""

    parents: dict[str, list[str]]
    open_types: frozenset[str]

    @classmethod
    def of(cls, index: SymbolIndex) -> _Hierarchy:
        parents = {child: list(found) for child, found in index.parents.items() if found}
        return cls(parents, frozenset(index.open_types))

    def without(self, keys: set[str]) -> _Hierarchy:
        """The hierarchy of the types other than `keys`."""
        parents = {child: found for child, found in self.parents.items() if child not in keys}
        return _Hierarchy(parents, self.open_types - keys)


def _go_packages(
    layout: RepoLayout, files: Iterable[FileExtraction]
) -> dict[str, tuple[bool, str | None]]:
    """For the directory of each Go file: whether it holds Go files, and the name they give
    the package where it is imported (`bindings._local_name`)."""
    found: dict[str, tuple[bool, str | None]] = {}
    for fe in files:
        go_files = layout.go_files.get(posixpath.dirname(fe.path), ())
        found[posixpath.dirname(fe.path)] = (bool(go_files), layout.go_package_name(go_files))
    return found


def _packaging(fe: FileExtraction) -> tuple[str, tuple[str, ...]]:
    """What a file's language and packages (a PHP file's namespace blocks) make of the
    layout, which `update` keeps as it is for modified files."""
    return fe.language, fe.packages()


def _types_of(fe: FileExtraction) -> list[tuple[str, str, str, str | None, str | None]]:
    return [
        (d.kind, d.name, d.qualified_name, d.parent, d.self_name)
        for d in fe.definitions
        if d.kind not in CALLABLE_KINDS
    ]


def parse_go_mod(content: str) -> str | None:
    """The module path declared by a go.mod file."""
    for raw in content.splitlines():
        words = raw.split("//", 1)[0].split()
        if len(words) >= 2 and words[0] == "module":
            return words[1].strip('"')
    return None
