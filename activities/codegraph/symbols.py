"""Symbol tables of one branch for resolution: per file, per package and repository-wide. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from posixpath import dirname

from activities.codegraph.graph_rows import file_key, symbol_keys
from activities.codegraph.languages import family
from activities.codegraph.model import CLASS_KINDS, TYPE_KINDS, FileExtraction

_MAX_ANCESTRY = 32  # inheritance chains deeper than this are cut (and cycles are ignored)


@dataclass(slots=True)
class FileSymbols:
    """One file's definitions with their node keys."""

    extraction: FileExtraction
    key: str
    family: str
    keys: list[str]
    by_qn: dict[str, str] = field(default_factory=dict)  # first definition of each name
    top: dict[str, str] = field(default_factory=dict)  # top-level names


class SymbolIndex:
    """Lookups over all definitions of a branch."""

    def __init__(
        self, repo_id: str, branch: str, extractions: Mapping[str, FileExtraction]
    ) -> None:
        self.files: dict[str, FileSymbols] = {}
        self.kind: dict[str, str] = {}
        self.qualified: dict[str, str] = {}
        self.owner: dict[str, str | None] = {}  # symbol key -> key of its class, if any
        self.self_name: dict[str, str] = {}
        self.members: dict[str, dict[str, str]] = defaultdict(dict)
        self.parents: dict[str, list[str]] = defaultdict(list)  # filled by resolution
        self.global_top: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.global_methods: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.global_types: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.go_types: dict[tuple[str, str], str] = {}
        for path in sorted(extractions):
            self._add_file(repo_id, branch, extractions[path])
        for fs in self.files.values():
            self._attach_members(fs)

    def _add_file(self, repo_id: str, branch: str, fe: FileExtraction) -> None:
        fs = FileSymbols(fe, file_key(repo_id, branch, fe.path), family(fe.language),
                         symbol_keys(repo_id, branch, fe))  # fmt: skip
        self.files[fe.path] = fs
        for d, key in zip(fe.definitions, fs.keys, strict=True):
            self.kind[key] = d.kind
            self.qualified[key] = d.qualified_name
            if d.self_name:
                self.self_name[key] = d.self_name
            fs.by_qn.setdefault(d.qualified_name, key)
            if d.parent is None:
                fs.top.setdefault(d.name, key)
                self.global_top[(fs.family, d.name)].append(key)
                if fe.language == "go" and d.kind in TYPE_KINDS:
                    self.go_types.setdefault((dirname(fe.path), d.name), key)
            if d.kind == "Method":
                self.global_methods[(fs.family, d.name)].append(key)
            if d.kind in TYPE_KINDS:
                self.global_types[(fs.family, d.qualified_name)].append(key)

    def _attach_members(self, fs: FileSymbols) -> None:
        for d, key in zip(fs.extraction.definitions, fs.keys, strict=True):
            if d.parent is None:
                self.owner[key] = None
                continue
            owner = self.scope_by_qn(fs, d.parent)
            self.owner[key] = owner
            if owner is not None and self.kind[owner] in TYPE_KINDS:
                self.members[owner].setdefault(d.name, key)

    def scope_by_qn(self, fs: FileSymbols, qn: str) -> str | None:
        """The definition named `qn` as seen from `fs`: in the same file, else a type of the same
        Go package, else the unique type of that qualified name (C++ out-of-line methods)."""
        local = fs.by_qn.get(qn)
        if local is not None:
            return local
        if fs.extraction.language == "go":
            return self.go_types.get((dirname(fs.extraction.path), qn))
        return unique(self.global_types.get((fs.family, qn)))

    def enclosing_type(self, fs: FileSymbols, caller: str | None) -> str | None:
        """The class, struct or trait around the definition `caller`, if any."""
        key = fs.by_qn.get(caller) if caller else None
        while key is not None:
            if self.kind[key] in CLASS_KINDS or self.kind[key] == "Namespace":
                return key if self.kind[key] in CLASS_KINDS or fs.family == "ruby" else None
            key = self.owner.get(key)
        return None

    def find_member(self, type_key: str, name: str, *, own: bool = True) -> str | None:
        """`name` in the type or (breadth-first) its ancestors; `own=False` skips the type."""
        queue, seen = [type_key], {type_key}
        for depth in range(_MAX_ANCESTRY):
            if depth >= len(queue):
                return None
            current = queue[depth]
            if own or current != type_key:
                found = self.members.get(current, {}).get(name)
                if found is not None:
                    return found
            for parent in self.parents.get(current, ()):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        return None

    def top_in(self, paths: tuple[str, ...], name: str) -> str | None:
        """A definition named by `name` (a top-level name or a qualified one) in `paths`."""
        for path in paths:
            fs = self.files.get(path)
            if fs is None:
                continue
            found = fs.top.get(name) if "." not in name else fs.by_qn.get(name)
            if found is not None:
                return found
        return None


def unique(keys: list[str] | None) -> str | None:
    """The only element of `keys`, or None when there are none or several."""
    return keys[0] if keys and len(keys) == 1 else None
