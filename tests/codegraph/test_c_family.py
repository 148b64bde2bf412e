"""C and C++ extraction and resolution: includes, one global namespace, classes and bases."""

from __future__ import annotations

from textwrap import dedent

from activities.codegraph.c_macros import (
    blank_bare_macros,
    blank_declarator_macros,
    blank_trailing_macros,
    namespace_macros,
)
from tests.codegraph.sample_repo import index_repo

C_FILES = {
    "src/buf.h": """
        #ifndef BUF_H
        #define BUF_H
        #include <stddef.h>

        typedef struct {
            char *data;
            size_t len;
        } buf_t;

        buf_t *buf_new(size_t cap);
        void buf_append(buf_t *b, const char *s);
        #endif
        """,
    "src/buf.c": """
        #include <stdlib.h>
        #include <string.h>
        #include "buf.h"

        static void grow(buf_t *b, size_t need) {
            b->data = realloc(b->data, need);
        }

        buf_t *buf_new(size_t cap) {
            buf_t *b = calloc(1, sizeof *b);
            grow(b, cap);
            return b;
        }

        void buf_append(buf_t *b, const char *s) {
            grow(b, b->len + strlen(s));
        }
        """,
    "src/main.c": """
        #include "buf.h"

        enum mode { READ, WRITE };

        int main(void) {
            buf_t *b = buf_new(16);
            buf_append(b, "hi");
            return 0;
        }
        """,
}

CPP_FILES = {
    "include/shapes/shape.hpp": """
        #pragma once
        #include <string>

        namespace shapes {
        class Shape {
         public:
          virtual ~Shape() = default;
          virtual double area() const = 0;
          std::string describe() const;
        };
        }  // namespace shapes
        """,
    "src/shape.cpp": """
        #include "shapes/shape.hpp"
        #include <sstream>

        namespace shapes {
        std::string Shape::describe() const {
          std::ostringstream out;
          out << area();
          return out.str();
        }
        }  // namespace shapes
        """,
    "src/circle.cpp": """
        #include "shapes/shape.hpp"

        namespace shapes {
        class Circle : public Shape {
         public:
          explicit Circle(double r) : r_(r) {}
          double area() const override { return kPi * r_ * r_; }
          std::string label() const { return describe(); }

         private:
          double r_;
        };

        Shape *make_circle(double r) { return new Circle(r); }
        }  // namespace shapes
        """,
}


def test_c_definitions_and_includes() -> None:
    """Functions (also returning pointers), typedef'd structs, enums; quoted and system includes."""
    repo = index_repo(C_FILES)
    assert repo.defs("src/buf.h") == [("Struct", "buf_t", 5, 8)]
    assert repo.defs("src/buf.c") == [
        ("Function", "grow", 5, 7),
        ("Function", "buf_new", 9, 13),
        ("Function", "buf_append", 15, 17),
    ]
    assert repo.defs("src/main.c") == [("Enum", "mode", 3, 3), ("Function", "main", 5, 9)]
    assert repo.imports("src/buf.c") == [
        ("<stdlib.h>", None, None),
        ("<string.h>", None, None),
        ("buf.h", None, None),
    ]


def test_c_calls_resolve_by_unique_name_and_prefer_the_same_file() -> None:
    """A call into another .c file resolves by its unique name; static helpers by scope."""
    repo = index_repo(C_FILES)
    assert repo.edge_set("CALLS") == {
        ("src/buf.c|Function:buf_new", "src/buf.c|Function:grow", "scope"),
        ("src/buf.c|Function:buf_append", "src/buf.c|Function:grow", "scope"),
        ("src/main.c|Function:main", "src/buf.c|Function:buf_new", "unique_name"),
        ("src/main.c|Function:main", "src/buf.c|Function:buf_append", "unique_name"),
    }
    assert repo.edge_set("IMPORTS") == {
        ("src/buf.c", "src/buf.h", ""),
        ("src/main.c", "src/buf.h", ""),
        ("src/buf.h", "module:<stddef.h>", ""),
        ("src/buf.c", "module:<stdlib.h>", ""),
        ("src/buf.c", "module:<string.h>", ""),
    }


def test_cpp_definitions_namespaces_and_out_of_line_methods() -> None:
    """Classes inside namespaces, inline and out-of-line (`Shape::describe`) methods."""
    repo = index_repo(CPP_FILES)
    assert repo.defs("src/shape.cpp") == [
        ("Namespace", "shapes", 4, 10),
        ("Method", "shapes.Shape.describe", 5, 9),
    ]
    assert repo.defs("src/circle.cpp") == [
        ("Namespace", "shapes", 3, 15),
        ("Class", "shapes.Circle", 4, 12),
        ("Method", "shapes.Circle.Circle", 6, 6),
        ("Method", "shapes.Circle.area", 7, 7),
        ("Method", "shapes.Circle.label", 8, 8),
        ("Function", "shapes.make_circle", 14, 14),
    ]


def test_cpp_calls_and_bases_resolve_across_files() -> None:
    """Bases resolve in the namespace; implicit-this calls reach base methods in other files."""
    repo = index_repo(CPP_FILES)
    assert repo.edge_set("INHERITS") == {
        ("src/circle.cpp|Class:shapes.Circle", "include/shapes/shape.hpp|Class:shapes.Shape",
         "unique_name"),
    }  # fmt: skip
    assert repo.edge_set("CALLS") == {
        ("src/circle.cpp|Method:shapes.Circle.label", "src/shape.cpp|Method:shapes.Shape.describe",
         "scope"),
        ("src/circle.cpp|Function:shapes.make_circle", "src/circle.cpp|Class:shapes.Circle",
         "scope"),
    }  # fmt: skip
    assert ("src/circle.cpp", "include/shapes/shape.hpp", "") in repo.edge_set("IMPORTS")


