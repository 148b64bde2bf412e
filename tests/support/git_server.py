"""Real git repositories for tests: built with the git binary, served by `git http-backend`.

`GitHttpServer` serves every bare repository under a directory over smart HTTP, the way GitHub
or GitLab would, and can require a bearer of a given token (sent by git as Basic auth), so tests
prove the worker really authenticates. It is a test double for the provider's *git host*; given
an `api` (such as `FakeGitLab.handle`), it also answers the provider's REST API under `/api/`
on the same host, as GitLab does.
"""

from __future__ import annotations

import base64
import os
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support.http_fake import ApiHandler, answer_json

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.com",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.com",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **GIT_ENV}
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout.strip()


class WorkRepo:
    """A non-bare working repository whose branches are pushed to a bare `origin`."""

    def __init__(self, root: Path, name: str, branch: str = "main") -> None:
        self.bare = root / "served" / f"{name}.git"
        self.work = root / "work" / name
        self.bare.parent.mkdir(parents=True, exist_ok=True)
        self.work.mkdir(parents=True)
        git("init", "--quiet", "--bare", f"--initial-branch={branch}", str(self.bare), cwd=root)
        git("init", "--quiet", f"--initial-branch={branch}", cwd=self.work)
        git("remote", "add", "origin", str(self.bare), cwd=self.work)
        self.branch = branch

    def write(self, files: dict[str, str | bytes]) -> None:
        for rel, content in files.items():
            path = self.work / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)

    def remove(self, *paths: str) -> None:
        """Delete `paths` from the work tree and the index, edited since the last commit or not
        (a random history may edit a file and then delete it in one commit)."""
        git("rm", "--quiet", "--force", "-r", "--", *paths, cwd=self.work)

    def commit(self, message: str, branch: str | None = None) -> str:
        """Commit everything and push it to `origin`; returns the new commit sha."""
        branch = branch or self.branch
        git("add", "-A", cwd=self.work)
        git("commit", "--quiet", "--allow-empty", "-m", message, cwd=self.work)
        git("push", "--quiet", "--force", "origin", f"HEAD:refs/heads/{branch}", cwd=self.work)
        return git("rev-parse", "HEAD", cwd=self.work)

    def checkout(self, branch: str, *, create: bool = False) -> None:
        git("checkout", "--quiet", *(["-b"] if create else []), branch, cwd=self.work)

    def delete_remote_branch(self, branch: str) -> None:
        git("push", "--quiet", "origin", "--delete", branch, cwd=self.work)


class GitHttpServer:
    """Smart-HTTP git over `git http-backend`, optionally requiring one token."""

    def __init__(
        self, project_root: Path, token: str | None = None, api: ApiHandler | None = None
    ) -> None:
        self.project_root = project_root
        self.token = token
        self.api = api
        self.requests: list[tuple[str, str | None]] = []  # (path, Authorization header)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}.git"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                self._serve()

            def do_POST(self) -> None:
                self._serve()

            def _serve(self) -> None:
                if server.api is not None and self.path.startswith("/api/"):
                    answer_json(self, server.api, "PRIVATE-TOKEN")
                    return
                auth = self.headers.get("Authorization")
                server.requests.append((self.path, auth))
                if server.token is not None:
                    expected = (
                        "Basic "
                        + base64.b64encode(f"x-access-token:{server.token}".encode()).decode()
                    )
                    if auth != expected:
                        self.send_response(401)
                        self.send_header("WWW-Authenticate", 'Basic realm="git"')
                        self.end_headers()
                        return
                path, _, query = self.path.partition("?")
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                env = {
                    "PATH": os.environ["PATH"],
                    "GIT_PROJECT_ROOT": str(server.project_root),
                    "GIT_HTTP_EXPORT_ALL": "1",
                    "REQUEST_METHOD": self.command,
                    "PATH_INFO": path,
                    "QUERY_STRING": query,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "CONTENT_LENGTH": str(len(body)),
                    "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
                    # git gzips request bodies over 1 KiB (e.g. a fetch's `have` lines into a
                    # kept repository); http-backend inflates them only when told, as CGI does.
                    "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
                    "REMOTE_ADDR": "127.0.0.1",
                }
                result = subprocess.run(
                    ["git", "http-backend"],
                    input=body,
                    env=env,
                    capture_output=True,
                    check=False,
                )
                head, _, payload = result.stdout.partition(b"\r\n\r\n")
                status = 200
                headers = []
                for line in head.decode(errors="replace").split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.lower() == "status":
                        status = int(value.strip().split()[0])
                    elif name:
                        headers.append((name, value.strip()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler


@contextmanager
def serving(
    project_root: Path, token: str | None = None, api: ApiHandler | None = None
) -> Iterator[GitHttpServer]:
    server = GitHttpServer(project_root, token, api)
    server.start()
    try:
        yield server
    finally:
        server.stop()
