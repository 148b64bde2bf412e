"""Python extraction and resolution on a small package with relative and absolute imports."""

from __future__ import annotations

from tests.codegraph.sample_repo import index_repo

FILES = {
    "shop/__init__.py": "",
    "shop/models.py": """
        class Model:
            def save(self):
                return self.validate()

            def validate(self):
                return True


        class Order(Model):
            def total(self):
                return sum(line.price for line in self.lines)
        """,
    "shop/pricing.py": """
        import json
        import os.path as osp
        from decimal import Decimal


        def discount(amount, rate=Decimal("0.1")):
            def clamp(value):
                return max(value, 0)
            return clamp(amount - amount * rate)


        def dump(order):
            return json.dumps({"p": osp.join("a", "b")})
        """,
    "shop/checkout.py": """
        from . import pricing
        from .models import Order as BaseOrder
        from shop.pricing import discount


        class Checkout(BaseOrder):
            def pay(self):
                self.save()
                pricing.dump(self)
                return discount(self.total())


        def run():
            Checkout().pay()
            unknown_builtin()
        """,
}


def test_definitions_have_kinds_qualified_names_and_lines() -> None:
    """Classes, methods and nested functions come out with 1-based inclusive line ranges."""
    repo = index_repo(FILES)
    assert repo.defs("shop/models.py") == [
        ("Class", "Model", 1, 6),
        ("Method", "Model.save", 2, 3),
        ("Method", "Model.validate", 5, 6),
        ("Class", "Order", 9, 11),
        ("Method", "Order.total", 10, 11),
    ]
    assert repo.defs("shop/pricing.py") == [
        ("Function", "discount", 6, 9),
        ("Function", "discount.clamp", 7, 8),
        ("Function", "dump", 12, 13),
    ]


def test_imports_keep_relative_dots_names_and_aliases() -> None:
    """`from . import x`, `from .m import A as B` and `import a.b as c` are recorded as written."""
    repo = index_repo(FILES)
    assert repo.imports("shop/checkout.py") == [
        (".", "pricing", None),
        (".models", "Order", "BaseOrder"),
        ("shop.pricing", "discount", None),
    ]
    assert repo.imports("shop/pricing.py") == [
        ("json", None, None),
        ("os.path", None, "osp"),
        ("decimal", "Decimal", None),
    ]


def test_call_sites_know_receiver_and_enclosing_definition() -> None:
    """Each call records its receiver text and the innermost definition it sits in."""
    repo = index_repo(FILES)
    assert repo.calls("shop/checkout.py") == [
        ("self", "save", "Checkout.pay"),
        ("pricing", "dump", "Checkout.pay"),
        (None, "discount", "Checkout.pay"),
        ("self", "total", "Checkout.pay"),
        (None, "Checkout", "run"),
        ("?", "pay", "run"),
        (None, "unknown_builtin", "run"),
    ]


def test_cross_file_calls_resolve_through_imports_and_inheritance() -> None:
    """Module and aliased imports, inherited methods via self, nested functions all resolve."""
    calls = index_repo(FILES).edge_set("CALLS")
    assert calls == {
        ("shop/checkout.py|Method:Checkout.pay", "shop/models.py|Method:Model.save", "scope"),
        ("shop/checkout.py|Method:Checkout.pay", "shop/pricing.py|Function:dump", "import"),
        ("shop/checkout.py|Method:Checkout.pay", "shop/pricing.py|Function:discount", "import"),
        ("shop/checkout.py|Method:Checkout.pay", "shop/models.py|Method:Order.total", "scope"),
        ("shop/checkout.py|Function:run", "shop/checkout.py|Class:Checkout", "scope"),
        ("shop/checkout.py|Function:run", "shop/checkout.py|Method:Checkout.pay", "type"),
        ("shop/models.py|Method:Model.save", "shop/models.py|Method:Model.validate", "scope"),
        ("shop/pricing.py|Function:discount", "shop/pricing.py|Function:discount.clamp", "scope"),
    }


