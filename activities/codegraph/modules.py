"""Import resolution: which files of the same repository an import statement points at.

Per-language rules, all pure over the set of indexed paths: Python packages and relative
imports, JS/TS relative paths with extension and index-file probing (and tsconfig aliases and
workspace packages by name), Go import paths via go.mod
(or a directory-suffix match without one), JVM/C#/PHP packages and namespaces, Rust module
paths, Ruby `require` and C/C++ `#include` by relative path or unique path suffix.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from posixpath import basename, dirname, join, normpath, splitext

from activities.codegraph.languages import family
from activities.codegraph.model import FileExtraction, Import
from activities.codegraph.msbuild import ProjectUsings, project_of, usings_for
from activities.codegraph.npm_workspaces import Packages, package_subpath

_JS_EXTENSIONS = (".ts", ".tsx", ".d.ts", ".js", ".jsx", ".mjs", ".cjs")
_PACKAGE_LANGUAGES = frozenset({"java", "kotlin", "csharp", "php"})
# The files that make a directory a Python package.
PYTHON_PACKAGE_MARKERS = frozenset({"__init__.py", "__init__.pyi"})


@dataclass(frozen=True, slots=True)
class Target:
    """Where an import points: `files`, and inside them `symbol` (None: the module itself).

    `precise` is False when `files` is a whole package or namespace rather than the file the
    import names; then only files that define `symbol` count as imported. `default` marks a
    JavaScript default import: `symbol` is then the local name, which the module's declared
    default export overrides (`FileExtraction.default_export`).
    """

    files: tuple[str, ...]
    symbol: str | None = None
    wildcard: bool = False
    precise: bool = True
    default: bool = False
    # The package (namespace) `files` are of, where the import names one: a PHP file of
    # several namespace blocks is among the files of each, with its other blocks' names.
    package: str | None = None
    # A CommonJS `require()` of the whole module: what the module sets `module.exports` to,
    # under the importer's name (never ES's `import * as ns`, whose names are its exports).
    required: bool = False


class RepoLayout:
    """Indexes over all paths of one branch, built once per resolution run."""

    def __init__(
        self,
        files: Sequence[FileExtraction],
        go_modules: Mapping[str, str],
        js_aliases: Mapping[str, Mapping[str, Sequence[str]]] | None = None,
        rust_crates: Mapping[str, str] | None = None,
        cs_usings: ProjectUsings | None = None,
        *,
        js_packages: Packages | None = None,
    ) -> None:
        self.paths = {fe.path for fe in files}
        # The workspace's JavaScript packages by name (`npm_workspaces.workspace_packages`).
        self.js_packages = dict(js_packages or {})
        # The workspace's library crates: name -> library root (`cargo.crate_roots`).
        self.rust_crates = dict(rust_crates or {})
        # C# projects' `<Using>` items by project directory (`msbuild.project_usings`).
        self.cs_usings = dict(cs_usings or {})
        # The `global using` lines of each C# project's files, by project directory, in path
        # and line order: (the file declaring it, the import).
        self.cs_global: dict[str, list[tuple[str, Import]]] = defaultdict(list)
        # tsconfig `paths` by config directory, deepest first (`tsconfig.path_aliases`).
        self.js_aliases = sorted((js_aliases or {}).items(), key=lambda item: -len(item[0]))
        self.by_dir: dict[str, list[str]] = defaultdict(list)
        self.by_package: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.python_suffixes: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.go_modules = sorted(go_modules.items(), key=lambda item: -len(item[1]))
        self.package_of: dict[str, str | None] = {}
        self.by_basename: dict[str, list[str]] = defaultdict(list)
        self._python_roots: dict[str, bool] = {}
        self._near: dict[tuple[str, str, str], tuple[str, ...]] = {}  # `package_files`
        for fe in sorted(files, key=lambda f: f.path):
            self.by_dir[dirname(fe.path)].append(fe.path)
            self.by_basename[basename(fe.path)].append(fe.path)
            self.package_of[fe.path] = fe.package
            if fe.language in _PACKAGE_LANGUAGES:
                for package in dict.fromkeys(fe.packages()):
                    self.by_package[(family(fe.language), package)].append(fe.path)
            if fe.language == "python":
                self._index_python(fe.path)
            elif fe.language == "csharp":
                self.cs_global[project_of(self.cs_usings, fe.path)].extend(
                    (fe.path, imp) for imp in fe.imports if imp.project_wide
                )
        # C/C++ namespaces a macro opens (`FMT_BEGIN_NAMESPACE`): the files in each.
        self.macro_namespaces = macro_namespace_files(files)
        # The Go files of each directory (a package), in path order: every Go import reads one.
        self.go_files: dict[str, tuple[str, ...]] = {}
        for folder, paths in self.by_dir.items():
            go = tuple(p for p in paths if p.endswith(".go"))
            if go:
                self.go_files[folder] = go

    def package_files(self, fam: str, package: str, importer: str) -> tuple[str, ...]:
        """The files of a package, those sharing the most directories with `importer` first
        (then in path order): one package spans several modules or source sets (okio's
        `okio` package in okio-nodefilesystem and okio-wasifilesystem, Kotlin's `expect` in
        commonMain and `actual` in jvmMain), and a name two of them define is the caller's
        module's. Kept per directory: every file of a package binds it."""
        folder = dirname(importer)
        known = self._near.get((fam, package, folder))
        if known is None:
            paths = self.by_package.get((fam, package), ())
            known = self._near[(fam, package, folder)] = tuple(
                sorted(paths, key=lambda path: -_shared_dirs(path, importer))
            )
        return known

    def project_imports(self, fe: FileExtraction) -> list[Import]:
        """The usings a C# file's project declares for all its files, as the imports they
        stand for: its MSBuild files' `<Using Include>` items (`using A.B;`, or `using X =
        A.B.C;` with an alias), then the `global using` lines of its other files (its own
        are among its imports)."""
        if fe.language != "csharp":
            return []
        found = []
        for namespace, alias in usings_for(self.cs_usings, fe.path):
            if alias is None:
                found.append(Import(str(namespace), "*", None, 0))
            else:
                module, _, name = str(namespace).rpartition(".")
                found.append(Import(module, name, alias, 0))
        project = project_of(self.cs_usings, fe.path)
        found.extend(imp for path, imp in self.cs_global.get(project, ()) if path != fe.path)
        return found

    def go_package_name(self, files: Sequence[str]) -> str | None:
        """The name a Go package's files declare, as an import binds it: that of its first
        file that is not a test (`x_test.go` may declare the external `package x_test`)."""
        named = [p for p in files if not p.endswith("_test.go")] or list(files)
        return self.package_of.get(named[0]) if named else None

    def _index_python(self, path: str) -> None:
        parts = splitext(path)[0].split("/")
        if parts[-1] == "__init__":
            parts.pop()
        for k in range(1, len(parts) + 1):
            if not all(p.isidentifier() for p in parts[-k:]):
                break
            self.python_suffixes[".".join(parts[-k:])].append(("/".join(parts[:-k]), path))

    def python_root(self, directory: str) -> bool:
        """Whether `directory` may be on sys.path: neither it nor a directory above it (the
        repository's top aside) is a package. Python 3 has no implicit relative imports, so
        `import json` in myapp/views.py is the standard library's even beside
        myapp/serializers/json.py; and a stub tree vendored in a package (jedi's
        `third_party/typeshed/stdlib`) is the type checker's, never what `import posix`
        loads."""
        known = self._python_roots.get(directory)
        if known is None:
            markers = (f"{directory}/{marker}" for marker in PYTHON_PACKAGE_MARKERS)
            parent = dirname(directory)
            known = not any(m in self.paths for m in markers) and (
                not parent or self.python_root(parent)
            )
            self._python_roots[directory] = known
        return known

    def by_suffix(self, suffix: str, importer: str) -> str | None:
        """The file whose path ends with `/suffix`, preferring the one nearest to `importer`."""
        if suffix in self.paths:
            return suffix
        tail = "/" + suffix
        same_name = self.by_basename.get(basename(suffix), ())
        return _nearest([p for p in same_name if p.endswith(tail)], importer)


