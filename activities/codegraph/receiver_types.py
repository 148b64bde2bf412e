"""The types call receivers are declared with in one file. Pure.

A parameter, local or field declared with a type (`Sink s`, `s: Sink`, `var b = new
Buffer()`, `self.api = client` after `client: Client`) says which type a call on it reaches;
resolution looks the method up there (`resolution: type`). The extraction's query captures
each such name (`@typed.name`, or `@typed.field` for a field set anywhere) with its type
(`@typed.type`) or the name whose type it takes (`@typed.alias`); this module turns those
into a table and reads a receiver's type from it.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from activities.codegraph.names import last_step, type_name
from activities.codegraph.specs import text

# (position, name, spelled type): a field's name reads `.x`, a type taken from another
# name `=other`.
TypedName = tuple[int, str, str]
# (enclosing definition or None for the file, name) -> type name
Declared = dict[tuple[str | None, str], str]

# Where a constructor's parameters are fields too (TypeScript's `constructor(private api:
# Api)`, PHP's `__construct(private Api $api)`), or sets them (Python's `self.api = Api()`).
_CONSTRUCTORS = ("constructor", "__construct", "__init__")
# Languages whose methods read their class's fields by the bare name (`buffer.write()`).
IMPLICIT_FIELDS = frozenset({"java", "kotlin", "csharp"})
# Pointers the language dereferences for a method call: Rust's `Arc<Shared>` is a `Shared`,
# C++'s `std::shared_ptr<logger>` a `logger`.
_DEREF = re.compile(r"^(?:Arc|Rc|Box|(?:std::)?(?:shared_ptr|unique_ptr))<(.+)>$")
# Declared types that leave the type to the initializer, which another capture reads.
_INFERRED = frozenset({"var", "val", "auto", "dynamic"})
# Before the callee of the call a name is set from, instead of a type (`CallSite.receiver_type`),
# and before the type of what a method callee is called on (`receiver_type`).
FROM_CALL = "()"
ON = "@"
MAX_CHAINED = 3
_MAX_CALLEE = 200  # a longer path is no hand-written callee (a minified chain): no type
# Between the type of what holds a field and the field's name (`receiver_type`).
FIELD = "#"
# Before the name or path a loop variable takes its values from (`for x of xs`): its type is
# the element type of that collection's declared type (`element_type`).
EACH = "in "
# A callee resolution can follow: a name or a path of names (`server.New`), no expression.
# Rust's `net::connect` too, and PHP's `$this->factory.make`, `\\App\\Client.make`.
_CALLEE = re.compile(r"\\?\$?[A-Za-z_]\w*(?:(?:\.|::|->|\\)\$?[A-Za-z_]\w*)*")


def typed_name(caps: dict[str, list[Node]]) -> TypedName:
    """The typed name a query match captured."""
    field = "typed.field" in caps
    node = caps["typed.field" if field else "typed.name"][0]
    name = f".{text(node)}" if field else text(node)
    if "typed.each" in caps:  # `for x of xs`, `xs.forEach(x => ...)`: an element of xs
        return node.start_byte, name, f"{EACH}{text(caps['typed.each'][0])}"
    if "typed.alias" in caps:
        return node.start_byte, name, f"={text(caps['typed.alias'][0])}"
    if "typed.call" in caps:  # `srv := NewServer()`: whatever NewServer returns
        return node.start_byte, name, f"{FROM_CALL}{_callee(caps['typed.call'][0])}"
    return node.start_byte, name, text(caps["typed.type"][0])


def _callee(node: Node) -> str:
    """What a call's callee is spelled as: its node, or for a call node without one (Java's
    `method_invocation`, PHP's calls) the receiver's and the method's, joined by `.`
    (`client.get`, `$this->factory.make`, `Client.make`)."""
    if node.type == "function_call_expression":  # PHP's `make_client()`
        function = node.child_by_field_name("function")
        return text(function) if function is not None else ""
    fields = _CALLEE_FIELDS.get(node.type)
    if fields is None:
        return text(node)
    target, method = node.child_by_field_name(fields[0]), node.child_by_field_name(fields[1])
    if method is None:
        return ""
    return f"{text(target)}.{text(method)}" if target is not None else text(method)


# Call nodes with no node for their callee: the fields of its receiver and its name.
_CALLEE_FIELDS = {
    "method_invocation": ("object", "name"),
    "member_call_expression": ("object", "name"),
    "nullsafe_member_call_expression": ("object", "name"),
    "scoped_call_expression": ("scope", "name"),
}


def field_types(declared: Declared, type_scopes: set[str]) -> tuple[tuple[str, str, str], ...]:
    """The fields of the file's types with their declared types (`FileExtraction.fields`):
    those declared in a type, and those a constructor sets (`self.api = connect()`)."""
    found: dict[tuple[str, str], str] = {}
    for (owner, name), spelled in declared.items():
        if owner is None or not name.startswith("."):
            continue
        holder, _, method = owner.rpartition(".")
        if owner not in type_scopes and not (method in _CONSTRUCTORS and holder in type_scopes):
            continue
        found.setdefault((owner if owner in type_scopes else holder, name[1:]), spelled)
    return tuple((owner, name, spelled) for (owner, name), spelled in sorted(found.items()))


def declared_types(
    typed: list[TypedName],
    owners: list[str | None],
    type_scopes: set[str],
    *,
    generic: bool = False,
    self_names: frozenset[str] = frozenset(),
    self_name_of: dict[str, str] | None = None,
    bare_fields: bool = False,
) -> Declared:
    """The table of typed names (in order of position), each with its enclosing definition;
    a name declared directly in a type (`type_scopes`) is a field, `.x`. The first
    declaration in a definition wins, a type written out before one a call gives. Arrays
    and `var x` (typed by another capture) give nothing, but a loop variable over a
    collection declared in the file takes its element type (`for x of xs` with `xs: Foo[]`,
    `for _, f := range s.files`; `self_names`, each callable's `self_name_of` and
    `bare_fields` read the collection's path as `receiver_type` does). With `generic`, a
    type keeps its count of type arguments (`names.type_name`)."""
    found: Declared = {}
    collections: Declared = {}  # (owner, name) -> the element type, as spelled
    aliases: list[tuple[str | None, str, str]] = []
    from_calls: list[tuple[str | None, str, str]] = []
    elements: list[tuple[str | None, str, str]] = []
    for (_, name, spelled), owner in zip(typed, owners, strict=True):
        field = owner in type_scopes and not name.startswith(".")
        key = f".{name}" if field else name
        if spelled.startswith("="):
            aliases.append((owner, name, spelled[1:]))
            continue
        if spelled.startswith(FROM_CALL):
            if len(spelled) <= _MAX_CALLEE and _CALLEE.fullmatch(spelled, len(FROM_CALL)):
                from_calls.append((owner, key, spelled))
            continue
        if spelled.startswith(EACH):
            elements.append((owner, key, spelled[len(EACH) :]))
            continue
        element = element_type(spelled)
        if element is not None:
            collections.setdefault((owner, key), element)
        type_ = _plain_type(spelled, generic=generic)
        if type_:
            found.setdefault((owner, key), type_)
    # A type written out wins over one a call gives (`var w *Writer` beside `w := open()`).
    for owner, name, spelled in from_calls:
        found.setdefault((owner, name), spelled)
    # `self.api = client` in `__init__(self, client: Client)`: the field takes the type,
    # and `self.jobs = jobs` after `jobs: list[Job]` its element type.
    _take_aliases(found, aliases)
    _take_aliases(collections, aliases)
    for owner, name, source in elements:
        self_name = (self_name_of or {}).get(owner or "")
        element = _declared_type(collections, source, owner, self_names, self_name=self_name,
                                 bare_fields=bare_fields)  # fmt: skip
        type_ = _plain_type(element, generic=generic) if element else None
        if type_:
            found.setdefault((owner, name), type_)
    return found


def _take_aliases(table: Declared, aliases: list[tuple[str | None, str, str]]) -> None:
    """Each alias (owner, name, source) takes what `table` says of its source, if anything."""
    for owner, name, source in aliases:
        taken = table.get((owner, source))
        if taken is not None:
            table.setdefault((owner, name), taken)


def _plain_type(spelled: str, *, generic: bool) -> str | None:
    """The type a name declared as `spelled` has methods of, or None: an array's methods are
    the language's, and `var x` is typed by another capture. `Optional[Foo]`, `Foo | None`,
    `Foo?` and `?Foo` are a Foo; Rust's `Arc<Foo>` is a `Foo` to call methods on."""
    spelled = _unwrapped(spelled)
    if "[" in spelled or "|" in spelled or spelled in _INFERRED:
        return None  # `str | bytes`: either, so neither
    wrapped = _DEREF.match(spelled)
    return type_name((wrapped[1] if wrapped else spelled).strip("?"), generic=generic) or None


def element_type(spelled: str) -> str | None:
    """What iterating a collection declared as `spelled` gives, as spelled: `Foo` for
    `Foo[]`, `readonly Foo[]`, `Array<Foo>`, `list[Foo]`, `Optional[Sequence[Foo]]`,
    `tuple[Foo, ...]`, `Vec<Foo>`, Rust's `[Foo]`, `std::vector<Foo*>`, `IEnumerable<Foo>`;
    `*Foo` for Go's `[]*Foo` and, as range's second variable is the value,
    `map[string]*Foo`. None for anything else (a map elsewhere iterates keys or pairs)."""
    value = _unwrapped(spelled).removeprefix("readonly ").strip()
    found = _element(value)
    return found.rstrip("*& ") or None if found else None  # C++'s `Foo*`: a Foo


def _element(value: str) -> str | None:
    if value.startswith("map["):  # Go
        close = _closing(value, len("map"))
        return value[close + 1 :].strip() if close > 0 else None
    if value.startswith("["):
        close = _closing(value, 0)
        if close == len(value) - 1:  # Rust: `[Foo]`, `[Foo; 4]`
            return value[1:close].partition(";")[0].strip()
        return value[value.find("]") + 1 :].strip()  # Go: `[]Foo`, `[4]Foo`
    if value.endswith("[]"):
        return value[:-2].strip()
    start = min((i for i in (value.find("<"), value.find("[")) if i > 0), default=-1)
    if start < 0 or _closing(value, start) != len(value) - 1:
        return None
    head = value[:start].strip()
    if head not in _COLLECTIONS and re.split(r"\.|::", head)[-1] not in _COLLECTIONS:
        return None
    args = _arguments(value[start + 1 : -1])
    if len(args) == 2 and args[1] == "...":  # Python's `tuple[Foo, ...]`
        return args[0]
    return args[0] if len(args) == 1 else None


# Generic collections iterated for values of their one type argument, as written in the
# languages that have them (or the last step of their path: `typing.List`, `std::vector`).
_COLLECTIONS = frozenset(
    {
        # Python
        "list", "List", "Sequence", "MutableSequence", "Iterable", "Iterator", "Collection",
        "set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet", "deque", "Deque",
        "Generator", "AsyncIterable", "AsyncIterator", "tuple", "Tuple",
        # TypeScript
        "Array", "ReadonlyArray", "ReadonlySet", "IterableIterator",
        # Java, Kotlin, C#
        "ArrayList", "LinkedList", "HashSet", "TreeSet", "LinkedHashSet", "SortedSet",
        "MutableList", "MutableCollection", "IEnumerable", "ICollection",
        "IList", "IReadOnlyList", "IReadOnlyCollection", "ISet", "ImmutableArray",
        "ImmutableList", "Stream",
        # Rust, C++
        "Vec", "VecDeque", "BTreeSet", "vector", "array", "span", "unordered_set",
    }
)  # fmt: skip
_OPTIONAL = re.compile(r"^(?:typing\.)?Optional\[(.+)\]$")
_NONE_UNION = re.compile(
    r"^(.+?)\s*\|\s*(?:None|null|undefined)$|^(?:None|null|undefined)\s*\|\s*(.+)$"
)


def _unwrapped(spelled: str) -> str:
    """`spelled` without an optional around it: `Optional[Foo]`, `Foo | None`, `Foo?`."""
    value = spelled.strip()
    for _ in range(2):
        matched = _OPTIONAL.match(value) or _NONE_UNION.match(value)
        if matched is None:
            break
        value = (matched[1] or matched[2]).strip()
    return value.removesuffix("?")


def _closing(value: str, start: int) -> int:
    """The position of the bracket closing the one at `start`, or -1."""
    depth = 0
    for i in range(start, len(value)):
        if value[i] in "<[(":
            depth += 1
        elif value[i] in ">])":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _arguments(inside: str) -> list[str]:
    """The type arguments between a generic's brackets, split at its own commas."""
    args, depth, start = [], 0, 0
    for i, char in enumerate(inside):
        if char in "<[(":
            depth += 1
        elif char in ">])":
            depth -= 1
        elif char == "," and depth == 0:
            args.append(inside[start:i].strip())
            start = i + 1
    args.append(inside[start:].strip())
    return args


def receiver_type(
    declared: Declared,
    receiver: str | None,
    caller: str | None,
    self_names: frozenset[str],
    *,
    self_name: str | None = None,
    bare_fields: bool = False,
    own_type: str | None = None,
    chained: int = 0,
) -> str | None:
    """The declared type of a call's receiver: a name of the caller, of a definition around
    it (a lambda's enclosing method, a method's class: its fields, also those its
    constructor declares or sets: `constructor(private api: Api)`), or of the file. A Go
    method's receiver variable is `self_name`; `bare_fields` where fields need no `this`.

    A name set from a call of a method (`rows := db.Query()`) gives the callee and, after
    `ON`, the type of what the method is called on (`()db.Query@DB`), as far as the file
    says, through at most `MAX_CHAINED` such calls (`c := srv.Client()` after
    `srv := NewServer()`: `()srv.Client@()NewServer`).

    A path through a field the file does not declare (`res.body`, `this.repo` of a base class
    or, in Go, of a struct in another file of the package; the caller's own type is
    `own_type`) is the type of what holds it, `FIELD` and the field's name
    (`()http.Get#body`, `Store#db`): resolution reads the field's type where it is declared
    (`FileExtraction.fields`)."""
    found = _declared_type(declared, receiver, caller, self_names, self_name=self_name,
                           bare_fields=bare_fields)  # fmt: skip
    if found is None and receiver and chained < MAX_CHAINED:
        head, _, field = receiver.replace("->", ".").rpartition(".")
        if head and field.isidentifier():
            on = (
                own_type
                if head in self_names or head == self_name
                else receiver_type(declared, head, caller, self_names, self_name=self_name,
                                   bare_fields=bare_fields, own_type=own_type,
                                   chained=chained + 1)
            )  # fmt: skip
            return f"{on}{FIELD}{field}" if on else None
    if found is None or not found.startswith(FROM_CALL) or chained >= MAX_CHAINED:
        return found
    qualifier = last_step(found[len(FROM_CALL) :])[0]
    if not qualifier:
        return found
    on = receiver_type(declared, qualifier, caller, self_names, self_name=self_name,
                       bare_fields=bare_fields, own_type=own_type,
                       chained=chained + 1)  # fmt: skip
    return f"{found}{ON}{on}" if on else found


def _declared_type(
    declared: Declared,
    receiver: str | None,
    caller: str | None,
    self_names: frozenset[str],
    *,
    self_name: str | None,
    bare_fields: bool,
) -> str | None:
    if not receiver or receiver == self_name:
        return None  # a Go method's own receiver is its `self`: resolved as such
    head, _, rest = receiver.replace("->", ".").partition(".")
    on_self = (head in self_names or head == self_name) and bool(rest)
    if on_self:
        receiver = rest  # `this.buffer.write()`, `$this->buffer->write()`: the field
    if not receiver.removeprefix("$").isidentifier():
        return None
    field = f".{receiver}"
    scope = caller
    while scope is not None:
        # `this.x` is a field, never a local `x`; a bare `x` a local, or in Java, Kotlin and
        # C# a field too.
        found = None if on_self else declared.get((scope, receiver))
        if found is None and (on_self or bare_fields):
            found = declared.get((scope, field))
        for constructor in _CONSTRUCTORS if found is None and on_self else ():
            at = f"{scope}.{constructor}"
            found = found or declared.get((at, field))
        if found is not None:
            return found
        scope = scope.rpartition(".")[0] or None
    return None if on_self else declared.get((None, receiver))
