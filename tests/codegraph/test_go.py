"""Go extraction and resolution: packages by directory, go.mod import paths, receivers."""

from __future__ import annotations

from activities.codegraph.branch_resolution import parse_go_mod
from tests.codegraph.sample_repo import index_repo

GO_MODULES = {"": "github.com/acme/shop"}

FILES = {
    "store/store.go": """
        package store

        import (
        \t"errors"
        \t"sync"
        )

        type Store interface {
        \tGet(id string) (Item, error)
        }

        type Item struct{ ID string }

        type MemStore struct {
        \tsync.Mutex
        \titems map[string]Item
        }

        func (m *MemStore) Get(id string) (Item, error) {
        \tm.Lock()
        \tdefer m.Unlock()
        \treturn m.lookup(id)
        }
        """,
    "store/lookup.go": """
        package store

        func (m *MemStore) lookup(id string) (Item, error) {
        \tif it, ok := m.items[id]; ok {
        \t\treturn it, nil
        \t}
        \treturn Item{}, notFound(id)
        }

        func notFound(id string) error { return errors.New("not found: " + id) }
        """,
    "api/server.go": """
        package api

        import (
        \t"fmt"
        \tst "github.com/acme/shop/store"
        )

        type Server struct {
        \t*st.MemStore
        \tname string
        }

        func New() *Server { return &Server{MemStore: &st.MemStore{}} }

        func (s *Server) Handle(id string) string {
        \titem, _ := s.Get(id)
        \treturn fmt.Sprint(item)
        }
        """,
}


def test_definitions_structs_interfaces_methods() -> None:
    """Struct and interface types (with the methods interfaces declare), functions, and methods
    named after their receiver type."""
    repo = index_repo(FILES, GO_MODULES)
    assert repo.defs("store/store.go") == [
        ("Interface", "Store", 8, 10),
        ("Method", "Store.Get", 9, 9),  # declared by the interface
        ("Struct", "Item", 12, 12),
        ("Struct", "MemStore", 14, 17),
        ("Method", "MemStore.Get", 19, 23),
    ]
    assert repo.defs("store/lookup.go") == [
        ("Method", "MemStore.lookup", 3, 8),
        ("Function", "notFound", 10, 10),
    ]
    assert repo.extractions["api/server.go"].package == "api"


def test_imports_with_aliases() -> None:
    """Import specs keep the path and the alias."""
    repo = index_repo(FILES, GO_MODULES)
    assert repo.imports("api/server.go") == [
        ("fmt", None, None),
        ("github.com/acme/shop/store", None, "st"),
    ]


def test_calls_resolve_within_package_and_through_receivers() -> None:
    """Receiver variables act as self, same-package files see each other, embedding is followed."""
    calls = index_repo(FILES, GO_MODULES).edge_set("CALLS")
    assert calls == {
        ("store/store.go|Method:MemStore.Get", "store/lookup.go|Method:MemStore.lookup",
         "scope"),
        ("store/lookup.go|Method:MemStore.lookup", "store/lookup.go|Function:notFound", "scope"),
        ("api/server.go|Method:Server.Handle", "store/store.go|Method:MemStore.Get", "scope"),
    }  # fmt: skip


def test_embedding_is_inheritance_and_imports_reach_package_files() -> None:
    """An embedded struct from another package resolves through go.mod; stdlib is a Module."""
    repo = index_repo(FILES, GO_MODULES)
    assert repo.edge_set("INHERITS") == {
        ("api/server.go|Struct:Server", "store/store.go|Struct:MemStore", "import"),
    }
    assert repo.edge_set("IMPORTS") == {
        ("api/server.go", "module:fmt", ""),
        ("api/server.go", "store/lookup.go", ""),
        ("api/server.go", "store/store.go", ""),
        ("store/store.go", "module:errors", ""),
        ("store/store.go", "module:sync", ""),
    }


def test_import_paths_resolve_without_go_mod_by_directory_suffix() -> None:
    """Without a known go.mod the package directory is matched as a suffix of the import path."""
    repo = index_repo(FILES)
    assert ("api/server.go", "store/store.go", "") in repo.edge_set("IMPORTS")


def test_parse_go_mod_reads_the_module_path() -> None:
    """The module directive is found past comments and blank lines."""
    assert parse_go_mod("// c\n\nmodule github.com/acme/shop // x\n\ngo 1.22\n") == (
        "github.com/acme/shop"
    )
    assert parse_go_mod("go 1.22\n") is None