def test_inheritance_and_imports_resolve_to_files_and_classes() -> None:
    """An aliased base class resolves across files; external modules become Module targets."""
    repo = index_repo(FILES)
    assert repo.edge_set("INHERITS") == {
        ("shop/checkout.py|Class:Checkout", "shop/models.py|Class:Order", "import"),
        ("shop/models.py|Class:Order", "shop/models.py|Class:Model", "scope"),
    }
    assert repo.edge_set("IMPORTS") == {
        ("shop/checkout.py", "shop/pricing.py", ""),
        ("shop/checkout.py", "shop/models.py", ""),
        ("shop/pricing.py", "module:json", ""),
        ("shop/pricing.py", "module:os.path", ""),
        ("shop/pricing.py", "module:decimal", ""),
    }


PACKAGE_FILES = {
    "tools/__init__.py": """
        def shadow():
            return 0
        """,
    "tools/text.py": """
        def slug(value):
            return value.lower()


        class Wrapper:
            def fill(self, value):
                return value
        """,
    "tools/deep/__init__.py": "",
    "tools/deep/more.py": """
        def helper():
            return 1
        """,
    "tools/shadow.py": """
        def inner():
            return 2
        """,
    "app.py": """
        import tools
        import tools.deep


        def main():
            tools.text.slug("A")
            tools.text.Wrapper.fill(None, "x")
            tools.deep.more.helper()
            tools.shadow.inner()
            tools.missing.thing()
        """,
}


def test_submodules_resolve_through_an_imported_package() -> None:
    """`import pkg` then `pkg.sub.f()` reaches pkg/sub.py (and pkg/a/b.py through `pkg.a`);
    a name the package itself defines wins over a submodule of that name, as at run time."""
    calls = index_repo(PACKAGE_FILES).edge_set("CALLS")
    assert calls == {
        ("app.py|Function:main", "tools/text.py|Function:slug", "import"),
        ("app.py|Function:main", "tools/text.py|Method:Wrapper.fill", "import"),
        ("app.py|Function:main", "tools/deep/more.py|Function:helper", "import"),
    }


def test_a_function_named_default_is_imported_like_any_other() -> None:
    """`default` is a keyword in JavaScript only: `from .options import default` binds it,
    so the call reaches options.py and not its namesake elsewhere."""
    calls = index_repo(
        {
            "pkg/__init__.py": "",
            "pkg/options.py": "def default():\n    return 1\n",
            "pkg/other.py": "def default():\n    return 2\n",
            "pkg/app.py": "from .options import default\n\ndef main():\n    default()\n",
        }
    ).edge_set("CALLS")
    assert calls == {("pkg/app.py|Function:main", "pkg/options.py|Function:default", "import")}


def test_a_call_on_an_annotated_or_constructed_receiver_is_looked_up_in_its_type() -> None:
    """Annotated parameters and variables (`s: Sink`, `t: buf.Buffer`), `q = Buffer()` and
    `self.b = Buffer()` in `__init__` say the receiver's type, whichever other class has a
    `write`; an annotation the repository does not define (`str`) leaves the call as one on
    an object of unknown type."""
    repo = index_repo(
        {
            "pkg/buf.py": """
                class Buffer:
                    def write(self, b):
                        pass

                    def flush_all(self):
                        pass


                class Sink:
                    def write(self, b):
                        pass
                """,
            "pkg/use.py": """
                from pkg.buf import Buffer, Sink
                from pkg import buf


                class A:
                    def __init__(self):
                        self.b = Buffer()

                    def m(self, s: Sink, t: buf.Buffer, text: str):
                        s.write(1)
                        self.b.write(2)
                        t.write(3)
                        q = Buffer()
                        q.write(4)
                        text.flush_all()
                """,
        }
    )
    use = "pkg/use.py|Method:A."
    assert repo.edge_set("CALLS") == {
        (f"{use}__init__", "pkg/buf.py|Class:Buffer", "import"),
        (f"{use}m", "pkg/buf.py|Class:Buffer", "import"),
        (f"{use}m", "pkg/buf.py|Method:Sink.write", "type"),
        (f"{use}m", "pkg/buf.py|Method:Buffer.write", "type"),
        (f"{use}m", "pkg/buf.py|Method:Buffer.flush_all", "unique_name"),
    }


