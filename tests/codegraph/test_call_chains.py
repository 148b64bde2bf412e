"""Calls made on another call's result (`s.query().filter().run()`, `new Foo().run()`) are
looked up in the type that call returns, link by link down the chain."""

from __future__ import annotations

from typing import Any

import pytest

from activities.codegraph.receiver_types import ELSE, MAX_LINKS, RESULT, result_type
from activities.codegraph.resolve import Resolver
from tests.codegraph.sample_repo import index_repo

# Each sample defines `Query.filter` (returning a Query) and `Query.run` beside an `Other`
# with methods of the same names, so no guess by name could pick either: only the type each
# call returns reaches them. `main` makes the chain from a typed receiver, and starts one
# from a function's result or a new object.
SAMPLES = {
    "python": {
        "lib/query.py": """
            class Query:
                def filter(self) -> "Query":
                    return self

                def run(self) -> None:
                    pass


            class Other:
                def filter(self):
                    pass

                def run(self):
                    pass
            """,
        "lib/session.py": """
            from lib.query import Query


            class Session:
                def query(self) -> Query:
                    return Query()


            def open_session() -> Session:
                return Session()
            """,
        "app.py": """
            from lib.session import Session, open_session


            def main(s: Session):
                s.query().filter().run()
                open_session().query().run()
                Session().query().filter()
            """,
    },
    "java": {
        "src/lib/Query.java": """
            package lib;
            public class Query {
              public Query filter() { return this; }
              public void run() {}
            }
            class Other {
              Other filter() { return this; }
              void run() {}
            }
            """,
        "src/lib/Session.java": """
            package lib;
            public class Session {
              public Query query() { return new Query(); }
              public static Session open() { return new Session(); }
            }
            """,
        "src/app/Main.java": """
            package app;
            import lib.Session;
            class Main {
              void main(Session s) {
                s.query().filter().run();
                Session.open().query().run();
                new Session().query().filter();
              }
            }
            """,
    },
    "go": {
        "chain/lib/query.go": """
            package lib
            type Query struct{}
            func (q *Query) Filter() *Query { return q }
            func (q *Query) Run() {}
            type Other struct{}
            func (o *Other) Filter() *Other { return o }
            func (o *Other) Run() {}
            type Session struct{}
            func (s *Session) Query() *Query { return &Query{} }
            func Open() *Session { return &Session{} }
            """,
        "chain/app/main.go": """
            package app
            import "example.com/app/chain/lib"
            func main(s *lib.Session) {
                s.Query().Filter().Run()
                lib.Open().Query().Run()
            }
            """,
    },
    "typescript": {
        "src/query.ts": """
            export class Query {
              filter(): Query { return this; }
              run(): void {}
            }
            export class Other {
              filter(): Other { return this; }
              run(): void {}
            }
            """,
        "src/session.ts": """
            import { Query } from "./query";
            export class Session {
              query(): Query { return new Query(); }
              static open(): Session { return new Session(); }
            }
            """,
        "src/app.ts": """
            import { Session } from "./session";
            export function main(s: Session) {
              s.query().filter().run();
              Session.open().query().run();
              new Session().query().filter();
            }
            """,
    },
    "rust": {
        "src/query.rs": """
            pub struct Query;
            impl Query {
                pub fn filter(&self) -> Query { Query }
                pub fn run(&self) {}
            }
            pub struct Other;
            impl Other {
                pub fn filter(&self) -> Other { Other }
                pub fn run(&self) {}
            }
            pub struct Session;
            impl Session {
                pub fn open() -> Self { Session }
                pub fn query(&self) -> Query { Query }
            }
            """,
        "src/main.rs": """
            mod query;
            use crate::query::Session;
            fn main(s: &Session) {
                s.query().filter().run();
                Session::open().query().run();
            }
            """,
    },
    "kotlin": {
        "src/lib/Query.kt": """
            package lib
            class Query {
                fun filter(): Query = this
                fun run() {}
            }
            class Other {
                fun filter(): Other = this
                fun run() {}
            }
            class Session {
                fun query(): Query = Query()
            }
            fun connect(): Session = Session()
            """,
        "src/app/Main.kt": """
            package app
            import lib.Session
            import lib.connect
            fun main(s: Session) {
                s.query().filter().run()
                connect().query().run()
                Session().query().filter()
            }
            """,
    },
    "csharp": {
        "Lib/Query.cs": """
            namespace Lib {
              public class Query {
                public Query Filter() { return this; }
                public void Run() {}
              }
              public class Other {
                public Other Filter() { return this; }
                public void Run() {}
              }
              public class Session {
                public Query Query() { return new Query(); }
                public static Session Open() { return new Session(); }
              }
            }
            """,
        "App/Main.cs": """
            using Lib;
            namespace App {
              class Main {
                void Run(Session s) {
                  s.Query().Filter().Run();
                  Session.Open().Query().Run();
                  new Session().Query().Filter();
                }
              }
            }
            """,
    },
    "php": {
        "src/Query.php": """
            <?php
            namespace Lib;
            class Query {
                public function filter(): Query { return $this; }
                public function run(): void {}
            }
            class Other {
                public function filter(): Other { return $this; }
                public function run(): void {}
            }
            """,
        "src/Session.php": """
            <?php
            namespace Lib;
            class Session {
                public function query(): Query { return new Query(); }
                public static function open(): Session { return new Session(); }
            }
            """,
        "app/main.php": """
            <?php
            namespace App;
            use Lib\\Session;
            function main(Session $s) {
                $s->query()->filter()->run();
                Session::open()->query()->run();
                (new Session())->query()->filter();
            }
            """,
    },
}