def resolve_import(layout: RepoLayout, fe: FileExtraction, imp: Import) -> Target | None:
    """The target of `imp` inside the repository, or None when it is external or unknown."""
    resolver = _RESOLVERS.get(fe.language)
    return resolver(layout, fe, imp) if resolver is not None else None


def _python(layout: RepoLayout, fe: FileExtraction, imp: Import) -> Target | None:
    module = imp.module
    if module.startswith("."):
        level = len(module) - len(module.lstrip("."))
        base = dirname(fe.path)
        for _ in range(level - 1):
            base = dirname(base)
        rest = module.lstrip(".")
        package = join(base, *rest.split(".")) if rest else base
        found = _python_file(layout, package)
    else:
        found = _python_module(layout, module, fe.path)
    if imp.name is None or imp.name == "*":
        return Target((found,), wildcard=imp.name == "*") if found else None
    # `from a import b` imports the submodule a.b when there is one, else the name b of a.
    if module.startswith("."):
        submodule = _python_file(layout, join(package, imp.name))
    else:
        submodule = _python_module(layout, f"{module}.{imp.name}", fe.path)
    if submodule is not None:
        return Target((submodule,))
    return Target((found,), imp.name) if found else None


def _python_file(layout: RepoLayout, base: str) -> str | None:
    for candidate in (f"{base}.py", f"{base}/__init__.py", f"{base}.pyi", f"{base}/__init__.pyi"):
        if normpath(candidate) in layout.paths:
            return normpath(candidate)
    return None


