"""A call on one element of a collection (`xs[0].run()`, `x = xs[1]; x.run()`,
`repo.all()[0].run()`) is looked up in the collection's element type, as a loop variable's
over it is; a slice or range (`xs[1:]`) is a collection still, never an element."""

from __future__ import annotations

import pytest

from tests.codegraph.sample_repo import index_repo

# Each sample defines `Item.run` beside an `Other.run`, so no guess by name could pick either,
# and `Repo.all` returning a collection of Items. Its callers: `direct` calls on an element of
# a parameter, `bound` on a name set to one, `from_call` on an element of `all()`'s result;
# `sliced`, where the language slices with an index, on a slice.
SAMPLES = {
    "python": {
        "lib/items.py": """
            class Item:
                def run(self) -> None:
                    pass


            class Other:
                def run(self) -> None:
                    pass


            class Repo:
                def all(self) -> list[Item]:
                    return []
            """,
        "app.py": """
            from lib.items import Item, Repo


            def direct(xs: list[Item]):
                xs[0].run()


            def bound(by_name: dict[str, Item]):
                x = by_name["a"]
                x.run()


            def from_call(repo: Repo):
                repo.all()[0].run()


            def sliced(xs: list[Item]):
                xs[1:].run()
            """,
    },
    "go": {
        "el/lib/items.go": """
            package lib
            type Item struct{}
            func (i *Item) Run() {}
            type Other struct{}
            func (o *Other) Run() {}
            type Repo struct{}
            func (r *Repo) All() []*Item { return nil }
            """,
        "el/app/main.go": """
            package app
            import "example.com/app/el/lib"
            func direct(xs []*lib.Item) {
                xs[0].Run()
            }
            func bound(byName map[string]*lib.Item) {
                x, ok := byName["a"]
                x.Run()
            }
            func from_call(r *lib.Repo) {
                r.All()[0].Run()
            }
            """,
    },
    "java": {
        "src/lib/Item.java": """
            package lib;
            public class Item { public void run() {} }
            class Other { void run() {} }
            """,
        "src/lib/Repo.java": """
            package lib;
            import java.util.List;
            public class Repo { public Item[] all() { return null; } }
            """,
        "src/app/Main.java": """
            package app;
            import lib.Item;
            import lib.Repo;
            class Main {
              void direct(Item[] xs) { xs[0].run(); }
              void bound(Item[] xs) { var x = xs[1]; x.run(); }
              void from_call(Repo r) { r.all()[0].run(); }
            }
            """,
    },
    "csharp": {
        "Lib/Items.cs": """
            using System.Collections.Generic;
            namespace Lib {
              public class Item { public void Run() {} }
              public class Other { public void Run() {} }
              public class Repo { public List<Item> All() { return null; } }
            }
            """,
        "App/Main.cs": """
            using System.Collections.Generic;
            using Lib;
            namespace App {
              class Main {
                void direct(List<Item> xs) { xs[0].Run(); }
                void bound(Item[] xs) { var x = xs[1]; x.Run(); }
                void from_call(Repo r) { r.All()[0].Run(); }
                void sliced(Item[] xs) { xs[1..].Run(); }
              }
            }
            """,
    },
    "rust": {
        "src/items.rs": """
            pub struct Item;
            impl Item {
                pub fn run(&self) {}
            }
            pub struct Other;
            impl Other {
                pub fn run(&self) {}
            }
            pub struct Repo;
            impl Repo {
                pub fn all(&self) -> Vec<Item> { vec![] }
            }
            """,
        "src/main.rs": """
            mod items;
            use crate::items::{Item, Repo};
            fn direct(xs: Vec<Item>) {
                xs[0].run();
            }
            fn bound(xs: &[Item]) {
                let x = &xs[1];
                x.run();
            }
            fn from_call(r: &Repo) {
                r.all()[0].run();
            }
            fn sliced(xs: &[Item]) {
                xs[1..].run();
            }
            """,
    },
    "kotlin": {
        "src/lib/Items.kt": """
            package lib
            class Item {
                fun run() {}
            }
            class Other {
                fun run() {}
            }
            class Repo {
                fun all(): List<Item> = listOf()
            }
            """,
        "src/app/Main.kt": """
            package app
            import lib.Item
            import lib.Repo
            fun direct(xs: List<Item>) { xs[0].run() }
            fun bound(xs: List<Item>) {
                val x = xs[1]
                x.run()
            }
            fun from_call(r: Repo) { r.all()[0].run() }
            """,
    },
    "cpp": {
        "src/items.h": """
            #include <vector>
            class Item { public: void run() {} };
            class Other { public: void run() {} };
            class Repo { public: std::vector<Item*> all() { return {}; } };
            """,
        "src/main.cpp": """
            #include "items.h"
            void direct(std::vector<Item> xs) { xs[0].run(); }
            void bound(std::vector<Item> xs) {
                auto& x = xs[1];
                x.run();
            }
            void from_call(Repo& r) { r.all()[0]->run(); }
            """,
    },
    "typescript": {
        "src/items.ts": """
            export class Item { run(): void {} }
            export class Other { run(): void {} }
            export class Repo { all(): Item[] { return []; } }
            """,
        "src/app.ts": """
            import { Item, Repo } from "./items";
            export function direct(xs: Item[]) { xs[0].run(); }
            export function bound(xs: Array<Item>) {
              const x = xs[1];
              x.run();
            }
            export function from_call(r: Repo) { r.all()[0].run(); }
            """,
    },
    "php": {
        "src/Items.php": """
            <?php
            namespace Lib;
            class Item { public function run(): void {} }
            class Other { public function run(): void {} }
            class Repo {
                /** @return Item[] */
                public function all(): array { return []; }
            }
            """,
        "app/main.php": """
            <?php
            namespace App;
            use Lib\\Item;
            use Lib\\Repo;
            /** @param Item[] $xs */
            function direct(array $xs) { $xs[0]->run(); }
            /** @param Item[] $xs */
            function bound(array $xs) {
                $x = $xs[1];
                $x->run();
            }
            function from_call(Repo $r) { $r->all()[0]->run(); }
            """,
    },
}

