"""C and C++ read without a preprocessor: the macros the grammar would misread. Pure.

tree-sitter parses each file as written, so a macro that expands to nothing (an export or
inline marker) or to half a construct (`FMT_BEGIN_NAMESPACE` is `namespace fmt {`) makes it
misread the declarations around it. These functions turn such macros to spaces before the
parse, keeping every byte offset and line, and read the macros a file defines to open
namespaces, which resolution looks up across files (`RepoLayout.macro_namespaces`).
"""

from __future__ import annotations

import bisect
import re

# An export or visibility macro between `class` and the name (`class SPDLOG_API logger {`,
# `struct FMT_API file :`), which the grammar cannot know expands to nothing: it reads the
# macro as the name and loses the class. Not `class T final`.
_EXPORT_MACRO = re.compile(
    rb"\b(?:class|struct|union)\s+([A-Z_][A-Z0-9_]+)\s+"
    rb"(?=(?!final\b)[A-Za-z_]\w*\s*(?:final\s*)?[:{])"
)


def blank_export_macros(source: bytes) -> bytes:
    """`source` with export macros in class heads turned to spaces, so every byte offset and
    line stays where it was."""
    if b"class" not in source and b"struct" not in source and b"union" not in source:
        return source
    return _EXPORT_MACRO.sub(
        lambda m: (
            m[0][: m.start(1) - m.start(0)] + b" " * len(m[1]) + m[0][m.end(1) - m.start(0) :]
        ),
        source,
    )


# A line holding nothing but an upper-case macro name (`FMT_BEGIN_NAMESPACE`, `QT_BEGIN_NAMESPACE`,
# `G_BEGIN_DECLS`, `Q_OBJECT`): it expands to code the grammar cannot see (`namespace fmt {`),
# and read as written it swallows what follows (`FMT_BEGIN_NAMESPACE namespace detail {...}`
# parses as a function named `namespace`, and the namespace and its definitions are lost).
# Searched for from each line's newline (a literal start is found fast), in the source after
# a newline of its own: match offsets are one past the source's.
_BARE_MACRO = re.compile(rb"\n[ \t]*+(_*[A-Z][A-Z0-9_]*+)[ \t]*+(?://[^\n]*)?\r?(?=\n|\Z)")
# Where a declaration may start: after a statement, a block, an access label or a directive.
_BEFORE_DECLARATION = (b";", b"{", b"}", b":", b"*/")
# What may follow a declaration-level macro; not a name on the line before a function's
# name (`HRESULT` above `Foo(int x)` is its return type) or an expression going on. A block
# closing after it may (abseil's `ABSL_NAMESPACE_END` above `}  // namespace absl`): an
# expression's last item has a `,` or an operator on the line before.
_AFTER_EXPRESSION = re.compile(rb"[ \t]*(?:[A-Za-z_][\w:~]*[ \t]*\(|[^\w#/\s~}]|$)")


def blank_bare_macros(source: bytes) -> tuple[bytes, tuple[str, ...]]:
    """`source` with declaration-level macro lines (`_BARE_MACRO`) turned to spaces, so every
    byte offset and line stays where it was, and the names of those macros (in order, each
    once). A macro line inside an expression (`NULL` as the last of a call's arguments, an
    enum's last value) is kept: the line before it does not end a statement or a block."""
    # `NULL`, `TRUE`: short words without an underscore are values far more often.
    found = [m for m in _BARE_MACRO.finditer(b"\n" + source) if b"_" in m[1] or len(m[1]) > 4]
    if not found:
        return source, ()
    out = bytearray(source)
    names: dict[str, None] = {}
    for m in found:
        # In `source`: the line starts where the match's newline sits in the longer string.
        line_start, line_end, name_start, name_end = m.start(), m.end() - 1, *m.span(1)
        name_start, name_end = name_start - 1, name_end - 1
        before = _significant_before(source, line_start)
        if before is not None and not before.endswith(_BEFORE_DECLARATION):
            continue
        after = _significant_after(source, line_end)
        if after is not None and _AFTER_EXPRESSION.match(after):
            continue
        out[name_start:name_end] = b" " * (name_end - name_start)
        names[m[1].decode("ascii")] = None
    return bytes(out), tuple(names)


