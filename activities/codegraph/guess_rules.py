"""Where a repository-wide unique-name guess for a call would likely be wrong. Pure data and
predicates, read by `resolve`: method names the languages' own libraries have (`COMMON_METHODS`,
`library_method`), test files (`in_tests`), receivers spelled as a type (`names_a_type`) and
the browser's global objects (`JS_GLOBALS`). Each word list says where it was measured.
"""

from __future__ import annotations

import re
from functools import lru_cache

from activities.codegraph.languages import family

# Method names so common on built-in types that a unique match in the repository is more
# likely a list, dict, string, promise or stream method than the repository's own (compared
# case-insensitively, so C#'s `Add` counts too).
_COMMON_WORDS = (
    "append extend insert remove pop push shift unshift get set put add update clear copy keys "
    "values items entries join split strip lstrip rstrip replace format startswith endswith "
    "lower upper encode decode find index count sort reverse slice splice concat map filter "
    "reduce forEach some every then catch finally resolve reject read write close open flush "
    "send next toString valueOf equals hashCode compareTo length size isEmpty contains has "
    "delete apply call bind emit on off once log debug info warn warning error exception "
    "print println printf to_s to_a to_h inspect each new init String Error "
    # Rust's standard traits (Clone, From, Default, Display, Iterator, ...) and Option/Result:
    # a crate's one `impl Clone for Config` must not draw every `.clone()` to itself.
    "clone from into default fmt eq ne cmp partial_cmp hash drop deref deref_mut as_ref as_mut "
    "borrow borrow_mut to_owned to_string try_from try_into from_str from_iter into_iter iter "
    "iter_mut len is_empty unwrap unwrap_or expect ok_or map_err collect as_str"
)
_CPP_LIBRARY_NAMESPACES = frozenset({"std", "boost", "absl"})
# Languages that capitalise the names of types and namespaces but not of variables, so that
# a capitalised receiver is a type (`JSON.parse`, `Integer.parseInt`): see `names_a_type`.
_CAPITALISED_TYPES = frozenset(
    {"python", "javascript", "typescript", "tsx", "java", "kotlin", "ruby", "rust", "php", "cpp",
     "csharp"}
)  # fmt: skip
COMMON_METHODS = frozenset(word.lower() for word in _COMMON_WORDS.split())
# Rust's standard library methods that repositories also define (a wrapper's `parent`, a
# test helper's `arg`): on a receiver of unknown type, std's are far likelier. Measured on
# ripgrep, where guessing them drew ~75 calls (`Path::parent`, `Command::arg`,
# `Option::and_then`) to the crate's namesakes.
_RUST_STD_WORDS = (
    "and_then or_else unwrap_or_else unwrap_or_default map_or is_some is_none is_ok is_err "
    "as_bytes as_slice as_path to_vec to_path_buf parent exists is_file is_dir is_symlink "
    "file_name extension read_to_end read_to_string read_line write_all lines chars bytes "
    "peek elapsed dedup retain truncate arg args env envs output spawn status stderr stdout "
    "stdin recv try_recv accept lock valid_up_to"
)
# The same for JavaScript and TypeScript: strings, arrays, regular expressions, the DOM and
# the canvas. Measured on vuejs/core and excalidraw, where guessing them drew ~750 calls
# (`document.createElement`, `s.indexOf`, `/x/.test(s)`, `ctx.lineTo`) to a repository
# class of a test file or a renderer interface. Not names that test helpers commonly
# define (`mouse.moveTo()`, `click`, `select`): there the guess was mostly right.
_JS_BUILTIN_WORDS = (
    "charAt charCodeAt codePointAt indexOf lastIndexOf includes padStart padEnd trim "
    "trimStart trimEnd toUpperCase toLowerCase toLocaleString substring substr normalize "
    "localeCompare match matchAll search repeat at findIndex findLast findLastIndex flat "
    "flatMap fill test exec allSettled assign freeze hasOwnProperty createElement "
    "createElementNS createTextNode querySelector querySelectorAll getElementById "
    "getElementsByClassName getElementsByTagName addEventListener removeEventListener "
    "dispatchEvent appendChild removeChild replaceChild insertBefore cloneNode setAttribute "
    "getAttribute removeAttribute hasAttribute closest matches focus blur scrollTo "
    "scrollIntoView getBoundingClientRect postMessage preventDefault stopPropagation "
    "stopImmediatePropagation getContext lineTo translate beginPath closePath arc arcTo "
    "quadraticCurveTo bezierCurveTo fillRect strokeRect clearRect drawImage measureText "
    "fillText strokeText stroke setTransform resetTransform getImageData putImageData "
    "createLinearGradient createRadialGradient getData setData disconnect observe unobserve "
    "abort json text blob arrayBuffer toBlob toDataURL"
)
# The JDK's and Kotlin's standard library, measured on gson and okio: strings, boxed
# numbers, maps, reflection (`field.getName()`, `x.toLong()`, `entry.getKey()`).
_JVM_LIBRARY_WORDS = (
    "charAt codePointAt substring indexOf lastIndexOf startsWith endsWith isBlank repeat matches "
    "toCharArray getBytes containsKey containsValue getKey getValue setValue entrySet keySet "
    "putAll putIfAbsent computeIfAbsent getOrDefault asList addAll removeAll retainAll "
    "subList toArray stream iterator hasNext intValue longValue doubleValue floatValue "
    "shortValue byteValue booleanValue toLong toInt toShort toByte toChar toDouble toFloat "
    "getName getSimpleName getAnnotation getDeclaredFields getDeclaredMethods getModifiers "
    "getGenericType getActualTypeArguments getRawType getOwnerType getComponentType "
    "getGenericComponentType getSuperclass isAssignableFrom isInstance newInstance "
    "setAccessible getMessage getCause printStackTrace doFinal first last firstOrNull "
    "lastOrNull single singleOrNull"
)
# .NET's base library, measured on Polly: tasks, cancellation, enumerators, LINQ.
_DOTNET_LIBRARY_WORDS = (
    "AsTask ConfigureAwait GetAwaiter GetResult ContinueWith WaitAsync MoveNext Cancel "
    "CancelAfter TryReset ThrowIfCancellationRequested SetResult TrySetResult SetException "
    "TrySetException TrySetCanceled GetUtcNow Advance Dispose DisposeAsync ToList ToArray "
    "ToDictionary Select SelectMany Where First FirstOrDefault Single SingleOrDefault Any "
    "All Sum OrderBy OrderByDescending GroupBy AddRange TryGetValue TryAdd ContainsKey "
    "GetType Invoke CreateLogger"
)
# PHP's PSR-7 messages and reflection, measured on Slim (`$request->getMethod()`).
_PHP_LIBRARY_WORDS = (
    "getMethod getUri getBody getHeader getHeaders getHeaderLine hasHeader withHeader "
    "withAddedHeader withoutHeader withStatus getStatusCode getReasonPhrase withBody "
    "getQueryParams getParsedBody withParsedBody getAttribute getAttributes withAttribute "
    "withoutAttribute getServerParams getCookieParams getUploadedFiles getProtocolVersion "
    "withProtocolVersion withPath withQuery getContents getShortName getDocComment "
    "newInstanceArgs getParameters"
)
# Ruby's core classes, measured on rack and sinatra (`str.bytesize`, `re.match?`,
# `hash.dig`), and what a class body calls on itself (`include Helpers`).
_RUBY_LIBRARY_WORDS = (
    "bytesize byteslice match match? merge merge! dig values_at invert assoc fetch key? "
    "has_key? include? empty? any? none? all? each_with_index each_with_object each_slice "
    "each_char each_line each_pair flat_map filter_map map! select! reject! compact compact! "
    "uniq uniq! flatten freeze frozen? dup gsub gsub! sub sub! start_with? end_with? "
    "downcase upcase capitalize chomp chop squeeze unpack unpack1 pack force_encoding "
    "scrub ljust rjust succ zip take drop sort_by group_by partition detect find_all inject "
    "transform_values transform_keys to_sym to_i to_f to_str to_proc respond_to? is_a? "
    "kind_of? instance_of? nil? public_send instance_variable_get instance_variable_set "
    "define_method tap unsafe_load finish include extend prepend"
)
# C++'s standard library, measured on fmt and spdlog (`buf.data()`, `count.load()`).
_CPP_LIBRARY_WORDS = (
    "data at compare resize reserve capacity shrink_to_fit push_back emplace_back emplace "
    "pop_back push_front pop_front front back begin end cbegin cend rbegin rend substr "
    "c_str find_first_of find_last_of load store fetch_add fetch_sub exchange "
    "compare_exchange_weak compare_exchange_strong lock unlock try_lock notify_one "
    "notify_all wait wait_for release reset what"
)
# Go's `sync` primitives, measured on net/http (`mu.Lock()` drawn to a test's `fakeLocker`).
_GO_LIBRARY_WORDS = "Lock Unlock RLock RUnlock TryLock TryRLock Broadcast Signal CompareAndSwap"
# Per family: methods a receiver of unknown type far more likely takes from the language's
# own library than from the repository's one namesake.
_LIBRARY_METHODS = {
    "rust": frozenset(_RUST_STD_WORDS.split()),
    "js": frozenset(_JS_BUILTIN_WORDS.split()),
    "jvm": frozenset(_JVM_LIBRARY_WORDS.split()),
    "csharp": frozenset(_DOTNET_LIBRARY_WORDS.split()),
    "php": frozenset(_PHP_LIBRARY_WORDS.split()),
    "ruby": frozenset(_RUBY_LIBRARY_WORDS.split()),
    "c": frozenset(_CPP_LIBRARY_WORDS.split()),
    "go": frozenset(_GO_LIBRARY_WORDS.split()),
}
# Where tests live: production code never calls into them, so a method found only there is
# no guess for a call from elsewhere (vuejs/core: `tag.indexOf()` drawn to a class of
# reactiveArray.spec.ts).
_TEST_DIRS = frozenset({"test", "tests", "__tests__", "spec", "specs", "__mocks__", "testdata"})
_TEST_FILE = re.compile(
    r"^test_.*\.py$|_test\.(py|go|rb)$|\.(test|spec)\.[cm]?[jt]sx?$|_spec\.rb$"
    r"|Tests?\.(java|kt|cs|php)$|^conftest\.py$"
)
# Objects every browser script has, under names seldom given to a variable (`history`,
# `navigator`, `process` often are): a method called on one of them is theirs.
JS_GLOBALS = frozenset(
    {"document", "window", "console", "localStorage", "sessionStorage", "globalThis"}
)

