"""A local stand-in for the GitHub REST API: the one boundary tests may fake.

It mints recognisable installation tokens (`ghs_TESTTOKEN...`) for App-JWT-authenticated
requests, lists an installation's repositories, and serves the App's webhook delivery log
(cursor-paginated, newest first) with redelivery requests, recording every request so tests can
assert what repograph asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.support.http_fake import answer_json, serve_in_thread


def make_app_key() -> tuple[str, str]:
    """A fresh RSA private key (PEM) and its public key (PEM), as a GitHub App has."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def api_repository(repo_id: int, full_name: str, default_branch: str = "main") -> dict[str, Any]:
    """A repository as GitHub's REST API gives it (`GET /installation/repositories`), with
    every field the API's schema requires."""
    api = f"https://api.github.example/repos/{full_name}"
    urls = [
        "archive", "assignees", "blobs", "branches", "collaborators", "comments", "commits",
        "compare", "contents", "contributors", "deployments", "downloads", "events", "forks",
        "git_commits", "git_refs", "git_tags", "issue_comment", "issue_events", "issues", "keys",
        "labels", "languages", "merges", "milestones", "notifications", "pulls", "releases",
        "stargazers", "statuses", "subscribers", "subscription", "tags", "teams", "trees",
        "hooks",
    ]  # fmt: skip
    counts = ["forks", "forks_count", "stargazers_count", "watchers_count", "size",
              "open_issues_count", "open_issues", "watchers"]  # fmt: skip
    return {
        "id": repo_id,
        "node_id": f"R_{repo_id}",
        "name": full_name.rpartition("/")[2],
        "full_name": full_name,
        "owner": None,
        "license": None,
        "description": None,
        "homepage": None,
        "language": None,
        "mirror_url": None,
        "fork": False,
        "has_pages": False,
        "disabled": False,
        "url": api,
        "html_url": f"https://github.example/{full_name}",
        "clone_url": f"https://github.example/{full_name}.git",
        "git_url": f"git://github.example/{full_name}.git",
        "ssh_url": f"git@github.example:{full_name}.git",
        "svn_url": f"https://github.example/{full_name}",
        "default_branch": default_branch,
        "pushed_at": None,
        "created_at": None,
        "updated_at": None,
        **{f"{name}_url": f"{api}/{name}" for name in urls},
        **dict.fromkeys(counts, 0),
    }


@dataclass
class FakeGitHub:
    app_id: str
    public_key: str
    token: str = "ghs_TESTTOKEN0123456789abcdefSECRET"
    installations: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, Any] | None]] = field(default_factory=list)
    minted: int = 0
    # The App's webhook delivery log, as GET /app/hook/deliveries returns its items.
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    # Delivery ids POSTed to /app/hook/deliveries/{id}/attempts, in order.
    redelivered: list[int] = field(default_factory=list)
    # Delivery id -> HTTP status GitHub answers when asked to redeliver it (e.g. 422).
    refuse_redelivery: dict[int, int] = field(default_factory=dict)
    # GitHub allows per_page up to 100; a smaller cap makes tests cross page boundaries.
    max_page_size: int = 100

    def _check_jwt(self, auth: str | None) -> bool:
        if not auth or not auth.startswith("Bearer "):
            return False
        try:
            claims = jwt.decode(auth[7:], self.public_key, algorithms=["RS256"])
        except jwt.PyJWTError:
            return False
        return str(claims.get("iss")) == self.app_id

    def handle(
        self, method: str, path: str, auth: str | None, body: dict[str, Any] | None
    ) -> tuple[int, Any] | tuple[int, Any, dict[str, str]]:
        """(status, JSON payload[, extra headers]) for one request."""
        self.requests.append((method, path, body))
        if path.startswith("/app/hook/deliveries"):
            return self._deliveries(method, path, auth)
        match = re.fullmatch(r"/app/installations/(\d+)/access_tokens", path)
        if method == "POST" and match:
            if not self._check_jwt(auth):
                return 401, {"message": "A JSON web token could not be decoded"}
            if int(match.group(1)) not in self.installations:
                return 404, {"message": "Not Found"}
            self.minted += 1
            expires = datetime.now(UTC) + timedelta(hours=1)
            return 201, {
                "token": self.token,
                "expires_at": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "permissions": {"contents": "read", "metadata": "read"},
                "repository_selection": "selected",
            }
        if method == "GET" and path.startswith("/installation/repositories"):
            if auth not in (f"token {self.token}", f"Bearer {self.token}"):
                return 401, {"message": "Bad credentials"}
            repos = next(iter(self.installations.values()), [])
            return 200, {"total_count": len(repos), "repositories": repos}
        return 404, {"message": "Not Found"}

    def _deliveries(
        self, method: str, path: str, auth: str | None
    ) -> tuple[int, Any] | tuple[int, Any, dict[str, str]]:
        if not self._check_jwt(auth):
            return 401, {"message": "A JSON web token could not be decoded"}
        url = urlsplit(path)
        attempt = re.fullmatch(r"/app/hook/deliveries/(\d+)/attempts", url.path)
        if method == "POST" and attempt:
            delivery_id = int(attempt.group(1))
            if not any(item["id"] == delivery_id for item in self.deliveries):
                return 404, {"message": "Not Found"}
            if delivery_id in self.refuse_redelivery:
                return self.refuse_redelivery[delivery_id], {"message": "Validation Failed"}
            self.redelivered.append(delivery_id)
            return 202, {}
        if method != "GET" or url.path != "/app/hook/deliveries":
            return 404, {"message": "Not Found"}
        query = parse_qs(url.query)
        size = min(int(query.get("per_page", ["30"])[0]), self.max_page_size)
        # Cursors are opaque to clients; this one is the offset into the newest-first log.
        start = int(query.get("cursor", ["v1_0"])[0].removeprefix("v1_"))
        newest_first = sorted(self.deliveries, key=lambda d: (d["delivered_at"], d["id"]))[::-1]
        page = newest_first[start : start + size]
        headers = {}
        if start + size < len(newest_first):
            link = f"/app/hook/deliveries?per_page={size}&cursor=v1_{start + size}"
            headers["Link"] = f'<http://github.invalid{link}>; rel="next"'
        return 200, page, headers


