"""Java and Kotlin extraction and resolution through packages, imports and wildcards."""

from __future__ import annotations

from activities.codegraph.graph_rows import symbol_rows
from tests.codegraph.sample_repo import BRANCH, REPO, index_repo

JAVA = {
    "src/main/java/com/acme/repo/Repository.java": """
        package com.acme.repo;

        public interface Repository<T> {
            T find(long id);
        }
        """,
    "src/main/java/com/acme/repo/JdbcRepository.java": """
        package com.acme.repo;

        import java.sql.Connection;
        import java.util.*;

        public abstract class JdbcRepository<T> implements Repository<T> {
            protected Connection conn;
            protected Audit audit;

            public T find(long id) {
                audit.log("find");
                return map(query("select", id));
            }

            protected Object query(String sql, long id) {
                return Audit.record(sql, id);
            }

            protected abstract T map(Object row);
        }
        """,
    "src/main/java/com/acme/repo/Audit.java": """
        package com.acme.repo;

        final class Audit {
            static Object record(String sql) { return sql; }
            static Object record(String sql, long id) { return sql; }
            void log(String event) {}
        }
        """,
    "src/main/java/com/acme/users/UserRepository.java": """
        package com.acme.users;

        import com.acme.repo.JdbcRepository;
        import static com.acme.users.Users.normalize;

        public class UserRepository extends JdbcRepository<User> {
            @Override
            protected User map(Object row) {
                User user = new User(normalize(row.toString()));
                return user;
            }

            public User byId(long id) {
                return this.find(id);
            }
        }
        """,
    "src/main/java/com/acme/users/Users.java": """
        package com.acme.users;

        public final class Users {
            public static String normalize(String s) { return s.trim(); }

            public record User(String name) {}
        }
        """,
}

KOTLIN = {
    "app/src/main/kotlin/com/acme/billing/Invoice.kt": """
        package com.acme.billing

        import com.acme.billing.tax.TaxTable
        import com.acme.billing.tax.rate as taxRate

        interface Billable {
            fun amount(): Long
        }

        open class Document(val id: String)

        class Invoice(id: String, private val lines: List<Long>) : Document(id), Billable {
            override fun amount(): Long {
                val net = lines.sum()
                return net + TaxTable.apply(net) + taxRate(net)
            }

            companion object {
                fun empty() = Invoice("0", emptyList())
            }
        }
        """,
    "app/src/main/kotlin/com/acme/billing/tax/TaxTable.kt": """
        package com.acme.billing.tax

        object TaxTable {
            fun apply(net: Long): Long = net / 5
        }

        fun rate(net: Long): Long = net / 100
        """,
}


def test_java_definitions_and_imports() -> None:
    """Interfaces, abstract classes, methods, nested records; single, static and star imports."""
    repo = index_repo(JAVA)
    assert repo.defs("src/main/java/com/acme/repo/JdbcRepository.java") == [
        ("Class", "JdbcRepository", 6, 20),
        ("Method", "JdbcRepository.find", 10, 13),
        ("Method", "JdbcRepository.query", 15, 17),
        ("Method", "JdbcRepository.map", 19, 19),
    ]
    assert repo.defs("src/main/java/com/acme/users/Users.java") == [
        ("Class", "Users", 3, 7),
        ("Method", "Users.normalize", 4, 4),
        ("Class", "Users.User", 6, 6),
    ]
    assert repo.imports("src/main/java/com/acme/users/UserRepository.java") == [
        ("com.acme.repo", "JdbcRepository", None),
        ("com.acme.users.Users", "normalize", None),
    ]
    assert repo.extractions["src/main/java/com/acme/users/Users.java"].package == "com.acme.users"


def test_java_calls_and_inheritance_resolve() -> None:
    """Same-package classes, static imports, implicit-this and inherited methods resolve; a
    call reaches the overload taking as many arguments as it passes, and a call on a field
    the method of the field's declared type."""
    repo = index_repo(JAVA)
    base = "src/main/java/com/acme"
    assert repo.edge_set("CALLS") == {
        (f"{base}/repo/JdbcRepository.java|Method:JdbcRepository.find",
         f"{base}/repo/JdbcRepository.java|Method:JdbcRepository.map", "scope"),
        (f"{base}/repo/JdbcRepository.java|Method:JdbcRepository.find",
         f"{base}/repo/JdbcRepository.java|Method:JdbcRepository.query", "scope"),
        (f"{base}/repo/JdbcRepository.java|Method:JdbcRepository.find",
         f"{base}/repo/Audit.java|Method:Audit.log", "type"),
        (f"{base}/repo/JdbcRepository.java|Method:JdbcRepository.query",
         f"{base}/repo/Audit.java|Method:Audit.record#2", "package"),
        (f"{base}/users/UserRepository.java|Method:UserRepository.map",
         f"{base}/users/Users.java|Method:Users.normalize", "import"),
        (f"{base}/users/UserRepository.java|Method:UserRepository.byId",
         f"{base}/repo/JdbcRepository.java|Method:JdbcRepository.find", "scope"),
    }  # fmt: skip
    assert repo.edge_set("INHERITS") == {
        (f"{base}/repo/JdbcRepository.java|Class:JdbcRepository",
         f"{base}/repo/Repository.java|Interface:Repository", "package"),
        (f"{base}/users/UserRepository.java|Class:UserRepository",
         f"{base}/repo/JdbcRepository.java|Class:JdbcRepository", "import"),
    }  # fmt: skip
    assert (
        f"{base}/users/UserRepository.java",
        f"{base}/repo/JdbcRepository.java",
        "",
    ) in repo.edge_set("IMPORTS")