def test_bare_import_paths_match_directories_like_the_go_tree() -> None:
    """In a tree like the Go standard library (module `std`), `import "store"` is a directory."""
    files = {
        **FILES,
        "api/server.go": FILES["api/server.go"].replace("github.com/acme/shop/store", "store"),
    }
    repo = index_repo(files, {"": "std"})
    assert ("api/server.go", "store/store.go", "") in repo.edge_set("IMPORTS")
    assert ("api/server.go", "module:fmt", "") in repo.edge_set("IMPORTS")


def test_an_external_test_file_sorting_first_does_not_rename_the_package() -> None:
    """`util/a_test.go` declares `package util_test`; importers still call `util.Helper`."""
    files = {
        "util/a_test.go": "package util_test\n\nfunc TestHelper() {}\n",
        "util/util.go": "package util\n\nfunc Helper() int { return 1 }\n",
        "cmd/main.go": """
            package main

            import "github.com/acme/shop/util"

            func main() { util.Helper() }
        """,
    }
    assert index_repo(files, GO_MODULES).edge_set("CALLS") == {
        ("cmd/main.go|Function:main", "util/util.go|Function:Helper", "import"),
    }


def test_a_standard_library_import_is_not_a_namesake_directory_under_a_module() -> None:
    """Under module github.com/acme/shop, `import "errors"` is the standard library even
    though the repository has an errors/ directory; that one is imported by its module path."""
    files = {
        "errors/errors.go": "package errors\n\nfunc New(msg string) error { return nil }\n",
        "cmd/main.go": """
            package main

            import (
            \t"errors"
            \tapperr "github.com/acme/shop/errors"
            )

            func main() {
            \terrors.New("a")
            \tapperr.New("b")
            }
            """,
    }
    repo = index_repo(files, GO_MODULES)
    assert repo.edge_set("IMPORTS") == {
        ("cmd/main.go", "module:errors", ""),
        ("cmd/main.go", "errors/errors.go", ""),
    }
    calls = [e for e in repo.edges if e.type == "CALLS"]
    assert [(e.dst_key.rpartition("|")[2], e.props["count"]) for e in calls] == [
        ("Function:New", 1)
    ]


def test_named_types_over_other_types_own_their_methods() -> None:
    """`type Color int` (Go's enum idiom) and `type HandlerFunc func(int)` are definitions of
    kind Type; their methods belong to them, so two types' `name` methods do not collide."""
    files = {
        "color/color.go": """
            package color

            type Color int
            type Shade int
            type HandlerFunc func(int)

            func (c Color) String() string { return c.name() }
            func (c Color) name() string { return "" }
            func (s Shade) String() string { return s.name() }
            func (s Shade) name() string { return "" }
            func (f HandlerFunc) Serve(n int) { f(n) }
            """,
    }
    repo = index_repo(files, GO_MODULES)
    assert repo.defs("color/color.go")[:3] == [
        ("Type", "Color", 3, 3),
        ("Type", "Shade", 4, 4),
        ("Type", "HandlerFunc", 5, 5),
    ]
    assert ("Method", "HandlerFunc.Serve", 11, 11) in repo.defs("color/color.go")
    assert repo.edge_set("CALLS") == {
        ("color/color.go|Method:Color.String", "color/color.go|Method:Color.name", "scope"),
        ("color/color.go|Method:Shade.String", "color/color.go|Method:Shade.name", "scope"),
    }


def test_a_call_on_a_declared_receiver_is_looked_up_in_its_type() -> None:
    """Parameters, `var` declarations, struct fields read through the method's receiver
    (`s.db.Query()`) and `x := &T{}` say their type, whichever other type has a `Query`. A
    type the repository does not define (`*testing.T`, `sync.Mutex`) is never guessed into
    a namesake: `mu.Lock()` was drawn to net/http's `fakeLocker.Lock` 151 times."""
    repo = index_repo(
        {
            "store/db.go": """
                package store

                type DB struct{}

                func (d *DB) Query() {}

                type Cache struct{}

                func (c *Cache) Query() {}

                type fakeLocker struct{}

                func (fakeLocker) Lock() {}
                """,
            "app/app.go": """
                package app

                import (
                \t"sync"

                \t"example.com/app/store"
                )

                type Server struct {
                \tdb *store.DB
                }

                func (s *Server) Run(c *store.Cache, mu *sync.Mutex) {
                \ts.db.Query()
                \tc.Query()
                \tvar d store.DB
                \td.Query()
                \tx := &store.Cache{}
                \tx.Query()
                \tmu.Lock()
                }
                """,
        },
        go_modules={"": "example.com/app"},
    )
    run = "app/app.go|Method:Server.Run"
    assert repo.edge_set("CALLS") == {
        (run, "store/db.go|Method:DB.Query", "type"),
        (run, "store/db.go|Method:Cache.Query", "type"),
    }