# JavaScript's global classes, the language's and the platforms' (browsers, Node): JSDoc's
# `@param {Buffer} data` names one though no file imports it (`specs.javascript`).
_JS_GLOBAL_TYPE_WORDS = (
    "Array ArrayBuffer Blob Boolean Buffer DataView Date Error EvalError Event EventTarget "
    "File FormData Function Headers HTMLElement Element Int8Array Int16Array Int32Array Map "
    "Number Object Promise Proxy RangeError ReferenceError RegExp Request Response Set "
    "SharedArrayBuffer String Symbol SyntaxError TextDecoder TextEncoder TypeError Uint8Array "
    "Uint8ClampedArray Uint16Array Uint32Array Float32Array Float64Array BigInt64Array "
    "BigUint64Array URL URLSearchParams WeakMap WeakRef WeakSet Worker WebSocket "
    "AbortController AbortSignal ReadableStream WritableStream TransformStream"
)
JS_GLOBAL_TYPES = frozenset(_JS_GLOBAL_TYPE_WORDS.split())


@lru_cache(maxsize=1 << 16)  # bounded: a worker sees many repositories
def in_tests(path: str) -> bool:
    """Whether `path` (as a key spells it) is a test's or a test helper's."""
    *folders, name = path.split("/")
    return not _TEST_DIRS.isdisjoint(folders) or _TEST_FILE.search(name) is not None


