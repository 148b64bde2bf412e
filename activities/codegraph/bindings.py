"""What each local name of a file refers to after its imports, and the IMPORTS edges. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from posixpath import basename

from activities.codegraph.graph_rows import EdgeRow, module_key, module_props
from activities.codegraph.model import Import
from activities.codegraph.modules import RepoLayout, Target, resolve_import
from activities.codegraph.symbols import FileSymbols, SymbolIndex

_PACKAGE_LANGUAGES = frozenset({"java", "kotlin", "csharp", "php"})


@dataclass(slots=True)
class FileScope:
    """A file's view of the repository: bound names, wildcard imports, its package's files."""

    symbols: FileSymbols
    # A name bound to None was imported from outside the repository: never guess through it.
    names: dict[str, Target | None] = field(default_factory=dict)
    # Names it exports as others, for whoever imports them (`export { draw as render }`):
    # the file itself still reads its own names.
    exports: dict[str, Target] = field(default_factory=dict)
    # Members set on its names (`Card.Header = CardHeader`, a React compound component's
    # parts): what the path reads, for the file itself and for whoever imports `Card`.
    members: dict[str, Target] = field(default_factory=dict)
    wildcards: list[Target] = field(default_factory=list)
    package_files: tuple[str, ...] = ()
    # The repository's files its imports reach (an IMPORTS edge each): a C file's includes.
    imported: frozenset[str] = frozenset()
    # The package (namespace) of `package_files`, and the imports in force (PHP reads a
    # class path through them): the file's, or in a PHP namespace block the block's.
    package: str | None = None
    imports: tuple[Import, ...] = ()
    # A PHP file of several namespace blocks: the scope of each, by the qualified name of
    # its Namespace definition (None: the global block). Each binds its own `use`s only.
    blocks: dict[str | None, FileScope] = field(default_factory=dict)
    block: str | None = None  # in such a block's scope, the block's qualified name


def bind_file(
    layout: RepoLayout, index: SymbolIndex, fs: FileSymbols, repo_id: str, branch: str
) -> tuple[FileScope, list[EdgeRow]]:
    """Resolve every import of `fs`; return its scope and its IMPORTS edges."""
    fe = fs.extraction
    scope = FileScope(fs, package_files=_package_files(layout, fs), package=fe.package,
                      imports=fe.imports)  # fmt: skip
    targets, modules = _bind_imports(layout, index, scope)
    # A project's usings (`<Using Include>` in its .csproj, `global using` lines in its other
    # files) come after the file's own, as its generated global-usings file would. They bind
    # names but draw no IMPORTS edge: the file does not spell them.
    for imp in layout.project_imports(fe):
        target = resolve_import(layout, fe, imp)
        if target is not None and target.wildcard:
            scope.wildcards.append(target)
        elif imp.alias:
            scope.names.setdefault(imp.alias, target)
    if fs.namespaced:
        scope.blocks = _namespace_blocks(layout, index, fs)
    targets.discard(fe.path)
    scope.imported = frozenset(targets)
    edges = [
        EdgeRow("IMPORTS", "File", fs.key, "File", index.files[path].key)
        for path in sorted(targets)
    ]
    edges += [
        EdgeRow("IMPORTS", "File", fs.key, "Module", module_key(repo_id, branch, name),
                dst_props=module_props(repo_id, branch, name))
        for name in sorted(modules)
    ]  # fmt: skip
    return scope, edges


def _namespace_blocks(
    layout: RepoLayout, index: SymbolIndex, fs: FileSymbols
) -> dict[str | None, FileScope]:
    """The scope of each block of a PHP file of several `namespace` blocks: its namespace's
    files, and the `use`s written in it, found by their lines (None: the global block)."""
    fe = fs.extraction
    spans = [(d.start_line, d.end_line, d.qualified_name) for d in fe.definitions
             if d.kind == "Namespace" and d.parent is None]  # fmt: skip
    held: dict[str | None, list[Import]] = {qn: [] for *_, qn in spans}
    held[None] = []
    for imp in fe.imports:
        # The last block starting by the line: one may end on the line the next starts.
        block = next((qn for start, end, qn in reversed(spans) if start <= imp.line <= end), None)
        held[block].append(imp)
    blocks = {}
    for block, imports in held.items():
        files = layout.package_files(fs.family, block, fe.path) if block else ()
        scope = FileScope(fs, package_files=files, package=block, imports=tuple(imports),
                          block=block)  # fmt: skip
        _bind_imports(layout, index, scope)
        blocks[block] = scope
    return blocks


def _bind_imports(
    layout: RepoLayout, index: SymbolIndex, scope: FileScope
) -> tuple[set[str], set[str]]:
    """Bind the names of `scope.imports` in `scope`; return the files and the outside
    modules they reach."""
    fs = scope.symbols
    fe = fs.extraction
    targets: set[str] = set()
    modules: set[str] = set()
    for imp in scope.imports:
        target = resolve_import(layout, fe, imp)
        local = _local_name(fe.language, imp, target, layout)
        if fe.language == "python" and imp.name is None and imp.alias is None and "." in imp.module:
            head = imp.module.split(".", 1)[0]  # `import a.b` also binds `a`
            scope.names.setdefault(head, resolve_import(layout, fe, Import(head, None, None, 0)))
        if target is None:
            if local:
                scope.names.setdefault(local, None)
            if not imp.module.startswith((".", "/")) and imp.module:
                modules.add(imp.module)
            continue
        if target.wildcard:
            scope.wildcards.append(target)
        elif not imp.module and "." in local:
            scope.members[local] = target
        elif not imp.module and local:
            scope.exports[local] = target
        elif local and not _own_definition(fs, target, local):
            scope.names[local] = target
        targets.update(_imported_files(index, target))
    return targets, modules


def _own_definition(fs: FileSymbols, target: Target, local: str) -> bool:
    """Whether an import binds a name to the file's own definition of it, which the file
    reaches in its own scope anyway: Rust's `mod tests { use super::Glob; }`."""
    return target.files == (fs.extraction.path,) and target.symbol == local and local in fs.top


