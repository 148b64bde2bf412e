"""The receiver's root exception, so the HTTP layer can map every input failure to a status."""

from __future__ import annotations


class WebhookError(Exception):
    """A delivery was refused because of what it contains; never a fault of ours (no 5xx)."""
