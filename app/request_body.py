"""Reading a request body with a size cap, so an oversized delivery is never held in memory.

A declared `Content-Length` over the cap is refused before a byte is read; a chunked or
under-declared body is refused as soon as the bytes received pass the cap.
"""

from __future__ import annotations

from contextlib import aclosing

from starlette.requests import Request

from app.errors import WebhookError


class BodyTooLargeError(WebhookError):
    """The body is larger than MAX_BODY_BYTES (413)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"body exceeds MAX_BODY_BYTES ({limit} bytes)")


async def read_capped_body(request: Request, limit: int) -> bytes:
    """The whole body of `request`, or `BodyTooLargeError` once it passes `limit` bytes.

    Raises starlette's `ClientDisconnect` if the sender goes away mid-body.
    """
    declared = request.headers.get("content-length", "")
    # The server has validated framing already; only a well-formed length can refuse early.
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError(limit)
    chunks: list[bytes] = []
    received = 0
    async with aclosing(request.stream()) as stream:
        async for chunk in stream:
            received += len(chunk)
            if received > limit:
                raise BodyTooLargeError(limit)
            chunks.append(chunk)
    return b"".join(chunks)