# The caller in each sample, and the methods its chains reach: Query's filter and run, and
# Session's query.
REACHED = {
    "python": ("app.py|Function:main", "lib/query.py|Method:Query.filter",
               "lib/query.py|Method:Query.run", "lib/session.py|Method:Session.query"),
    "java": ("src/app/Main.java|Method:Main.main", "src/lib/Query.java|Method:Query.filter",
             "src/lib/Query.java|Method:Query.run", "src/lib/Session.java|Method:Session.query"),
    "go": ("chain/app/main.go|Function:main", "chain/lib/query.go|Method:Query.Filter",
           "chain/lib/query.go|Method:Query.Run", "chain/lib/query.go|Method:Session.Query"),
    "typescript": ("src/app.ts|Function:main", "src/query.ts|Method:Query.filter",
                   "src/query.ts|Method:Query.run", "src/session.ts|Method:Session.query"),
    "rust": ("src/main.rs|Function:main", "src/query.rs|Method:Query.filter",
             "src/query.rs|Method:Query.run", "src/query.rs|Method:Session.query"),
    "kotlin": ("src/app/Main.kt|Function:main", "src/lib/Query.kt|Method:Query.filter",
               "src/lib/Query.kt|Method:Query.run", "src/lib/Query.kt|Method:Session.query"),
    "csharp": ("App/Main.cs|Method:Main.Run", "Lib/Query.cs|Method:Query.Filter",
               "Lib/Query.cs|Method:Query.Run", "Lib/Query.cs|Method:Session.Query"),
    "php": ("app/main.php|Function:main", "src/Query.php|Method:Query.filter",
            "src/Query.php|Method:Query.run", "src/Session.php|Method:Session.query"),
}  # fmt: skip


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_each_call_down_a_chain_reaches_the_method_of_the_type_the_call_before_returns(
    language: str,
) -> None:
    go_modules = {"": "example.com/app"} if language == "go" else None
    repo = index_repo(SAMPLES[language], go_modules=go_modules)
    caller, *methods = REACHED[language]
    reached = {(dst, how) for src, dst, how in repo.edge_set("CALLS") if src == caller}
    assert {(method, "type") for method in methods} <= reached
    assert not [dst for dst, _ in reached if "Other." in dst]


def test_a_receiver_typed_as_last_bound_else_as_first_keeps_both_down_the_chain() -> None:
    """`Wrapper w = gson.fromJson(...)` is typed by the call (a generic `T`, no type of the
    branch) else by the type written out: the call on `w.inner()` reads either."""
    repo = index_repo(
        {
            "src/Json.java": """
                class Json {
                  <T> T fromJson(String s) { return null; }
                }
                class Inner { void run() {} }
                class Other { void run() {} }
                class Wrapper { Inner inner() { return new Inner(); } }
                class Main {
                  void main(Json json) {
                    Wrapper w = json.fromJson("{}");
                    w.inner().run();
                  }
                }
                """,
        }
    )
    assert ("src/Json.java|Method:Main.main", "src/Json.java|Method:Inner.run", "type") in (
        repo.edge_set("CALLS")
    )


def test_a_long_chain_is_typed_through_max_links_calls_on_results_then_cut() -> None:
    """A builder chain of 12 calls: the first on a typed name, `MAX_LINKS` more on results;
    the rest are on an object of unknown type, and `step` is no unique name to guess."""
    chain = "b" + ".step()" * 12
    repo = index_repo(
        {
            "src/B.java": f"""
                class Builder {{ Builder step() {{ return this; }} }}
                class Other {{ void step() {{}} }}
                class Main {{ void main(Builder b) {{ {chain}; }} }}
                """,
        }
    )
    [edge] = [e for e in repo.edges if e.type == "CALLS"]
    assert edge.dst_key.endswith("|Method:Builder.step")
    assert edge.props == {"resolution": "type", "count": 1 + MAX_LINKS}


