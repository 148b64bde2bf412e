"""package.json workspaces: the packages a file imports by name, and what each subpath loads."""

from __future__ import annotations

import json

from activities.codegraph.npm_workspaces import (
    is_workspace_file,
    package_subpath,
    workspace_packages,
)


def _manifest(**fields: object) -> str:
    return json.dumps(fields)


def test_members_are_the_packages_the_workspace_globs_match() -> None:
    """npm/yarn `workspaces` (a list, or yarn's object), pnpm-workspace.yaml (a block list
    with a `!` exclusion, `**` across folders) and lerna.json declare the members; the root
    package is reached by its own name. A package.json no workspace takes (a fixture, an
    example) names nothing: it is not linked into node_modules."""
    files = {
        "package.json": _manifest(name="monorepo", workspaces=["packages/*"]),
        "packages/ui/package.json": _manifest(name="@acme/ui"),
        "packages/ui/test/fixture/package.json": _manifest(name="react"),
        "tools/package.json": _manifest(name="tools", workspaces={"packages": ["lint"]}),
        "tools/lint/package.json": _manifest(name="@acme/lint"),
        "web/pnpm-workspace.yaml": (
            "# the web apps\npackages:\n  - 'apps/**'\n  - \"!**/test/**\"\n"
            "catalog:\n  react: ^19\n"
        ),
        "web/apps/site/package.json": _manifest(name="site"),
        "web/apps/a/b/package.json": _manifest(name="deep"),
        "web/apps/site/test/app/package.json": _manifest(name="test-app"),
        "legacy/lerna.json": _manifest(version="1.0.0"),
        "legacy/packages/old/package.json": _manifest(name="old"),
        "examples/demo/package.json": _manifest(name="demo"),
    }
    found = workspace_packages(files)
    assert {name: package["dir"] for name, package in found.items()} == {
        "monorepo": "",
        "@acme/ui": "packages/ui",
        "tools": "tools",
        "@acme/lint": "tools/lint",
        "site": "web/apps/site",
        "deep": "web/apps/a/b",
        "old": "legacy/packages/old",
    }


def test_a_hostile_glob_costs_little_and_takes_nothing() -> None:
    """Globs are matched folder by folder, not by a regular expression that could backtrack
    for minutes (`**/**/...` against a deep path took 5 s with 12 of them); one with more
    `*` in a folder name than any real one, or more folders, takes nothing."""
    deep = "/".join(["d"] * 40)
    files = {
        "package.json": _manifest(
            name="root", workspaces=["/".join(["**"] * 30) + "/x", "*a*a*a*a*a/p"]
        ),
        f"{deep}/y/package.json": _manifest(name="deep"),
        f"{'a' * 200}/p/package.json": _manifest(name="stars"),
        "x/package.json": _manifest(name="x"),
    }
    # The regular expression this replaced would run for hours here: the suite's timeout
    # stops it.
    assert sorted(workspace_packages(files)) == ["root", "x"]  # `**` may take no folder


def test_a_pnpm_flow_list_and_comments_are_read() -> None:
    files = {
        "pnpm-workspace.yaml": "packages: ['libs/*', apps/web]  # two\n",
        "libs/a/package.json": _manifest(name="a"),
        "apps/web/package.json": _manifest(name="web"),
        "apps/api/package.json": _manifest(name="api"),
    }
    assert sorted(workspace_packages(files)) == ["a", "web"]


