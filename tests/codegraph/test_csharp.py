"""C# extraction and resolution: namespaces as packages, `using` directives, base lists."""

from __future__ import annotations

from tests.codegraph.sample_repo import index_repo

FILES = {
    "src/Core/IClock.cs": """
        namespace Acme.Core;

        public interface IClock
        {
            DateTime Now();
        }
        """,
    "src/Core/Entity.cs": """
        using System;

        namespace Acme.Core
        {
            public abstract class Entity
            {
                public Guid Id { get; } = Guid.NewGuid();

                protected void Touch(IClock clock)
                {
                    Stamp(clock.Now());
                }

                private void Stamp(DateTime at) { }
            }
        }
        """,
    "src/Orders/Order.cs": """
        using System.Collections.Generic;
        using Acme.Core;
        using Clock = Acme.Core.IClock;

        namespace Acme.Orders
        {
            public sealed partial class Order : Entity, IComparable<Order>
            {
                private readonly List<Line> _lines = new List<Line>();

                public void Add(Line line, Clock clock)
                {
                    _lines.Add(line);
                    Touch(clock); Total();
                    Pricing.Recalculate(this);
                    Money.Round(line.Amount);
                }
            }

            public struct Line { public decimal Amount; }

            internal static class Pricing
            {
                public static void Recalculate(Order order) { }
            }
        }
        """,
    "src/Orders/Order.Totals.cs": """
        namespace Acme.Orders;

        public sealed partial class Order
        {
            public decimal Total() { Touch(null); return 0; }
        }
        """,
    "src/Money.cs": """
        namespace Acme
        {
            public static class Money
            {
                public static decimal Round(decimal d) => d;
            }
        }
        """,
}


def test_definitions_and_usings() -> None:
    """Interfaces, classes, structs and methods; namespace, alias and static usings."""
    repo = index_repo(FILES)
    assert repo.defs("src/Orders/Order.cs") == [
        ("Class", "Order", 7, 18),
        ("Method", "Order.Add", 11, 17),
        ("Struct", "Line", 20, 20),
        ("Class", "Pricing", 22, 25),
        ("Method", "Pricing.Recalculate", 24, 24),
    ]
    assert repo.imports("src/Orders/Order.cs") == [
        ("System.Collections.Generic", "*", None),
        ("Acme.Core", "*", None),
        ("Acme.Core", "IClock", "Clock"),
    ]
    assert repo.extractions["src/Core/IClock.cs"].package == "Acme.Core"
    assert repo.extractions["src/Orders/Order.cs"].package == "Acme.Orders"


def test_calls_and_bases_resolve_through_namespaces() -> None:
    """Implicit-this, same-file statics and `using` bases resolve; a list's `Add` is not guessed.
    A type of an enclosing namespace needs no `using` (`Money` of `Acme` in `Acme.Orders`).
    The parts of a partial class (Polly's `PolicyWrap` in two files) call each other's
    methods and their bases' as their own."""
    repo = index_repo(FILES)
    assert repo.edge_set("CALLS") == {
        ("src/Core/Entity.cs|Method:Entity.Touch", "src/Core/IClock.cs|Method:IClock.Now",
         "type"),
        ("src/Core/Entity.cs|Method:Entity.Touch", "src/Core/Entity.cs|Method:Entity.Stamp",
         "scope"),
        ("src/Orders/Order.cs|Method:Order.Add", "src/Core/Entity.cs|Method:Entity.Touch",
         "scope"),
        ("src/Orders/Order.cs|Method:Order.Add", "src/Orders/Order.cs|Method:Pricing.Recalculate",
         "scope"),
        ("src/Orders/Order.cs|Method:Order.Add", "src/Money.cs|Method:Money.Round", "package"),
        # A partial class's parts (Order.Totals.cs) share their members, and its bases.
        ("src/Orders/Order.cs|Method:Order.Add",
         "src/Orders/Order.Totals.cs|Method:Order.Total", "scope"),
        ("src/Orders/Order.Totals.cs|Method:Order.Total",
         "src/Core/Entity.cs|Method:Entity.Touch", "scope"),
    }  # fmt: skip
    assert repo.edge_set("INHERITS") == {
        ("src/Orders/Order.cs|Class:Order", "src/Core/Entity.cs|Class:Entity", "import"),
    }
    imports = repo.edge_set("IMPORTS")
    assert ("src/Orders/Order.cs", "src/Core/Entity.cs", "") in imports
    assert ("src/Orders/Order.cs", "src/Core/IClock.cs", "") in imports
    assert ("src/Orders/Order.cs", "module:System.Collections.Generic", "") in imports