def test_a_call_on_an_untyped_result_is_still_guessed_by_a_unique_name() -> None:
    repo = index_repo(
        {
            "lib.py": """
                class Report:
                    def render_pdf(self):
                        pass
                """,
            "app.py": """
                def main(make):
                    make().build().render_pdf()
                """,
        }
    )
    assert ("app.py|Function:main", "lib.py|Method:Report.render_pdf", "unique_name") in (
        repo.edge_set("CALLS")
    )


@pytest.mark.parametrize(
    ("receiver", "name", "creates", "receiver_type", "expected"),
    [
        (None, "Foo", True, None, "Foo"),  # `new Foo()`
        ("net", "Client", True, None, "net.Client"),  # `new net.Client()`
        ("ns::", "Conn", True, None, "ns.Conn"),  # C++'s `new ns::Conn()`
        (None, "make", False, None, "()make"),
        ("pkg", "Open", False, None, "()pkg.Open"),
        ("net::", "Dial", False, None, "()net::Dial"),  # C++'s `net::Dial()`
        ("Op\\", "make", False, None, "()Op\\make"),  # PHP's `Op\make()`
        ("s", "query", False, "Session", "()s.query@Session"),
        ("?", "filter", False, "()s.query@Session", "()?.filter@()s.query@Session"),
        ("?", "filter", False, None, None),  # on an expression of unknown type
        ("@inner", "read", False, None, None),  # Ruby's instance variable: no `@` type
        ("w", "inner", False, f"()j.get@Json{ELSE}Wrapper",
         f"()w.inner@()j.get@Json{ELSE}()w.inner@Wrapper"),
        ("?", "step", False, "()?.step@" * MAX_LINKS + "Builder", None),
    ],
)  # fmt: skip
def test_what_a_call_returns_is_spelled_for_resolution_to_read(
    receiver: str | None,
    name: str,
    creates: bool,
    receiver_type: str | None,
    expected: str | None,
) -> None:
    assert result_type(receiver, name, creates, receiver_type) == expected


def test_unwrapping_and_awaiting_keep_the_type_the_callee_declares() -> None:
    """Rust's `?` and `unwrap()` (of `Option<Query>`, `io::Result<Query>`), TypeScript's and
    Python's `await` of a declared `Promise<Query>` and Kotlin's `apply {}` leave a Query to
    call; an `Option`'s own method (`map`) on a call's result is never taken for Query's."""
    repo = index_repo(
        {
            "src/main.rs": """
                struct Query;
                impl Query {
                    fn run(&self) {}
                    fn map(&self) {}
                }
                struct Other;
                impl Other {
                    fn run(&self) {}
                    fn map(&self) {}
                }
                struct Session;
                impl Session {
                    fn find(&self) -> Option<Query> { None }
                    fn open(&self) -> io::Result<Query> { Ok(Query) }
                }
                fn main(s: &Session) -> io::Result<()> {
                    s.find().unwrap().run();
                    s.open()?.run();
                    s.find().map(|q| q);
                    Ok(())
                }
                """,
            "src/app.ts": """
                class Query { run(): void {} }
                class Other { run(): void {} }
                class Session { async find(): Promise<Query> { return new Query(); } }
                async function main(s: Session) { (await s.find()).run(); }
                """,
            "app.py": """
                class Query:
                    def run(self): pass

                class Other:
                    def run(self): pass

                class Session:
                    async def find(self) -> Query: ...

                async def main(s: Session):
                    (await s.find()).run()
                """,
            "src/Main.kt": """
                class Query {
                    fun run() {}
                }
                class Other {
                    fun run() {}
                }
                fun main() { Query().apply { }.run() }
                """,
        }
    )
    calls = {(src, dst) for src, dst, how in repo.edge_set("CALLS") if how == "type"}
    assert {
        ("src/main.rs|Function:main", "src/main.rs|Method:Query.run"),
        ("src/app.ts|Function:main", "src/app.ts|Method:Query.run"),
        ("app.py|Function:main", "app.py|Method:Query.run"),
        ("src/Main.kt|Function:main", "src/Main.kt|Method:Query.run"),
    } <= calls
    [rust_run] = [e for e in repo.edges if e.dst_key.endswith("src/main.rs|Method:Query.run")]
    assert rust_run.props["count"] == 2  # unwrapped by `unwrap()` and by `?`
    assert not [dst for _, dst, _ in repo.edge_set("CALLS") if dst.endswith((".map", "Other.run"))]


