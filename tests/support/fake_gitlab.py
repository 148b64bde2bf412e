"""A local stand-in for the GitLab REST API's project and project-hook endpoints.

Enough of `/api/v4` for `repograph gitlab connect`: look a project up by id or by its
URL-encoded path, list, create and update its hooks. Like GitLab, it never returns a hook's
secret tokens; it keeps them (and every request) so tests can assert what was sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.support.http_fake import answer_json, serve_in_thread

SECRET_FIELDS = ("token", "signing_token")
HOOK_FIELDS = (
    "url",
    "push_events",
    "tag_push_events",
    "merge_requests_events",
    "enable_ssl_verification",
)


@dataclass
class FakeGitLab:
    token: str
    projects: dict[int, str] = field(default_factory=dict)  # id -> path_with_namespace
    hooks: dict[int, list[dict[str, Any]]] = field(default_factory=dict)  # project id -> hooks
    secrets: dict[int, dict[str, str]] = field(default_factory=dict)  # hook id -> tokens
    requests: list[tuple[str, str]] = field(default_factory=list)
    presented: list[str | None] = field(default_factory=list)  # PRIVATE-TOKEN per request
    _next_hook: int = 100
    # Where the projects' repositories are served: the host's own URL when it serves git too.
    web_base: str = "https://gitlab.example.com"

    def handle(
        self, method: str, path: str, private_token: str | None, body: dict[str, Any] | None
    ) -> tuple[int, Any]:
        self.requests.append((method, path))
        self.presented.append(private_token)
        if private_token != self.token:
            return 401, {"message": "401 Unauthorized"}
        route = urlsplit(path).path
        match = re.fullmatch(r"/api/v4/projects/([^/]+)(/hooks(?:/(\d+))?)?", route)
        if match is None:
            return 404, {"message": "404 Not Found"}
        project_id = self._project_id(unquote(match.group(1)))
        if project_id is None:
            return 404, {"message": "404 Project Not Found"}
        hooks = self.hooks.setdefault(project_id, [])
        if match.group(2) is None and method == "GET":
            return 200, self._project(project_id)
        if match.group(3) is None and method == "GET":
            return 200, hooks
        if match.group(3) is None and method == "POST":
            return 201, self._save(project_id, {"id": self._new_hook_id()}, body or {})
        hook = next((h for h in hooks if h["id"] == int(match.group(3) or 0)), None)
        if hook is not None and method == "PUT":
            return 200, self._save(project_id, hook, body or {})
        return 404, {"message": "404 Not Found"}

    def _project_id(self, ident: str) -> int | None:
        if ident.isdigit():
            return int(ident) if int(ident) in self.projects else None
        return next((pid for pid, path in self.projects.items() if path == ident), None)

    def _project(self, project_id: int) -> dict[str, Any]:
        path = self.projects[project_id]
        return {
            "id": project_id,
            "name": path.rsplit("/", 1)[-1],
            "path_with_namespace": path,
            "web_url": f"{self.web_base}/{path}",
            "http_url_to_repo": f"{self.web_base}/{path}.git",
            "default_branch": "main",
        }

    def _new_hook_id(self) -> int:
        self._next_hook += 1
        return self._next_hook

    def _save(self, project_id: int, hook: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        hooks = self.hooks[project_id]
        if hook not in hooks:
            hook.update({"project_id": project_id, "push_events": True, "tag_push_events": False})
            hooks.append(hook)
        hook.update({key: body[key] for key in HOOK_FIELDS if key in body})
        secrets = self.secrets.setdefault(hook["id"], {})
        secrets.update({key: body[key] for key in SECRET_FIELDS if key in body})
        return hook


@contextmanager
def serving(fake: FakeGitLab) -> Iterator[str]:
    """Serve `fake` on 127.0.0.1; yields its base URL (GITLAB_URL)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _respond(self) -> None:
            answer_json(self, fake.handle, "PRIVATE-TOKEN")

        do_GET = do_POST = do_PUT = do_DELETE = _respond  # noqa: N815

    with serve_in_thread(Handler) as url:
        yield url