def test_a_private_method_is_no_guess_for_other_files() -> None:
    """Polly's `private static Task AsTask(this CancellationToken)` is no target for
    `valueTask.AsTask()` elsewhere (nor is it guessed at all: the BCL's name), and a private
    `Expand` no target for `w.Expand()`; its own class still calls it."""
    repo = index_repo(
        {
            "src/Engine.cs": """
                namespace Lib {
                    public static class Engine {
                        private static Task AsTask(this CancellationToken t) => null;
                        private static void Expand() {}
                        public static void Run() { Expand(); }
                    }
                }
                """,
            "src/Use.cs": """
                namespace App {
                    public class Use {
                        public void M(ValueTask v, Writer w) { v.AsTask(); w.Expand(); }
                    }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/Engine.cs|Method:Engine.Run", "src/Engine.cs|Method:Engine.Expand", "scope"),
    }


def test_a_call_reaches_the_overload_that_takes_its_arguments() -> None:
    """Polly's `Execute(a)` calls `Execute(a, 1)`; optional and `params` parameters widen what
    an overload takes, and an extension method is called on its first argument."""
    repo = index_repo(
        {
            "src/P.cs": """
                public static class P {
                    public static void Execute(Action a) => Execute(a, 1);
                    public static void Execute(Action a, int n, string tag = null) {}
                    public static int Total(this Bag b) => 0;
                    public static int Total(this Bag b, params int[] more) => 0;
                    public static void Use(Bag b) {
                        b.Total(); Total(b, 1, 2); Execute(null, 1, "t");
                    }
                }
                """,
        }
    )
    p = "src/P.cs|Method:P."
    assert repo.edge_set("CALLS") == {
        (f"{p}Execute", f"{p}Execute#2", "scope"),
        (f"{p}Use", f"{p}Total", "unique_name"),  # on a `Bag` of no known type
        (f"{p}Use", f"{p}Total#2", "scope"),
        (f"{p}Use", f"{p}Execute#2", "scope"),
    }


def test_a_call_on_a_declared_receiver_is_looked_up_in_its_type() -> None:
    """Polly's `breaker.Execute()` reaches the declared type's method: parameters, fields,
    properties, `var x = new T()` and `foreach (T x in ...)` say their type. A `string` is the
    library's, but an extension method still may extend it."""
    repo = index_repo(
        {
            "src/Buffer.cs": """
                namespace A {
                    public class Buffer { public void Write(int b) {} }
                    public class Sink { public void Write(int b) {} }
                    public static class Text { public static string Shout(this string s) => s; }
                }
                """,
            "src/Use.cs": """
                namespace A {
                    class Use {
                        private Buffer _buf;
                        public Sink Out { get; }
                        void M(Sink s, string str, Sink[] all) {
                            s.Write(1); _buf.Write(2); this._buf.Write(3); Out.Write(4);
                            var b = new Buffer(); b.Write(5);
                            foreach (Sink x in all) { x.Write(6); }
                            str.Shout();
                        }
                    }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/Use.cs|Method:Use.M", "src/Buffer.cs|Method:Sink.Write", "type"),
        ("src/Use.cs|Method:Use.M", "src/Buffer.cs|Method:Buffer.Write", "type"),
        ("src/Use.cs|Method:Use.M", "src/Buffer.cs|Class:Buffer", "package"),
        ("src/Use.cs|Method:Use.M", "src/Buffer.cs|Method:Text.Shout", "unique_name"),
    }


def test_a_project_using_binds_names_in_all_its_files() -> None:
    """Polly declares `<Using Include="Polly.Utils" />` in Polly.Core.csproj instead of a
    `using` line in each file: `Guard.NotNull()` in the project's files reaches Polly.Utils.
    The nearest Directory.Build.props adds its usings and a project's `Remove` takes one
    out; a file of another project (its own .csproj, nearer) sees neither. No IMPORTS edge:
    the file does not spell them."""
    repo = index_repo(
        {
            "Directory.Build.props": """
                <Project>
                  <ItemGroup>
                    <Using Include="Polly.Shared" />
                    <Using Include="Polly.Gone" />
                    <Using Include="$(RootNamespace)" />
                  </ItemGroup>
                </Project>
                """,
            "src/Polly.Core/Polly.Core.csproj": """
                <Project Sdk="Microsoft.NET.Sdk">
                  <ItemGroup>
                    <Using Include="Polly.Utils;System.Text" />
                    <Using Include="Polly.Utils.Clock" Alias="Ticks" />
                    <Using Remove="Polly.Gone" />
                  </ItemGroup>
                </Project>
                """,
            "src/Polly.Core/Utils/Guard.cs": """
                namespace Polly.Utils;
                public static class Guard { public static void NotNull(object o) {} }
                public static class Clock { public static long Now() => 0; }
                """,
            "src/Polly.Core/Shared/Log.cs": """
                namespace Polly.Shared;
                public static class Log { public static void Write(string s) {} }
                """,
            "src/Polly.Core/Gone/Old.cs": """
                namespace Polly.Gone;
                public static class Old { public static void Run() {} }
                """,
            "src/Polly.Core/Retry/RetryEngine.cs": """
                namespace Polly.Retry;
                public class RetryEngine {
                    public void Run(object o) {
                        Guard.NotNull(o); Log.Write("x"); Ticks.Now(); Old.Run();
                    }
                }
                """,
            "src/Other/Other.csproj": """
                <Project Sdk="Microsoft.NET.Sdk" />
                """,
            "src/Other/Use.cs": """
                namespace Other;
                public class Use { public void Run(object o) { Guard.NotNull(o); Log.Write("y"); } }
                """,
        }
    )
    engine = "src/Polly.Core/Retry/RetryEngine.cs|Method:RetryEngine.Run"
    assert repo.edge_set("CALLS") == {
        (engine, "src/Polly.Core/Utils/Guard.cs|Method:Guard.NotNull", "import"),
        (engine, "src/Polly.Core/Shared/Log.cs|Method:Log.Write", "import"),
        (engine, "src/Polly.Core/Utils/Guard.cs|Method:Clock.Now", "import"),
        ("src/Other/Use.cs|Method:Use.Run", "src/Polly.Core/Shared/Log.cs|Method:Log.Write",
         "import"),
    }  # fmt: skip
    engine_file = engine.partition("|")[0]
    assert not {edge for edge in repo.edge_set("IMPORTS") if edge[0] == engine_file}


def test_a_global_using_binds_names_in_every_file_of_its_project() -> None:
    """eShop puts each project's usings in a GlobalUsings.cs of `global using` lines: they
    bind in every .cs file of that project (the nearest .csproj above it), static and
    aliased ones too, and draw an IMPORTS edge from the file that spells them only. A file
    of another project sees none of them, nor does a plain `using` reach past its file."""
    repo = index_repo(
        {
            "src/Ordering/Ordering.csproj": """
                <Project Sdk="Microsoft.NET.Sdk" />
                """,
            "src/Ordering/GlobalUsings.cs": """
                global using eShop.Seedwork;
                global using static eShop.Seedwork.Guard;
                global using Ticks = eShop.Seedwork.Clock;
                using eShop.Local;
                """,
            "src/Ordering/Model/Order.cs": """
                namespace eShop.Ordering;
                public class Order : Entity {
                    public void Ship() { AddEvent(); NotNull(this); Ticks.Now(); Helper.Run(); }
                }
                """,
            "src/Seedwork/Entity.cs": """
                namespace eShop.Seedwork;
                public abstract class Entity { public void AddEvent() {} }
                public static class Guard { public static void NotNull(object o) {} }
                public static class Clock { public static long Now() => 0; }
                """,
            "src/Seedwork/Seedwork.csproj": """
                <Project Sdk="Microsoft.NET.Sdk" />
                """,
            "src/Local/Helper.cs": """
                namespace eShop.Local;
                public static class Helper { public static void Run() {} }
                public static class Other { public static void Run() {} }
                """,
            "src/Basket/Basket.csproj": """
                <Project Sdk="Microsoft.NET.Sdk" />
                """,
            "src/Basket/Cart.cs": """
                namespace eShop.Basket;
                public class Cart : Entity { public void Add() { NotNull(this); Ticks.Now(); } }
                """,
        }
    )
    ship = "src/Ordering/Model/Order.cs|Method:Order.Ship"
    seedwork = "src/Seedwork/Entity.cs"
    assert repo.edge_set("INHERITS") == {
        ("src/Ordering/Model/Order.cs|Class:Order", f"{seedwork}|Class:Entity", "import"),
    }
    assert {edge for edge in repo.edge_set("CALLS") if edge[0] == ship} == {
        (ship, f"{seedwork}|Method:Entity.AddEvent", "scope"),
        (ship, f"{seedwork}|Method:Guard.NotNull", "import"),
        (ship, f"{seedwork}|Method:Clock.Now", "import"),
    }
    assert not {edge for edge in repo.edge_set("CALLS") if edge[0].startswith("src/Basket/")}
    assert {(src, dst) for src, dst, _ in repo.edge_set("IMPORTS")} == {
        ("src/Ordering/GlobalUsings.cs", seedwork),
        ("src/Ordering/GlobalUsings.cs", "src/Local/Helper.cs"),
    }


def test_generic_types_are_told_apart_by_their_type_parameters() -> None:
    """Polly's `Options` and `Options<TResult>`, and `CircuitBreakerPolicy` and
    `CircuitBreakerPolicy<TResult>` in one file, are different types: a generic one's
    qualified name carries its arity as .NET names it (`Options`1`), and `new Options()`,
    `new Options<int>()`, a declared `Policy<int>` and a base `Options<object>` each reach
    the type with as many type parameters as they pass, a nested one too."""
    repo = index_repo(
        {
            "src/Options.TResult.cs": """
                namespace Lib;
                public class Options<TResult> { public static Options<TResult> Empty() => null; }
                """,
            "src/Options.cs": """
                namespace Lib;
                public class Options : Options<object> { }
                """,
            "src/Policy.cs": """
                namespace Lib;
                public class Policy { public void Isolate() {} }
                public class Policy<TResult> { public void Isolate() {} }
                """,
            "src/Use.cs": """
                namespace Lib;
                public class Use {
                    public class Ping<T> { }
                    public void M(Policy<int> typed, Policy plain) {
                        new Options(); new Options<int>(); typed.Isolate(); plain.Isolate();
                        new Ping<Dictionary<string, int>>();
                    }
                }
                """,
        }
    )
    generic = repo.extractions["src/Policy.cs"].definitions
    assert [(d.name, d.qualified_name) for d in generic] == [
        ("Policy", "Policy"), ("Isolate", "Policy.Isolate"),
        ("Policy", "Policy`1"), ("Isolate", "Policy`1.Isolate"),
    ]  # fmt: skip
    use = "src/Use.cs|Method:Use.M"
    assert repo.edge_set("CALLS") == {
        (use, "src/Options.cs|Class:Options", "package"),
        (use, "src/Options.TResult.cs|Class:Options`1", "package"),
        (use, "src/Policy.cs|Method:Policy`1.Isolate", "type"),
        (use, "src/Policy.cs|Method:Policy.Isolate", "type"),
        (use, "src/Use.cs|Class:Use.Ping`1", "scope"),  # a nested type: MediatR's tests
    }
    assert repo.edge_set("INHERITS") == {
        ("src/Options.cs|Class:Options", "src/Options.TResult.cs|Class:Options`1", "package"),
    }


def test_new_reaches_a_type_never_a_method_named_alike() -> None:
    """`new Pool()` inside `Pool` is the class, not its constructor, as from anywhere else;
    `new Shared()` reaches a nested class declared in another part of a partial class; and
    Polly's snippet method `FaultGenerator()` is no target for `new FaultGenerator()`."""
    repo = index_repo(
        {
            "src/Pool.cs": """
                namespace Lib;
                public partial class Pool {
                    private readonly object _shared = new Shared();
                    public Pool() {}
                    public static Pool Create() => new Pool();
                }
                public class FaultGenerator { }
                """,
            "src/Pool.Shared.cs": """
                namespace Lib;
                public partial class Pool { private sealed class Shared { } }
                """,
            "src/Docs.cs": """
                namespace Lib;
                public class Docs {
                    public static void FaultGenerator() {}
                    public void Use() { var g = new FaultGenerator(); }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/Pool.cs|Class:Pool", "src/Pool.Shared.cs|Class:Pool.Shared", "scope"),
        ("src/Pool.cs|Method:Pool.Create", "src/Pool.cs|Class:Pool", "scope"),
        ("src/Docs.cs|Method:Docs.Use", "src/Pool.cs|Class:FaultGenerator", "package"),
    }


def test_overloads_of_one_arity_are_told_apart_by_the_argument_types_shown() -> None:
    """Polly's `AddRateLimiter(new RateLimiterStrategyOptions())` is the overload taking the
    options, not the limiter; a string literal picks the `string` overload; a named
    argument says nothing (its order is the caller's)."""
    repo = index_repo(
        {
            "src/Builder.cs": """
                namespace P;
                public class Builder {
                    public Builder AddRateLimiter(RateLimiter limiter) => this;
                    public Builder AddRateLimiter(RateLimiterStrategyOptions options) => this;
                    public void Log(int code) {}
                    public void Log(string message) {}
                }
                public class RateLimiterStrategyOptions {}
                """,
            "src/Use.cs": """
                namespace P;
                public class Use {
                    public void M(Builder b) {
                        b.AddRateLimiter(new RateLimiterStrategyOptions());
                        b.Log("x");
                    }
                    public void N(Builder b) { b.AddRateLimiter(options: null); }
                }
                """,
        }
    )
    builder = "src/Builder.cs|Method:Builder."
    assert repo.edge_set("CALLS") == {
        ("src/Use.cs|Method:Use.M", "src/Builder.cs|Class:RateLimiterStrategyOptions", "package"),
        ("src/Use.cs|Method:Use.M", f"{builder}AddRateLimiter#2", "type"),
        ("src/Use.cs|Method:Use.M", f"{builder}Log#2", "type"),
        ("src/Use.cs|Method:Use.N", f"{builder}AddRateLimiter", "type"),
    }


def test_a_static_using_brings_in_a_types_static_members() -> None:
    """`using static Lib.Utils.Guard;` lets `NotNull(o)` call `Guard.NotNull`, and so does
    Polly's `<Using Include="Polly.Specs.DictionaryHelpers" Static="true" />` for every file
    of its project (`CreateDictionary(1)`)."""
    repo = index_repo(
        {
            "src/Lib/Guard.cs": """
                namespace Lib.Utils;
                public static class Guard { public static void NotNull(object o) {} }
                """,
            "src/Lib/Use.cs": """
                using static Lib.Utils.Guard;
                namespace Lib;
                public class Use { public void M(object o) { NotNull(o); } }
                """,
            "test/Specs/Specs.csproj": """
                <Project>
                  <ItemGroup>
                    <Using Include="Polly.Specs.DictionaryHelpers" Static="true" />
                  </ItemGroup>
                </Project>
                """,
            "test/Specs/Helpers.cs": """
                namespace Polly.Specs;
                public static class DictionaryHelpers {
                    public static object CreateDictionary(int n) => null;
                }
                """,
            "test/Specs/CacheSpecs.cs": """
                namespace Polly.Specs.Caching;
                public class CacheSpecs { public void M() { CreateDictionary(1); } }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/Lib/Use.cs|Method:Use.M", "src/Lib/Guard.cs|Method:Guard.NotNull", "import"),
        ("test/Specs/CacheSpecs.cs|Method:CacheSpecs.M",
         "test/Specs/Helpers.cs|Method:DictionaryHelpers.CreateDictionary", "import"),
    }  # fmt: skip


CALL_RESULT_FILES = {
    "Shop/Client.cs": """
        namespace Shop;

        public class Client
        {
            public static Client Connect() => new Client();
            public Session Open() => new Session();
            public void Get(string path) {}
        }

        public class Session
        {
            public void Close() {}
        }
        """,
    "App/Run.cs": """
        using Shop;

        namespace App;

        class Run
        {
            void Go()
            {
                var c = Client.Connect();
                c.Get("/");
                var s = c.Open();
                s.Close();
            }
        }
        """,
}


def test_a_var_set_from_a_call_has_the_type_its_method_returns() -> None:
    """`var c = Client.Connect()` has the type Connect declares; `var s = c.Open()` the
    result of Client.Open, through c's."""
    repo = index_repo(CALL_RESULT_FILES)
    assert [(d.qualified_name, d.returns) for d in repo.extractions["Shop/Client.cs"].definitions
            if d.returns] == [("Client.Connect", "Client"), ("Client.Open", "Session")]  # fmt: skip
    go = "App/Run.cs|Method:Run.Go"
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        (go, "Shop/Client.cs|Method:Client.Get", "type"),
        (go, "Shop/Client.cs|Method:Client.Open", "type"),
        (go, "Shop/Client.cs|Method:Session.Close", "type"),
    }


def test_type_patterns_and_casts_type_their_names() -> None:
    """`o is Update u` binds u; `var x = o as Install` and `var y = (Install)o` are
    Installs, and a cast receiver `((Update)o).Target()` shows its type. `Target` is
    defined twice, so only the types reach it."""
    repo = index_repo(
        {
            "src/Ops.cs": """
                namespace App {
                    public class Update { public void Target() {} }
                    public class Install { public void Target() {} }
                }
                """,
            "src/Run.cs": """
                namespace App {
                    class Run {
                        void Go(object o) {
                            if (o is Update u) { u.Target(); }
                            var x = o as Install;
                            x.Target();
                            var y = (Install)o;
                            y.Target();
                            ((Update)o).Target();
                        }
                    }
                }
                """,
        }
    )
    assert [c.receiver_type for c in repo.extractions["src/Run.cs"].calls] == [
        "Update", "Install", "Install", "Update",
    ]  # fmt: skip
    assert {t for s, t, how in repo.edge_set("CALLS") if how == "type"} == {
        "src/Ops.cs|Method:Update.Target",
        "src/Ops.cs|Method:Install.Target",
    }