def test_a_type_of_a_namespace_opened_in_several_files_still_resolves() -> None:
    """`namespace io` in buf.h and again in buf.cpp is two Namespace nodes; `io::Buffer` as
    a base and in `new io::Buffer()` still reaches the one class."""
    repo = index_repo(
        {
            "src/buf.h": "namespace io { class Buffer { public: void reset(); }; }\n",
            "src/buf.cpp": '#include "buf.h"\nnamespace io { void Buffer::reset() {} }\n',
            "src/main.cpp": """
                #include "buf.h"
                class Derived : public io::Buffer { void go() { reset(); } };
                void f() { new io::Buffer(); }
                """,
        }
    )
    assert ("src/main.cpp|Class:Derived", "src/buf.h|Class:io.Buffer", "unique_name") in (
        repo.edge_set("INHERITS")
    )
    assert {
        ("src/main.cpp|Function:f", "src/buf.h|Class:io.Buffer", "unique_name"),
        ("src/main.cpp|Method:Derived.go", "src/buf.cpp|Method:io.Buffer.reset", "scope"),
    } <= repo.edge_set("CALLS")


def test_calls_through_nested_cpp_paths() -> None:
    """`io::Buffer::create()` reaches the static method; `std::swap(a, b)`,
    `std::chrono::steady_clock::now()`, `llvm::sys::path::swap(p)` and `util::now()` name
    namespaces the repository does not define: never guessed into `Buffer::swap` or
    `Buffer::now`."""
    repo = index_repo(
        {
            "src/buf.h": """
                namespace io {
                class Buffer {
                 public:
                  void swap(Buffer& o) {}
                  static Buffer create() { return Buffer(); }
                  static long now() { return 0; }
                };
                }
                """,
            "src/main.cpp": """
                #include "buf.h"
                int main() {
                  io::Buffer::create();
                  std::swap(a, b);
                  std::chrono::steady_clock::now();
                  llvm::sys::path::swap(p);
                  util::now();
                }
                """,
        }
    )
    calls = repo.extractions["src/main.cpp"].calls
    assert ("io::Buffer::", "create") in {(c.receiver, c.name) for c in calls}
    assert repo.edge_set("CALLS") == {
        ("src/main.cpp|Function:main", "src/buf.h|Method:io.Buffer.create", "unique_name"),
        ("src/buf.h|Method:io.Buffer.create", "src/buf.h|Class:io.Buffer", "scope"),
    }


def test_a_cpp_call_reaches_the_overload_that_takes_its_arguments() -> None:
    """Default arguments widen what an overload takes, `(void)` takes none, and a call
    expanding a parameter pack (`log(args...)`) passes an unknown number: the first."""
    repo = index_repo(
        {
            "src/log.cpp": """
                struct Log {
                    void write(void) { write(1, 2); }
                    void write(int level, int code = 0) { }
                    template <typename... A> void all(A... args) { write(args...); write(); }
                };
                """,
        }
    )
    log = "src/log.cpp|Method:Log."
    assert repo.edge_set("CALLS") == {
        (f"{log}write", f"{log}write#2", "scope"),
        (f"{log}all", f"{log}write", "scope"),
    }