# A name set from a call on another call's result, then called on: `q` is a Query.
BOUND_FROM_CHAINS = {
    "bound/app.py": """
        class Query:
            def filter(self) -> "Query": return self
            def run(self): pass

        class Other:
            def run(self): pass

        class Session:
            def query(self) -> Query: return Query()
            def __init__(self, s: "Session"):
                self.kept = s.query().filter()

        def main(s: Session):
            q = s.query().filter()
            q.run()
            r = q.filter()
            r.run()
        """,
    "bound/main.rs": """
        struct Query;
        impl Query { fn run(&self) {} }
        struct Other;
        impl Other { fn run(&self) {} }
        struct Session;
        impl Session { fn find(&self) -> Option<Query> { None } }
        fn main(s: &Session) { let q = s.find().unwrap(); q.run(); }
        """,
    "bound/main.go": """
        package main
        type Query struct{}
        func (q *Query) Filter() *Query { return q }
        func (q *Query) Run() {}
        type Other struct{}
        func (o *Other) Run() {}
        type Session struct{}
        func (s *Session) Query() *Query { return &Query{} }
        func main(s *Session) { q := s.Query().Filter(); q.Run() }
        """,
    "bound/Main.java": """
        class Query { Query filter() { return this; } void run() {} }
        class Other { void run() {} }
        class Session { Query query() { return new Query(); } }
        class Main { void main(Session s) { var q = s.query().filter(); q.run(); } }
        """,
}


def test_a_name_set_from_a_call_on_a_calls_result_has_the_type_that_call_returns() -> None:
    repo = index_repo(BOUND_FROM_CHAINS)
    calls = {(src, dst) for src, dst, how in repo.edge_set("CALLS") if how == "type"}
    assert {
        ("bound/app.py|Function:main", "bound/app.py|Method:Query.run"),
        ("bound/main.rs|Function:main", "bound/main.rs|Method:Query.run"),
        ("bound/main.go|Function:main", "bound/main.go|Method:Query.Run"),
        ("bound/Main.java|Method:Main.main", "bound/Main.java|Method:Query.run"),
    } <= calls
    [python_run] = [e for e in repo.edges if e.dst_key.endswith("bound/app.py|Method:Query.run")]
    assert python_run.props["count"] == 2  # `q.run()`, and `r.run()` after `r = q.filter()`
    assert not [dst for _, dst, _ in repo.edge_set("CALLS") if "Other." in dst]


def test_the_call_site_a_name_is_set_from_never_leaves_the_extraction() -> None:
    """What stands for it until the chain is typed (`result_at`) is no type to another file:
    not in a field's type (`self.kept = s.query().filter()`), nor in a call's types."""
    repo = index_repo(BOUND_FROM_CHAINS)
    for fe in repo.extractions.values():
        spelled = [c.receiver_type for c in fe.calls]
        spelled += [hint for c in fe.calls for hint in c.arg_types or ()]
        spelled += [type_ for _, _, type_ in fe.fields]
        assert not [s for s in spelled if s and RESULT in s], fe.path


def test_rust_takes_what_a_declared_option_or_refcell_holds_out_of_it() -> None:
    """ripgrep's `self.line_term.unwrap().as_byte()` on an `Option<LineTerminator>` field and
    `self.wtr.borrow().total_count()` on a `RefCell<CounterWriter<W>>`; `as_ref()` keeps the
    Option, and a parameter's `Option<Query>` is read alike."""
    repo = index_repo(
        {
            "src/main.rs": """
                struct Query;
                impl Query { fn run(&self) {} }
                struct Other;
                impl Other { fn run(&self) {} }
                struct Holder {
                    query: Option<Query>,
                    cell: RefCell<Query>,
                }
                impl Holder {
                    fn go(&self) {
                        self.query.unwrap().run();
                        self.query.as_ref().unwrap().run();
                        self.cell.borrow().run();
                    }
                }
                fn main(q: Option<Query>) { q.expect("a query").run(); }
                """,
        }
    )
    runs = [e for e in repo.edges if e.type == "CALLS" and e.dst_key.endswith("Query.run")]
    assert {(e.src_key.rpartition("|")[2], e.props["count"]) for e in runs} == {
        ("Method:Holder.go", 3),
        ("Function:main", 1),
    }
    assert not [e for e in repo.edges if e.dst_key.endswith("Other.run")]