# A qualifier macro between a pointer or reference and the declarator's name (abseil's
# `const char* absl_nonnull s`, Apple's `NSString * _Nullable name`, cJSON's `void *
# CJSON_CDECL internal_malloc(`), or an upper-case macro between a function's type and its
# name (`void ABSL_ATTRIBUTE_NOINLINE Run()`): the grammar takes it for the name and loses
# the declaration (`char* absl_nonnull Builder::NewString()` was a method named
# `absl_nonnull Builder::NewString`). In an expression no name follows another. Bounded
# words keep each search linear.
_POINTER_QUALIFIER = re.compile(rb"[*&][ \t]*+([A-Za-z_]\w{0,80}+)[ \t]++(?=([A-Za-z_~]\w{0,80}+))")
_TYPE_THEN_MACRO = re.compile(
    rb"[ \t](_*[A-Z][A-Z0-9]{0,80}+_[A-Z0-9_]{0,80}+)[ \t]++"
    rb"(?=~?[A-Za-z_]\w{0,80}+(?:::~?[A-Za-z_]\w{0,80}+){0,8}+[ \t]*\()"
)
_MACRO_WORD = re.compile(rb"_*[A-Z][A-Z0-9]*_[A-Z0-9_]*")
# Keywords with an underscore that may stand after `*` or `&` (`*co_await task`).
_UNDERSCORE_KEYWORDS = frozenset(
    {b"co_await", b"co_yield", b"co_return", b"and_eq", b"or_eq", b"xor_eq", b"not_eq"}
)
# Words before an upper-case name that make it the type: `static UNITY_INTERNAL_PTR f(`.
_NOT_A_TYPE = frozenset(
    b"static inline extern const volatile virtual constexpr consteval constinit friend "
    b"explicit unsigned signed long short struct class enum union typename typedef using "
    b"return case else do goto new delete throw register mutable thread_local co_return "
    b"sizeof".split()
)


def blank_declarator_macros(source: bytes) -> bytes:
    """`source` with qualifier macros after `*` or `&` and upper-case macros between a type
    and a function's name (`_POINTER_QUALIFIER`, `_TYPE_THEN_MACRO`) turned to spaces, so
    every byte offset and line stays where it was."""
    if b"_" not in source:
        return source
    spans = []
    for m in _POINTER_QUALIFIER.finditer(source):
        word, after = m[1], m[2]
        if b"_" not in word or word in _UNDERSCORE_KEYWORDS:
            continue
        if _MACRO_WORD.fullmatch(after) and not _MACRO_WORD.fullmatch(word):
            continue  # `int *buf_ptr GUARDED_BY(mu)`: the name, then a macro
        spans.append(m.span(1))
    for m in _TYPE_THEN_MACRO.finditer(source):
        before = source[max(m.start() - 81, 0) : m.start()]
        word = re.search(rb"(\w+|[*&>])$", before)
        if word is not None and word[1] not in _NOT_A_TYPE:
            spans.append(m.span(1))
    if not spans:
        return source
    out = bytearray(source)
    for start, end in spans:
        out[start:end] = b" " * (end - start)
    return bytes(out)