def test_exports_subpaths_conditions_patterns_and_private_subpaths() -> None:
    """Each subpath's paths, sources first: a built entry's sources under src/ (with and
    without its format folder), then the entry itself; type declarations last, in the same
    order (a declaration's sources by stem: `.ts` or `.tsx`, either may be). A `null`
    subpath is kept private; targets not starting with `./` are invalid and left out."""
    manifest = _manifest(
        name="zod",
        exports={
            ".": {
                "types": "./dist/types/index.d.ts",
                "@zod/source": "./src/index.ts",
                "import": "./dist/esm/index.js",
                "require": ["./dist/cjs/index.cjs"],
            },
            "./v4": "./src/v4/index.ts",
            "./locales/*": {"default": "./src/locales/*.ts"},
            "./internal/*": None,
            "./bad": "lib/bad.js",
        },
    )
    found = workspace_packages({"package.json": manifest})["zod"]["exports"]
    assert found == {
        ".": [
            "src/index.ts",
            "src/esm/index.js",
            "src/index.js",
            "src/cjs/index.cjs",
            "src/index.cjs",
            "dist/esm/index.js",
            "dist/cjs/index.cjs",
            "src/types/index",
            "src/index",
            "dist/types/index.d.ts",
        ],
        "./v4": ["src/v4/index.ts"],
        "./locales/*": ["src/locales/*.ts"],
    }


def test_exports_as_one_string_or_conditions_are_the_root_subpath() -> None:
    files = {
        "package.json": _manifest(workspaces=["a", "b"]),
        "a/package.json": _manifest(name="a", exports="./main.js"),
        "b/package.json": _manifest(name="b", exports={"import": "./b.mjs", "node": "./n.js"}),
    }
    found = workspace_packages(files)
    assert found["a"]["exports"] == {".": ["a/main.js"]}
    assert found["b"]["exports"] == {".": ["b/b.mjs", "b/n.js"]}


def test_without_exports_main_and_module_then_index_and_any_subpath() -> None:
    """Paths in `main` and `module` need no `./`; any subpath reaches the file it spells."""
    manifest = _manifest(name="lodash-ish", main="lib/index.js", module="es/index.mjs")
    found = workspace_packages({"package.json": manifest})["lodash-ish"]["exports"]
    assert found == {
        ".": ["es/index.mjs", "index", "src/index.js", "lib/index.js"],
        "./*": ["*"],
    }


def test_broken_unnamed_twice_claimed_and_installed_packages_name_nothing() -> None:
    files = {
        "package.json": _manifest(name="root", workspaces=["p/*"]),
        "p/broken/package.json": '{"name": "broken",',
        "p/deep/package.json": "[" * 200_000,  # nested past Python's stack
        "p/list/package.json": '["not", "an", "object"]',
        "p/nameless/package.json": _manifest(version="1.0.0"),
        "p/one/package.json": _manifest(name="twice"),
        "p/two/package.json": _manifest(name="twice"),
        "p/three/package.json": _manifest(name="twice"),
        "p/node_modules/left-pad/package.json": _manifest(name="left-pad"),
    }
    assert sorted(workspace_packages(files)) == ["root"]
    assert not is_workspace_file("node_modules/left-pad/package.json")
    assert is_workspace_file("packages/ui/package.json")
    assert is_workspace_file("pnpm-workspace.yaml")
    assert not is_workspace_file("packages/ui/package.jsonc")


def test_a_packages_own_import_names_are_read_from_imports() -> None:
    """`imports` maps `#` names to the package's files; a target naming a package (from the
    registry) or a key without `#` is left out."""
    manifest = _manifest(
        name="app",
        imports={
            "#utils/*": {"node": "./src/utils/*.js", "default": "./src/utils/*.browser.js"},
            "#db": "./dist/db/index.js",
            "#dep": "left-pad",
            "nohash": "./x.js",
        },
    )
    assert workspace_packages({"package.json": manifest})["app"]["imports"] == {
        "#utils/*": ["src/utils/*.js", "src/utils/*.browser.js"],
        "#db": ["src/db/index.js", "dist/db/index.js"],
    }


def test_an_import_is_split_into_package_and_subpath() -> None:
    assert package_subpath("zod") == ("zod", ".")
    assert package_subpath("zod/v4/core") == ("zod", "./v4/core")
    assert package_subpath("@acme/ui") == ("@acme/ui", ".")
    assert package_subpath("@acme/ui/button") == ("@acme/ui", "./button")
