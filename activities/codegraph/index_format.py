"""What a branch's graph was made with besides its code: the extractor, the grammars, and the
settings that decide which files are parsed and as what language.

A re-index parses only blobs it has not seen, so a file left unchanged keeps whatever the old
rules made of it: raising `MAX_FILE_BYTES` would never parse a file skipped as too large, and
a new extractor would leave old definitions beside new ones. The Branch node records the
format its graph was settled with; a run that finds another one parses every file again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from importlib import metadata

from activities.codegraph.languages import GRAMMARS
from activities.codegraph.skipping import SkipRules

# Bump when a change to extraction (queries, symbols, skipping by content, the stored
# extraction's shape) changes what some file yields: every branch is parsed again at its
# next run. Grammar upgrades are picked up without it (`grammar_versions`).
# A change to resolution that moves some edge bumps it too: a re-index re-resolves only the
# files a change reaches, so old edges would stay elsewhere.
# 2: definitions and imports with names over MAX_NAME_BYTES left out; brackets nested over
# MAX_NESTING skipped (`too_deep`).
# 3: a Go import binds the package name of the directory's first non-test file (an external
# `x_test` file sorting first had renamed the package in every importer).
# 4: no unique-name guess for calls on a type (`JSON.parse`), Rust's standard trait methods
# or `self` past a base from outside; library imports (`import json`, `require 'json'`,
# `<string.h>`, Go's "errors" under a module) no longer bind namesakes deep in the tree;
# calls in a second definition of a name (overloads, a property's setter) start from it; Go
# named types over other types (`type Color int`) are definitions of kind Type; names a
# module passes on (`__init__.py`, a TypeScript barrel's `export ... from`) are followed;
# a bare call in a nested class reaches the outer class's methods (Java inner classes);
# Rust calls through module paths (`crate::util::f()`, `super::f()`) resolve; CommonJS
# `exports.f = function` defines f; Kotlin calls reach extension functions; C++ calls
# through nested paths (`io::Buffer::create()`) are call sites, `std::` ones never guessed;
# fully qualified names (`\App\f()`, `com.acme.Helper.help()`) reach their namespace.
# 5: PHP static calls on a class path (`\App\Str::slug()`, `Support\Str::slug()` under a
# `use`) reach the class, read as PHP reads the path; Ruby names without parentheses that
# their method binds as no local are call sites (`helper`, `"#{title}"`).
# 6: names a module passes on under another name (`export { fmt as format } from`, `from
# .core import Engine as Motor`) are followed to their definition; a JS default import
# reaches the module's declared default export (`FileExtraction.default_export`).
# 7: a default passed on from another module (`export { default } from './Card'`) is
# followed there, not looked up by the importer's name nor behind `export *`; Python's
# `from .options import default` binds `default`; TypeScript's `export default abstract
# class` is a declared default export; a member of a type a module passes on
# (`Engine.start()` after `from pkg import Engine`) is found in the type's definition; a
# directory below a Python package is no import root; no unique-name guess for Rust's std
# and JavaScript's built-in and DOM methods, on a JS global (`document`), or for a method
# handing the call on to a field (`self.inner.read()` inside `read`); Rust: `pub use` is
# followed, a `use` path starts in the current module, `super` in an inline module is the
# file; JS arrow-function class fields are methods; a method found only in tests is no
# guess for other code; tsconfig path aliases and the crates of a Cargo workspace resolve;
# a recursive function's call to itself is an edge; `export { a as b }` (no `from`) is
# recorded as an import of the module itself (module '') and followed for importers.
# 8: Rust call paths starting `self::` or `super::` are read from the enclosing inline
# module, as `use` paths are (`super::helper()` in `mod tests` is the file's own function);
# a method's `self::f()` is the module's function, not a method of the type.
# 9: callables declared `private` (Java, Kotlin, C#, PHP, TypeScript) and Kotlin extensions
# declared in a class are `Definition.hidden`: no unique-name guess or package lookup from
# other files reaches them.
# 10: a receiver through `->` fields (`$this->client`, `self->inner`) is kept as written, not
# taken for an expression (`?`), so a method handing a call on to its namesake is seen.
# 11: Java, Kotlin, C# and C++ callables record the arguments they take (`Definition.arity`)
# and calls the arguments they pass (`CallSite.args`): a call reaches the overload that
# takes them, not always the first declared.
# 12: `static` functions of C and C++ source files and Ruby `def`s inside blocks are hidden
# (see 9).
# 13: C++ template specialisations (`template <> struct formatter<point>`) are classes;
# Ruby `attr_reader`/`attr_accessor`/`attr_writer` define methods.
# 14 (resolution, with 9-13's C# change): a C# namespace sees its enclosing namespaces'
# types; a constructor or factory sharing its class's name no longer hides the class from
# base lookups; Kotlin imports of companion members (`import a.B.Companion.f`) bind them;
# Java and Kotlin resolve as one family (a Java file imports a Kotlin class).
# 15: Java, Kotlin and C# calls record their receiver's declared type (`CallSite.
# receiver_type`: a parameter, local, field or property), and resolve in that type
# (`resolution: type`); a library's type is never guessed into the repository's namesake.
# 16: the same for TypeScript (parameters, fields, constructor parameter properties,
# annotated variables) and `x = new T()` in JavaScript.
# 17: the same for PHP (typed parameters and properties, promoted constructor parameters,
# `$x = new T()`).
# 18: the same for Python (annotated parameters and variables, `x = T()`, `self.x = T()`),
# where an annotation the repository does not define leaves the guess as before.
# 19: the same for Go (parameters, `var`, struct fields through the method's receiver,
# `x := &T{}`).
# 20: the same for Rust (parameters, `let` with a type, `T::new()` or `T { .. }`, struct
# fields through `self`; `Arc`, `Rc` and `Box` seen through); a field is read by its bare
# name only in Java, Kotlin and C#.
# 21: C and C++ export macros in class heads (`class SPDLOG_API logger`) are blanked before
# parsing, so the class and its methods are kept.
# 22 (resolution): a unique-name guess whose arguments the method cannot take is no edge;
# Go's `sync` methods (`Lock`, `Unlock`, ...) are never guessed.
# 23 (resolution): nor Kotlin's `first`, the canvas's `toBlob`, .NET's `CreateLogger`,
# Rust's `valid_up_to`.
# 24: a field set from a typed parameter (`self.api = client`, `$this->client = $client`,
# `this.api = client` in TypeScript) takes the parameter's type.
# (C# project usings, read from MSBuild files, came with a new module root: the stored roots
# differ for every branch, which re-resolves it whole. No bump.)
# 25: a C# generic type's qualified name carries its arity (`Options`1`, as .NET names it),
# and so do the references to it (`new Options<int>()`, a declared `Options<int>`, a base).
# 26: PHP's `\\unlink()` is a call of the global function (receiver `\\`), and a bare PHP
# name reaches only its namespace or the global one, not another namespace's namesake.
# 27 (resolution): the parts of a C# partial class share their members and bases.
# 28: a call site says whether it creates an object (`new T()`): it reaches a type, nested
# ones of the enclosing class too, never a method named alike (a constructor).
# 29 (resolution): a Ruby class reopened in other files is one class for method lookup
# (each part's members), and `A::B` names its first part.
# 30 (resolution): a package's files are searched nearest to the caller first (the
# caller's module or source set: okio's `FileSink`, a Kotlin `actual` beside its caller).
# 31: the body of a Ruby endless method (`def title = heading`) is a call site.
# 32: a C or C++ call of a parameter's or local's name (a function pointer, a lambda) is no
# call site.
# 33: a Kotlin extension function records the type it extends (`Definition.extends`), and
# a call on an object reaches its package's extension functions without an import.
# 34 (resolution): on a declared receiver, the nearest member that can take the call's
# arguments wins, and in Kotlin the caller's class's or file's extension of the type when
# no member can.
# 35: overloads keep their parameters' types and calls what their arguments show of theirs
# (literals, `new T()`, typed names): of the overloads taking a call's arguments, the one
# matching most of them (Java, Kotlin, C#).
# 36 (resolution): a static wildcard import (`import static a.b.Util.*`, `using static
# A.B.Util;`, a project's `Static="true"` using) brings in the type's static members.
# 37: a C# `global using` line binds in every file of its project (`Import.project_wide`).
# 38: a C/C++ macro alone on a declaration-level line (`FMT_BEGIN_NAMESPACE`, `Q_OBJECT`) is
# blanked before parsing: the namespace or class after it is kept.
# 39: upper-case macros ahead of a C/C++ declaration (`SPDLOG_INLINE`, `FMT_CONSTEXPR`) are
# blanked too: the declaration keeps its type and owner.
# 40: a C++ destructor after such a macro is blanked too, even declared `= default;`.
# 41: C/C++ macros that open namespaces (`FMT_BEGIN_NAMESPACE`) are read: `fmt::format()`
# reaches the top-level definitions of the files with a line of one.
# 42: a namespace macro may open an inline namespace a macro call names (nlohmann's).
# 43 (resolution): a call into a macro-opened namespace looks through includes of includes.
# 44 (resolution): those lookups go on to the next include level when a namespace there
# lacks the member.
# 45: upper-case words over 80 characters or runs over 8 words are no macros to blank.
# 46: a namespace named by a macro (Qt's `namespace QT_NAMESPACE {`) opens no known path.
# 47: qualifier macros after `*`/`&` (`absl_nonnull`) and upper-case macros between a
# function's type and its name (`void ABSL_ATTRIBUTE_NOINLINE Run()`) are blanked.
# 48: Ruby methods of the class itself are `Foo.self.build`, apart from instance methods, and
# calls reach the side Ruby calls (`CallSite.in_block` marks calls in blocks).
# 49: C++'s `::close()` keeps its `::` receiver and reaches only the global namespace's.
# 50: a macro line above a closing brace (`ABSL_NAMESPACE_END`) is blanked.
# 51: Kotlin extension functions carry `receiver_type` and calls reach them by their
# receiver's type, level by level as Kotlin looks them up.
# 52: C/C++ macros after a parameter list or a name (`bool TryLock()
# ABSL_EXCLUSIVE_TRYLOCK_FUNCTION(true) {`, `int n_ ABSL_GUARDED_BY(mu_);`) are blanked.
# 53: a PHP file of several namespace blocks: each block is a Namespace, its `use`s and calls
# read in its namespace.
# 54: Ruby constants are looked up as Ruby does (enclosing modules innermost first, the
# class's ancestors, then the top level); a `::Base` base keeps its `::`; `x.include M` is no mixin.
# 55: a Ruby `Foo.new` reaches the class where no `def self.new` takes it.
# 56: a googletest test is named by its macro, suite and test (`TEST_F(MutexTest, Unlocks)`).
# 57 (resolution): a bare C++ call in a namespace, or one by a path relative to it, reaches
# the namespace's functions in the files it includes, else in the one file defining them.
# 58: C++ parameters, locals and fields keep their declared types: a call on one reaches the
# type's method (`Sink* out; out->write()`).
# 59: so do C++'s `auto x = T{}`, `auto* x = new T()` and `auto x = T()`.
# 60: JSX components rendered (`<Button />`, `<UI.Card>`) are call sites; a component wrapped
# as it is defined (`const Card = memo((props) => ...)`, `forwardRef`, `observer`) is a function.
# 61: Go callables record their declared result (`Definition.returns`) and a name set from a
# call (`srv := NewServer()`) has that type: its calls reach that type's methods.
# 62: so do Python's (`-> Client`), TypeScript's (`(): Client`, `Promise<Client>` awaited),
# Java's and C#'s callables, and a Python class called through a module (`shop.Client()`)
# is an instance of it.
# 63: JavaScript's `F.prototype.m = function` and `X.m = function` are methods of the file's F
# (then a Class) or X (a function, a class, an object: `var app = {}` becomes an Object).
# 64 (resolution): `const T = require('./t'); T.m()` reaches the module's class T's `m`.
# 65: and Kotlin's and Rust's (`-> Result<Session, E>` for `let s = open()?`, `-> Self`).
# 66: and PHP's (`: Session`, `: ?\Lib\Session`, `: static`) for `$s = $c->open()`.
# 67: and C++'s (`auto c = pool.Acquire()`; `auto x = Foo(1)` is the class called, where a
# capitalised callee was taken for a type before: Google's style capitalises functions).
# 68 (resolution): a Kotlin name set from a call reaches an extension function of its type
# where no member takes the call, as a declared one does.
# 69: files record their types' fields with their declared types (`FileExtraction.fields`),
# and a call through a field declared in another file reaches the field's type.
# 70: a loop variable (`for x of xs`, `range`, array callbacks, LINQ lambdas) has the element
# type of the collection it iterates; Python's `Optional[X]` and `X | None` annotations are X.
# 71: TypeScript parameter properties and PHP promoted parameters are fields of the class.
# 72: JS/TS members set at the top of a module (`Card.Header = CardHeader`, `Object.assign`).
# 73: collections recorded as `[]Elem` in results and fields, loops over calls in every typed
# language, and a name bound again has its binding by position.
# 74: Kotlin lambdas bind `it` or their parameter to an element; `let`/`also` to the receiver.
# 75: Python's `.values()`/`.items()` of a declared mapping give its value type.
# 76: PHP's `foreach` binds its value variable, and PHPDoc types (`@var`, `@param`, `@return`,
# an inline `/** @var T $x */`) stand in for types the code leaves out.
# 77: JSDoc types (`@param {T}`, `@type {T}`, `@returns {T}`) and imports (`@import`,
# `@typedef {import("m")}`); JavaScript's for-of and array callbacks bind elements; CommonJS's
# `module.exports = X` is the module's default export.
# 78: a type test (`instanceof` in PHP, JavaScript and TypeScript; Python's `isinstance`)
# types the name inside the block, ternary or `&&` it guards.
# 79: PHP's relative namespace paths (`new Op\Update()`, `Op\Update $u`) are read from the
# file's namespace or a `use`, as static calls' were.
# 80: Java's `instanceof Update u`, C#'s `is Update u`, casts (`var u = (Update) o`, `as`)
# and a cast receiver type names; Kotlin's smart casts; `Outer<T>.Inner` is `Outer.Inner`.
# 81: Go's type assertions and type switch cases, TypeScript's `x as Foo`.
# 82: Python's `with Client() as c` types c as the call's result.
# 83: C++'s casts type an `auto` name and a receiver.
# 84: Python's `assert isinstance(x, T)` types x to the end of its block.
# 85: a call on another call's result is typed by what that call returns
#     (`s.query().filter()`, `new Foo().run()`), down a chain of up to 8 such calls.
# 86: down a chain, `await`, Rust's `?`, `unwrap()` and Kotlin's `apply {}` keep the type;
#     Rust's `-> io::Result<Foo>` is a Foo as `-> Result<Foo>` is.
# 87: a name set from a call on another call's result (`q = s.query().filter()`) is typed
#     by the chain; C++'s and PHP's namespace paths keep their separator down a chain.
# 88: Go's `new(T)` shows a T to a call on it.
# 89: a Rust name declared `Option<Foo>` or `RefCell<Foo>` keeps the Foo for `unwrap()` and
#     `borrow()` to take out.
# 90: Rust's `if let Some(x) = f()`, `while let` and a `match` arm's `Some(x)`/`Ok(x)` type x.
# 91: Kotlin's `f()?.let { it }`, `x?.let { y -> }`, `also`, `takeIf` and `f()!!` keep the type.
# 92: a call on a field of a call's result (`s.fetch().query.run()`) reaches the field's type.
# 93: review fixes: Rust's holders only in Rust and through `&'a`; `as_ref`/`borrow` pass on
#     only a declared holder; an `Option`'s methods on a name set from a call are untyped; a
#     use above its binding is typed; C# `new A.B<T>()` keeps its path; C++'s and PHP's fields
#     of a call's result.
# 94: an `Option`'s method names on a name set from a call keep its type, as before v93.
# 95: a call on one element of a collection (`xs[0].run()`), and a name set to one (`x =
#     xs[0]`), take the element type; of a mapping declared in the file, its value type.
# 96: what a callee is called on is in parentheses where it has fields (`()s.client.Do@(
#     Server#client)`): a field after it (`r.Body`) was read as the field's, not the result's.
# 97: a Go struct's embedded type is a field of its name (`priv.PublicKey.N`).
# 98: TypeScript's `: this` result is `OWN_TYPE`.
# 99: a name set from a call or a loop reads what it is called on (`r = s.make()`: `s`) as
#     bound where it is set, not where it is used.
# 100: Rust's `unwrap()` on `Option<B>||Option<A>` takes out each; PHP's `\App\make()` set
#      to a name is spelled as its call site; `#`/`@` in a method's name types no chain.
# 101: a call on a field of an element (`xs[0].conn.close()`) reads the field's type.
# 102: `MAX_CHAINED` 3 -> 4.
# 103: Rust's `unwrap()` after an `Option<Foo>` on a type of the branch keeps that type's.
EXTRACTOR_VERSION = 103


def index_format(
    rules: SkipRules, extra_languages: Mapping[str, str], grammars: Mapping[str, str]
) -> str:
    """A short fingerprint of everything but the code that decides the graph. Pure."""
    recipe = {
        "extractor": EXTRACTOR_VERSION,
        "grammars": dict(sorted(grammars.items())),
        "max_bytes": rules.max_bytes,
        "parse_cpu_seconds": rules.parse_cpu_seconds,
        # A set: the order they are listed in changes nothing.
        "vendored": sorted(set(rules.vendored_dirs)),
        "languages": dict(sorted(extra_languages.items())),
    }
    encoded = json.dumps(recipe, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def grammar_versions() -> dict[str, str]:
    """The installed version of tree-sitter and of each grammar wheel, by distribution."""
    wheels = {"tree_sitter", *(module for module, _ in GRAMMARS.values())}
    return {name: metadata.version(name.replace("_", "-")) for name in sorted(wheels)}