def test_a_field_set_from_an_annotated_parameter_takes_its_type() -> None:
    """`self.api = client` in `__init__(self, client: Client)`: `self.api.fetch()` elsewhere
    in the class is `Client.fetch`, whichever other class has a `fetch`."""
    repo = index_repo(
        {
            "pkg/client.py": """
                class Client:
                    def fetch(self):
                        pass


                class Other:
                    def fetch(self):
                        pass
                """,
            "pkg/svc.py": """
                from pkg.client import Client


                class Svc:
                    def __init__(self, client: Client):
                        self.api = client

                    def run(self):
                        self.api.fetch()
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("pkg/svc.py|Method:Svc.run", "pkg/client.py|Method:Client.fetch", "type"),
    }


CALL_RESULT_FILES = {
    "shop/__init__.py": "",
    "shop/client.py": """
        from typing import Optional


        class Client:
            def get(self, path):
                return path


        class Session:
            def close(self):
                pass


        def connect() -> "Client":
            return Client()


        def maybe() -> Optional[Session]:
            return None


        def either() -> Session | None:
            return None


        def count() -> int:
            return 1
        """,
    "app.py": """
        import shop.client
        from shop import client
        from shop.client import connect, maybe


        def run():
            c = connect()
            c.get("/")
            s = maybe()
            s.close()
            t = client.either()
            t.close()


        def build():
            made = shop.client.Client()
            made.get("/made")


        class Service:
            def __init__(self):
                self.api = connect()

            def go(self):
                self.api.get("/go")
        """,
}


def test_a_name_set_from_a_call_has_the_type_its_callee_returns() -> None:
    """`c = connect()` has the class connect's annotation names (`-> "Client"`, also
    `Optional[Session]` and `Session | None`), looked up from connect's own file; a class
    called through a module (`shop.client.Client()`) makes an instance of it; so does a
    field set in `__init__`. A built-in result (`-> int`) is not recorded."""
    repo = index_repo(CALL_RESULT_FILES)
    definitions = repo.extractions["shop/client.py"].definitions
    assert [(d.qualified_name, d.returns) for d in definitions if d.returns] == [
        ("connect", "Client"), ("maybe", "Session"), ("either", "Session"),
    ]  # fmt: skip
    run, go = "app.py|Function:run", "app.py|Method:Service.go"
    client = "shop/client.py|"
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        (run, f"{client}Method:Client.get", "type"),
        ("app.py|Function:build", f"{client}Method:Client.get", "type"),
        (run, f"{client}Method:Session.close", "type"),
        (go, f"{client}Method:Client.get", "type"),
    }


ELEMENT_FILES = {
    "jobs.py": """
        class Task:
            def run(self): ...


        class Job:
            def run(self): ...
        """,
    "app.py": """
        from typing import Optional, Sequence

        from jobs import Job, Task


        class Queue:
            pending: list[Task]

            def __init__(self, jobs: Optional[Sequence[Job]], first: Task | None):
                self.jobs = jobs
                self.first = first

            def drain(self, tasks: list[Task], by_name: dict[str, Job], either: Task | Job):
                for task in tasks:
                    task.run()
                for waiting in self.pending:
                    waiting.run()
                [job.run() for job in self.jobs]
                self.first.run()
                for key in by_name:
                    key.run()
                either.run()
        """,
}


def test_a_loop_variable_has_the_element_type_of_what_it_iterates() -> None:
    """`for task in tasks` with `tasks: list[Task]` calls Task's run, not Job's namesake;
    a field declared in the class body or set in `__init__` from an annotated parameter
    (`Optional[Sequence[Job]]`, through a comprehension) too. `Task | None` is a Task.
    A dict iterates its keys, and `Task | Job` is either: neither is a type (and the
    namesakes leave no guess)."""
    repo = index_repo(ELEMENT_FILES)
    drain = "app.py|Method:Queue.drain"
    assert repo.edge_set("CALLS") == {
        (drain, "jobs.py|Method:Task.run", "type"),
        (drain, "jobs.py|Method:Job.run", "type"),
    }
    calls = [(c.receiver, c.receiver_type) for c in repo.extractions["app.py"].calls]
    assert calls == [
        ("task", "Task"), ("waiting", "Task"), ("job", "Job"), ("self.first", "Task"),
        ("key", None), ("either", None),
    ]  # fmt: skip


CROSS_FILE_ELEMENT_FILES = {
    "model.py": """
        from typing import Iterator


        class Task:
            def run(self): ...


        class Job:
            def run(self): ...


        class Board:
            tasks: list[Task]

            def __init__(self):
                self.jobs: list[Job] = []

            def pending(self) -> list[Task]: ...

            def backlog(self) -> Iterator[Job]: ...

            def one(self) -> Task: ...
        """,
    "app.py": """
        from model import Board


        def fields(board: Board):
            for task in board.tasks:
                task.run()
            for job in board.jobs:
                job.run()


        def results(board: Board):
            for waiting in board.pending():
                waiting.run()


        def generated(board: Board):
            [late.run() for late in board.backlog()]


        def through_local(board: Board):
            later = board.pending()
            for each in later:
                each.run()


        def not_a_collection(board: Board):
            for part in board.one():
                part.run()
        """,
}


def test_a_loop_over_another_files_field_or_result_has_its_element_type() -> None:
    """`for task in board.tasks`, with the field declared `list[Task]` in another file,
    reaches Task's run, not Job's namesake; so does a loop over a method's result declared
    `-> list[Task]` or `-> Iterator[Job]`, directly or through a local set from it. A
    result declared as one Task is no collection: iterating it gives nothing known."""
    repo = index_repo(CROSS_FILE_ELEMENT_FILES)
    calls = {c.receiver: c.receiver_type for c in repo.extractions["app.py"].calls}
    assert calls["task"] == "in (Board#tasks)"
    assert calls["waiting"] == "in (()board.pending@Board)"
    assert repo.edge_set("CALLS") >= {
        ("app.py|Function:fields", "model.py|Method:Task.run", "type"),
        ("app.py|Function:fields", "model.py|Method:Job.run", "type"),
        ("app.py|Function:results", "model.py|Method:Task.run", "type"),
        ("app.py|Function:generated", "model.py|Method:Job.run", "type"),
        ("app.py|Function:through_local", "model.py|Method:Task.run", "type"),
    }
    runs = {(s, t) for s, t, _ in repo.edge_set("CALLS") if t.endswith(".run")}
    assert len(runs) == 5  # one each, and nothing for `not_a_collection`


def test_a_loop_through_enumerate_or_sorted_has_the_element_type() -> None:
    """`for i, t in enumerate(tasks)`, `sorted(jobs, key=...)`, `reversed(tasks)` and a
    comprehension over `enumerate(jobs)` give the elements of their first argument; any
    other built-in's result (`len(jobs)`) is no collection of them."""
    repo = index_repo(
        {
            "app.py": """
                class Task:
                    def run(self): ...


                class Job:
                    def run(self): ...


                def f(tasks: list[Task], jobs: list[Job]):
                    for i, t in enumerate(tasks):
                        t.run()
                    for j in sorted(jobs, key=lambda j: j.rank):
                        j.run()
                    [x.run() for x in reversed(tasks)]
                    [y.run() for n, y in enumerate(jobs)]
                    for k in len(jobs):
                        k.run()
                """,
        }
    )
    calls = [(c.receiver, c.receiver_type) for c in repo.extractions["app.py"].calls
             if c.name == "run"]  # fmt: skip
    assert calls == [
        ("t", "Task"), ("j", "Job"), ("x", "Task"), ("y", "Job"), ("k", "in (()len)"),
    ]  # fmt: skip
    assert {t for s, t, how in repo.edge_set("CALLS") if how == "type"} == {
        "app.py|Method:Task.run", "app.py|Method:Job.run",
    }  # fmt: skip


def test_a_loop_over_a_mappings_values_or_items_has_the_value_type() -> None:
    """`for name, job in self.jobs.items()` with `jobs: dict[str, Job]` and `for t in
    by_name.values()` with `Mapping[str, Task]`: the value type. Iterating the mapping
    itself gives keys, and one variable over `.items()` a pair: no type."""
    repo = index_repo(
        {
            "app.py": """
                from typing import Mapping


                class Task:
                    def run(self): ...


                class Job:
                    def run(self): ...


                class Registry:
                    jobs: dict[str, Job]

                    def values(self, by_name: Mapping[str, Task]):
                        for name, job in self.jobs.items():
                            job.run()
                        for t in by_name.values():
                            t.run()
                        [v.run() for _, v in by_name.items()]

                    def keys(self, by_name: Mapping[str, Task]):
                        for k in by_name:
                            k.run()
                        for pair in by_name.items():
                            pair.run()
                """,
        }
    )
    calls = [(c.receiver, (c.receiver_type or "").startswith("in ") or c.receiver_type)
             for c in repo.extractions["app.py"].calls if c.name == "run"]  # fmt: skip
    assert calls == [("job", "Job"), ("t", "Task"), ("v", "Task"), ("k", None), ("pair", True)]
    assert {(s, t) for s, t, how in repo.edge_set("CALLS")} == {
        ("app.py|Method:Registry.values", "app.py|Method:Job.run"),
        ("app.py|Method:Registry.values", "app.py|Method:Task.run"),
    }


def test_an_isinstance_test_types_the_name_where_it_holds() -> None:
    """`if isinstance(op, Update):` (also `elif`, and first of an `and`): inside, op is the
    tested class, so `op.target()`, defined twice, resolves; after the block it is untyped
    again. `assert isinstance(x, Update)` types x from the assert to its block's end."""
    repo = index_repo(
        {
            "ops.py": """
                class Update:
                    def target(self): ...

                class Install:
                    def target(self): ...

                def run(op, other):
                    if isinstance(op, Update):
                        op.target()
                    elif isinstance(op, Install):
                        op.target()
                    if isinstance(other, Install) and other.target():
                        pass
                    op.target()
                    if other:
                        assert isinstance(other, Update)
                        other.target()
                    other.target()
            """,
        }
    )
    assert [c.receiver_type for c in repo.extractions["ops.py"].calls if c.name == "target"] == [
        "Update", "Install", "Install", None, "Update", None,
    ]  # fmt: skip
    assert {t for s, t, how in repo.edge_set("CALLS") if how == "type"} == {
        "ops.py|Method:Update.target",
        "ops.py|Method:Install.target",
    }


def test_a_with_target_is_what_its_call_gives() -> None:
    """httpx's `with httpx.Client() as client:` and `async with`: the target is the class
    called (as `__enter__` mostly returns itself), or what a callee declares it returns;
    a context manager function's `Iterator[Conn]` names no class to call methods on."""
    repo = index_repo(
        {
            "shop/client.py": """
                from typing import Iterator

                class Client:
                    def get(self): ...

                class Conn:
                    def get(self): ...

                def connect() -> Client: ...

                def pooled() -> Iterator[Conn]: ...
            """,
            "shop/run.py": """
                from shop import client

                async def run():
                    with client.Client() as c:
                        c.get()
                    async with client.connect() as d:
                        d.get()
                    with client.pooled() as p:
                        p.get()
            """,
        }
    )
    assert [c.receiver_type for c in repo.extractions["shop/run.py"].calls if c.name == "get"] == [
        "()client.Client", "()client.connect", "()client.pooled",
    ]  # fmt: skip
    assert {t for s, t, how in repo.edge_set("CALLS") if how == "type"} == {
        "shop/client.py|Method:Client.get",
    }


def test_a_name_set_from_a_call_on_itself_after_a_type_test_keeps_the_call() -> None:
    """`x = x.convert()` after an `isinstance` block elsewhere: x is what convert returns,
    as without the test, not the declared type with the test's binding chained into it."""
    repo = index_repo(
        {
            "conv.py": """
                class Other:
                    def base_only(self): ...

                class Base:
                    def convert(self) -> Other: ...
                    def base_only(self): ...

                class Foo(Base): ...

                def run(x: Base):
                    if isinstance(x, Foo):
                        pass
                    x = x.convert()
                    x.base_only()
            """,
        }
    )
    assert {t for s, t, how in repo.edge_set("CALLS") if t.endswith("base_only")} == {
        "conv.py|Method:Other.base_only",
    }