def _python_module(layout: RepoLayout, dotted: str, importer: str) -> str | None:
    # A root is a directory on sys.path (`RepoLayout.python_root`); the top always is.
    candidates = [
        (root, path)
        for root, path in layout.python_suffixes.get(dotted, ())
        if not root or layout.python_root(root)
    ]
    if not candidates:
        return None
    # Prefer the source root that contains the importer (the deepest such root), else the
    # shallowest root in the repository when it is unique.
    inside = [(r, path) for r, path in candidates if not r or importer.startswith(r + "/")]
    if inside:
        best = max(len(root) for root, _ in inside)
        chosen = sorted(path for root, path in inside if len(root) == best)
        return chosen[0] if len(chosen) == 1 else _nearest(chosen, importer)
    return _nearest([path for _, path in candidates], importer)


def _javascript(layout: RepoLayout, fe: FileExtraction, imp: Import) -> Target | None:
    module = imp.module
    if not module:
        found: str | None = fe.path  # `export { a as b }`: its own names (`_local_exports`)
    elif module.startswith("."):
        found = _js_file(layout, normpath(join(dirname(fe.path), module)))
    else:
        # A tsconfig alias (`@/components/Button`), else a package of the workspace by its
        # name (`zod/v4`), else one from node_modules.
        bases = [*_aliased(layout, fe, module), *_in_workspace(layout, fe, module)]
        found = next((path for b in bases if (path := _js_file(layout, b)) is not None), None)
    if found is None:
        return None
    if imp.name in (None, "*"):
        # Only `export * from` has no alias: it passes on every name of the module.
        return Target(
            (found,), wildcard=imp.name == "*" and imp.alias is None, required=imp.name is None
        )
    if imp.name == "default":
        # A barrel's `export { default } from './Card'` names no local alias: the module's
        # default is then looked up as `default` there, never by a name of its own.
        return Target((found,), imp.alias or "default", default=True)
    return Target((found,), imp.name)