def test_kotlin_scope_functions_and_not_null_assertions_keep_the_type() -> None:
    """`s.find()?.let { it.run() }`, `q?.let { x -> x.go() }`, `s.find()?.also { q -> ... }`
    and `s.find()!!.stop()`: the lambda's parameter, and what `!!` asserts, is the Query."""
    repo = index_repo(
        {
            "src/M.kt": """
                class Query {
                    fun run() {}
                    fun go() {}
                    fun stop() {}
                }
                class Other {
                    fun run() {}
                    fun go() {}
                    fun stop() {}
                }
                class S {
                    fun find(): Query? = null
                }
                fun main(s: S, q: Query?) {
                    s.find()?.let { it.run() }
                    q?.let { x -> x.go() }
                    s.find()?.also { found -> found.go() }
                    s.find()!!.stop()
                }
                """,
        }
    )
    reached = {
        (e.dst_key.rpartition("|")[2], e.props["resolution"], e.props["count"])
        for e in repo.edges
        if e.type == "CALLS" and ("Query." in e.dst_key or "Other." in e.dst_key)
    }
    assert reached == {
        ("Method:Query.run", "type", 1),
        ("Method:Query.go", "type", 2),
        ("Method:Query.stop", "type", 1),
    }


FIELDS_OF_RESULTS = {
    "fields/q.py": """
        class Query:
            def run(self): pass
        class Other:
            def run(self): pass
        class Result:
            def __init__(self, q: Query):
                self.query = q
        class S:
            def fetch(self) -> Result: ...
        def main(s: S):
            s.fetch().query.run()
        """,
    "fields/a.ts": """
        class Query { run(): void {} }
        class Other { run(): void {} }
        class Result { query: Query; }
        class S { fetch(): Result { return new Result(); } }
        function main(s: S) { s.fetch().query.run(); }
        """,
    "fields/main.go": """
        package main
        type Query struct{}
        func (q *Query) Run() {}
        type Other struct{}
        func (o *Other) Run() {}
        type Result struct{ Query *Query }
        type S struct{}
        func (s *S) Fetch() *Result { return nil }
        func main(s *S) { s.Fetch().Query.Run() }
        """,
    "fields/Main.java": """
        class Query { void run() {} }
        class Other { void run() {} }
        class Result { Query query; }
        class S { Result fetch() { return null; } }
        class Main { void main(S s) { s.fetch().query.run(); new Result().query.run(); } }
        """,
    "fields/main.rs": """
        struct Query;
        impl Query { fn run(&self) {} }
        struct Other;
        impl Other { fn run(&self) {} }
        struct Found { query: Query }
        struct S;
        impl S { fn fetch(&self) -> Found { todo!() } }
        fn main(s: &S) { s.fetch().query.run(); }
        """,
    "fields/P.cs": """
        class Query { public void Run() {} }
        class Other { public void Run() {} }
        class Result { public Query Query; }
        class S { public Result Fetch() { return null; } }
        class P { void Main(S s) { s.Fetch().Query.Run(); } }
        """,
}


def test_a_call_on_a_field_of_a_calls_result_reaches_the_fields_type() -> None:
    """`s.fetch().query.run()`: the field `query` of what `fetch` returns, read where the
    field is declared."""
    repo = index_repo(FIELDS_OF_RESULTS)
    runs = {
        (e.src_key.partition("|main|")[2], e.props["resolution"], e.props["count"])
        for e in repo.edges
        if e.type == "CALLS" and e.dst_key.endswith(("Query.run", "Query.Run"))
    }
    assert runs == {
        ("fields/q.py|Function:main", "type", 1),
        ("fields/a.ts|Function:main", "type", 1),
        ("fields/main.go|Function:main", "type", 1),
        ("fields/Main.java|Method:Main.main", "type", 2),
        ("fields/main.rs|Function:main", "type", 1),
        ("fields/P.cs|Method:P.Main", "type", 1),
    }
    assert not [e for e in repo.edges if e.dst_key.endswith(("Other.run", "Other.Run"))]


# A call on a field the caller's file does not declare (`s.client.Do()`, with the struct or
# the base class in another file), and the fields of its result: `Resp.Done` and `Body.Close`
# beside an `Other` with both names, so only types reach them.
CALLED_ON_FIELDS = {
    "onfields/types.go": """
        package onfields
        type Body struct{}
        func (b *Body) Close() {}
        type Resp struct{ Body *Body }
        func (r *Resp) Done() {}
        type Other struct{}
        func (o *Other) Close() {}
        func (o *Other) Done() {}
        type Client struct{}
        func (c *Client) Do() *Resp { return nil }
        type Server struct{ client *Client }
        """,
    "onfields/serve.go": """
        package onfields
        func (s *Server) Serve() {
            r := s.client.Do()
            r.Done()
            r.Body.Close()
        }
        """,
    "onfields/lib.py": """
        class Body:
            def close(self) -> None:
                pass


        class Resp:
            def __init__(self) -> None:
                self.body = Body()

            def done(self) -> None:
                pass


        class Other:
            def close(self) -> None:
                pass

            def done(self) -> None:
                pass


        class Client:
            def send(self) -> Resp:
                return Resp()


        class Base:
            def __init__(self, client: Client) -> None:
                self.client = client
        """,
    "onfields/app.py": """
        from onfields.lib import Base


        class Server(Base):
            def serve(self):
                r = self.client.send()
                r.done()
                r.body.close()
        """,
}


