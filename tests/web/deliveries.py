"""Signed deliveries for the receiver tests: secrets, headers, and fixtures with unique ids.

The webhook fixtures name fixed repository, installation and project ids; `UniqueIds` swaps
them for ids of the test's own, so tests sharing one Temporal server never share a workflow.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

from app.signatures import gitlab_project_token, sign_github, sign_standard_webhook

GITHUB_SECRET = "gh-hook-secret-2026"
GITHUB_PREVIOUS_SECRET = "gh-hook-secret-2025"
GITLAB_TOKEN = "gl-hook-token-2026"
GITLAB_SYSTEM_TOKEN = "gl-system-hook-token-2026"
GITLAB_SIGNING_SECRET = "whsec_" + base64.b64encode(b"repograph-standard-webhooks-key!").decode()

# Ids in tests/fixtures/webhooks, and the delivery ids the event-mapping tests expect.
FIXTURE_IDS = ("708123456", "708123999", "51234987", "48151623")
FIXTURE_DELIVERIES = (
    "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    "0f8a2b9c-6d1e-4f3a-9b7c-2e5d8a1f4c6b",
)
_FIXTURE_ID = re.compile(r"(?<![0-9])(" + "|".join(FIXTURE_IDS) + r")(?![0-9])")


@dataclass(frozen=True)
class UniqueIds:
    """A test's own ids in place of the fixtures' ids, in bodies and in expected values."""

    ids: dict[str, str]
    delivery: str

    @classmethod
    def new(cls) -> UniqueIds:
        base = random.randrange(10**11, 9 * 10**11)
        ids = {old: str(base + offset) for offset, old in enumerate(FIXTURE_IDS)}
        return cls(ids, str(uuid.uuid4()))

    def body(self, raw: bytes) -> bytes:
        """A fixture body with every fixture id replaced."""
        return _FIXTURE_ID.sub(lambda match: self.ids[match.group(1)], raw.decode()).encode()

    def text(self, value: str) -> str:
        if value in FIXTURE_DELIVERIES:
            return self.delivery
        return _FIXTURE_ID.sub(lambda match: self.ids[match.group(1)], value)

    def value(self, value: Any) -> Any:
        """An expected value (dataclasses, tuples, strings, ints) with every id replaced."""
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                field.name: self.value(getattr(value, field.name))
                for field in dataclasses.fields(value)
            }
            return dataclasses.replace(value, **changes)
        if isinstance(value, tuple):
            return tuple(self.value(item) for item in value)
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, int) and not isinstance(value, bool) and str(value) in self.ids:
            return int(self.ids[str(value)])
        return value


def github_headers(
    body: bytes,
    *,
    event: str = "push",
    delivery: str | None = None,
    secret: str | None = GITHUB_SECRET,
) -> dict[str, str]:
    """Headers GitHub sends with `body`; `secret=None` leaves the signature out."""
    headers = {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": delivery or str(uuid.uuid4()),
        "user-agent": "GitHub-Hookshot/7f3a2b1",
    }
    if secret is not None:
        headers["x-hub-signature-256"] = sign_github(body, secret)
    return headers


def project_hook_token(body: bytes, secret: str) -> str:
    """The token a project hook sends with `body`: derived for the project it names, or (no
    JSON object naming one) `secret` itself."""
    try:
        project_id = json.loads(body)["project"]["id"]
    except (ValueError, TypeError, KeyError):
        return secret
    return gitlab_project_token(secret, project_id) if isinstance(project_id, int) else secret


def gitlab_headers(
    body: bytes,
    *,
    event: str = "Push Hook",
    delivery: str | None = None,
    token: str | None = GITLAB_TOKEN,
    signing_secret: str | None = None,
    timestamp: int | None = None,
    per_project: bool = True,
) -> dict[str, str]:
    """Headers GitLab sends with `body`; with `signing_secret`, Standard Webhooks headers too.
    A project hook's token is derived for the project the body names (as `gitlab connect`
    sets it; `per_project`) where it names one."""
    if token is not None and per_project and event != "System Hook":
        token = project_hook_token(body, token)
    delivery = delivery or str(uuid.uuid4())
    headers = {
        "content-type": "application/json",
        "x-gitlab-event": event,
        "x-gitlab-event-uuid": delivery,
        "user-agent": "GitLab/18.0.0",
    }
    if token is not None:
        headers["x-gitlab-token"] = token
    if signing_secret is not None:
        sent_at = int(time.time()) if timestamp is None else timestamp
        msg_id = f"msg_{delivery}"
        headers["webhook-id"] = msg_id
        headers["webhook-timestamp"] = str(sent_at)
        headers["webhook-signature"] = sign_standard_webhook(body, msg_id, sent_at, signing_secret)
    return headers