def names_a_type(qualifier: str, language: str) -> bool:
    """Whether a receiver is spelled as a type or a namespace, not as a variable: a path
    (`std::mem`, `Shop::Util`, `\\App\\Models`) or, where the language capitalises types
    alone, a capitalised name, but not an all-capitals constant (JavaScript's lone `JSON`,
    `URL` excepted). C# capitalises properties too, so there only a lone word counts
    (`Console.WriteLine`, not `this.Repository.Save`); Go capitalises every exported name, so
    there none does."""
    if "::" in qualifier or "\\" in qualifier:
        return True
    if language == "cpp" and qualifier.partition(".")[0] in _CPP_LIBRARY_NAMESPACES:
        return True  # `std::swap(a, b)`: the receiver keeps no `::` to say it is a path
    if language not in _CAPITALISED_TYPES or (language == "csharp" and "." in qualifier):
        return False
    last = qualifier.rpartition(".")[2]
    if last.isupper() and ("." in qualifier or family(language) != "js"):
        return False  # a constant holding an object: `REGISTRY.add()`, `Status.ACTIVE.name()`
    return last[:1].isupper()


def library_method(name: str, language_family: str) -> bool:
    """Whether a method `name` called on an object of unknown type is far likelier one of
    the language's own library (or a built-in type's) than the repository's namesake."""
    return name.lower() in COMMON_METHODS or name in _LIBRARY_METHODS.get(language_family, ())
