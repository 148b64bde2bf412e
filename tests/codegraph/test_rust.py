"""Rust extraction and resolution: crate-relative `use` paths, `mod` files, impl blocks."""

from __future__ import annotations

from tests.codegraph.sample_repo import index_repo

FILES = {
    "src/lib.rs": """
        pub mod storage;
        mod util;

        use crate::storage::{Backend, memory::MemoryBackend as Mem};
        use std::collections::HashMap;

        pub struct Cache {
            backend: Box<dyn Backend>,
            hits: HashMap<String, u64>,
        }

        impl Cache {
            pub fn new() -> Self {
                Cache { backend: Box::new(Mem::new()), hits: HashMap::new() }
            }

            pub fn get(&mut self, key: &str) -> Option<String> {
                self.touch(key);
                self.backend.load(&util::normalize(key))
            }

            fn touch(&mut self, key: &str) {
                *self.hits.entry(key.to_string()).or_insert(0) += 1;
            }
        }
        """,
    "src/storage/mod.rs": """
        pub mod memory;

        pub trait Backend: Send {
            fn load(&self, key: &str) -> Option<String>;
        }

        pub mod pool;
        pub use memory::MemoryBackend;
        """,
    "src/storage/memory.rs": """
        use super::Backend;

        #[derive(Default)]
        pub struct MemoryBackend;

        impl MemoryBackend {
            pub fn new() -> Self {
                MemoryBackend
            }
        }

        impl Backend for MemoryBackend {
            fn load(&self, key: &str) -> Option<String> {
                Some(key.to_owned())
            }
        }
        """,
    "src/storage/pool.rs": """
        use crate::storage::MemoryBackend;

        pub struct Pool;

        impl Pool {
            pub fn open() -> Self {
                MemoryBackend::new();
                Pool
            }
        }

        #[cfg(test)]
        mod tests {
            use super::Pool;
            use super::*;

            #[test]
            fn pooled() {
                Pool::open();
            }
        }
        """,
    "src/util.rs": """
        pub fn normalize(key: &str) -> String {
            key.trim().to_lowercase()
        }
        """,
}


def test_definitions_structs_traits_and_impl_methods() -> None:
    """Methods of `impl` blocks belong to the type; trait methods to the trait."""
    repo = index_repo(FILES)
    assert repo.defs("src/lib.rs") == [
        ("Struct", "Cache", 7, 10),
        ("Method", "Cache.new", 13, 15),
        ("Method", "Cache.get", 17, 20),
        ("Method", "Cache.touch", 22, 24),
    ]
    assert repo.defs("src/storage/mod.rs") == [
        ("Trait", "Backend", 3, 5),
        ("Method", "Backend.load", 4, 4),
    ]
    assert repo.defs("src/storage/memory.rs") == [
        ("Struct", "MemoryBackend", 4, 4),
        ("Method", "MemoryBackend.new", 7, 9),
        ("Method", "MemoryBackend.load", 13, 15),
    ]


def test_use_trees_are_flattened() -> None:
    """Nested use lists with aliases become one import each; `mod x;` imports `self::x`."""
    repo = index_repo(FILES)
    assert repo.imports("src/lib.rs") == [
        ("self::storage", None, None),
        ("self::util", None, None),
        ("crate::storage", "Backend", None),
        ("crate::storage::memory", "MemoryBackend", "Mem"),
        ("std::collections", "HashMap", None),
    ]