def test_kotlin_definitions_and_imports() -> None:
    """Interfaces, open classes, objects, companion functions; aliased function imports."""
    repo = index_repo(KOTLIN)
    path = "app/src/main/kotlin/com/acme/billing/Invoice.kt"
    assert repo.defs(path) == [
        ("Interface", "Billable", 6, 8),
        ("Method", "Billable.amount", 7, 7),
        ("Class", "Document", 10, 10),
        ("Class", "Invoice", 12, 21),
        ("Method", "Invoice.amount", 13, 16),
        ("Method", "Invoice.empty", 19, 19),
    ]
    assert repo.imports(path) == [
        ("com.acme.billing.tax", "TaxTable", None),
        ("com.acme.billing.tax", "rate", "taxRate"),
    ]


def test_kotlin_calls_and_inheritance_resolve() -> None:
    """Object members and aliased top-level functions resolve across packages."""
    repo = index_repo(KOTLIN)
    invoice = "app/src/main/kotlin/com/acme/billing/Invoice.kt"
    tax = "app/src/main/kotlin/com/acme/billing/tax/TaxTable.kt"
    assert repo.edge_set("CALLS") == {
        (f"{invoice}|Method:Invoice.amount", f"{tax}|Method:TaxTable.apply", "import"),
        (f"{invoice}|Method:Invoice.amount", f"{tax}|Function:rate", "import"),
        (f"{invoice}|Method:Invoice.empty", f"{invoice}|Class:Invoice", "scope"),
    }
    assert repo.edge_set("INHERITS") == {
        (f"{invoice}|Class:Invoice", f"{invoice}|Class:Document", "scope"),
        (f"{invoice}|Class:Invoice", f"{invoice}|Interface:Billable", "scope"),
    }
    assert (invoice, tax, "") in repo.edge_set("IMPORTS")


