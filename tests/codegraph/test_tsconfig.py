"""tsconfig path aliases: the JSON TypeScript accepts, `extends`, and what each directory gets."""

from __future__ import annotations

from activities.codegraph.tsconfig import is_config, path_aliases


def test_comments_and_trailing_commas_are_read_as_typescript_reads_them() -> None:
    """`//` and `/* */` outside strings are comments (a URL's `//` inside one is not), and a
    comma before `}` or `]` is dropped."""
    config = """
        {
          /* the app */
          "compilerOptions": {
            "baseUrl": "src", // sources
            "paths": { "cdn/*": ["vendor/http://mirror/*",], },
          },
        }
        """
    assert path_aliases({"tsconfig.json": config}) == {
        "": {"cdn/*": ["src/vendor/http:/mirror/*"], "*": ["src/*"]},
    }


def test_extends_is_followed_and_paths_are_relative_to_the_config_that_set_them() -> None:
    configs = {
        "config/base.json": '{"compilerOptions": {"paths": {"~/*": ["../lib/*"]}}}',
        "apps/a/tsconfig.json": '{"extends": "../../config/base"}',
        "apps/b/jsconfig.json": '{"extends": "../a/tsconfig.json", "compilerOptions": {}}',
        "apps/c/tsconfig.json": '{"extends": "@tsconfig/node20/tsconfig.json"}',
    }
    assert path_aliases(configs) == {
        "apps/a": {"~/*": ["lib/*"]},
        "apps/b": {"~/*": ["lib/*"]},
    }


def test_an_extends_list_takes_the_later_configs_options_first() -> None:
    """TypeScript 5's `"extends": [a, b]`: b's options (and those b extends) win over a's,
    and the config's own over both."""
    configs = {
        "base/paths.json": '{"compilerOptions": {"paths": {"@/*": ["../src/*"]}}}',
        "base/url.json": '{"extends": "./root.json", "compilerOptions": {"baseUrl": "../lib"}}',
        "base/root.json": '{"compilerOptions": {"paths": {"@/*": ["../old/*"]}}}',
        "app/tsconfig.json": '{"extends": ["../base/root.json", "../base/paths.json"]}',
        "web/tsconfig.json": '{"extends": ["../base/paths.json", "../base/url.json"]}',
        "cli/tsconfig.json": """
            {"extends": ["../base/paths.json", "../base/url"],
             "compilerOptions": {"paths": {"#/*": ["./bin/*"]}}}
            """,
    }
    assert path_aliases(configs) == {
        "app": {"@/*": ["src/*"]},
        # url.json's chain reaches root.json, whose paths come before paths.json's.
        "web": {"@/*": ["old/*"], "*": ["lib/*"]},
        "cli": {"#/*": ["lib/bin/*"], "*": ["lib/*"]},
    }


def test_a_broken_or_cyclic_config_gives_no_aliases_and_no_error() -> None:
    configs = {
        "tsconfig.json": '{"compilerOptions": {"paths": {"@/*": ["src/*"]}',  # cut short
        "a/tsconfig.json": '{"extends": "../b/tsconfig.json"}',
        "b/tsconfig.json": '{"extends": "../a/tsconfig.json"}',
        "c/tsconfig.json": '["not", "an", "object"]',
        # Nested past Python's stack (json recurses): no config, and no failed run.
        "d/tsconfig.json": "[" * 200_000,
    }
    assert path_aliases(configs) == {}


def test_configs_are_told_by_name() -> None:
    assert is_config("tsconfig.json")
    assert is_config("packages/x/tsconfig.build.json")
    assert is_config("jsconfig.json")
    assert not is_config("package.json")
    assert not is_config("tsconfig.ts")