def _imported_files(index: SymbolIndex, target: Target) -> list[str]:
    if target.precise or target.symbol is None:
        return list(target.files)
    # A name imported from a whole package: only the files that define it are imported.
    symbol = target.symbol
    return [
        path
        for path in target.files
        if index.top_in((path,), symbol, package=target.package) is not None
    ]


def _local_name(language: str, imp: Import, target: Target | None, layout: RepoLayout) -> str:
    """The name an import binds in the importing file ('' when it binds none)."""
    if imp.alias == "_":
        return ""
    if imp.name == "*":  # `import * as ns` binds ns; a plain wildcard binds nothing
        return imp.alias or ""
    if imp.alias:
        return imp.alias
    if imp.name:
        # Also `default`: a barrel's `export { default } from './Card'` makes the module's
        # default (JavaScript), and Python's `from .options import default` binds the word.
        return imp.name
    module = imp.module
    if language == "go":
        package = layout.go_package_name(target.files) if target else None
        return package or module.rsplit("/", 1)[-1]
    if language == "rust":
        return module.rsplit("::", 1)[-1]
    if language == "python":
        return module
    if language in ("javascript", "typescript", "tsx", "ruby", "c", "cpp", "php"):
        return ""
    return basename(module)


def _package_files(layout: RepoLayout, fs: FileSymbols) -> tuple[str, ...]:
    fe = fs.extraction
    if fe.language == "go":
        folder = fe.path.rpartition("/")[0]
        return layout.go_files.get(folder, ())
    if fe.language == "csharp" and fe.package:
        # Inside `namespace Lib.Retry` the types of `Lib` need no `using`: each enclosing
        # namespace is searched, innermost first, before the file's `using`s.
        parts = fe.package.split(".")
        return tuple(
            path
            for cut in range(len(parts), 0, -1)
            for path in layout.package_files(fs.family, ".".join(parts[:cut]), fe.path)
        )
    if fe.language in _PACKAGE_LANGUAGES and fe.package:
        return layout.package_files(fs.family, fe.package, fe.path)
    return ()