CALL_RESULT_FILES = {
    "store/store.go": """
        package store

        type Store interface {
        \tGet(id string) string
        }

        type DB struct{}

        func Open(path string) (*DB, error) { return &DB{}, nil }

        func (d *DB) Query() *Rows { return &Rows{} }

        func (d *DB) Get(id string) string { return id }

        type Rows struct{}

        func (r *Rows) Next() bool { return false }

        func (r *Rows) Close() {}
        """,
    "store/cache.go": """
        package store

        type Cache struct{}

        func NewCache() *Cache { return &Cache{} }

        func (c *Cache) Get(id string) string { return id }

        func (c *Cache) Close() {}
        """,
    "app/app.go": """
        package app

        import "example.com/app/store"

        func newStore() store.Store { return &store.DB{} }

        func Run() {
        \tdb, err := store.Open("x")
        \tif err != nil {
        \t\treturn
        \t}
        \trows := db.Query()
        \tfor rows.Next() {
        \t}
        \trows.Close()
        \tc := store.NewCache()
        \tc.Get("a")
        \ts := newStore()
        \ts.Get("b")
        \tw := strings.NewReader("y")
        \tw.Close()
        }
        """,
    # newStore's result is spelled through app.go's import: other.go never spells it.
    "app/other.go": """
        package app

        func Other() {
        \ts := newStore()
        \ts.Get("z")
        }
        """,
    "cmd/main.go": """
        package main

        import (
        \t"example.com/app/app"
        \t"example.com/app/store"
        )

        func main() {
        \tapp.Run()
        \tc := store.NewCache()
        \tdefer c.Close()
        }
        """,
}


def test_a_name_set_from_a_call_has_the_type_its_callee_returns() -> None:
    """`db, err := store.Open()` has the type Open declares as its first result (`*DB`),
    looked up from Open's own file; `rows := db.Query()` the result of DB.Query, through
    db's; an interface result (`store.Store`) reaches the interface's method. A callee of a
    library (`strings.NewReader`) says nothing: the call is looked up as before, and never
    guessed into the branch's Close of two types."""
    repo = index_repo(CALL_RESULT_FILES, go_modules={"": "example.com/app"})
    assert [(d.qualified_name, d.returns) for d in repo.extractions["store/store.go"].definitions
            if d.returns] == [("Open", "DB"), ("DB.Query", "Rows")]  # fmt: skip
    run, other, main = "app/app.go|Function:Run", "app/other.go|Function:Other", "cmd/main.go"
    assert repo.edge_set("CALLS") == {
        (other, "app/app.go|Function:newStore", "package"),
        (other, "store/store.go|Method:Store.Get", "type"),
        (f"{main}|Function:main", "app/app.go|Function:Run", "import"),
        (f"{main}|Function:main", "store/cache.go|Function:NewCache", "import"),
        (f"{main}|Function:main", "store/cache.go|Method:Cache.Close", "type"),
        (run, "store/store.go|Function:Open", "import"),
        (run, "store/store.go|Method:DB.Query", "type"),
        (run, "store/store.go|Method:Rows.Next", "type"),
        (run, "store/store.go|Method:Rows.Close", "type"),
        (run, "store/cache.go|Function:NewCache", "import"),
        (run, "store/cache.go|Method:Cache.Get", "type"),
        (run, "app/app.go|Function:newStore", "scope"),
        (run, "store/store.go|Method:Store.Get", "type"),
    }


