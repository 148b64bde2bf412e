"""Run a stdlib HTTP handler on 127.0.0.1 in a thread: the shell of every faked provider API."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# (method, path, token header, JSON body) -> (status, JSON answer[, extra headers]): a fake
# API's whole logic.
ApiHandler = Callable[
    [str, str, str | None, dict[str, Any] | None],
    tuple[int, Any] | tuple[int, Any, dict[str, str]],
]


@contextmanager
def serve_in_thread(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Serve `handler` on a free port; yields its base URL and shuts it down afterwards."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def answer_json(request: BaseHTTPRequestHandler, api: ApiHandler, token_header: str) -> None:
    """Read the request's JSON body, ask `api`, and write its answer as JSON."""
    length = int(request.headers.get("Content-Length") or 0)
    raw = request.rfile.read(length) if length else b""
    status, answer, *extra = api(
        request.command,
        request.path,
        request.headers.get(token_header),
        json.loads(raw) if raw else None,
    )
    data = json.dumps(answer).encode()
    request.send_response(status)
    for name, value in (extra[0] if extra else {}).items():
        request.send_header(name, value)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)