def test_a_result_of_a_call_on_another_files_field_keeps_its_own_fields() -> None:
    """`r := s.client.Do()` is `()s.client.Do@(Server#client)`: what `Do` is called on is
    a field of `Server`, and `r.Body` a field of the result, not of the field."""
    repo = index_repo(CALLED_ON_FIELDS, go_modules={"": "example.com/app"})
    calls = repo.edge_set("CALLS")
    for caller, reached in [
        ("onfields/serve.go|Method:Server.Serve", ("Resp.Done", "Body.Close")),
        ("onfields/app.py|Method:Server.serve", ("Resp.done", "Body.close")),
    ]:
        types = caller.partition("|")[0].replace("serve.go", "types.go").replace("app.py", "lib.py")
        for method in reached:
            assert (caller, f"{types}|Method:{method}", "type") in calls
    assert not [dst for _, dst, _ in calls if "Other." in dst]


# A builder whose methods return `this`, some declared in a base class: each link is on the
# type the chain is on, the subclass (`SelectQueryBuilder`), not the class declaring the link.
RETURNING_THIS = {
    "this/qb.ts": """
        export class QueryBuilder {
          where(x: string): this { return this; }
          run(): void {}
        }
        export class SelectQueryBuilder extends QueryBuilder {
          orderBy(): this { return this; }
          limit(): void {}
        }
        export class Other {
          where(): Other { return this; }
          orderBy(): Other { return this; }
          limit(): void {}
          run(): void {}
        }
        export class Source {
          select(): SelectQueryBuilder { return new SelectQueryBuilder(); }
        }
        """,
    "this/app.ts": """
        import { Source } from "./qb";
        export function main(s: Source) {
          s.select().where("a").orderBy().limit();
          const q = s.select().where("b");
          q.run();
        }
        """,
}


def test_a_method_returning_this_returns_the_type_it_is_called_on() -> None:
    repo = index_repo(RETURNING_THIS)
    reached = {dst.rpartition(":")[2] for src, dst, how in repo.edge_set("CALLS")
               if src == "this/app.ts|Function:main" and how == "type"}  # fmt: skip
    assert reached == {
        "Source.select",
        "QueryBuilder.where",
        "SelectQueryBuilder.orderBy",
        "SelectQueryBuilder.limit",
        "QueryBuilder.run",
    }
    assert not [dst for _, dst, _ in repo.edge_set("CALLS") if "Other." in dst]


# A name set from a method call (`r = s.make()`, `sect := f.Sections[i]`) reads what it is
# called on as bound where the name is set, not where the name is used: `s` and `f` are
# bound again in between, or in each block.
BOUND_BEFORE_REBINDING = {
    "rb/lib.py": """
        class Foo:
            def run(self) -> None:
                pass


        class Other:
            def run(self) -> None:
                pass


        class A:
            def make(self) -> Foo:
                return Foo()

            def items(self) -> list[Foo]:
                return []


        class B:
            def make(self) -> Other:
                return Other()

            def items(self) -> list[Other]:
                return []
        """,
    "rb/app.py": """
        from rb.lib import A, B


        def made():
            s = A()
            r = s.make()
            s = B()
            r.run()


        def looped():
            s = A()
            for x in s.items():
                s = B()
                x.run()
        """,
    "rbgo/lib.go": """
        package rbgo
        type Foo struct{}
        func (f *Foo) Run() {}
        type Other struct{}
        func (o *Other) Run() {}
        type A struct{ Items []*Foo }
        type B struct{ Items []*Other }
        func OpenA() *A { return nil }
        func OpenB() *B { return nil }
        """,
    "rbgo/app.go": """
        package rbgo
        func blocks(useA bool) {
            if useA {
                f := OpenA()
                item := f.Items[0]
                item.Run()
            } else {
                f := OpenB()
                item := f.Items[0]
                item.Run()
            }
        }
        """,
}