# Each sample's callers' keys, but the name, and Item's `run`.
CALLERS_RUN = {
    "python": ("app.py|Function:", "lib/items.py|Method:Item.run"),
    "go": ("el/app/main.go|Function:", "el/lib/items.go|Method:Item.Run"),
    "java": ("src/app/Main.java|Method:Main.", "src/lib/Item.java|Method:Item.run"),
    "csharp": ("App/Main.cs|Method:Main.", "Lib/Items.cs|Method:Item.Run"),
    "rust": ("src/main.rs|Function:", "src/items.rs|Method:Item.run"),
    "kotlin": ("src/app/Main.kt|Function:", "src/lib/Items.kt|Method:Item.run"),
    "cpp": ("src/main.cpp|Function:", "src/items.h|Method:Item.run"),
    "typescript": ("src/app.ts|Function:", "src/items.ts|Method:Item.run"),
    "php": ("app/main.php|Function:", "src/Items.php|Method:Item.run"),
}


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_a_call_on_an_element_reaches_the_method_of_the_collections_element_type(
    language: str,
) -> None:
    go_modules = {"": "example.com/app"} if language == "go" else None
    repo = index_repo(SAMPLES[language], go_modules=go_modules)
    caller, run = CALLERS_RUN[language]
    calls = repo.edge_set("CALLS")
    for function in ("direct", "bound", "from_call"):
        assert (f"{caller}{function}", run, "type") in calls, function
    assert not [dst for _, dst, _ in calls if "Other." in dst]
    assert not [src for src, _, _ in calls if src.endswith("sliced")]


def test_a_name_bound_to_an_element_again_takes_the_later_collections_element_type() -> None:
    repo = index_repo(
        {
            "app.py": """
                class Item:
                    def run(self) -> None:
                        pass


                class Other:
                    def run(self) -> None:
                        pass


                def first(xs: list[Item], ys: tuple[Other, ...]):
                    x = xs[0]
                    x.run()


                def second(xs: list[Item], ys: tuple[Other, ...]):
                    x = xs[0]
                    x = ys[0]
                    x.run()
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("app.py|Function:first", "app.py|Method:Item.run", "type"),
        ("app.py|Function:second", "app.py|Method:Other.run", "type"),
    }


FIELDS_OF_ELEMENTS = {
    "fe/types.go": """
        package fe
        type Conn struct{}
        func (c *Conn) Close() {}
        type Other struct{}
        func (o *Other) Close() {}
        type Item struct{ conn *Conn }
        type Store struct{ items []*Item }
        """,
    "fe/use.go": """
        package fe
        func (s *Store) Shut(i int) {
            s.items[i].conn.Close()
        }
        """,
    "fe/m.py": """
        class Conn:
            def close(self) -> None:
                pass


        class Other:
            def close(self) -> None:
                pass


        class Item:
            def __init__(self) -> None:
                self.conn = Conn()


        def shut(items: list[Item]):
            items[0].conn.close()
        """,
}


def test_a_call_on_a_field_of_an_element_reaches_the_fields_type() -> None:
    """`s.items[i].conn.Close()`: the field `conn` of an element of `items`, read where
    `Item` declares it (Go's struct in another file; Python's set in `__init__`)."""
    repo = index_repo(FIELDS_OF_ELEMENTS, go_modules={"": "example.com/app"})
    calls = repo.edge_set("CALLS")
    assert ("fe/use.go|Method:Store.Shut", "fe/types.go|Method:Conn.Close", "type") in calls
    assert ("fe/m.py|Function:shut", "fe/m.py|Method:Conn.close", "type") in calls
    assert not [dst for _, dst, _ in calls if "Other." in dst]