# Macros after a function's parameter list (abseil's thread-safety annotations: `bool
# TryLock() ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {`, `int Count() const
# ABSL_LOCKS_EXCLUDED(mu_) {`, `void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION();`): the grammar
# reads the macro call as the declarator and names the method after the macro. Upper-case
# words with an underscore, each with its arguments or none, after the `)` and any
# qualifiers, before what may end a declarator: a body, `;`, `= default`, an initialiser list.
_TRAILING_MACROS = re.compile(
    rb"\)(?:\s*+(?:(?:const|volatile|noexcept|override|final)\b|&&?))*+"
    rb"((?:\s*+_*[A-Z][A-Z0-9]{0,80}+_[A-Z0-9_]{0,80}+"
    rb"(?:[ \t]*+\((?:[^()\n]|\([^()\n]*\)){0,200}+\))?){1,8}+)"
    rb"(?=\s*+(?:[{;:]|=(?!=)|->|(?:const|override|final|noexcept)\b))"
)
# Words before a `(` that make it no parameter list: `if (x) FOO(y);` calls FOO.
_NOT_A_DECLARATOR = frozenset(
    b"if while for switch return sizeof alignof decltype noexcept catch defined throw case "
    b"__attribute__ __declspec alignas static_assert new delete and or not co_await".split()
)
_BEFORE_PARAMETERS = re.compile(rb"(~?[A-Za-z_]\w{0,80}+)[ \t]*+$")
# A macro after a variable's or a parameter's name (`int count_ ABSL_GUARDED_BY(mu_);`,
# `T&& value ABSL_INTERNAL_ATTRIBUTE_CAPTURED_BY_THIS)`): with its arguments before the end
# of the declaration, or without them before the end of a parameter (not before `;` or `=`:
# `size_t MAX_LEN = 8;` is a constant's name).
_NAME_THEN_MACRO = re.compile(
    rb"[ \t](_*[A-Z][A-Z0-9]{0,80}+_[A-Z0-9_]{0,80}+)"
    rb"(?:[ \t]*+\((?:[^()\n]|\([^()\n]*\)){0,200}+\)(?=\s*+[;,)=])|(?=\s*+[,)]))"
)
# Where to try `_NAME_THEN_MACRO` (a search from a literal is fast): a macro word's first
# underscore, its end and what follows it.
_MACRO_THEN_END = re.compile(rb"_[A-Z0-9_]{0,80}+[ \t]*+[(,)]")
_NAME_BEFORE = re.compile(rb"([A-Za-z_]\w{0,80}+|\])[ \t]*+$")
# Words before such a macro that make it an expression or statement (`return FOO_X(a);`).
_NOT_A_NAME = frozenset(
    b"return else do case goto throw new delete sizeof co_return co_yield co_await typedef "
    b"using and or not".split()
)


def blank_trailing_macros(source: bytes) -> bytes:
    """`source` with the macros after a declarator (`_TRAILING_MACROS` after a parameter
    list, `_NAME_THEN_MACRO` after a name) turned to spaces, so every byte offset and line
    stays where it was. Only after a parameter list (the `)` closes a `(` that follows a name
    that is no keyword) or a name that is no keyword, and never in a directive: a macro's
    body is no declaration (`#define O(n, t) t TSD_MANGLE(n);` names a field by a macro)."""
    if b"_" not in source:
        return source
    spans = []
    for hit in _MACRO_THEN_END.finditer(source):
        start, lowest = hit.start(), max(hit.start() - _MAX_MACRO_CHARS, 1)
        while start > lowest and source[start - 1] in _MACRO_BYTES:
            start -= 1
        m = _NAME_THEN_MACRO.match(source, start - 1)
        if m is None:
            continue
        name = _NAME_BEFORE.search(source, max(m.start() - 82, 0), m.start())
        if name is not None and name[1] not in _NOT_A_NAME:
            spans.append((m.start(1), m.end()))
    trailing = list(_TRAILING_MACROS.finditer(source))
    opening = _matching_openings(source) if trailing else {}
    for m in trailing:
        paren = opening.get(m.start())
        if paren is None:
            continue
        name = _BEFORE_PARAMETERS.search(source, max(paren - 82, 0), paren)
        if name is not None and name[1] not in _NOT_A_DECLARATOR:
            spans.append(m.span(1))
    if not spans:
        return source
    directives = [m.span() for m in _DIRECTIVE.finditer(source)]
    out = bytearray(source)
    for start, end in spans:
        at = bisect.bisect_right(directives, (start, len(source))) - 1
        if at >= 0 and directives[at][0] <= start < directives[at][1]:
            continue
        out[start:end] = _NOT_NEWLINE.sub(b" ", source[start:end])  # newlines stay
    return bytes(out)


# A preprocessor directive over its continued lines.
_DIRECTIVE = re.compile(rb"^[ \t]*#(?:[^\n]*\\\r?\n)*[^\n]*", re.MULTILINE)
_NOT_NEWLINE = re.compile(rb"[^\r\n]")


def _matching_openings(source: bytes) -> dict[int, int]:
    """Each `)`'s matching `(` by offset, within one statement: a `;`, `{` or `}` forgets
    every `(` still open, as no parameter list holds one (`for (;;)` pairs nothing)."""
    pairs = {}
    stack: list[int] = []
    for m in re.finditer(rb"[(){};]", source):
        char = m[0]
        if char == b"(":
            stack.append(m.start())
        elif char == b")":
            if stack:
                pairs[m.start()] = stack.pop()
        else:
            stack.clear()
    return pairs


