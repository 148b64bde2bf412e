"""Parsing a webhook body and reading typed fields out of it, with precise errors.

Every accessor names the JSON path it failed on, so a 400 says exactly what a payload lacked;
nothing here lets a KeyError or TypeError escape to the HTTP layer.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from typing import NoReturn

import orjson

from app.errors import WebhookError
from app.refs import GitNameError, check_branch_name, check_clone_url, check_object_id

log = logging.getLogger("repograph.webhooks")

# Provider ids are positive 64-bit integers in Neo4j and Temporal alike.
_MAX_ID = 2**63 - 1

JsonObject = Mapping[str, object]


class PayloadError(WebhookError):
    """The body is not JSON, or lacks what its event needs (400)."""

    def __init__(self, event: str, path: str, problem: str) -> None:
        self.event = event
        self.path = path
        self.problem = problem
        where = f" at {path}" if path else ""
        super().__init__(f"{event} payload{where}: {problem}")


def parse_json_object(body: bytes, event: str) -> JsonObject:
    """Parse `body` as a JSON object; arrays, scalars and invalid JSON are malformed."""
    try:
        # orjson parses a push in half the time of the standard library (~16 us instead of
        # ~33) and accepts nothing it refuses. Integers beyond 64 bits come back as floats,
        # which no field we read accepts either way (ids are at most 2**63 - 1).
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        # It refuses some bodies the standard library reads (a UTF-8 BOM, UTF-16, lone
        # surrogate escapes, 1e400): those get the standard library's verdict, as before.
        value = _parse_with_standard_library(body, event)
    return require_object(event, value, "")


def _parse_with_standard_library(body: bytes, event: str) -> object:
    try:
        # What json.loads(body, parse_constant=...) does, without building a decoder per call.
        return _DECODER.decode(body.decode(json.detect_encoding(body), "surrogatepass"))
    except (ValueError, RecursionError) as exc:
        # ValueError covers invalid JSON, bad UTF-8 and over-long integers; RecursionError
        # deep nesting.
        raise PayloadError(event, "", f"body is not valid JSON ({type(exc).__name__})") from None


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


class Fields:
    """Typed, path-aware reads from one JSON object of an `event` payload."""

    def __init__(self, event: str, value: object, path: str = "") -> None:
        self.event = event
        self.path = path
        self.data = require_object(event, value, path)

    def _child(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, problem: str) -> NoReturn:
        raise PayloadError(self.event, self._child(key), problem)

    def has(self, key: str) -> bool:
        return self.data.get(key) is not None

    def obj(self, key: str) -> Fields:
        return Fields(self.event, self._present(key), self._child(key))

    def opt_obj(self, key: str) -> Fields | None:
        return self.obj(key) if self.has(key) else None

    def objects(self, key: str) -> list[Fields]:
        value = self._present(key)
        if not isinstance(value, list):
            self.fail(key, "must be an array")
        return [
            Fields(self.event, item, f"{self._child(key)}[{index}]")
            for index, item in enumerate(value)
        ]

    def text(self, key: str) -> str:
        value = self._present(key)
        if not isinstance(value, str) or not value:
            self.fail(key, "must be a non-empty string")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            self.fail(key, "must be valid UTF-8")
        return value

    def opt_text(self, key: str) -> str | None:
        return self.text(key) if self.has(key) else None

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
        return value

    def ident(self, key: str) -> int:
        value = self._present(key)
        # bool is an int in Python; an id of `true` is still malformed.
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _MAX_ID:
            self.fail(key, "must be a positive integer id")
        return value

    def opt_ident(self, key: str) -> int | None:
        return self.ident(key) if self.has(key) else None

    def object_id(self, key: str) -> str:
        value = self.text(key)
        try:
            return check_object_id(value)
        except GitNameError as exc:
            self.fail(key, str(exc))

    def clone_url(self, key: str, *, allow_local: bool) -> str:
        value = self.text(key)
        try:
            return check_clone_url(value, allow_local=allow_local)
        except GitNameError as exc:
            self.fail(key, str(exc))

    def opt_default_branch(self, key: str) -> str | None:
        """A default branch, if present and a safe branch name. One git would refuse counts as
        unknown, with a warning, not as a bad delivery: passed on, it would name a Branch node
        and a workflow that can never fetch, yet the rest of the delivery is still good."""
        value = self.opt_text(key)
        if value is None:
            return None
        try:
            return check_branch_name(value)
        except GitNameError as exc:
            log.warning(
                "default branch treated as unknown: %s",
                exc,
                extra={"event": self.event, "path": self._child(key)},
            )
            return None

    def choice(self, key: str, allowed: Sequence[str]) -> str:
        value = self.text(key)
        if value not in allowed:
            self.fail(key, f"must be one of {', '.join(allowed)}")
        return value

    def _present(self, key: str) -> object:
        value = self.data.get(key)
        if value is None:
            self.fail(key, "is missing")
        return value


def require_object(event: str, value: object, path: str) -> JsonObject:
    """`value` as a JSON object, or a PayloadError naming `path`."""
    if not isinstance(value, dict):
        raise PayloadError(event, path, "must be a JSON object")
    return value