def _js_file(layout: RepoLayout, base: str) -> str | None:
    """The file an import of `base` (a path without its extension) loads, if any."""
    stem, ext = splitext(base)
    probes = [base] if ext in _JS_EXTENSIONS else []
    if ext in (".js", ".jsx", ".mjs", ".cjs"):  # TypeScript's ESM style: import "./x.js"
        probes += [stem + e for e in (".ts", ".tsx", ".mts", ".cts")]
    probes += [base + e for e in _JS_EXTENSIONS] + [f"{base}/index{e}" for e in _JS_EXTENSIONS]
    return next((p for p in probes if p in layout.paths), None)


def _aliased(layout: RepoLayout, fe: FileExtraction, module: str) -> list[str]:
    """The paths a non-relative import may stand for under the tsconfig nearest to the
    importer: its exact pattern, else the pattern with the longest prefix before its `*`."""
    aliases = next(
        (found for folder, found in layout.js_aliases
         if not folder or fe.path.startswith(folder + "/")),
        None,
    )  # fmt: skip
    return _matching(aliases, module) if aliases else []


def _in_workspace(layout: RepoLayout, fe: FileExtraction, module: str) -> list[str]:
    """The paths an import of a workspace package by its name may stand for, through the
    package's `exports` (`npm_workspaces.workspace_packages`); a `#name` through the
    `imports` of the package the importer is in (the deepest)."""
    if module.startswith("#"):
        holding = [
            package
            for package in layout.js_packages.values()
            if not package["dir"] or fe.path.startswith(package["dir"] + "/")
        ]
        own = max(holding, key=lambda package: len(package["dir"]), default=None)
        return _matching(own.get("imports", {}), module) if own else []
    name, subpath = package_subpath(module)
    package = layout.js_packages.get(name)
    return _matching(package["exports"], subpath) if package else []


def _matching(patterns: Mapping[str, Sequence[str]], key: str) -> list[str]:
    """The targets of `key` in a map of patterns with at most one `*` (tsconfig `paths`,
    package `exports`): its exact pattern's, else those of the pattern with the longest
    prefix before its `*`, with what the `*` stood for in place of theirs."""
    best: tuple[int, Sequence[str], str] | None = None
    for pattern, targets in patterns.items():
        if pattern == key:
            return list(targets)
        prefix, star, suffix = pattern.partition("*")
        fits = star and key.startswith(prefix) and key.endswith(suffix)
        longer = best is None or len(prefix) > best[0]
        if fits and longer and len(key) >= len(prefix) + len(suffix):
            best = (len(prefix), targets, key[len(prefix) : len(key) - len(suffix)])
    if best is None:
        return []
    _, targets, captured = best
    return [normpath(target.replace("*", captured)) for target in targets]


def _go(layout: RepoLayout, fe: FileExtraction, imp: Import) -> Target | None:
    directory = None
    for mod_dir, mod_path in layout.go_modules:
        if imp.module == mod_path or imp.module.startswith(mod_path + "/"):
            directory = normpath(join(mod_dir, imp.module[len(mod_path) :].lstrip("/")))
            break
    home = _go_module_of(layout, fe.path)
    if directory is None and (home is None or home[1] == "std"):
        # The Go tree itself (module "std") imports its packages by bare paths. Under any
        # other module, "errors" is the standard library's even if the repository has an
        # errors/ directory.
        bare = normpath(join(home[0], imp.module)) if home else imp.module
        directory = bare if bare in layout.by_dir else None
    if directory is None and not layout.go_modules:
        # No go.mod known: the import path ends with the package's directory.
        dirs = [d for d in layout.by_dir if d and imp.module.endswith("/" + d)]
        directory = max(dirs, key=len) if dirs else None
    files = layout.go_files.get(directory or "", ())
    if directory is None or not files:
        return None
    return Target(files, wildcard=imp.name == "*", precise=False)


