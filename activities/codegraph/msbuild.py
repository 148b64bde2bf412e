"""The namespaces C# projects import for all their files, from MSBuild files. Pure.

An SDK-style project (.NET 6 and later) declares `<Using Include="Polly.Utils" />` items
instead of a `using Polly.Utils;` line in each file: the SDK writes them into a generated
`global using` file. They come from the project file and from the nearest
`Directory.Build.props` and `Directory.Build.targets` above it, which MSBuild imports into
every project below them. A project compiles the .cs files under its directory, so a file
takes the usings of the project file nearest above it.

A `Static="true"` using (`global using static A.B.Helpers;`) names a class, whose static
members it brings in: resolution reads `A.B.Helpers` either way. Not read: items whose
value is an MSBuild expression (`$(RootNamespace)`), other files brought in by `<Import>`,
and conditions (every item counts, whatever its `Condition`).
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Mapping

# Files MSBuild imports into every project below their directory (the nearest of each name).
DIRECTORY_FILES = ("Directory.Build.props", "Directory.Build.targets")
PROJECT_SUFFIX = ".csproj"

# {project directory: [[namespace, alias or None], ...]} in declaration order.
ProjectUsings = dict[str, list[list[str | None]]]


def is_msbuild_file(path: str) -> bool:
    """Whether the file at `path` may declare usings for the C# files below it."""
    name = posixpath.basename(path)
    return name.endswith(PROJECT_SUFFIX) or name in DIRECTORY_FILES


def project_usings(files: Mapping[str, str]) -> ProjectUsings:
    """The usings each project directory applies to its files, from the text of every
    MSBuild file by path: those of the nearest Directory.Build.props above it, then its
    project file's, then the nearest Directory.Build.targets', each file's `Remove` taking
    out what came before. A file that is not
    well-formed XML (or declares a DOCTYPE, which MSBuild files never need and entity
    expansion could abuse) gives none. Every project is listed, those without usings with
    none: it still bounds where its files' `global using` lines reach (`project_of`)."""
    items = {path: _using_items(text) for path, text in files.items()}
    projects: dict[str, list[str]] = {}
    for project in sorted(items):
        if project.endswith(PROJECT_SUFFIX):
            projects.setdefault(posixpath.dirname(project), []).append(project)
    found: ProjectUsings = {}
    for folder, project_files in projects.items():
        chain = [_nearest(items, folder, DIRECTORY_FILES[0]), *project_files,
                 _nearest(items, folder, DIRECTORY_FILES[1])]  # fmt: skip
        usings: dict[str, str | None] = {}  # namespace -> alias, in order
        for path in chain:
            for action, namespace, alias in items.get(path or "", ()):
                usings.pop(namespace, None)
                if action == "Include":
                    usings[namespace] = alias
        found[folder] = [[namespace, alias] for namespace, alias in usings.items()]
    return found


def usings_for(usings: Mapping[str, list[list[str | None]]], path: str) -> list[list[str | None]]:
    """The project usings that apply to the C# file at `path`: its nearest project's."""
    return usings.get(project_of(usings, path), [])


def project_of(usings: Mapping[str, object], path: str) -> str:
    """The directory of the project the C# file at `path` belongs to: the nearest project
    directory above it, else the repository's top (a repository without project files
    compiles as one)."""
    folder = posixpath.dirname(path)
    while folder and folder not in usings:
        folder = posixpath.dirname(folder)
    return folder


def _nearest(items: Mapping[str, object], folder: str, name: str) -> str | None:
    """The path of the file called `name` in `folder` or the nearest directory above it."""
    while True:
        candidate = posixpath.join(folder, name)
        if candidate in items:
            return candidate
        if not folder:
            return None
        folder = posixpath.dirname(folder)


def _using_items(text: str) -> list[tuple[str, str, str | None]]:
    """(Include or Remove, namespace, alias) for each namespace `<Using>` item, in order."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return []
    try:
        # Entities are refused above, so nothing expands (expat >= 2.4 also caps it).
        root = ET.fromstring(text)  # noqa: S314
    except ET.ParseError:
        return []
    found: list[tuple[str, str, str | None]] = []
    for element in root.iter():
        # Old-style projects put every element in the MSBuild XML namespace.
        if not isinstance(element.tag, str) or element.tag.rpartition("}")[2] != "Using":
            continue
        alias = (element.get("Alias") or "").strip() or None
        for action in ("Include", "Remove"):
            for value in (element.get(action) or "").split(";"):
                namespace = value.strip()
                if namespace and _is_namespace(namespace):
                    found.append((action, namespace, alias if action == "Include" else None))
    return found


def _is_namespace(value: str) -> bool:
    """A dotted name (`Polly.Utils`); not an MSBuild expression or a wildcard."""
    return all(part.isidentifier() for part in value.split("."))