def test_an_inner_class_calls_its_outer_class_methods() -> None:
    """`refresh()` inside an inner class is the outer class's method; in Kotlin too."""
    repo = index_repo(
        {
            "p/Outer.java": """
                package p;
                public class Outer {
                  private void refresh() {}
                  class Listener { void onEvent() { refresh(); } }
                }
                """,
            "p/Screen.kt": """
                package p

                class Screen {
                    fun redraw() {}
                    inner class Button {
                        fun click() { redraw() }
                    }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        (
            "p/Outer.java|Method:Outer.Listener.onEvent",
            "p/Outer.java|Method:Outer.refresh",
            "scope",
        ),
        ("p/Screen.kt|Method:Screen.Button.click", "p/Screen.kt|Method:Screen.redraw", "scope"),
    }


def test_kotlin_extension_functions_are_reached_from_calls_on_any_object() -> None:
    """`"A B".slugify()` calls the extension function the file imports. A plain top-level
    `start()` of the package is no extension: `job.start()` is not taken for it."""
    repo = index_repo(
        {
            "src/util/Strings.kt": """
                package com.acme.util

                fun String.slugify(): String = this
                """,
            "src/app/Jobs.kt": """
                package com.acme.app

                fun start() {}
                """,
            "src/app/Main.kt": """
                package com.acme.app

                import com.acme.util.slugify

                fun main(job: Job) {
                    "A B".slugify()
                    job.start()
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/app/Main.kt|Function:main", "src/util/Strings.kt|Function:slugify", "import"),
    }


def test_a_kotlin_nested_class_calls_the_top_level_function_before_the_outer_method() -> None:
    """A Kotlin class nested without `inner` cannot call its outer class's methods: a bare
    `render()` there is the top-level function."""
    repo = index_repo(
        {
            "a/Outer.kt": """
                package a

                fun render(): String = ""

                class Outer {
                    fun render(): String = "outer"

                    class Nested {
                        fun show() = render()
                    }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("a/Outer.kt|Method:Outer.Nested.show", "a/Outer.kt|Function:render", "scope"),
    }


def test_a_private_method_is_no_guess_for_other_files() -> None:
    """Java: `source().indent(5)` is not another class's private `indent`, which its own
    class still calls (gson: `"1".repeat(5)` drawn to a test's private `repeat`). A public
    namesake is still guessed (`source().flushAll()`)."""
    repo = index_repo(
        {
            "src/j/Reader.java": """
                package j;
                class Reader {
                    private static String indent(int n) { return ""; }
                    void read() { indent(2); }
                    public void flushAll() {}
                }
                """,
            "src/k/Limits.java": """
                package k;
                class Limits {
                    void check() { source().indent(5); source().flushAll(); }
                }
                """,
        }
    )
    reader = repo.extractions["src/j/Reader.java"]
    assert [d.hidden for d in reader.definitions] == [False, True, False, False]
    assert type(reader).from_json(reader.to_json()) == reader  # as stored beside the File
    assert repo.edge_set("CALLS") == {
        ("src/j/Reader.java|Method:Reader.read", "src/j/Reader.java|Method:Reader.indent",
         "scope"),
        ("src/k/Limits.java|Method:Limits.check", "src/j/Reader.java|Method:Reader.flushAll",
         "unique_name"),
    }  # fmt: skip


def test_kotlin_private_functions_and_class_extensions_stay_in_their_file() -> None:
    """okio's `private fun LARGE_INTEGER.toLong()` inside a class is no target for `x.toLong()`
    elsewhere, nor is a private top-level function for the rest of the package; an extension
    in an `object` or companion object may be imported, so it is not hidden."""
    repo = index_repo(
        {
            "src/a/WinHandle.kt": """
                package a
                class WinHandle {
                    private fun Large.toLong(): Long = 0L
                    fun Large.widen(): Long = 0L
                    companion object { fun String.decodeHex(): Int = 1 }
                }
                private fun secret() = 1
                fun shared() = secret()
                """,
            "src/a/Other.kt": """
                package a
                fun f(x: Large) { x.toLong(); x.widen(); secret(); shared() }
                """,
        }
    )
    hidden = {d.qualified_name for d in repo.extractions["src/a/WinHandle.kt"].definitions
              if d.hidden}  # fmt: skip
    assert hidden == {"WinHandle.toLong", "WinHandle.widen", "secret"}
    assert repo.edge_set("CALLS") == {
        ("src/a/WinHandle.kt|Function:shared", "src/a/WinHandle.kt|Function:secret", "scope"),
        ("src/a/Other.kt|Function:f", "src/a/WinHandle.kt|Function:shared", "package"),
    }


def test_standard_library_methods_are_never_guessed() -> None:
    """`entry.getKey()`, `field.getName()` and `n.toLong()` on receivers of unknown type are
    the JDK's or Kotlin's, even where one class of the repository has a public namesake."""
    repo = index_repo(
        {
            "src/j/Named.java": """
                package j;
                public class Named {
                    public String getName() { return ""; }
                    public Object getKey() { return null; }
                }
                """,
            "src/j/Use.java": """
                package j;
                class Use { void u(Object f, Object e) { f.getName(); e.getKey(); } }
                """,
            "src/k/Num.kt": "package k\nclass Num { fun toLong(): Long = 0L }\n",
            "src/k/Use.kt": "package k\nfun u(n: Int) = n.toLong()\n",
        }
    )
    assert repo.edge_set("CALLS") == set()


def test_a_call_reaches_the_overload_that_takes_its_arguments() -> None:
    """javapoet's `newName(s)` calls `newName(s, tag)`, not itself; a fixed-arity overload is
    preferred to a varargs one that also fits (`all(3)`), as Java resolves them. Kotlin counts
    a trailing lambda as an argument and default values as optional."""
    repo = index_repo(
        {
            "src/a/Names.java": """
                package a;
                class Names {
                    String newName(String s) { return newName(s, null); }
                    String newName(String s, Object tag) { return s; }
                    void all(String... xs) {}
                    void all(int n) {}
                    void use() { all(3); all("a", "b"); }
                }
                """,
            "src/k/Files.kt": """
                package k
                class Files {
                    fun read(path: String) = read(path, 0) { }
                    fun read(path: String, offset: Int, block: () -> Unit) {}
                    fun log(msg: String, level: Int = 0) {}
                    fun log(vararg parts: String) {}
                    fun use() { log("a"); log("a", "b", "c"); read("p") }
                }
                """,
        }
    )
    names, files = "src/a/Names.java|Method:Names.", "src/k/Files.kt|Method:Files."
    assert repo.edge_set("CALLS") == {
        (f"{names}newName", f"{names}newName#2", "scope"),
        (f"{names}use", f"{names}all#2", "scope"),
        (f"{names}use", f"{names}all", "scope"),
        (f"{files}read", f"{files}read#2", "scope"),
        (f"{files}use", f"{files}log", "scope"),
        (f"{files}use", f"{files}log#2", "scope"),
        (f"{files}use", f"{files}read", "scope"),
    }


def test_a_constructor_or_factory_sharing_a_class_name_does_not_hide_the_class() -> None:
    """gson: `NullSafe extends TypeAdapter<T>` inside `TypeAdapter`, whose constructor is also
    `TypeAdapter.TypeAdapter`; kotlinx-cli: the factory `fun Choice()` declared before the
    class `Choice` it builds. Both base links are made."""
    repo = index_repo(
        {
            "src/a/Adapter.java": """
                package a;
                public abstract class Adapter<T> {
                    public Adapter() {}
                    private final class NullSafe extends Adapter<T> {}
                }
                """,
            "src/k/ArgType.kt": """
                package k
                abstract class ArgType {
                    companion object { fun Choice(n: Int): ArgType = Choice() }
                    class Choice : ArgType()
                }
                """,
        }
    )
    assert repo.edge_set("INHERITS") == {
        ("src/a/Adapter.java|Class:Adapter.NullSafe", "src/a/Adapter.java|Class:Adapter", "scope"),
        ("src/k/ArgType.kt|Class:ArgType.Choice", "src/k/ArgType.kt|Class:ArgType", "scope"),
    }


def test_companion_members_and_kotlin_classes_are_imported_by_name() -> None:
    """okio: `import okio.ByteString.Companion.decodeHex` binds the companion object's
    extension function, which `"00ff".decodeHex()` then calls; a Java file imports a Kotlin
    class (`import okio.Buffer;`), as the two compile into one namespace."""
    repo = index_repo(
        {
            "lib/src/okio/ByteString.kt": """
                package okio
                class ByteString {
                    companion object { fun String.decodeHex(): ByteString = ByteString() }
                }
                """,
            "lib/src/okio/Buffer.kt": "package okio\nclass Buffer { fun size(): Long = 0 }\n",
            "app/src/app/Use.kt": """
                package app
                import okio.ByteString.Companion.decodeHex
                fun f() = "00ff".decodeHex()
                """,
            "bench/src/bench/Bench.java": """
                package bench;
                import okio.Buffer;
                class Bench { void run() { new Buffer(); } }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("app/src/app/Use.kt|Function:f", "lib/src/okio/ByteString.kt|Method:ByteString.decodeHex",
         "import"),
        ("bench/src/bench/Bench.java|Method:Bench.run", "lib/src/okio/Buffer.kt|Class:Buffer",
         "import"),
        ("lib/src/okio/ByteString.kt|Method:ByteString.decodeHex",
         "lib/src/okio/ByteString.kt|Class:ByteString", "scope"),
    }  # fmt: skip
    assert ("bench/src/bench/Bench.java", "lib/src/okio/Buffer.kt", "") in repo.edge_set("IMPORTS")


def test_a_call_on_a_declared_receiver_is_looked_up_in_its_type() -> None:
    """gson's `reader.beginObject()` reaches `JsonReader`, whichever other class has a
    `beginObject`: parameters, locals (`var b = new Buffer()`), fields, for-each variables
    and Kotlin's `val b = Buffer()` say their type. A library's type (`String`, `List<T>`)
    is never guessed into the repository's namesake, but a Kotlin extension still reaches a
    `String`."""
    repo = index_repo(
        {
            "src/a/Buffer.java": """
                package a;
                public class Buffer { public void write(int b) {} public void flushAll() {} }
                """,
            "src/a/Sink.java": "package a;\npublic class Sink { public void write(int b) {} }\n",
            "src/a/Use.java": """
                package a;
                import java.util.List;
                class Use {
                    private Buffer buf;
                    void m(Sink s, List<Sink> all, String str) {
                        s.write(1); this.buf.write(2);
                        var b = new Buffer(); b.write(3);
                        for (Sink x : all) { x.write(4); }
                        all.flushAll(); str.flushAll();
                    }
                }
                """,
            "src/t/Text.kt": "package t\nfun String.shout(): String = this\n",
            "src/k/Use.kt": """
                package k
                import a.Sink
                import t.shout
                class Use(private val sink: Sink) {
                    fun m(s: String) {
                        sink.write(1)
                        s.shout()
                    }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/a/Use.java|Method:Use.m", "src/a/Sink.java|Method:Sink.write", "type"),
        ("src/a/Use.java|Method:Use.m", "src/a/Buffer.java|Method:Buffer.write", "type"),
        ("src/a/Use.java|Method:Use.m", "src/a/Buffer.java|Class:Buffer", "package"),
        ("src/k/Use.kt|Method:Use.m", "src/a/Sink.java|Method:Sink.write", "type"),
        ("src/k/Use.kt|Method:Use.m", "src/t/Text.kt|Function:shout", "import"),
    }


def test_a_guess_whose_arguments_cannot_fit_is_no_edge() -> None:
    """okio: `path.resolve()` with no argument is not the one `resolve(child)` of the
    repository: here `source().expand()` is not `expand(String)`, nor `source().pad(1, 2)`
    the one `pad(int)`; `source().pad(1)` still is."""
    repo = index_repo(
        {
            "src/a/Path.java": """
                package a;
                public class Path {
                    public Path expand(String child) { return this; }
                    public void pad(int n) {}
                }
                """,
            "src/b/Use.java": """
                package b;
                class Use {
                    void none() { source().expand(); source().pad(1, 2); }
                    void one() { source().pad(1); }
                }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/b/Use.java|Method:Use.one", "src/a/Path.java|Method:Path.pad", "unique_name"),
    }


def test_a_package_name_defined_in_several_modules_is_the_callers_modules() -> None:
    """okio's `okio` package spans modules and source sets: `FileSink(1)` in
    okio-wasifilesystem reaches its own module's `FileSink`, not okio-nodefilesystem's,
    which sorts first; a jvmMain caller reaches the jvmMain `actual` of a commonMain
    `expect`."""
    repo = index_repo(
        {
            "nodefs/src/commonMain/kotlin/okio/FileSink.kt": """
                package okio
                class FileSink(val fd: Int)
                """,
            "wasifs/src/wasmWasiMain/kotlin/okio/FileSink.kt": """
                package okio
                class FileSink(val fd: Int)
                """,
            "wasifs/src/wasmWasiMain/kotlin/okio/WasiFs.kt": """
                package okio
                class WasiFs {
                    fun sink() = FileSink(1)
                }
                """,
            "okio/src/commonMain/kotlin/okio/Pool.kt": """
                package okio
                expect object SegmentPool { fun recycle(n: Int) }
                """,
            "okio/src/jvmMain/kotlin/okio/Pool.kt": """
                package okio
                actual object SegmentPool { actual fun recycle(n: Int) {} }
                """,
            "okio/src/jvmMain/kotlin/okio/Deflater.kt": """
                package okio
                class Deflater { fun deflate() { SegmentPool.recycle(1) } }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("wasifs/src/wasmWasiMain/kotlin/okio/WasiFs.kt|Method:WasiFs.sink",
         "wasifs/src/wasmWasiMain/kotlin/okio/FileSink.kt|Class:FileSink", "package"),
        ("okio/src/jvmMain/kotlin/okio/Deflater.kt|Method:Deflater.deflate",
         "okio/src/jvmMain/kotlin/okio/Pool.kt|Method:SegmentPool.recycle", "package"),
    }  # fmt: skip


def test_an_extension_function_of_the_package_needs_no_import() -> None:
    """okio's `fun Int.reverseBytes()` in Util.kt is called as `i.reverseBytes()` all over
    package `okio` without an import; another package must import it; a plain top-level
    function is no target for a call on an object."""
    repo = index_repo(
        {
            "okio/src/commonMain/kotlin/okio/Util.kt": """
                package okio
                internal fun Int.reverseBytes(): Int = this
                fun String.encodeUtf8(): ByteString = ByteString()
                fun checkOffset(n: Int) {}
                """,
            "okio/src/commonMain/kotlin/okio/Buffer.kt": """
                package okio
                class Buffer {
                    fun readIntLe(i: Int, s: String) {
                        i.reverseBytes()
                        s.encodeUtf8()
                        "x".encodeUtf8()
                        i.checkOffset()
                    }
                }
                """,
            "app/src/main/kotlin/app/Use.kt": """
                package app
                class Use { fun run(s: String) { s.encodeUtf8() } }
                """,
        }
    )
    read, util = (
        "okio/src/commonMain/kotlin/okio/Buffer.kt|Method:Buffer.readIntLe",
        ("okio/src/commonMain/kotlin/okio/Util.kt|Function:"),
    )
    assert repo.edge_set("CALLS") == {
        (read, f"{util}reverseBytes", "package"),
        (read, f"{util}encodeUtf8", "package"),
    }
    util_defs = repo.extractions["okio/src/commonMain/kotlin/okio/Util.kt"].definitions
    assert [d.extends for d in util_defs] == ["Int", "String", None]


def test_a_member_that_cannot_take_the_arguments_yields_to_one_that_can() -> None:
    """On a declared receiver, the nearest member that takes the call's arguments wins:
    gson's `json.getAsJsonObject()` on a `JsonObject` (whose own takes a name) is
    `JsonElement`'s; and in Kotlin an extension function of the type in the caller's class
    or file, okio's private `fun Path.resolve()`, when `Path.resolve(child)` cannot apply."""
    repo = index_repo(
        {
            "src/main/java/g/JsonElement.java": """
                package g;
                public class JsonElement { public JsonObject getAsJsonObject() { return null; } }
                """,
            "src/main/java/g/JsonObject.java": """
                package g;
                public class JsonObject extends JsonElement {
                    public JsonObject getAsJsonObject(String name) { return null; }
                }
                """,
            "src/main/java/g/Use.java": """
                package g;
                class Use { void m(JsonObject json) { json.getAsJsonObject(); } }
                """,
            "okio/src/jvmMain/kotlin/okio/Path.kt": """
                package okio
                class Path { fun resolve(child: String): Path = this }
                """,
            "okio/src/jvmMain/kotlin/okio/NioFs.kt": """
                package okio
                class NioFs {
                    private fun Path.resolve(): Int = 1
                    fun source(file: Path) { file.resolve(); file.resolve("a") }
                }
                """,
        }
    )
    fs = "okio/src/jvmMain/kotlin/okio/NioFs.kt|Method:NioFs."
    assert repo.edge_set("CALLS") == {
        ("src/main/java/g/Use.java|Method:Use.m",
         "src/main/java/g/JsonElement.java|Method:JsonElement.getAsJsonObject", "type"),
        (f"{fs}source", f"{fs}resolve", "scope"),
        (f"{fs}source", "okio/src/jvmMain/kotlin/okio/Path.kt|Method:Path.resolve", "type"),
    }  # fmt: skip


def test_overloads_of_one_arity_are_told_apart_by_the_argument_types_shown() -> None:
    """gson's `fromJson("x", type)` with a `Type` is `fromJson(String, Type)`, and with
    `String.class` `fromJson(String, Class)`; `getAdapter(Object.class)` takes a `Class`;
    okio's `write(bytes, 0, n)` with a `ByteArray` is `write(ByteArray, Int, Int)`; where
    nothing shows, the first that takes the arguments."""
    repo = index_repo(
        {
            "src/main/java/g/Gson.java": """
                package g;
                public class Gson {
                    public <T> T fromJson(String json, Class<T> c) { return null; }
                    public <T> T fromJson(String json, java.lang.reflect.Type t) { return null; }
                    public <T> T getAdapter(TypeToken<T> t) { return null; }
                    public <T> T getAdapter(Class<T> t) { return null; }
                }
                """,
            "src/main/java/g/Use.java": """
                package g;
                class Use {
                    void m(Gson gson, Type type, Object any) {
                        gson.fromJson("x", type);
                    }
                    void n(Gson gson) { gson.getAdapter(Object.class); }
                    void o(Gson gson, Object any) { gson.fromJson("y", String.class); }
                    void p(Gson gson, Object any) { gson.fromJson(any, any); }
                }
                """,
            "okio/src/main/kotlin/okio/Buffer.kt": """
                package okio
                class Buffer {
                    fun write(source: ByteString, offset: Int, byteCount: Int): Buffer = this
                    fun write(source: ByteArray, offset: Int, byteCount: Int): Buffer = this
                }
                """,
            "okio/src/main/kotlin/okio/Deflater.kt": """
                package okio
                class Deflater { fun t(b: Buffer, target: ByteArray) { b.write(target, 0, 3) } }
                """,
        }
    )
    use, gson = "src/main/java/g/Use.java|Method:Use.", "src/main/java/g/Gson.java|Method:Gson."
    assert repo.edge_set("CALLS") == {
        (f"{use}m", f"{gson}fromJson#2", "type"),
        (f"{use}n", f"{gson}getAdapter#2", "type"),
        (f"{use}o", f"{gson}fromJson", "type"),
        (f"{use}p", f"{gson}fromJson", "type"),
        ("okio/src/main/kotlin/okio/Deflater.kt|Method:Deflater.t",
         "okio/src/main/kotlin/okio/Buffer.kt|Method:Buffer.write#2", "type"),
    }  # fmt: skip


def test_a_static_wildcard_import_brings_in_a_types_static_members() -> None:
    """`import static a.b.Util.*;` lets `checkArgument(true)` call `Util.checkArgument`, and
    imports Util.java."""
    repo = index_repo(
        {
            "src/main/java/a/b/Util.java": """
                package a.b;
                public final class Util { public static void checkArgument(boolean b) {} }
                """,
            "src/main/java/c/Use.java": """
                package c;
                import static a.b.Util.*;
                class Use { void m() { checkArgument(true); } }
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/main/java/c/Use.java|Method:Use.m",
         "src/main/java/a/b/Util.java|Method:Util.checkArgument", "import"),
    }  # fmt: skip
    assert ("src/main/java/c/Use.java", "src/main/java/a/b/Util.java", "") in repo.edge_set(
        "IMPORTS"
    )


def test_the_receiver_type_picks_among_kotlin_extensions_of_one_name() -> None:
    """kotlinx.coroutines: `scope.cancel()` on a `CoroutineScope` is `fun
    CoroutineScope.cancel()`, `context.cancel()` the `CoroutineContext` one of another file,
    `deferred.ensureActive()` `Job`'s through `Deferred : Job`, and `job.cancel()` the
    member. On an object of unknown type, `other.cancelAndJoin()` is the one extension of
    that name, but `other.await()` no `Promise.await()` (`Deferred` has a member `await`),
    nor `other.cancel()` any of the extensions of several types: no edge."""
    repo = index_repo(
        {
            "core/src/kotlinx/coroutines/CoroutineScope.kt": """
                package kotlinx.coroutines

                import kotlin.coroutines.CoroutineContext

                public interface CoroutineScope {
                    public val coroutineContext: CoroutineContext
                }

                public fun CoroutineScope.cancel(cause: Throwable? = null) {
                    coroutineContext.cancel(cause)
                }

                public fun CoroutineScope.ensureActive(): Unit = coroutineContext.ensureActive()
                """,
            "core/src/kotlinx/coroutines/Job.kt": """
                package kotlinx.coroutines

                import kotlin.coroutines.CoroutineContext

                public interface Job {
                    public fun cancel(cause: Throwable? = null)
                }

                public interface Deferred<out T> : Job {
                    public suspend fun await(): T
                }

                public fun CoroutineContext.cancel(cause: Throwable? = null) {}

                public fun Job.ensureActive() {}

                public fun CoroutineContext.ensureActive() {}

                public suspend fun Job.cancelAndJoin() {}
                """,
            "core/src/kotlinx/coroutines/Promise.kt": """
                package kotlinx.coroutines

                public suspend fun <T> Promise<T>.await(): T = suspendCancellableCoroutine {}
                """,
            "app/src/main/kotlin/com/acme/Worker.kt": """
                package com.acme
                import kotlinx.coroutines.*
                import kotlin.coroutines.CoroutineContext
                class Worker(private val scope: CoroutineScope, private val job: Job) {
                    fun stop(context: CoroutineContext, deferred: Deferred<Int>) {
                        scope.cancel()
                        context.cancel()
                        deferred.ensureActive()
                        job.cancel()
                    }
                    fun guess() {
                        val other = async { 1 }
                        other.cancel()
                        other.ensureActive()
                        other.await()
                        other.cancelAndJoin()
                    }
                }
                """,
        }
    )
    scope = "core/src/kotlinx/coroutines/CoroutineScope.kt"
    job = "core/src/kotlinx/coroutines/Job.kt"
    stop = "app/src/main/kotlin/com/acme/Worker.kt|Method:Worker.stop"
    assert repo.edge_set("CALLS") == {
        (stop, f"{scope}|Function:cancel", "import"),
        (stop, f"{job}|Function:cancel", "import"),
        (stop, f"{job}|Function:ensureActive", "import"),
        (stop, f"{job}|Method:Job.cancel", "type"),
        ("app/src/main/kotlin/com/acme/Worker.kt|Method:Worker.guess",
         f"{job}|Function:cancelAndJoin", "import"),
    }  # fmt: skip


def test_a_kotlin_extension_is_picked_by_a_literal_a_cast_or_this() -> None:
    """`"A B".slugify()` is `fun String.slugify()` beside `fun ByteArray.slugify()`, and so
    is a bare `slugify()` or `this.slugify()` inside another extension of `String`; okio's
    `(sink as Sink).buffer()` is `fun Sink.buffer()`, not `Source.buffer()`, while
    `source().buffer()` says nothing of its type. The node says what each extends."""
    repo = index_repo(
        {
            "text/src/main/kotlin/com/acme/text/Slug.kt": """
                package com.acme.text

                fun String.slugify(): String = lowercase()
                fun ByteArray.slugify(): String = ""
                fun <T : CharSequence> T.shout(): String = ""

                fun String.titled(): String = this.slugify()
                fun ByteArray.titled(): String = slugify()
                """,
            "okio/src/commonMain/kotlin/okio/Okio.kt": """
                package okio
                interface Source
                interface Sink
                fun Source.buffer(): Int = 1
                fun Sink.buffer(): Int = 2
                """,
            "app/src/main/kotlin/com/acme/User.kt": """
                package com.acme
                import com.acme.text.slugify
                import okio.Sink
                import okio.buffer

                class User(val name: String, val raw: ByteArray) {
                    fun slug() = name.slugify() + "A B".slugify()
                    fun rawSlug() = raw.slugify()
                    fun guess() = load().slugify()
                    fun write(sink: Any) = (sink as Sink).buffer() + source().buffer()
                }
                """,
        }
    )
    slug = "text/src/main/kotlin/com/acme/text/Slug.kt"
    user = "app/src/main/kotlin/com/acme/User.kt"
    assert repo.edge_set("CALLS") == {
        (f"{user}|Method:User.slug", f"{slug}|Function:slugify", "import"),
        (f"{user}|Method:User.rawSlug", f"{slug}|Function:slugify#2", "import"),
        (f"{user}|Method:User.write", "okio/src/commonMain/kotlin/okio/Okio.kt|Function:buffer#2",
         "import"),
        (f"{slug}|Function:titled", f"{slug}|Function:slugify", "scope"),
        (f"{slug}|Function:titled#2", f"{slug}|Function:slugify#2", "scope"),
    }  # fmt: skip
    rows = symbol_rows(REPO, BRANCH, repo.extractions[slug])
    assert [(row.props["qualified_name"], row.props["receiver_type"]) for row in rows] == [
        ("slugify", "String"),
        ("slugify", "ByteArray"),
        ("shout", "CharSequence"),
        ("titled", "String"),
        ("titled", "ByteArray"),
    ]


CALL_RESULT_JAVA = {
    "src/main/java/shop/Client.java": """
        package shop;

        public class Client {
            public static Client connect() { return new Client(); }
            public Session open() { return new Session(); }
            public java.util.List<Session> all() { return null; }
            public void get(String path) {}
        }
        """,
    "src/main/java/shop/Session.java": """
        package shop;

        public class Session {
            public void close() {}
        }
        """,
    "src/main/java/app/App.java": """
        package app;

        import shop.Client;

        class App {
            void run(Client given) {
                var c = Client.connect();
                c.get("/");
                var s = c.open();
                s.close();
                var t = given.open();
                t.close();
            }
        }
        """,
}


def test_a_java_var_set_from_a_call_has_the_type_its_method_returns() -> None:
    """`var c = Client.connect()` has the type connect declares; `var s = c.open()` the
    result of Client.open, through c's; on a typed parameter too (`given.open()`). A
    `List<Session>` result is recorded as a collection of Session (`[]Session`)."""
    repo = index_repo(CALL_RESULT_JAVA)
    client = "src/main/java/shop/Client.java"
    assert [(d.qualified_name, d.returns) for d in repo.extractions[client].definitions
            if d.returns] == [("Client.connect", "Client"), ("Client.open", "Session"),
                              ("Client.all", "[]Session")]  # fmt: skip
    run = "src/main/java/app/App.java|Method:App.run"
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        (run, f"{client}|Method:Client.get", "type"),
        (run, f"{client}|Method:Client.open", "type"),
        (run, "src/main/java/shop/Session.java|Method:Session.close", "type"),
    }


CALL_RESULT_KOTLIN = {
    "src/main/kotlin/shop/Client.kt": """
        package shop

        class Session {
            fun close() {}
        }

        class Client {
            fun open(): Session? { return null }
            fun get() {}
            fun read(sink: Session) {}
        }

        fun connect(): Client { return Client() }

        fun Client.read() {}
        """,
    "src/main/kotlin/app/App.kt": """
        package app

        import shop.connect
        import shop.read

        fun run() {
            val c = connect()
            c.get()
            val s = c.open()
            s?.close()
        }

        fun drain() {
            val c = connect()
            c.read()
        }
        """,
}


def test_a_kotlin_val_set_from_a_call_has_the_type_its_function_returns() -> None:
    """`val c = connect()` has the type connect declares, `val s = c.open()` Client.open's
    (`Session?`), through c's; where no member takes the call (`c.read()`, Client's `read`
    takes a sink), the type's extension function does, as on a declared type."""
    repo = index_repo(CALL_RESULT_KOTLIN)
    run, shop = "src/main/kotlin/app/App.kt|Function:run", "src/main/kotlin/shop/Client.kt"
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        (run, f"{shop}|Method:Client.get", "type"),
        (run, f"{shop}|Method:Client.open", "type"),
        (run, f"{shop}|Method:Session.close", "type"),
    }
    drain = "src/main/kotlin/app/App.kt|Function:drain"
    assert {(dst, how) for src, dst, how in repo.edge_set("CALLS") if src == drain} == {
        (f"{shop}|Function:connect", "import"),
        (f"{shop}|Function:read", "import"),
    }


def test_type_tests_and_casts_type_their_names_in_java_and_kotlin() -> None:
    """Java's `o instanceof Update u` binds u and `var u = (Update) o` is an Update, and a
    cast receiver `((Update) o).target()` shows its type; Kotlin's smart casts (`if (o is
    Update)`, a `when (o)` entry `is Install ->`, after `o is Update &&`) and `o as Update`
    do the same (`!is` never). `target` is defined twice, so only the types reach it;
    outside a smart cast, o is `Any` again."""
    repo = index_repo(
        {
            "src/main/java/app/Update.java": """
                package app;
                public class Update { public void target() {} }
                """,
            "src/main/java/app/Install.java": """
                package app;
                public class Install { public void target() {} }
                """,
            "src/main/java/app/Run.java": """
                package app;
                class Run {
                    void go(Object o, Object p) {
                        if (o instanceof Update u) { u.target(); }
                        ((Install) p).target();
                        var i = (Install) o;
                        i.target();
                    }
                }
                """,
            "src/main/kotlin/app/Go.kt": """
                package app

                fun go(o: Any) {
                    if (o !is Install) { o.target() }
                    if (o is Update) { o.target() }
                    when (o) { is Install -> o.target() }
                    val u = o as Update
                    u.target()
                    o.target()
                }
                """,
        }
    )
    assert [c.receiver_type for c in repo.extractions["src/main/java/app/Run.java"].calls] == [
        "Update", "Install", "Install",
    ]  # fmt: skip
    assert [c.receiver_type for c in repo.extractions["src/main/kotlin/app/Go.kt"].calls] == [
        "Any", "Update||Any", "Install||Any", "Update", "Any",
    ]  # fmt: skip
    update, install = "Update.java|Method:Update.target", "Install.java|Method:Install.target"
    assert {(s.rpartition("/")[2], t.rpartition("/")[2]) for s, t, how in
            repo.edge_set("CALLS") if how == "type"} == {
        ("Run.java|Method:Run.go", update), ("Run.java|Method:Run.go", install),
        ("Go.kt|Function:go", update), ("Go.kt|Function:go", install),
    }  # fmt: skip
