"""Reading a request body from the ASGI channel with a size cap, so an oversized delivery is
never held in memory.

A declared `Content-Length` over the cap is refused before a byte is read; a chunked or
under-declared body is refused as soon as the bytes received pass the cap.
"""

from __future__ import annotations

from starlette.types import Receive

from app.errors import WebhookError


class BodyTooLargeError(WebhookError):
    """The body is larger than MAX_BODY_BYTES (413)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"body exceeds MAX_BODY_BYTES ({limit} bytes)")


class ClientDisconnectError(WebhookError):
    """The sender went away before the whole body arrived."""


async def read_capped_body(receive: Receive, content_length: str | None, limit: int) -> bytes:
    """The whole body from the ASGI `receive` channel, or `BodyTooLargeError` past `limit`.

    `content_length` is the request's header, if it has one; raises `ClientDisconnectError`
    if the sender goes away mid-body.
    """
    declared = content_length or ""
    # The server has validated framing already; only a well-formed length can refuse early.
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(limit)
    chunks: list[bytes] = []
    received = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnectError("client disconnected")
        chunk: bytes = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise BodyTooLargeError(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)