def _go_module_of(layout: RepoLayout, path: str) -> tuple[str, str] | None:
    """The directory and module path of the go.mod nearest above `path`, if any."""
    homes = [(d, m) for d, m in layout.go_modules if not d or path.startswith(d + "/")]
    return max(homes, key=lambda home: len(home[0]), default=None)


def _packaged(layout: RepoLayout, fe: FileExtraction, imp: Import) -> Target | None:
    """Java, Kotlin, C#, PHP: a package (namespace) plus a type or function name."""
    fam = family(fe.language)
    module = imp.module.replace("\\", ".").strip(".")
    if imp.name == "*":
        files = layout.by_package.get((fam, module))
        if files:
            return Target(tuple(files), wildcard=True, precise=False, package=module)
        # `import static a.b.Util.*`, `using static A.B.Util;`: the static members of a type,
        # which `symbol` names in its package.
        found = _enclosing_package(layout, fam, module)
        if found is None:
            return None
        package, in_package, inner = found
        return Target(in_package, ".".join(inner), wildcard=True, precise=False, package=package)
    if imp.name is None:
        if fe.language == "php":  # require/include of a path
            return _php_path(layout, fe, imp.module)
        return None
    files = layout.by_package.get((fam, module))
    if files:
        return Target(tuple(files), imp.name, precise=False, package=module)
    namespace = layout.by_package.get((fam, f"{module}.{imp.name}"))
    if namespace:  # C# `using X = A.B;` aliasing a namespace
        return Target(tuple(namespace), precise=False, package=f"{module}.{imp.name}")
    # A nested type or static member: `import a.b.Outer.Inner` lives in package a.b, and
    # Kotlin's `import okio.ByteString.Companion.encodeUtf8` in okio (a companion object's
    # members are its class's).
    found = _enclosing_package(layout, fam, module)
    if found is None:
        return None
    package, in_package, inner = found
    inner = [p for p in inner if not (fe.language == "kotlin" and p == "Companion")]
    return Target(in_package, ".".join([*inner, imp.name]), precise=False, package=package)


def _enclosing_package(
    layout: RepoLayout, fam: str, path: str
) -> tuple[str, tuple[str, ...], list[str]] | None:
    """The longest package a dotted path starts with, short of the whole path, its files,
    and the names after it (the types inside it): `a.b.Outer.Inner` is `Outer`, `Inner` in
    `a.b`."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        package = ".".join(parts[:cut])
        files = layout.by_package.get((fam, package))
        if files:
            return package, tuple(files), parts[cut:]
    return None


def _php_path(layout: RepoLayout, fe: FileExtraction, module: str) -> Target | None:
    relative = normpath(join(dirname(fe.path), module.lstrip("/")))
    for candidate in (relative, normpath(module.lstrip("/"))):
        if candidate in layout.paths:
            return Target((candidate,))
    found = layout.by_suffix(module.lstrip("/"), fe.path)
    return Target((found,)) if found else None


def _rust(layout: RepoLayout, fe: FileExtraction, imp: Import) -> Target | None:
    segments = imp.module.split("::") if imp.module else []
    if segments and segments[0] not in ("crate", "self", "super"):
        # Since the 2018 edition a path starts in the current module (`use get::Get` in
        # cmd/mod.rs, after `mod get;`), else it names a crate: another of the workspace
        # (`use grep_searcher::Searcher`), or this one as the 2015 edition read it.
        here = _rust_segments(layout, fe, imp, ["self", *segments])
        if here is not None:
            return here
        library = layout.rust_crates.get(segments[0])
        if library is not None and library in layout.paths:
            return _rust_segments(layout, fe, imp, ["crate", *segments[1:]], dirname(library))
        return _rust_segments(layout, fe, imp, segments)
    return _rust_segments(layout, fe, imp, segments)


def _rust_segments(
    layout: RepoLayout,
    fe: FileExtraction,
    imp: Import,
    segments: list[str],
    crate_root: str | None = None,
) -> Target | None:
    """`segments` from the importer's crate, or from the crate rooted at `crate_root`."""
    root, current = _rust_crate(layout, fe.path)
    if crate_root is not None:
        root = crate_root
    resolved: list[str] = []
    for i, seg in enumerate(segments):
        if seg == "crate" and i == 0:
            resolved = []
        elif seg == "self" and i == 0:
            resolved = list(current)
        elif seg == "super":
            resolved = (resolved if i else list(current))[:-1]
        else:
            resolved.append(seg)
    if imp.name is not None and imp.name != "*":
        as_module = _rust_file(layout, root, [*resolved, imp.name])
        if as_module is not None:
            return Target((as_module,))
    found = _rust_file(layout, root, resolved)
    if found is None:
        return None
    if imp.name == "*":
        return Target((found,), wildcard=True)
    return Target((found,), imp.name)