def test_a_name_set_from_a_call_reads_its_receiver_as_bound_where_it_is_set() -> None:
    repo = index_repo(BOUND_BEFORE_REBINDING, go_modules={"": "example.com/app"})
    runs = {(src.rpartition(":")[2], dst.rpartition(":")[2]) for src, dst, how in
            repo.edge_set("CALLS") if dst.lower().endswith(".run") and how == "type"}  # fmt: skip
    assert runs == {
        ("made", "Foo.run"),
        ("looped", "Foo.run"),
        ("blocks", "Foo.Run"),
        ("blocks", "Other.Run"),
    }


def test_what_review_found_wrong_in_chains_stays_fixed() -> None:
    """Inputs a review of the chain typing turned up, each once wrong:
    - `import * as ns` is the module's names, never its default export's statics;
    - C#'s `new Lib.Options<int>()` keeps its namespace: not the `Options<T>` beside it;
    - a class named `Option<T>` in TypeScript is a class, not Rust's holder;
    - Rust's `Option<&'a Query>` holds a Query;
    - `as_ref()` of a type implementing `AsRef<Handle>` is no pass-through;
    - a use above the binding it reads (a function above a module's `q = ...`)."""
    repo = index_repo(
        {
            "src/x.ts": "export default class Widget { static debounce() {} }\n",
            "src/app.ts": 'import * as ns from "./x";\nexport function main() { ns.debounce(); }\n',
            "cs/Lib.cs": "namespace Lib { class Options<T> { public void Run() {} } }\n",
            "cs/P.cs": """
                namespace App {
                  class Options<T> { public void Run() {} }
                  class P { void M() { new Lib.Options<int>().Run(); } }
                }
                """,
            "src/option.ts": """
                export class Option<T> { map(x: number): void {} }
                export function main(o: Option<string>) { o.map(1); }
                """,
            "src/lib.rs": """
                struct Query;
                impl Query { fn launch(&self) {} fn map(&self) {} }
                struct Handle;
                impl Handle { fn close(&self) {} }
                struct Wrapper;
                impl Wrapper { fn close(&self) {} }
                impl AsRef<Handle> for Wrapper { fn as_ref(&self) -> &Handle { todo!() } }
                struct Cursor<'a> { cur: Option<&'a Query> }
                impl<'a> Cursor<'a> { fn go(&self) { self.cur.unwrap().launch(); } }
                struct S;
                impl S { fn find(&self) -> Option<Query> { None } }
                fn main(s: &S, w: &Wrapper) {
                    s.find().map(|q| q);
                    w.as_ref().close();
                }
                """,
            "late.py": """
                class Query:
                    def filter(self) -> "Query": return self
                    def run(self): pass
                class Other:
                    def run(self): pass
                class Session:
                    def query(self) -> Query: ...
                def later():
                    q.run()
                q = Session().query().filter()
                """,
        }
    )
    calls = {(src.rpartition("|")[2], dst) for src, dst, _ in repo.edge_set("CALLS")}
    assert ("Function:main", "src/x.ts|Method:Widget.debounce") not in calls
    assert ("Method:P.M", "cs/P.cs|Method:Options`1.Run") not in calls
    assert ("Function:main", "src/option.ts|Method:Option.map") in calls
    assert ("Method:Cursor.go", "src/lib.rs|Method:Query.launch") in calls
    assert ("Function:main", "src/lib.rs|Method:Query.map") not in calls
    assert ("Function:main", "src/lib.rs|Method:Wrapper.close") not in calls
    assert ("Function:later", "late.py|Method:Query.run") in calls