# `#define FMT_BEGIN_NAMESPACE namespace fmt { inline namespace v11 {`, over continued lines.
_DEFINE = re.compile(rb"#[ \t]*define[ \t]+([A-Za-z_]\w*)[ \t]+((?:[^\n]*\\\r?\n)*[^\n]*)")
# An unclosed `/*` runs to the end: matched once, not again from every later `/*`.
_COMMENT = re.compile(rb"/\*.*?(?:\*/|\Z)|//[^\n]*|\\\r?\n", re.DOTALL)
# Longer bodies open no namespaces (fmt's is 60 bytes); they are not read.
_MAX_DEFINE_BYTES = 4096
# `namespace a::b {`, `inline namespace v11 {`; nlohmann's `inline namespace
# NLOHMANN_JSON_NAMESPACE_CONCAT(TAGS, VERSION) {` is inline, so its parent's path reaches in.
_OPENING = re.compile(
    rb"\s*(inline\s+)?namespace\s+"
    rb"(?:([A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*)|[A-Za-z_]\w*\s*\([^(){}]*\))\s*\{"
)
_MAX_NAMESPACE_DEPTH = 8
# A namespace named so is a macro's (`QT_NAMESPACE`): upper case, with an underscore, as
# `WTF` or `JSC` are not.
_MACRO_NAME = re.compile(rb"_*[A-Z][A-Z0-9]*_[A-Z0-9_]*")