def hook_delivery(
    delivery_id: int,
    guid: str,
    delivered_at: datetime,
    status_code: int,
    *,
    event: str = "push",
    redelivery: bool = False,
) -> dict[str, Any]:
    """One item of the App's delivery log, shaped as GitHub returns it."""
    return {
        "id": delivery_id,
        "guid": guid,
        "delivered_at": delivered_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "redelivery": redelivery,
        "duration": 0.27,
        "status": "OK" if 200 <= status_code < 300 else _STATUS_TEXT.get(status_code, "Error"),
        "status_code": status_code,
        "event": event,
        "action": None,
        "installation_id": 123,
        "repository_id": 456,
        "throttled_at": None,
    }


_STATUS_TEXT = {0: "Timed out", 500: "Internal Server Error", 503: "Service Unavailable"}


@contextmanager
def serving(fake: FakeGitHub) -> Iterator[str]:
    """Serve `fake` on 127.0.0.1; yields its base URL (GITHUB_API_URL)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _respond(self) -> None:
            answer_json(self, fake.handle, "Authorization")

        do_GET = do_POST = do_PATCH = do_DELETE = _respond  # noqa: N815

    with serve_in_thread(Handler) as url:
        yield url


# A delivery log with every case redelivery must tell apart, shared by the CLI and sweep tests.
NOW = datetime.now(UTC).replace(microsecond=0)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


# Each event (GUID) with its attempts; redeliveries share the GUID of the original.
DELIVERY_LOG = [
    # delivered on the second attempt: nothing to do
    hook_delivery(11, "guid-recovered", ago(hours=30), 503),
    hook_delivery(12, "guid-recovered", ago(hours=29), 202, redelivery=True),
    # failed twice: redeliver the latest attempt (22), once
    hook_delivery(21, "guid-failed-twice", ago(hours=20), 503),
    hook_delivery(22, "guid-failed-twice", ago(hours=19), 500, redelivery=True),
    # timed out (status code 0)
    hook_delivery(31, "guid-timed-out", ago(hours=2), 0),
    # fine the first time
    hook_delivery(41, "guid-ok", ago(hours=1), 202),
    hook_delivery(51, "guid-ping", ago(minutes=30), 200, event="ping"),
    # failed, but longer ago than GitHub redelivers (three days)
    hook_delivery(61, "guid-too-old", ago(hours=80), 503),
]
