"""Cargo.toml: the library crates of a workspace, by the name other crates import them."""

from __future__ import annotations

from activities.codegraph.cargo import crate_roots


def test_a_package_is_imported_by_its_name_with_underscores_or_by_its_lib_name() -> None:
    manifests = {
        "Cargo.toml": '[workspace]\nmembers = ["crates/*"]\n',
        "crates/searcher/Cargo.toml": '[package]\nname = "grep-searcher"\n',
        "crates/core/Cargo.toml": '[package]\nname = "rg"\n[lib]\nname = "rg_core"\npath = "x.rs"',
        "broken/Cargo.toml": "[package\nname = ",
        # Arrays nested past Python's stack: tomllib recurses, and must not fail the run.
        "deep/Cargo.toml": "x = " + "[" * 200_000,
        "twice/a/Cargo.toml": '[package]\nname = "dup"\n',
        "twice/b/Cargo.toml": '[package]\nname = "dup"\n',
    }
    assert crate_roots(manifests) == {
        "grep_searcher": "crates/searcher/src/lib.rs",
        "rg_core": "crates/core/x.rs",
    }