def rust_path(
    layout: RepoLayout, fe: FileExtraction, segments: list[str], bound: str | None
) -> tuple[str, list[str]] | None:
    """The file of the longest module prefix of the Rust path `segments` used in `fe`, and
    the segments after it (a type, then its associated function). The path starts at the
    crate root (`crate::`), the current module (`self::`, or a module the file declares) or
    its parent (`super::`), or at the module file `bound` that a `use` bound the first
    segment to."""
    root, _ = _rust_crate(layout, fe.path)
    # (path, the fewest segments that must name the module: beyond what was prefixed)
    starts: list[tuple[list[str], int]] = []
    if segments[0] in ("crate", "self", "super") or segments[0] in layout.rust_crates:
        starts.append((segments, 1))
    else:
        bound_root, bound_parts = _rust_crate(layout, bound) if bound is not None else ("", [])
        if bound is not None and bound_root == root:
            module = ["crate", *bound_parts]
            starts.append(([*module, *segments[1:]], len(module)))
        starts.append((["self", *segments], 2))
    for path, fewest in starts:
        for cut in range(len(path), fewest - 1, -1):
            found = _rust(layout, fe, Import("::".join(path[:cut]), None, None, 0))
            if found is not None:
                return found.files[0], path[cut:]
    return None


def _rust_crate(layout: RepoLayout, path: str) -> tuple[str, list[str]]:
    """The crate root directory of `path` and the module path of the file inside it."""
    directory = dirname(path)
    probe = directory
    while True:
        if join(probe, "lib.rs") in layout.paths or join(probe, "main.rs") in layout.paths:
            break
        if not probe:
            probe = dirname(path)
            break
        probe = dirname(probe)
    rel = path[len(probe) + 1 :] if probe else path
    parts = splitext(rel)[0].split("/")
    if parts[-1] in ("mod", "lib", "main"):
        parts.pop()
    return probe, parts


def _rust_file(layout: RepoLayout, root: str, segments: list[str]) -> str | None:
    if not segments:
        candidates = [join(root, "lib.rs"), join(root, "main.rs")]
    else:
        base = join(root, *segments)
        candidates = [f"{base}.rs", f"{base}/mod.rs"]
    return next((c for c in candidates if c in layout.paths), None)


Resolver = Callable[[RepoLayout, FileExtraction, Import], Target | None]


def _by_path(extensions: Iterable[str]) -> Resolver:
    exts = tuple(extensions)

    def resolve(layout: RepoLayout, fe: FileExtraction, imp: Import) -> Target | None:
        module = imp.module
        system = module.startswith("<")
        module = module.strip("<>")
        names = [module] if splitext(module)[1] else [module + e for e in exts]
        for name in names:
            if not system and (name.startswith(".") or fe.language != "ruby"):
                relative = normpath(join(dirname(fe.path), name))
                if relative in layout.paths:
                    return Target((relative,))
            if name.startswith("."):
                continue
            found = layout.by_suffix(name, fe.path)
            if found is not None and _on_load_path(found, name, fe.language, system=system):
                return Target((found,))
        return None

    return resolve