def namespace_macros(source: bytes) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The macros `source` defines to open namespaces, each with the dotted namespace paths
    that reach what it encloses: `FMT_BEGIN_NAMESPACE` opening `fmt` and inline `v11` gives
    `fmt.v11` and `fmt` (an inline namespace's names are its parent's too). Only a body of
    nothing but `namespace x {` openings counts."""
    if b"define" not in source or b"namespace" not in source:
        return ()
    found: dict[str, tuple[str, ...]] = {}
    for m in _DEFINE.finditer(source):
        if len(m[2]) > _MAX_DEFINE_BYTES:
            continue
        body = _COMMENT.sub(b" ", m[2]).strip()
        segments: list[tuple[str | None, bool]] = []
        at = 0
        while at < len(body) and (opening := _OPENING.match(body, at)) is not None:
            inline = opening[1] is not None
            if opening[2] is None and not inline:
                break  # a namespace named by a macro call, which only an inline one may be
            for part in re.split(rb"\s*::\s*", opening[2]) if opening[2] else [None]:
                # One named by a macro (Qt's `namespace QT_NAMESPACE {`, by default no
                # namespace at all) is reached by no known path, unless it is inline.
                named = part is not None and _MACRO_NAME.fullmatch(part) is None
                segments.append((part.decode("ascii") if named and part else None, inline))
            at = opening.end()
        complete = segments and at == len(body) and len(segments) <= _MAX_NAMESPACE_DEPTH
        if complete and (paths := _reaching_paths(segments)):
            found[m[1].decode("ascii")] = paths
    return tuple(found.items())


def _reaching_paths(segments: list[tuple[str | None, bool]]) -> tuple[str, ...]:
    """Every dotted path that reaches into the innermost namespace: the full one first, then
    each with some inline namespaces left out (one whose name a macro makes always is)."""
    paths = [""]
    for name, inline in segments:
        named = [f"{p}.{name}".lstrip(".") for p in paths] if name else []
        paths = named + (paths if inline else [])
    return tuple(dict.fromkeys(p for p in paths if p))


def _significant_before(source: bytes, at: int) -> bytes | None:
    """The line before offset `at` with code on it, stripped (a directive reads as a `;`:
    it ends whatever came before), or None at the start of the file."""
    while at > 0:
        start = source.rfind(b"\n", 0, at - 1) + 1
        code = source[start : at - 1].split(b"//", 1)[0].strip()
        if code:
            return b";" if code.startswith(b"#") else code
        at = start
    return None


def _significant_after(source: bytes, at: int) -> bytes | None:
    """The next line after offset `at` (the end of a line) with code on it, or None."""
    while at < len(source):
        end = source.find(b"\n", at + 1)
        end = len(source) if end < 0 else end
        code = source[at + 1 : end]
        if code.strip() and not code.lstrip().startswith(b"//"):
            return code
        at = end
    return None


# Longer upper-case words are not taken for macros: a bound keeps every search linear (a
# megabyte of `AB_AB_AB...` would otherwise be read again from each underscore).
_MAX_MACRO_CHARS = 80

# Macros ahead of a declaration (`SPDLOG_INLINE void logger::flush()`, `FMT_CONSTEXPR auto
# size()`, `FMT_CONSTEXPR buffer(grow_fun grow)`): the grammar takes the first for the type,
# and the real type for the declarator (`std::shared_ptr<logger> registry::get()` became a
# method of `std::shared_ptr`). Upper-case names with an underscore, at the start of a line
# (or after a template head or a storage class), followed by a keyword that starts a
# declaration, or by a constructor or destructor: `buffer(` indented in a class body (not
# ending its line with `;`), `logger::logger(`, `~buffer(`.
# Not a type before a variable's or a function's name (`FILE *f`, `SIZE_T n = 0`,
# `UNITY_INTERNAL_PTR UnityNumToPtr(`, `MY_TYPE obj(args);`): a C function without its type
# is no function to the grammar.
_MODIFIER_MACROS = re.compile(
    # Possessive and bounded: each try reads a few words at most, whatever the input.
    rb"(?<![\w:])((?:_*[A-Z][A-Z0-9_]{0,80}+[ \t]++){1,8}+)"  # 80: _MAX_MACRO_CHARS
    rb"(?=((?:void|auto|inline|static|constexpr|consteval|explicit|virtual|bool|int|char"
    rb"|unsigned|signed|long|short|double|float|size_t|friend|typename|extern|struct|class"
    rb"|enum|union|template|operator|std::)\b)"
    rb"|(~?[A-Za-z_]\w*)(?:<[^<>\n]*>)?(::~?[A-Za-z_]\w*)?[ \t]*\()"
)
# What may come before them on their line: nothing, a template head, a storage class.
_BEFORE_MODIFIERS = re.compile(
    rb"(?:^|[\n>]|\b(?:static|inline|extern|constexpr|virtual|friend|explicit))[ \t]*$"
)


# Where to try `_MODIFIER_MACROS`: a regular expression starting with a literal is searched
# for many times faster than one starting with a class of characters.
_UNDERSCORE_WORD = re.compile(rb"_[A-Z0-9_]{0,80}[ \t]")  # 80: _MAX_MACRO_CHARS
_MACRO_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def blank_modifier_macros(source: bytes) -> bytes:
    """`source` with the macros ahead of declarations (`_MODIFIER_MACROS`) turned to spaces."""
    found = []
    done = 0
    for hit in _UNDERSCORE_WORD.finditer(source):
        start = hit.start()
        lowest = max(hit.start() - _MAX_MACRO_CHARS, 0)
        while start > lowest and source[start - 1] in _MACRO_BYTES:
            start -= 1
        if start >= done and (m := _MODIFIER_MACROS.match(source, start)) is not None:
            found.append(m)
            done = m.end()
    if not found:
        return source
    out = bytearray(source)
    for m in found:
        line_start = source.rfind(b"\n", 0, m.start()) + 1
        before = source[line_start : m.start()]
        if not _BEFORE_MODIFIERS.search(before):
            continue
        if not all(b"_" in word for word in m[1].split()):
            continue  # `FILE`, `T`: types, not macros
        keyword, name, member = m[2], m[3], m[4]
        if member is not None:
            constructor = member.lstrip(b":~") == name  # `logger::logger(`, `logger::~logger(`
        elif name is not None and name.startswith(b"~"):
            constructor = True  # a destructor: `FMT_CONSTEXPR20 ~buffer() = default;`
        else:
            # `buffer(` indented in a class body, but not `MY_TYPE obj(args);` in a function.
            line_end = source.find(b"\n", m.end())
            rest = source[m.end() : None if line_end < 0 else line_end]
            constructor = before.isspace() and not rest.split(b"//")[0].rstrip().endswith(b";")
        if keyword is not None or constructor:
            out[m.start(1) : m.end(1)] = b" " * (m.end(1) - m.start(1))
    return bytes(out)
