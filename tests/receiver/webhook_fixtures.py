"""Real-shaped webhook payloads from tests/fixtures/webhooks, and ways to break them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "webhooks"
_DELETE = object()


def fixture_names(provider: str) -> list[str]:
    """Every fixture of `provider` ("github" or "gitlab"), without the .json suffix."""
    return sorted(path.stem for path in (FIXTURES / provider).glob("*.json"))


def fixture_body(provider: str, name: str) -> bytes:
    """The raw bytes of a fixture, as a provider would POST them."""
    return (FIXTURES / provider / f"{name}.json").read_bytes()


def fixture_json(provider: str, name: str) -> Any:
    """A fresh parsed copy of a fixture."""
    return json.loads(fixture_body(provider, name))


def with_change(document: Any, path: tuple[str | int, ...], value: object = _DELETE) -> Any:
    """A copy of `document` with the value at `path` replaced, or removed if no value is given."""
    changed = copy.deepcopy(document)
    parent = changed
    for key in path[:-1]:
        parent = parent[key]
    if value is _DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return changed