# Headers of the C standard library and POSIX that `#include <...>` names.
_SYSTEM_HEADER_NAMES = (
    "assert.h complex.h ctype.h errno.h fenv.h float.h inttypes.h iso646.h limits.h locale.h "
    "math.h setjmp.h signal.h stdalign.h stdarg.h stdatomic.h stdbool.h stddef.h stdint.h "
    "stdio.h stdlib.h stdnoreturn.h string.h tgmath.h threads.h time.h uchar.h wchar.h wctype.h "
    "aio.h dirent.h dlfcn.h fcntl.h glob.h grp.h iconv.h langinfo.h libgen.h netdb.h poll.h "
    "pthread.h pwd.h regex.h sched.h semaphore.h spawn.h strings.h syslog.h termios.h unistd.h "
    "utime.h wordexp.h"
)
_SYSTEM_HEADERS = frozenset(_SYSTEM_HEADER_NAMES.split())
# Directories a Ruby `require` conventionally loads from: a gem's lib/ and test helpers'.
_RUBY_LOAD_DIRS = frozenset({"lib", "test", "spec"})


def _on_load_path(found: str, name: str, language: str, *, system: bool) -> bool:
    """Whether a file found by path suffix can be what `require name` or `#include <name>`
    loads, rather than a namesake deeper in the tree: Ruby's `require 'json'` is the json
    gem unless json.rb sits at the top of a load directory; `#include <string.h>` is the C
    library's unless the repository's own include/ directory has it (a libc's)."""
    root = found[: -len(name)].rstrip("/")
    if language == "ruby":
        return not root or basename(root) in _RUBY_LOAD_DIRS
    if system and name in _SYSTEM_HEADERS:
        return not root or basename(root) == "include"
    return True


def _shared_dirs(path: str, other: str) -> int:
    """How many leading directories two file paths share."""
    parts, here = dirname(path).split("/"), dirname(other).split("/")
    n = 0
    while n < min(len(parts), len(here)) and parts[n] == here[n]:
        n += 1
    return n


def _nearest(candidates: list[str], importer: str) -> str | None:
    """The candidate sharing the longest directory prefix with `importer`, if unique."""
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    scored = sorted((-_shared_dirs(c, importer), c.count("/"), c) for c in candidates)
    if len(scored) > 1 and scored[0][:2] == scored[1][:2]:
        return None  # ambiguous: better no edge than a wrong one
    return scored[0][2]


_RESOLVERS: dict[str, Resolver] = {
    "python": _python,
    "javascript": _javascript,
    "typescript": _javascript,
    "tsx": _javascript,
    "go": _go,
    "java": _packaged,
    "kotlin": _packaged,
    "csharp": _packaged,
    "php": _packaged,
    "rust": _rust,
    "ruby": _by_path((".rb",)),
    "c": _by_path(()),
    "cpp": _by_path(()),
}


def macro_namespace_files(files: Sequence[FileExtraction]) -> dict[str, tuple[str, ...]]:
    """For each dotted path a C/C++ macro opens a namespace at (`fmt`, `fmt.v11` for fmt's
    `FMT_BEGIN_NAMESPACE`), the files (in path order) with a line of such a macro: their
    top-level definitions are in that namespace. A macro defined differently in two files
    (a vendored copy of another version) reaches the paths of both."""
    reaching: dict[str, set[str]] = defaultdict(set)
    for fe in files:
        for name, paths in fe.namespace_macros:
            reaching[name].update(paths)
    found: dict[str, list[str]] = defaultdict(list)
    for fe in sorted(files, key=lambda f: f.path):
        for path in sorted({p for name in fe.macro_lines for p in reaching.get(name, ())}):
            found[path].append(fe.path)
    return {path: tuple(users) for path, users in found.items()}