def test_calls_and_trait_impls_resolve_across_modules() -> None:
    """`Alias::new()`, `module::f()` and `self.m()` resolve; `impl Trait for T` is an edge.
    A `pub use` is followed (`use crate::storage::MemoryBackend`), a path in a `use` starts
    in the current module (`pub use memory::MemoryBackend` in storage/mod.rs), and `super`
    in an inline `mod tests` is the file itself."""
    repo = index_repo(FILES)
    assert repo.edge_set("CALLS") == {
        ("src/storage/pool.rs|Method:Pool.open", "src/storage/memory.rs|Method:MemoryBackend.new",
         "import"),
        ("src/storage/pool.rs|Function:tests.pooled", "src/storage/pool.rs|Method:Pool.open",
         "scope"),
        ("src/lib.rs|Method:Cache.new", "src/storage/memory.rs|Method:MemoryBackend.new",
         "import"),
        ("src/lib.rs|Method:Cache.get", "src/lib.rs|Method:Cache.touch", "scope"),
        ("src/lib.rs|Method:Cache.get", "src/util.rs|Function:normalize", "import"),
    }  # fmt: skip
    assert repo.edge_set("INHERITS") == {
        ("src/storage/memory.rs|Struct:MemoryBackend", "src/storage/mod.rs|Trait:Backend",
         "import"),
    }  # fmt: skip
    assert repo.edge_set("IMPORTS") == {
        ("src/lib.rs", "src/storage/mod.rs", ""),
        ("src/lib.rs", "src/storage/memory.rs", ""),
        ("src/lib.rs", "src/util.rs", ""),
        ("src/lib.rs", "module:std::collections", ""),
        ("src/storage/mod.rs", "src/storage/pool.rs", ""),
        ("src/storage/pool.rs", "src/storage/mod.rs", ""),
        ("src/storage/mod.rs", "src/storage/memory.rs", ""),
        ("src/storage/memory.rs", "src/storage/mod.rs", ""),
    }