def test_what_the_second_review_found_wrong_stays_fixed() -> None:
    """Found by a review of the receiver-type spellings, each confirmed by running:
    - Rust: `unwrap()` on a name typed as last bound, else as first (`Option<B>||Option<A>`)
      took both out as one (`B>||Option<A`), so `x.unwrap().run()` reached nothing;
    - PHP: `$c = \\App\\make_client()` spelled its callee otherwise than its call site,
      so `$c->send()` reached nothing;
    - TypeScript's `this.#make()` and C#'s `svc.@event()` spelled `#` and `@` in a method's
      name, read as a field and as what the method is called on: now no type, as before,
      but by design."""
    repo = index_repo(
        {
            "Cargo.toml": '[package]\nname = "app"\n',
            "src/lib.rs": """
                pub struct A;
                impl A { pub fn run(&self) {} }
                pub struct B;
                impl B { pub fn run(&self) {} }
                pub fn f(a: Option<A>, b: Option<B>) {
                    let x: Option<A> = a;
                    x.unwrap().run();
                    let x: Option<B> = b;
                    x.unwrap().run();
                }
                """,
            "php/Lib.php": """
                <?php
                namespace App;
                class Client { public function send(): void {} }
                class Other { public function send(): void {} }
                function make_client(): Client { return new Client(); }
                """,
            "php/Use.php": """
                <?php
                namespace Web;
                function go() {
                    $c = \\App\\make_client();
                    $c->send();
                }
                """,
            "t/app.ts": """
                export class Foo { run(): void {} }
                export class Svc {
                  #make(): Foo { return new Foo(); }
                  go() {
                    this.#make().run();
                    const r = this.#make();
                    r.run();
                  }
                }
                """,
            "cs/Lib.cs": """
                namespace App {
                  public class Foo { public void Run() {} }
                  public class Svc {
                    public Foo @event() { return new Foo(); }
                    public void Go() { this.@event().Run(); }
                  }
                }
                """,
        }
    )
    calls = repo.edge_set("CALLS")
    assert ("src/lib.rs|Function:f", "src/lib.rs|Method:A.run", "type") in calls
    assert ("src/lib.rs|Function:f", "src/lib.rs|Method:B.run", "type") in calls
    assert ("php/Use.php|Function:go", "php/Lib.php|Method:Client.send", "type") in calls
    spelled = [
        c.receiver_type
        for path in ("t/app.ts", "cs/Lib.cs")
        for c in repo.extractions[path].calls
        if c.name in ("run", "Run")
    ]
    assert spelled == [None, None, None]


def test_a_field_of_a_result_of_a_call_on_a_loop_variable_over_a_field_is_typed() -> None:
    """`for k in self.kids: z = k.make(); z.body.close()`, `kids` a field of a base class in
    another file, reads four steps back: the field of a call's result, on an element of a
    field (`MAX_CHAINED`)."""
    repo = index_repo(
        {
            "deep/lib.py": """
                class Body:
                    def close(self) -> None:
                        pass


                class Other:
                    def close(self) -> None:
                        pass


                class Made:
                    def __init__(self) -> None:
                        self.body = Body()


                class Kid:
                    def make(self) -> Made:
                        return Made()


                class Base:
                    def __init__(self) -> None:
                        self.kids: list[Kid] = []
                """,
            "deep/app.py": """
                from deep.lib import Base


                class Parent(Base):
                    def close(self):
                        for k in self.kids:
                            z = k.make()
                            z.body.close()
                """,
        }
    )
    assert ("deep/app.py|Method:Parent.close", "deep/lib.py|Method:Body.close", "type") in (
        repo.edge_set("CALLS")
    )


def test_a_chain_of_methods_returning_their_own_type_is_resolved_link_by_link_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each link of `q.m0().m1()...m7().run()` with `: this` results reads the type it is
    called on as the call before it did: what a callee returns is worked out once per link,
    where reading it afresh doubled the work with each link (502 times for 8 links)."""
    seen = 0
    returned = Resolver._returned

    def counted(self: Resolver, *args: Any) -> Any:
        nonlocal seen
        seen += 1
        return returned(self, *args)

    monkeypatch.setattr(Resolver, "_returned", counted)
    links = [f"m{i}" for i in range(MAX_LINKS)]
    repo = index_repo(
        {
            "own/lib.ts": "export class Base {\n"
            + "".join(f"  {m}(): this {{ return this; }}\n" for m in links)
            + "}\nexport class Leaf extends Base { run(): void {} }\n",
            "own/app.ts": "import { Leaf } from './lib';\nexport function f(q: Leaf) {\n  q."
            + ".".join(f"{m}()" for m in links)
            + ".run();\n}\n",
        }
    )
    assert ("own/app.ts|Function:f", "own/lib.ts|Method:Leaf.run", "type") in repo.edge_set("CALLS")
    assert seen == MAX_LINKS


def test_a_types_own_unwrap_after_an_option_of_another_keeps_its_own_result() -> None:
    """`let x: Option<Foo> = a; let x: Wrapper = w; x.unwrap().run()`: the Wrapper's own
    `unwrap` is no Option's, so the Option bound first gives no Foo (no `Foo.run`)."""
    repo = index_repo(
        {
            "Cargo.toml": '[package]\nname = "app"\n',
            "src/lib.rs": """
                pub struct Foo;
                impl Foo { pub fn run(&self) {} }
                pub struct Bar;
                impl Bar { pub fn run(&self) {} }
                pub struct Wrapper;
                impl Wrapper { pub fn unwrap(self) -> Bar { Bar } }
                pub fn h(a: Option<Foo>, w: Wrapper) {
                    let x: Option<Foo> = a;
                    let x: Wrapper = w;
                    x.unwrap().run();
                }
                """,
        }
    )
    assert not [dst for _, dst, _ in repo.edge_set("CALLS") if dst.endswith("Foo.run")]