def test_sync_primitives_are_never_guessed() -> None:
    """`conn.mu.Lock()` on a receiver of unknown type is a `sync.Mutex`'s, not net/http's
    test `fakeLocker.Lock` (151 such sites)."""
    repo = index_repo(
        {
            "http/fake.go": """
                package http

                type fakeLocker struct{}

                func (fakeLocker) Lock() {}
                """,
            "http/conn.go": """
                package http

                func closeAll(conns []*conn) {
                \tfor _, c := range conns {
                \t\tc.mu.Lock()
                \t}
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == set()


FIELD_FILES = {
    "store/types.go": """
        package store

        import "example.com/app/db"

        type Store struct {
        \tconn *db.Conn
        \tname string
        }
        """,
    "store/methods.go": """
        package store

        func (s *Store) Get() {
        \ts.conn.Query()
        }
        """,
    "db/db.go": """
        package db

        type Conn struct{}

        func (c *Conn) Query() {}

        type Cache struct{}

        func (c *Cache) Query() {}

        type Resp struct {
        \tBody *Conn
        }

        func Get() *Resp { return nil }
        """,
    "app/app.go": """
        package app

        import "example.com/app/db"

        func Run() {
        \tres := db.Get()
        \tres.Body.Query()
        }
        """,
}


def test_a_call_through_a_field_declared_in_another_file_reaches_the_fields_type() -> None:
    """`s.conn.Query()` in a method of a struct another file of the package declares, and
    `res.Body.Query()` on a call's result, reach Conn.Query: the field's type is read where
    the field is declared (`FileExtraction.fields`), not guessed among two `Query`s."""
    repo = index_repo(FIELD_FILES, go_modules={"": "example.com/app"})
    assert repo.extractions["store/types.go"].fields == (
        ("Store", "conn", "db.Conn"),
        ("Store", "name", "string"),
    )
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        ("store/methods.go|Method:Store.Get", "db/db.go|Method:Conn.Query", "type"),
        ("app/app.go|Function:Run", "db/db.go|Method:Conn.Query", "type"),
    }


EMBEDDED_FILES = {
    "key/types.go": """
        package key

        import "example.com/app/num"

        type PublicKey struct{ N *num.Int }

        type PrivateKey struct {
        \tPublicKey
        \tD *num.Int
        }

        type Wrapped struct {
        \t*PrivateKey
        \tnum.Other
        }

        func Parse() *PrivateKey { return nil }
        """,
    "key/use.go": """
        package key

        func use(w *Wrapped) {
        \tpriv := Parse()
        \tpriv.PublicKey.N.Cmp()
        \tw.PrivateKey.D.Cmp()
        \tw.Other.Cmp()
        }
        """,
    "num/num.go": """
        package num

        type Int struct{}

        func (i *Int) Cmp() {}

        type Other struct{}

        func (o *Other) Cmp() {}
        """,
}


def test_an_embedded_struct_is_a_field_named_after_its_type() -> None:
    """`priv.PublicKey.N` reads the embedded PublicKey by its type's name, also one embedded
    by pointer or from another package (`w.Other`)."""
    repo = index_repo(EMBEDDED_FILES, go_modules={"": "example.com/app"})
    fields = repo.extractions["key/types.go"].fields
    assert ("PrivateKey", "PublicKey", "PublicKey") in fields
    assert ("Wrapped", "PrivateKey", "PrivateKey") in fields
    assert ("Wrapped", "Other", "num.Other") in fields
    calls = [(c.line, c.receiver_type) for c in repo.extractions["key/use.go"].calls]
    assert calls[1:] == [
        (5, "()Parse#PublicKey#N"),
        (6, "Wrapped#PrivateKey#D"),
        (7, "Wrapped#Other"),
    ]
    reached = {dst for src, dst, how in repo.edge_set("CALLS") if how == "type"}
    assert reached == {"num/num.go|Method:Int.Cmp", "num/num.go|Method:Other.Cmp"}
    counts = {
        e.dst_key.rpartition("|")[2]: e.props["count"] for e in repo.edges if e.type == "CALLS"
    }
    assert counts["Method:Int.Cmp"] == 2


def test_a_range_variable_has_the_element_type_of_what_it_ranges_over() -> None:
    """`for _, t := range tasks` over `[]*Task` calls Task's Run, not Job's namesake; a
    struct's slice field, a map's values, `make([]*Job, n)` and `[]Task{}` too. A single
    range variable is the index or key: no type."""
    repo = index_repo(
        {
            "jobs/jobs.go": """
                package jobs

                type Task struct{}

                func (t *Task) Run() {}

                type Job struct{}

                func (j *Job) Run() {}

                type Queue struct {
                    pending []*Task
                    byName  map[string]*Job
                }

                func (q *Queue) Drain(tasks []*Task) {
                    for _, t := range tasks {
                        t.Run()
                    }
                    for _, p := range q.pending {
                        p.Run()
                    }
                    for name, j := range q.byName {
                        j.Run()
                        _ = name
                    }
                    made := make([]*Job, 0)
                    for _, m := range made {
                        m.Run()
                    }
                    listed := []Task{}
                    for _, l := range listed {
                        l.Run()
                    }
                    for i := range tasks {
                        i.Run()
                    }
                }
            """,
        },
        go_modules={"": "example.com/app"},
    )
    assert [(c.receiver, c.receiver_type) for c in repo.extractions["jobs/jobs.go"].calls
            if c.name == "Run"] == [
        ("t", "Task"), ("p", "Task"), ("j", "Job"), ("m", "Job"), ("l", "Task"), ("i", None),
    ]  # fmt: skip
    drain = "jobs/jobs.go|Method:Queue.Drain"
    assert repo.edge_set("CALLS") == {
        (drain, "jobs/jobs.go|Method:Task.Run", "type"),
        (drain, "jobs/jobs.go|Method:Job.Run", "type"),
    }


def test_a_range_over_another_files_field_or_a_result_has_its_element_type() -> None:
    """`for _, t := range q.pending` in a method whose struct is declared in another file of
    the package ranges over `[]*Task`: t.Run() is Task's, not Job's namesake. So is a range
    over a function's result `[]*Job` or `([]Task, error)`, directly or through a local set
    from it, and over a field of a value of another package's type."""
    repo = index_repo(
        {
            "jobs/types.go": """
                package jobs

                type Task struct{}

                func (t *Task) Run() {}

                type Job struct{}

                func (j *Job) Run() {}

                type Queue struct {
                    pending []*Task
                    Jobs    []*Job
                }

                func Load() []*Job { return nil }

                func Tasks() ([]Task, error) { return nil, nil }
            """,
            "jobs/drain.go": """
                package jobs

                func (q *Queue) Drain() {
                    for _, t := range q.pending {
                        t.Run()
                    }
                }

                func Results() {
                    for _, j := range Load() {
                        j.Run()
                    }
                    tasks, _ := Tasks()
                    for _, t := range tasks {
                        t.Run()
                    }
                }
            """,
            "app/app.go": """
                package app

                import "example.com/app/jobs"

                func Run(q *jobs.Queue) {
                    for _, j := range q.Jobs {
                        j.Run()
                    }
                }
            """,
        },
        go_modules={"": "example.com/app"},
    )
    assert [c.receiver_type for c in repo.extractions["jobs/drain.go"].calls
            if c.name == "Run"] == [
        "in (Queue#pending)", "in (()Load)", "in (()Tasks)",
    ]  # fmt: skip
    assert {(s, t) for s, t, how in repo.edge_set("CALLS") if t.endswith(".Run")} == {
        ("jobs/drain.go|Method:Queue.Drain", "jobs/types.go|Method:Task.Run"),
        ("jobs/drain.go|Function:Results", "jobs/types.go|Method:Job.Run"),
        ("jobs/drain.go|Function:Results", "jobs/types.go|Method:Task.Run"),
        ("app/app.go|Function:Run", "jobs/types.go|Method:Job.Run"),
    }
    assert {how for _, t, how in repo.edge_set("CALLS") if t.endswith(".Run")} == {"type"}


def test_type_assertions_and_type_switches_type_their_names() -> None:
    """net/http's `hj, ok := w.(Hijacker)`, `y := x.(*Foo)`, a type switch's `v` in a case
    of one type (not in `case A, B:`, where it keeps the switched type), and a receiver
    asserted in place (`x.(*Foo).Close()`), and one made by `new(Bar)`. `Close` is defined
    twice, so only the types reach it."""
    repo = index_repo(
        {
            "types.go": """
                package shop

                type Foo struct{}
                func (f *Foo) Close() {}

                type Bar struct{}
                func (b Bar) Close() {}
                """,
            "run.go": """
                package shop

                func run(x any) {
                    y := x.(*Foo)
                    y.Close()
                    if b, ok := x.(Bar); ok {
                        b.Close()
                    }
                    switch v := x.(type) {
                    case *Foo:
                        v.Close()
                    case Bar:
                        v.Close()
                    case int, string:
                        v.Close()
                    }
                    x.(*Foo).Close()
                    new(Bar).Close()
                }
                """,
        },
        go_modules=GO_MODULES,
    )
    calls = repo.extractions["run.go"].calls
    assert [c.receiver_type for c in calls if c.name == "Close"] == [
        "Foo", "Bar", "Foo", "Bar", None, "Foo", "Bar",
    ]  # fmt: skip
    assert {t for s, t, how in repo.edge_set("CALLS") if how == "type"} == {
        "types.go|Method:Foo.Close",
        "types.go|Method:Bar.Close",
    }