def test_calls_through_module_paths() -> None:
    """`crate::util::tools::fmt_it()`, `net::client::connect()` (a module the file declares),
    `super::up()`, `self::client::connect()` and `client::Client::new()` (a module bound by
    `use`, then a type in it) reach their definitions; `std::mem::swap` reaches nothing."""
    repo = index_repo(
        {
            "src/lib.rs": """
                mod net;
                mod util;
                use self::net::client;
                pub fn run() {
                    net::client::connect();
                    crate::util::tools::fmt_it();
                    client::Client::new();
                    std::mem::swap(&mut a, &mut b);
                }
                """,
            "src/net/mod.rs": "pub mod client;\npub fn up() { self::client::connect(); }\n",
            "src/net/client.rs": """
                pub struct Client;
                impl Client { pub fn new() -> Self { Client } }
                pub fn connect() { super::up(); }
                pub fn swap() {}
                """,
            "src/util/mod.rs": "pub mod tools;\n",
            "src/util/tools.rs": "pub fn fmt_it() {}\n",
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/lib.rs|Function:run", "src/net/client.rs|Function:connect", "import"),
        ("src/lib.rs|Function:run", "src/util/tools.rs|Function:fmt_it", "import"),
        ("src/lib.rs|Function:run", "src/net/client.rs|Method:Client.new", "import"),
        ("src/net/mod.rs|Function:up", "src/net/client.rs|Function:connect", "import"),
        ("src/net/client.rs|Function:connect", "src/net/mod.rs|Function:up", "import"),
    }


def test_self_and_super_paths_in_calls_start_where_the_call_is() -> None:
    """In an inline `mod tests`, `super::helper()` is the file's own function, as `use super::*`
    is; `self::inner()` is the inline module's; `super::super::top()` climbs past the file to
    the crate root. A method's `self::helper()` is the module's function, not a method."""
    repo = index_repo(
        {
            "src/lib.rs": "pub mod util;\npub fn top() {}\npub fn helper() {}\n",
            "src/util.rs": """
                pub fn helper() -> u32 { 1 }
                pub struct S;
                impl S {
                    pub fn new() -> S { self::helper(); S }
                    fn helper(&self) {}
                }
                mod tests {
                    fn t() { super::helper(); super::super::top(); self::inner(); }
                    fn inner() {}
                    mod deeper {
                        fn d() { super::inner(); super::super::helper(); }
                    }
                }
                """,
        }
    )
    util = "src/util.rs|Function:"
    assert repo.edge_set("CALLS") == {
        ("src/util.rs|Method:S.new", f"{util}helper", "import"),
        (f"{util}tests.t", f"{util}helper", "import"),
        (f"{util}tests.t", "src/lib.rs|Function:top", "import"),
        (f"{util}tests.t", f"{util}tests.inner", "import"),
        (f"{util}tests.deeper.d", f"{util}tests.inner", "import"),
        (f"{util}tests.deeper.d", f"{util}helper", "import"),
    }


def test_a_call_on_the_crate_root_is_never_guessed_into_a_method() -> None:
    """`crate::process()` is the crate root's function, not the one method named process."""
    repo = index_repo(
        {
            "src/lib.rs": "mod a;\npub fn process() {}\n",
            "src/worker.rs": "pub struct Worker;\nimpl Worker { pub fn process(&self) {} }\n",
            "src/a.rs": "pub fn g() { crate::process(); }\n",
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/a.rs|Function:g", "src/lib.rs|Function:process", "import"),
    }


WORKSPACE = {
    "Cargo.toml": '[workspace]\nmembers = ["crates/searcher", "crates/printer"]\n',
    "crates/searcher/Cargo.toml": '[package]\nname = "grep-searcher"\nedition = "2021"\n',
    "crates/searcher/src/lib.rs": "mod searcher;\npub use crate::searcher::Searcher;\n",
    "crates/searcher/src/searcher.rs": """
        pub struct Searcher;
        impl Searcher {
            pub fn new() -> Searcher { Searcher }
        }
        pub fn search_all() {}
        """,
    "crates/printer/Cargo.toml": """
        [package]
        name = "grep-printer"

        [dependencies]
        grep-searcher = { path = "../searcher" }
        """,
    "crates/printer/src/lib.rs": """
        use grep_searcher::Searcher;

        pub fn print() {
            Searcher::new();
            grep_searcher::searcher::search_all();
            regex::Regex::new();
        }
        """,
}


def test_another_crate_of_the_workspace_is_found_by_its_name() -> None:
    """`use grep_searcher::Searcher` reaches crates/searcher (the package `grep-searcher`),
    through its lib.rs's `pub use`, and so does a full path; a crate from crates.io stays
    outside."""
    repo = index_repo(WORKSPACE)
    assert repo.edge_set("CALLS") == {
        ("crates/printer/src/lib.rs|Function:print",
         "crates/searcher/src/searcher.rs|Method:Searcher.new", "import"),
        ("crates/printer/src/lib.rs|Function:print",
         "crates/searcher/src/searcher.rs|Function:search_all", "import"),
    }  # fmt: skip


def test_a_call_on_a_declared_receiver_is_looked_up_in_its_type() -> None:
    """Parameters (`p: &mut Searcher`), `let` bindings (`let y = Searcher::new()`), struct
    fields through `self` and `Arc<T>`, which method calls see through, say the receiver's
    type; a bare name is never a struct field (`if let Some(stats) = ...` is a local). A
    library's type (`Vec<u8>`) gets no guess."""
    repo = index_repo(
        {
            "Cargo.toml": '[package]\nname = "app"\n',
            "src/lib.rs": "pub mod a;\npub mod s;\n",
            "src/a.rs": """
                pub struct Searcher;
                impl Searcher {
                    pub fn new() -> Searcher { Searcher }
                    pub fn search(&self) {}
                }
                pub struct Sink;
                impl Sink {
                    pub fn search(&self) {}
                    pub fn purge(&self) {}
                    pub fn drain(&self) {}
                }
                """,
            "src/s.rs": """
                use std::sync::Arc;
                use crate::a::{Searcher, Sink};
                pub struct S {
                    inner: Searcher,
                    stats: Option<u64>,
                }
                impl S {
                    fn m(&self, p: &mut Searcher, shared: Arc<Sink>, v: Vec<u8>) {
                        self.inner.search();
                        p.search();
                        shared.purge();
                        let y = Searcher::new();
                        y.search();
                        v.search();
                        if let Some(stats) = self.stats { stats.drain(); }
                    }
                }
                """,
        }
    )
    m = "src/s.rs|Method:S.m"
    assert repo.edge_set("CALLS") == {
        (m, "src/a.rs|Method:Searcher.search", "type"),
        (m, "src/a.rs|Method:Sink.purge", "type"),
        (m, "src/a.rs|Method:Searcher.new", "import"),
        (m, "src/a.rs|Method:Sink.drain", "unique_name"),  # a local of unknown type
    }


CALL_RESULT_FILES = {
    "Cargo.toml": '[package]\nname = "shop"\n',
    "src/lib.rs": """
        pub mod net;

        pub struct Client;

        impl Client {
            pub fn build() -> Self { Client }
            pub fn open(&self) -> Result<net::Session, String> { Ok(net::Session) }
            pub fn get(&self) {}
        }

        pub fn connect() -> Client { Client }
        """,
    "src/net.rs": """
        pub struct Session;

        impl Session {
            pub fn close(&self) {}
        }

        pub fn dial() -> Option<Box<Session>> { None }
        """,
    "src/main.rs": """
        use shop::{connect, Client};
        use shop::net;

        fn main() {
            let c = connect();
            c.get();
            let s = c.open()?;
            s.close();
        }

        fn other() {
            let b = Client::build();
            b.get();
            let d = net::dial()?;
            d.close();
        }
        """,
}


def test_a_let_set_from_a_call_has_the_type_its_function_returns() -> None:
    """`let c = connect()` has the type connect returns, `let s = c.open()?` the Session
    inside Client::open's `Result` (`Option<Box<..>>` too), and `-> Self` is the impl's
    type (`Client::build()`)."""
    repo = index_repo(CALL_RESULT_FILES)
    assert [(d.qualified_name, d.returns) for d in repo.extractions["src/lib.rs"].definitions
            if d.returns] == [("Client.build", "Self"), ("Client.open", "net::Session"),
                              ("connect", "Client")]  # fmt: skip
    main, other = "src/main.rs|Function:main", "src/main.rs|Function:other"
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        (main, "src/lib.rs|Method:Client.get", "type"),
        (main, "src/lib.rs|Method:Client.open", "type"),
        (main, "src/net.rs|Method:Session.close", "type"),
        (other, "src/lib.rs|Method:Client.get", "type"),
        (other, "src/net.rs|Method:Session.close", "type"),
    }


def test_if_let_and_match_arms_bind_what_some_or_ok_holds() -> None:
    """`if let Some(x) = s.find()`, `while let Some(z) = ...` and a `match` arm's `Ok(y)`
    bind the type the callee's `Option`/`Result` holds; `Err(e)` binds no Query."""
    repo = index_repo(
        {
            "src/main.rs": """
                struct Query;
                impl Query { fn run(&self) {} fn go(&self) {} fn stop(&self) {} }
                struct Other;
                impl Other { fn run(&self) {} fn go(&self) {} fn stop(&self) {} }
                struct S;
                impl S {
                    fn find(&self) -> Option<Query> { None }
                    fn open(&self) -> Result<Query, E> { todo!() }
                }
                fn f(s: &S) {
                    if let Some(x) = s.find() { x.run(); }
                    match s.open() { Ok(y) => y.go(), Err(e) => e.stop() }
                    while let Some(z) = s.find() { z.stop(); }
                }
                """,
        }
    )
    reached = {
        (e.dst_key.rpartition("|")[2], e.props["resolution"], e.props["count"])
        for e in repo.edges
        if e.type == "CALLS" and "Query." in e.dst_key
    }
    assert reached == {
        ("Method:Query.run", "type", 1),
        ("Method:Query.go", "type", 1),
        ("Method:Query.stop", "type", 1),
    }