def test_a_static_c_function_is_its_own_files_and_if_variants_are_one() -> None:
    """redis: `mstime` is static in redis-benchmark.c, so server.c's is the one other files
    call; a header's `static inline` is every includer's. Seven `#if` variants of one
    function in one file are one target (the first), not an ambiguity."""
    repo = index_repo(
        {
            "src/server.c": "long long mstime(void) { return 0; }\n",
            "src/bench.c": (
                "static long long mstime(void) { return 1; }\nint b(void) { return mstime(); }\n"
            ),
            "src/util.h": "static inline int clamp(int x) { return x; }\n",
            "src/zmalloc.c": (
                "#if defined(A)\nsize_t rss(void) { return 1; }\n"
                "#elif defined(B)\nsize_t rss(void) { return 2; }\n#endif\n"
            ),
            "src/aof.c": ('#include "util.h"\nvoid f(void) { mstime(); clamp(1); rss(); }\n'),
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/bench.c|Function:b", "src/bench.c|Function:mstime", "scope"),
        ("src/aof.c|Function:f", "src/server.c|Function:mstime", "unique_name"),
        ("src/aof.c|Function:f", "src/util.h|Function:clamp", "unique_name"),
        ("src/aof.c|Function:f", "src/zmalloc.c|Function:rss", "unique_name"),
    }


def test_cpp_standard_library_methods_are_never_guessed() -> None:
    """fmt: `buf.data()` is a std container's, not `format_int::data`; `count.load()` an
    atomic's."""
    repo = index_repo(
        {
            "include/format.h": """
                class format_int { public: const char* data() const { return nullptr; } };
                struct null_atomic { int load() const { return 0; } };
                """,
            "src/use.cc": (
                "void f(std::string buf, std::atomic<int> count) { buf.data(); count.load(); }\n"
            ),
        }
    )
    assert repo.edge_set("CALLS") == set()


def test_specialisations_are_classes_and_a_namespace_is_every_file_opening_it() -> None:
    """fmt: `template <> struct formatter<point>` is a struct whose `format` is its method, so
    `fmt::format()` in that file is not it (276 wrong edges) but the function of the `fmt`
    the library opens elsewhere; spdlog's `spdlog::set_level()` is found in whichever of the
    files opening `spdlog` defines it."""
    repo = index_repo(
        {
            "lib/fmt.h": """
                namespace fmt {
                template <typename T> struct formatter {};
                template <typename... T> int format(const char* s, T&&... args) { return 0; }
                }
                """,
            "test/std_test.cc": """
                #include "../lib/fmt.h"
                struct point {};
                namespace fmt {
                template <> struct formatter<point> {
                  int format(const point&, int& ctx) const { return 0; }
                };
                }
                void test_it() { fmt::format("{}"); }
                """,
            "spdlog/a.h": "namespace spdlog {\nvoid set_level(int level) {}\n}\n",
            "spdlog/b.h": "namespace spdlog {\nstruct sink {};\n}\n",
            "main.cc": "void run() { spdlog::set_level(1); }\n",
        }
    )
    assert ("Method", "fmt.formatter.format", 5, 5) in repo.defs("test/std_test.cc")
    assert repo.edge_set("CALLS") == {
        ("test/std_test.cc|Function:test_it", "lib/fmt.h|Function:fmt.format", "unique_name"),
        ("main.cc|Function:run", "spdlog/a.h|Function:spdlog.set_level", "unique_name"),
    }


def test_an_export_macro_in_a_class_head_keeps_the_class() -> None:
    """spdlog's `class SPDLOG_API logger` and fmt's `class FMT_API file`: the grammar reads
    the macro as the class name and the methods fall out of the class; blanked, they are
    classes again, with every line where it was. `class T final : U` is not a macro."""
    source = """
        #define SPDLOG_API
        namespace spdlog {
        class SPDLOG_API logger {
         public:
          void info(const char* m) { log(m); }
          void log(const char* m) {}
        };
        struct API_ file : base {
          int descriptor() const { return 0; }
        };
        class T final : public logger {};
        }
        """
    repo = index_repo({"include/spdlog/logger.h": source})
    assert repo.defs("include/spdlog/logger.h") == [
        ("Namespace", "spdlog", 2, 12),
        ("Class", "spdlog.logger", 3, 7),
        ("Method", "spdlog.logger.info", 5, 5),
        ("Method", "spdlog.logger.log", 6, 6),
        ("Struct", "spdlog.file", 8, 10),
        ("Method", "spdlog.file.descriptor", 9, 9),
        ("Class", "spdlog.T", 11, 11),
    ]
    assert repo.edge_set("CALLS") == {
        ("include/spdlog/logger.h|Method:spdlog.logger.info",
         "include/spdlog/logger.h|Method:spdlog.logger.log", "scope"),
    }  # fmt: skip


def test_a_macro_line_opening_a_namespace_or_a_class_body_keeps_what_follows() -> None:
    """fmt's `FMT_BEGIN_NAMESPACE`, Qt's `QT_BEGIN_NAMESPACE` and `Q_OBJECT` on lines of
    their own: read as written, `FMT_BEGIN_NAMESPACE namespace detail {` is a function named
    `namespace` and the class after `QT_BEGIN_NAMESPACE` is lost. Blanked, the namespace and
    the class are there again, with every line where it was."""
    repo = index_repo(
        {
            "include/fmt/format.h": """
                #include "base.h"
                FMT_BEGIN_NAMESPACE
                namespace detail {
                inline int helper(int x) { return x; }
                }  // namespace detail

                class buffer {
                 public:
                  void push() { detail::helper(1); }
                };
                FMT_END_NAMESPACE
                """,
            "src/widget.h": """
                #include <QObject>
                QT_BEGIN_NAMESPACE
                class Widget : public QObject
                {
                    Q_OBJECT
                public:
                    void paint() { repaint(); }
                    void repaint() {}
                };
                QT_END_NAMESPACE
                """,
        }
    )
    assert repo.defs("include/fmt/format.h") == [
        ("Namespace", "detail", 3, 5),
        ("Function", "detail.helper", 4, 4),
        ("Class", "buffer", 7, 10),
        ("Method", "buffer.push", 9, 9),
    ]
    assert repo.defs("src/widget.h") == [
        ("Class", "Widget", 3, 9),
        ("Method", "Widget.paint", 7, 7),
        ("Method", "Widget.repaint", 8, 8),
    ]
    assert repo.edge_set("CALLS") == {
        ("include/fmt/format.h|Method:buffer.push",
         "include/fmt/format.h|Function:detail.helper", "scope"),
        ("src/widget.h|Method:Widget.paint", "src/widget.h|Method:Widget.repaint", "scope"),
    }  # fmt: skip


def test_a_macro_line_before_a_block_closing_is_blanked() -> None:
    """abseil closes every namespace with `ABSL_NAMESPACE_END` above `}  // namespace absl`:
    kept, the grammar lost the namespaces (435 of abseil's 882 files had syntax errors there)
    and the header's class was not the one the source file's methods belong to."""
    repo = index_repo(
        {
            "absl/strings/internal/charconv_bigint.h": """
                namespace absl {
                ABSL_NAMESPACE_BEGIN
                namespace strings_internal {
                class BigUnsigned {
                 public:
                  void SetToZero() { size_ = 0; }
                  void ReadDigits();
                };
                }  // namespace strings_internal
                ABSL_NAMESPACE_END
                }  // namespace absl
                """,
            "absl/strings/internal/charconv_bigint.cc": """
                #include "absl/strings/internal/charconv_bigint.h"
                namespace absl {
                ABSL_NAMESPACE_BEGIN
                namespace strings_internal {
                void BigUnsigned::ReadDigits() { SetToZero(); }
                }  // namespace strings_internal
                ABSL_NAMESPACE_END
                }  // namespace absl
                """,
        }
    )
    header = "absl/strings/internal/charconv_bigint.h"
    assert repo.extractions[header].has_syntax_errors is False
    assert [d[:2] for d in repo.defs(header)][:3] == [
        ("Namespace", "absl"),
        ("Namespace", "absl.strings_internal"),
        ("Class", "absl.strings_internal.BigUnsigned"),
    ]
    method = "Method:absl.strings_internal.BigUnsigned"
    assert repo.edge_set("CALLS") == {
        (f"absl/strings/internal/charconv_bigint.cc|{method}.ReadDigits",
         f"{header}|{method}.SetToZero", "scope"),
    }  # fmt: skip


def test_a_macro_name_inside_an_expression_or_before_a_function_is_kept() -> None:
    """A name alone on its line is code where the line before goes on into it (`NULL` as a
    call's last argument, an enum's last value) or the line after goes on from it (a return
    type above the function's name): nothing is blanked, and `buf_new` stays one function."""
    source = """
        enum mode { READ,
            WRITE_ALL
        };
        BUF_T
        buf_new(int cap) {
            return make(cap,
                NULL_BUFFER
            );
        }
        """
    repo = index_repo({"src/buf.c": source})
    assert repo.defs("src/buf.c") == [
        ("Enum", "mode", 1, 3),
        ("Function", "buf_new", 4, 9),
    ]
    assert blank_bare_macros(dedent(source).encode()) == (dedent(source).encode(), ())


def test_macros_ahead_of_a_declaration_leave_its_type_and_owner_alone() -> None:
    """spdlog's `SPDLOG_INLINE std::shared_ptr<logger> registry::get()` was a method of
    `std::shared_ptr`, and fmt's `FMT_CONSTEXPR buffer(...)` constructor broke its class so
    the methods after it were functions. Blanked, each is where it belongs, a destructor
    declared `= default;` too. A type before a
    function's or a variable's name (`UNITY_INTERNAL_PTR UnityNumToPtr(`, `SIZE_T n`) stays:
    without it a C function is none."""
    repo = index_repo(
        {
            "include/spdlog/registry.h": """
                namespace spdlog {
                class registry {
                 public:
                  registry();
                  std::shared_ptr<logger> get(const std::string &name);
                  template <typename T> auto find(T name) -> int;
                };
                }  // namespace spdlog
                """,
            "include/spdlog/registry-inl.h": """
                #include "registry.h"
                namespace spdlog {
                SPDLOG_INLINE registry::registry() { flush_all(); }
                SPDLOG_INLINE std::shared_ptr<logger> registry::get(const std::string &name) {
                    return find(name);
                }
                template <typename T> SPDLOG_INLINE auto registry::find(T name) -> int {
                    return 0;
                }
                }  // namespace spdlog
                """,
            "include/fmt/buffer.h": """
                template <typename T> class buffer {
                 protected:
                  FMT_CONSTEXPR buffer(grow_fun grow, size_t sz) noexcept
                      : size_(sz) {
                    if (FMT_MSC_VERSION != 0) ptr_ = nullptr;
                  }
                  FMT_CONSTEXPR20 ~buffer() = default;
                 public:
                  FMT_CONSTEXPR void clear() { resize(0); }
                  FMT_CONSTEXPR void resize(size_t n) {}
                };
                """,
            "src/unity.c": """
                UNITY_INTERNAL_PTR UnityNumToPtr(const UNITY_INT num)
                {
                    SIZE_T n = 0;
                    return 0;
                }
                """,
        }
    )
    assert [d[:2] for d in repo.defs("include/spdlog/registry-inl.h")] == [
        ("Namespace", "spdlog"),
        ("Method", "spdlog.registry.registry"),
        ("Method", "spdlog.registry.get"),
        ("Method", "spdlog.registry.find"),
    ]
    assert [d[:2] for d in repo.defs("include/fmt/buffer.h")] == [
        ("Class", "buffer"),
        ("Method", "buffer.buffer"),
        ("Method", "buffer.~buffer"),
        ("Method", "buffer.clear"),
        ("Method", "buffer.resize"),
    ]
    assert repo.defs("src/unity.c") == [("Function", "UnityNumToPtr", 1, 5)]
    registry = "include/spdlog/registry-inl.h|Method:spdlog.registry"
    buffer = "include/fmt/buffer.h|Method:buffer"
    assert (f"{buffer}.clear", f"{buffer}.resize", "scope") in repo.edge_set("CALLS")
    assert (f"{registry}.get", f"{registry}.find", "scope") in repo.edge_set("CALLS")


def test_macros_between_a_type_and_a_name_leave_the_declaration_whole() -> None:
    """abseil's nullability macros after a pointer (`const char* absl_nonnull`) made
    `absl_nonnull Builder::NewString` the method's name and broke the parameters after one;
    cJSON's `void * CJSON_CDECL internal_malloc(` and abseil's `void ABSL_ATTRIBUTE_NOINLINE
    Run()` put a macro between a function's type and its name. Blanked, each function has its
    name and its calls. A name before a macro (`int *buf_ptr GUARDED_BY(mu)`), a type after
    a storage class (`static SIZE_T Count(`) and a product (`a * b_c`) stay."""
    source = """
        namespace absl {
        const char* absl_nonnull Builder::NewString(const char* absl_nonnull text) {
          return Copy(text);
        }
        void ABSL_ATTRIBUTE_NOINLINE Run(int n) { NewString(0); }
        static CURL_THREAD_RETURN_T CURL_STDCALL test_thread(void *ptr) { return Run(1); }
        static void * CJSON_CDECL internal_malloc(size_t size) { return malloc(size); }
        struct Guarded {
          int *buf_ptr GUARDED_BY(mu);
        };
        int Scale(int a, int b_c) { return a * b_c; }
        static SIZE_T Count(int n) { return n; }
        }  // namespace absl
        """
    repo = index_repo({"src/builder.cc": source, "src/copy.cc": "char* Copy(const char* s) {}"})
    assert repo.defs("src/builder.cc") == [
        ("Namespace", "absl", 1, 13),
        ("Method", "absl.Builder.NewString", 2, 4),
        ("Function", "absl.Run", 5, 5),
        ("Function", "absl.test_thread", 6, 6),
        ("Function", "absl.internal_malloc", 7, 7),
        ("Struct", "absl.Guarded", 8, 10),
        ("Function", "absl.Scale", 11, 11),
        ("Function", "absl.Count", 12, 12),
    ]
    calls = repo.edge_set("CALLS")
    here = "src/builder.cc|"
    assert (f"{here}Method:absl.Builder.NewString", "src/copy.cc|Function:Copy",
            "unique_name") in calls  # fmt: skip
    assert (f"{here}Function:absl.test_thread", f"{here}Function:absl.Run", "scope") in calls
    blanked = blank_declarator_macros(dedent(source).encode()).decode()
    for kept in ("int *buf_ptr GUARDED_BY(mu)", "static SIZE_T Count", "a * b_c"):
        assert kept in blanked


def test_macros_after_a_declarator_leave_the_function_its_name() -> None:
    """abseil's thread-safety annotations after a parameter list (`bool TryLock()
    ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {`) named the method after the macro, and one
    after a field's or parameter's name broke the class around it. Blanked, each method has
    its name, lines and calls; `if (x) FOO(y);`, a constant's upper-case name and a macro's
    body stay as written."""
    source = """
        namespace absl {
        class Mutex {
         public:
          void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();
          bool TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {
            return Check();
          }
          int Count() const
              ABSL_LOCKS_EXCLUDED(mu_) ABSL_ATTRIBUTE_COLD {
            return Check();
          }
          void Insert(int&& value ABSL_INTERNAL_CAPTURED_BY_THIS) { Check(); }
          bool Check() { return true; }
         private:
          int count_ ABSL_GUARDED_BY(mu_);
        };
        static int GetId(Mutex* mu) ABSL_LOCKS_EXCLUDED(graph_mu) {
          return mu->Count();
        }
        void Run(int x) {
          if (x) LOG_ERROR(x);
          size_t MAX_LEN = 8;
        }
        #define O(n, t) t TSD_MANGLE(n);
        }  // namespace absl
        """
    repo = index_repo({"src/mutex.h": source})
    assert repo.defs("src/mutex.h") == [
        ("Namespace", "absl", 1, 25),
        ("Class", "absl.Mutex", 2, 16),
        ("Method", "absl.Mutex.TryLock", 5, 7),
        ("Method", "absl.Mutex.Count", 8, 11),
        ("Method", "absl.Mutex.Insert", 12, 12),
        ("Method", "absl.Mutex.Check", 13, 13),
        ("Function", "absl.GetId", 17, 19),
        ("Function", "absl.Run", 20, 23),
    ]
    assert not repo.extractions["src/mutex.h"].has_syntax_errors
    calls = repo.edge_set("CALLS")
    here = "src/mutex.h|"
    check = f"{here}Method:absl.Mutex.Check"
    for caller in ("TryLock", "Count", "Insert"):
        assert (f"{here}Method:absl.Mutex.{caller}", check, "scope") in calls
    assert (None, "LOG_ERROR", "absl.Run") in repo.calls("src/mutex.h")
    blanked = blank_trailing_macros(dedent(source).encode())
    assert blanked.count(b"\n") == dedent(source).encode().count(b"\n")
    for kept in (b"if (x) LOG_ERROR(x);", b"size_t MAX_LEN = 8;", b"t TSD_MANGLE(n);"):
        assert kept in blanked


def test_a_googletest_test_is_named_by_its_suite_and_test() -> None:
    """`TEST_F(MutexTest, Unlocks) {` parses as a function named after the macro: every test
    of a file was `TEST`, `TEST#2`, ... by its place, and the structs local to one test were
    every test's (`TEST.Item`). Each test is its macro with its suite and test."""
    test = """
        #include "mutex.h"
        namespace absl {
        TEST_F(MutexTest, Unlocks) {
          struct Item {};
          Lock();
        }
        TEST(Mutex, Basic) {
          struct Item {};
          Lock();
        }
        TYPED_TEST_P(HashTest, Works) { Lock(); }
        }  // namespace absl
        """
    repo = index_repo({"src/mutex_test.cc": test, "src/mutex.h": "inline void Lock() {}\n"})
    assert repo.defs("src/mutex_test.cc") == [
        ("Namespace", "absl", 2, 12),
        ("Function", "absl.TEST_F(MutexTest, Unlocks)", 3, 6),
        ("Struct", "absl.TEST_F(MutexTest, Unlocks).Item", 4, 4),
        ("Function", "absl.TEST(Mutex, Basic)", 7, 10),
        ("Struct", "absl.TEST(Mutex, Basic).Item", 8, 8),
        ("Function", "absl.TYPED_TEST_P(HashTest, Works)", 11, 11),
    ]
    lock = "src/mutex.h|Function:Lock"
    callers = {src for src, dst, _ in repo.edge_set("CALLS") if dst == lock}
    assert callers == {
        "src/mutex_test.cc|Function:absl.TEST_F(MutexTest, Unlocks)",
        "src/mutex_test.cc|Function:absl.TEST(Mutex, Basic)",
        "src/mutex_test.cc|Function:absl.TYPED_TEST_P(HashTest, Works)",
    }


NAMESPACE_FUNCTION_FILES = {
    "src/base/log.h": "namespace acme {\ninline void Log(const char* m) {}\n}\n",
    "src/base/strings.h": """
        #include "log.h"
        namespace acme {
        namespace str {
        inline int Len(const char* s) { Log(s); return 0; }
        void Trim(char* s);
        }  // namespace str
        }  // namespace acme
        """,
    "src/base/strings.cc": """
        #include "strings.h"
        namespace acme {
        namespace str {
        void Trim(char* s) { Len(s); }
        }  // namespace str
        }  // namespace acme
        """,
    "src/util/format.h": """
        #include "../base/strings.h"
        namespace acme {
        inline int Width(const char* s) { return str::Len(s); }
        }  // namespace acme
        """,
    "src/app/main.cc": """
        #include "../util/format.h"
        namespace acme {
        namespace app {
        void Run(char* s) {
          Log(s);
          Width(s);
          str::Trim(s);
        }
        }  // namespace app
        }  // namespace acme
        """,
    "src/tools/log.cc": "namespace acme {\nvoid Log(const char* m) {}\n}\n",
}


def test_a_bare_call_reaches_its_namespaces_function_in_an_included_file() -> None:
    """C++ looks a bare name up in the enclosing namespaces, whichever file opens them: `Log()`
    inside `namespace acme` is the `acme::Log` its includes declare, here log.h's through two
    of them, not tools/log.cc's; before, only a global function or one of its own file was
    found. A function no include defines (declared in strings.h, defined in strings.cc) is
    the one file's that defines it."""
    repo = index_repo(NAMESPACE_FUNCTION_FILES)
    calls = repo.edge_set("CALLS")
    run = "src/app/main.cc|Function:acme.app.Run"
    assert {
        (run, "src/base/log.h|Function:acme.Log", "unique_name"),
        (run, "src/util/format.h|Function:acme.Width", "unique_name"),
        (run, "src/base/strings.cc|Function:acme.str.Trim", "unique_name"),
        ("src/base/strings.h|Function:acme.str.Len", "src/base/log.h|Function:acme.Log",
         "unique_name"),
        ("src/base/strings.cc|Function:acme.str.Trim", "src/base/strings.h|Function:acme.str.Len",
         "unique_name"),
    } <= calls  # fmt: skip
    assert not any(dst.startswith("src/tools/log.cc") for _, dst, _ in calls)


def test_a_cpp_call_on_a_declared_receiver_reaches_its_types_method() -> None:
    """A parameter, local or field declared with a type of the repository (`Sink* out`,
    `const Sink& s`, `Sink local;`, `Sink sink_;`, `std::shared_ptr<Sink>`) calls that type's
    method, not the other `write` the unique-name guess could not tell from it; so does
    `auto x = T{}` or `new T()`. A standard library type's method is never guessed
    (`std::optional<File> o; o.rewind()`); an alias the repository does not define (`using
    buffer = Sink;`) leaves the call undeclared."""
    files = {
        "src/sink.h": """
            namespace io {
            class Sink { public: void write(int n) {} void drain() {} };
            class File { public: void write(int n) {} void rewind() {} };
            }  // namespace io
            """,
        "src/app.cc": """
            #include <memory>
            #include <optional>
            #include "sink.h"
            namespace app {
            using buffer = io::Sink;
            class Logger {
             public:
              void log(io::Sink* out, const io::Sink& s, std::shared_ptr<io::Sink> shared) {
                out->write(1);
                s.write(2);
                shared->write(3);
                io::Sink local;
                local.write(4);
                sink_.write(5);
                std::optional<io::File> o;
                o.rewind();
                buffer b;
                b.drain();
              }
             private:
              io::Sink sink_;
            };
            void made() {
              auto file = io::File{};
              file.write(6);
              auto* sink = new io::Sink(1);
              sink->write(7);
            }
            }  // namespace app
            """,
    }
    calls = index_repo(files).edge_set("CALLS")
    log = "src/app.cc|Method:app.Logger.log"
    assert {dst for src, dst, how in calls if src == log} == {
        "src/sink.h|Method:io.Sink.write",
        "src/sink.h|Method:io.Sink.drain",
    }
    assert (log, "src/sink.h|Method:io.Sink.write", "type") in calls
    assert (log, "src/sink.h|Method:io.Sink.drain", "unique_name") in calls
    made = "src/app.cc|Function:app.made"  # `auto x = T{}`, `auto* x = new T(1)`
    assert (made, "src/sink.h|Method:io.File.write", "type") in calls
    assert (made, "src/sink.h|Method:io.Sink.write", "type") in calls


CALL_RESULT_CPP = {
    "src/net/conn.h": """
        namespace net {
        class Conn {
         public:
          Conn(int port) {}
          void Send() {}
        };
        class Pool {
         public:
          Conn* Acquire();
        };
        Conn* Dial();
        }  // namespace net
        """,
    "src/net/conn.cc": """
        #include "net/conn.h"
        namespace net {
        Conn* Pool::Acquire() { return nullptr; }
        Conn* Dial() { return nullptr; }
        std::unique_ptr<Pool> MakePool() { return nullptr; }
        std::string Name() { return ""; }
        }  // namespace net
        """,
    "src/app/main.cc": """
        #include "net/conn.h"
        void Run(net::Pool& pool) {
          auto c = pool.Acquire();
          c->Send();
          auto d = net::Dial();
          d->Send();
        }
        void Other() {
          auto p = net::MakePool();
          auto e = p->Acquire();
          e->Send();
          auto k = net::Conn(1);
          k.Send();
        }
        """,
}


def test_a_cpp_auto_set_from_a_call_has_the_type_its_function_returns() -> None:
    """`auto c = pool.Acquire()` has the type Pool::Acquire's definition returns (`Conn*`),
    `auto d = net::Dial()` Dial's (defined in a .cc, declared in a header: found by its
    path), `auto p = net::MakePool()` the Pool of its `std::unique_ptr<Pool>`; `auto k =
    net::Conn(1)` is the class called. The standard library's types are not recorded."""
    repo = index_repo(CALL_RESULT_CPP)
    definitions = repo.extractions["src/net/conn.cc"].definitions
    assert [(d.qualified_name, d.returns) for d in definitions if d.returns] == [
        ("net.Pool.Acquire", "Conn"), ("net.Dial", "Conn"), ("net.MakePool", "Pool"),
    ]  # fmt: skip
    run, other = "src/app/main.cc|Function:Run", "src/app/main.cc|Function:Other"
    assert {e for e in repo.edge_set("CALLS") if e[2] == "type"} == {
        (run, "src/net/conn.cc|Method:net.Pool.Acquire", "type"),
        (run, "src/net/conn.h|Method:net.Conn.Send", "type"),
        (other, "src/net/conn.cc|Method:net.Pool.Acquire", "type"),
        (other, "src/net/conn.h|Method:net.Conn.Send", "type"),
    }


def test_a_call_from_the_global_namespace_reaches_no_member_or_namespace_function() -> None:
    """spdlog's `tcp_client::close()` calls `::close(fd)`, and its `os::getenv()` calls
    `::getenv()`: the C library's, not themselves, as the bare name would resolve. A global
    function of the repository is reached; so is `::io::open()` by its path."""
    repo = index_repo(
        {
            "src/file.cc": """
                namespace io {
                class File {
                 public:
                  void close() { :: close(fd_); }
                  int open(const char* p) { return ::open_path(p) + ::io::open(p); }
                };
                std::string getenv(const char* f) { return ::getenv(f); }
                int open(const char* p) { return 0; }
                }  // namespace io
                """,
            "src/util.cc": "int open_path(const char* p) { return 0; }",
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/file.cc|Method:io.File.open", "src/util.cc|Function:open_path", "unique_name"),
        ("src/file.cc|Method:io.File.open", "src/file.cc|Function:io.open", "scope"),
    }


# fmt opens its namespace with a macro defined in base.h: `fmt::format()` names no
# `namespace fmt` the grammar can see.
MACRO_NAMESPACE_FILES = {
    "include/fmt/base.h": """
        #define FMT_BEGIN_NAMESPACE \\
          namespace fmt {         \\
          inline namespace v11 {
        #define FMT_END_NAMESPACE }}

        FMT_BEGIN_NAMESPACE
        namespace detail {
        inline int helper(int x) { return x; }
        }  // namespace detail
        template <typename T> auto format_to(T out) -> T { return detail::helper(out); }
        FMT_END_NAMESPACE
        """,
    "include/fmt/format.h": """
        #include "base.h"
        FMT_BEGIN_NAMESPACE
        inline int format(const char* s) { return format_to(0); }
        FMT_END_NAMESPACE
        """,
    "include/fmt/os.h": """
        #include "format.h"
        FMT_BEGIN_NAMESPACE
        inline int output_file(const char* path) { return 0; }
        FMT_END_NAMESPACE
        """,
    "src/os.cc": """
        #include "fmt/os.h"
        int open_output() { return fmt::output_file("out") + fmt::format_to(1); }
        """,
    # fmt's namespace reached through includes of includes, by files spelling none of them.
    "lib/platform.h": """
        #include "fmt/format.h"
        """,
    "lib/wrapper.h": """
        #include "platform.h"
        """,
    "tools/run.cc": """
        #include "wrapper.h"
        int run() { return fmt::format_to(2); }
        """,
    # fmt's functions are in its namespace, though no file of it says so: none is global.
    "test/global-test.cc": """
        #include "fmt/os.h"
        int global_call() { return ::output_file("out"); }
        """,
    "test/format-test.cc": """
        #include "fmt/format.h"
        FMT_BEGIN_NAMESPACE
        template <> struct formatter<int> {
          int format(int x) { return x; }
        };
        FMT_END_NAMESPACE
        void test_format() {
          fmt::format("x");
          fmt::v11::format("y");
          fmt::format_to(1);
          fmt::detail::helper(2);
          fmt::output_file("out");
          std::format("z");
          other::format("w");
        }
        """,
}


def test_a_namespace_a_macro_opens_reaches_the_files_with_a_line_of_it() -> None:
    """`fmt::format()` reaches format.h's `format`, which the test includes, ahead of its own
    file's, through the inline `v11` too; `fmt::format_to()` and `fmt::detail::helper()` (a
    namespace inside) base.h's, which format.h includes in turn; `fmt::output_file()` the one
    file defining it, which nothing included brings in. `std::format()` and
    `other::format()` name namespaces no macro opens: nothing is guessed. Definitions keep
    their names: the namespace's is in another file."""
    repo = index_repo(MACRO_NAMESPACE_FILES)
    assert repo.extractions["include/fmt/base.h"].namespace_macros == (
        ("FMT_BEGIN_NAMESPACE", ("fmt.v11", "fmt")),
    )
    assert repo.defs("include/fmt/format.h") == [("Function", "format", 3, 3)]
    test = "test/format-test.cc|Function:test_format"
    assert {edge for edge in repo.edge_set("CALLS") if edge[0] == test} == {
        (test, "include/fmt/format.h|Function:format", "import"),
        (test, "include/fmt/base.h|Function:format_to", "import"),
        (test, "include/fmt/base.h|Function:detail.helper", "import"),
        (test, "include/fmt/os.h|Function:output_file", "unique_name"),
    }
    assert ("include/fmt/format.h|Function:format", "include/fmt/base.h|Function:format_to",
            "unique_name") in repo.edge_set("CALLS")  # fmt: skip
    assert not {edge for edge in repo.edge_set("CALLS") if edge[0].startswith("test/global")}
    # Three includes away, through files that name neither fmt nor base.h.
    assert ("tools/run.cc|Function:run", "include/fmt/base.h|Function:format_to",
            "import") in repo.edge_set("CALLS")  # fmt: skip


def test_only_macros_of_nothing_but_namespace_openings_open_namespaces() -> None:
    """nlohmann's inline namespace is named by a macro call: its parent reaches in, as it
    does into an inline one named by a macro (`LIB_ABI_TAG`). A macro that opens a namespace
    and declares something, closes one, or opens one named by a macro or a macro call that is
    not inline (no path reaches it: Qt's `QT_NAMESPACE`, by default no namespace at all)
    opens none. `WTF` is a name: no underscore."""
    source = b"""
        #define NLOHMANN_JSON_NAMESPACE_BEGIN                \\
            namespace nlohmann                               \\
            {                                                \\
            inline namespace NLOHMANN_JSON_NAMESPACE_CONCAT( \\
                        NLOHMANN_JSON_ABI_TAGS,              \\
                        NLOHMANN_JSON_NAMESPACE_VERSION)     \\
            {
        #define ABSL_BEGIN namespace absl::base_internal { /* nested */
        #define DECLARES namespace a { int x;
        #define CLOSES }}
        #define HIDDEN namespace NAME(a, b) {
        # define QT_BEGIN_NAMESPACE namespace QT_NAMESPACE {
        #define TAGGED namespace lib { inline namespace LIB_ABI_TAG {
        #define WTF_BEGIN namespace WTF {
        """
    assert namespace_macros(dedent(source.decode()).encode()) == (
        ("NLOHMANN_JSON_NAMESPACE_BEGIN", ("nlohmann",)),
        ("ABSL_BEGIN", ("absl.base_internal",)),
        ("TAGGED", ("lib",)),
        ("WTF_BEGIN", ("WTF",)),
    )


def test_a_call_of_a_parameter_or_local_is_no_call_of_a_function_elsewhere() -> None:
    """Unity's `UnityMain(.., void (*runAllTests)(void))` calls its parameter, fmt's
    `auto write = [=](...) {...}; write(it)` its lambda: neither is the function of that
    name in another file. A local prototype (`int helper(void);`) still calls the function."""
    repo = index_repo(
        {
            "src/unity.c": """
                int UnityMain(int argc, void (*runAllTests)(void), handler cb) {
                    int (*fp)(int) = 0;
                    int helper(void);
                    runAllTests(); cb(1); fp(2); helper();
                    return 0;
                }
                """,
            "src/tests.c": """
                void runAllTests(void) {}
                void cb(int n) {}
                int fp(int n) { return n; }
                int helper(void) { return 1; }
                """,
            "src/format.cpp": """
                void write_ptr(int it) {
                    auto write = [=](int i) { return i; };
                    write(it);
                }
                void write(int out) {}
                """,
        }
    )
    assert repo.edge_set("CALLS") == {
        ("src/unity.c|Function:UnityMain", "src/tests.c|Function:helper", "unique_name"),
    }


def test_a_cast_types_an_auto_name_or_a_receiver() -> None:
    """fmt's `static_cast<iterator_buffer&>(buf).flush()` and `auto* p =
    dynamic_cast<Foo*>(b)`: the type cast to, whose method `run` (defined twice) is."""
    repo = index_repo(
        {
            "src/types.h": """
                struct Base { virtual ~Base(); };
                struct Foo : Base { void run() {} };
                struct Bar : Base { void run() {} };
                """,
            "src/use.cc": """
                #include "types.h"
                void go(Base* b, Base& r) {
                  auto* p = dynamic_cast<Foo*>(b);
                  p->run();
                  static_cast<Bar&>(r).run();
                }
                """,
        }
    )
    assert [c.receiver_type for c in repo.extractions["src/use.cc"].calls] == ["Foo", "Bar"]
    assert {t for s, t, how in repo.edge_set("CALLS") if how == "type"} == {
        "src/types.h|Method:Foo.run",
        "src/types.h|Method:Bar.run",
    }
