"""Webhook authentication over the raw body: GitHub HMAC, GitLab tokens, Standard Webhooks.

Pure functions over bytes and header values, called before any JSON parsing. Every comparison
is constant time and every configured secret is tried (rotation: old and new both valid), so
the time taken reveals neither which secret matched nor how much of a signature was right.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import re
from collections.abc import Sequence

from app.errors import WebhookError

# Names of settings, for hints in logs; never their values.
GITHUB_SECRET_SETTING = "GITHUB_WEBHOOK_SECRET"  # noqa: S105 (a variable name, not a secret)
GITLAB_TOKEN_SETTING = "GITLAB_WEBHOOK_TOKEN"  # noqa: S105 (a variable name, not a secret)
GITLAB_SYSTEM_TOKEN_SETTING = "GITLAB_SYSTEM_HOOK_TOKEN"  # noqa: S105 (the same)
GITLAB_SIGNING_SETTING = "GITLAB_WEBHOOK_SIGNING_TOKEN"
STANDARD_WEBHOOKS_TOLERANCE_SECONDS = 5 * 60
_SHA256_HEX = re.compile(r"[0-9a-fA-F]{64}")


class SignatureFailure(enum.Enum):
    """Why a delivery failed authentication; the value is safe to log and to put in metrics."""

    NOT_CONFIGURED = "not_configured"
    MISSING = "missing"
    SHA1_ONLY = "sha1_only"
    MALFORMED = "malformed"
    MISMATCH = "mismatch"
    TIMESTAMP_OUT_OF_RANGE = "timestamp_out_of_range"


_ADVICE = {
    SignatureFailure.NOT_CONFIGURED: "set {setting}",
    SignatureFailure.MISSING: "configure a secret on the webhook and the same value in {setting}",
    SignatureFailure.SHA1_ONLY: "only sha1 signatures arrived; sha256 is required, check {setting}",
    SignatureFailure.MALFORMED: "the signature header is malformed; check the sender and {setting}",
    SignatureFailure.MISMATCH: "check {setting} matches the webhook's secret",
    SignatureFailure.TIMESTAMP_OUT_OF_RANGE: "check the clocks of sender and receiver",
}


class SignatureError(WebhookError):
    """Authentication failed (401); carries the reason and the setting an operator should check."""

    def __init__(self, reason: SignatureFailure, setting: str, detail: str) -> None:
        self.reason = reason
        self.setting = setting
        self.detail = detail
        super().__init__(f"{detail} ({reason.value})")

    @property
    def hint(self) -> str:
        """An actionable sentence for the log that names the setting, never its value."""
        return _ADVICE[self.reason].format(setting=self.setting)


def sign_github(body: bytes, secret: str) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body` (used by tests and benchmarks)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_github(
    body: bytes,
    signature_256: str | None,
    secrets: Sequence[str],
    *,
    signature_sha1: str | None = None,
) -> None:
    """Accept `body` only if `X-Hub-Signature-256` is a valid HMAC under one of `secrets`.

    `signature_sha1` (the legacy `X-Hub-Signature` header) is never trusted; it only makes
    the failure reason precise when it is all the sender provided.
    """
    keys = _keys(secrets)
    if not keys:
        raise SignatureError(
            SignatureFailure.NOT_CONFIGURED,
            GITHUB_SECRET_SETTING,
            "no GitHub webhook secret is configured",
        )
    if signature_256 is None:
        if signature_sha1 is not None:
            raise SignatureError(
                SignatureFailure.SHA1_ONLY,
                GITHUB_SECRET_SETTING,
                "X-Hub-Signature-256 is missing; only X-Hub-Signature was sent",
            )
        raise SignatureError(
            SignatureFailure.MISSING, GITHUB_SECRET_SETTING, "X-Hub-Signature-256 is missing"
        )
    algorithm, _, hex_digest = signature_256.strip().partition("=")
    if algorithm.lower() == "sha1":
        raise SignatureError(
            SignatureFailure.SHA1_ONLY,
            GITHUB_SECRET_SETTING,
            "X-Hub-Signature-256 carries a sha1 signature",
        )
    received = _hex_digest(hex_digest) if algorithm == "sha256" else None
    if received is None:
        raise SignatureError(
            SignatureFailure.MALFORMED,
            GITHUB_SECRET_SETTING,
            "X-Hub-Signature-256 is not 'sha256=' and 64 hex digits",
        )
    expected = [hmac.digest(key, body, "sha256") for key in keys]
    if not _matches_any(received, expected):
        raise SignatureError(
            SignatureFailure.MISMATCH,
            GITHUB_SECRET_SETTING,
            "X-Hub-Signature-256 matches no configured secret",
        )


def verify_gitlab_token(
    token: str | None, tokens: Sequence[str], setting: str = GITLAB_TOKEN_SETTING
) -> None:
    """Accept the delivery only if the bytes of `X-Gitlab-Token` (a header value as
    `header_bytes` reads it) are the UTF-8 bytes of one of `tokens` (from `setting`)."""
    keys = _keys(tokens)
    if not keys:
        raise SignatureError(
            SignatureFailure.NOT_CONFIGURED, setting, f"no {setting} is configured"
        )
    if token is None:
        raise SignatureError(SignatureFailure.MISSING, setting, "X-Gitlab-Token is missing")
    # Hash both sides so compare_digest sees equal lengths and the token length stays private.
    # Text no header could carry counts as the empty token, which no configured key is.
    received = hashlib.sha256(header_bytes(token) or b"").digest()
    if not _matches_any(received, [hashlib.sha256(key).digest() for key in keys]):
        raise SignatureError(
            SignatureFailure.MISMATCH,
            setting,
            "X-Gitlab-Token matches no configured token",
        )


def standard_webhooks_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_<base64>` secret: the base64-decoded part after the prefix."""
    encoded = secret.removeprefix("whsec_")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(
            SignatureFailure.NOT_CONFIGURED,
            GITLAB_SIGNING_SETTING,
            "the signing secret is not 'whsec_' and base64",
        ) from None


def sign_standard_webhook(body: bytes, msg_id: str, timestamp: int, secret: str) -> str:
    """The `webhook-signature` value for a delivery (used by tests and benchmarks)."""
    digest = hmac.new(
        standard_webhooks_key(secret),
        _signed_content(msg_id.encode(), str(timestamp), body),
        hashlib.sha256,
    ).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify_standard_webhook(
    body: bytes,
    *,
    msg_id: str | None,
    timestamp: str | None,
    signature: str | None,
    secret: str,
    now: float,
    setting: str = GITLAB_SIGNING_SETTING,
) -> None:
    """Accept a Standard Webhooks delivery signed with `secret`, sent within 5 minutes of `now`.

    `signature` may list several space-separated `v<n>,<base64>` entries (the sender signs
    with each of its secrets during rotation); any valid `v1` entry suffices.
    """
    key = standard_webhooks_key(secret)
    if not msg_id or not timestamp or not signature:
        absent = [
            name
            for name, value in (
                ("webhook-id", msg_id),
                ("webhook-timestamp", timestamp),
                ("webhook-signature", signature),
            )
            if not value
        ]
        raise SignatureError(SignatureFailure.MISSING, setting, f"{', '.join(absent)} missing")
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        raise SignatureError(
            SignatureFailure.MALFORMED, setting, "webhook-timestamp is not integer seconds"
        )
    if abs(now - int(timestamp)) > STANDARD_WEBHOOKS_TOLERANCE_SECONDS:
        raise SignatureError(
            SignatureFailure.TIMESTAMP_OUT_OF_RANGE,
            setting,
            "webhook-timestamp is more than 5 minutes from now",
        )
    received = [
        decoded for entry in signature.split() if (decoded := _v1_signature(entry)) is not None
    ]
    if not received:
        raise SignatureError(
            SignatureFailure.MALFORMED, setting, "webhook-signature has no 'v1,<base64>' entry"
        )
    # The id is signed as the bytes sent, which the header's latin-1 text gives back.
    id_bytes = header_bytes(msg_id)
    if id_bytes is None:
        raise SignatureError(SignatureFailure.MALFORMED, setting, "webhook-id is not header text")
    expected = hmac.new(key, _signed_content(id_bytes, timestamp, body), hashlib.sha256).digest()
    if not _matches_any(expected, received):
        raise SignatureError(
            SignatureFailure.MISMATCH,
            setting,
            "webhook-signature matches no v1 signature of the configured secret",
        )


def verify_gitlab(
    body: bytes,
    *,
    token: str | None,
    tokens: Sequence[str],
    signing_secret: str | None,
    system_hook: bool = False,
    system_tokens: Sequence[str] = (),
    per_project: bool = False,
    project_id: int | None = None,
    msg_id: str | None,
    timestamp: str | None,
    signature: str | None,
    now: float,
) -> None:
    """GitLab's whole check: the token, then a Standard Webhooks signature if configured.

    A system hook is checked against its own tokens: it speaks for every project of the
    instance (a `project_destroy` removes any project's graph), so a project hook's token,
    which that project's maintainers may know, must not pass for one. For the same reason,
    with `per_project` a project hook sends the token `gitlab_project_token` derives for the
    project the body names (`project_id`, read by the caller; None: the body names none)."""
    if system_hook:
        verify_gitlab_token(token, system_tokens, GITLAB_SYSTEM_TOKEN_SETTING)
    elif not per_project:
        verify_gitlab_token(token, tokens)
    elif project_id is None and _keys(tokens):
        raise SignatureError(
            SignatureFailure.MISMATCH,
            GITLAB_TOKEN_SETTING,
            "X-Gitlab-Token cannot be checked: the body names no project (project.id)",
        )
    else:
        verify_gitlab_token(token, [gitlab_project_token(t, project_id or 0) for t in tokens if t])
    if signing_secret is not None:
        verify_standard_webhook(
            body,
            msg_id=msg_id,
            timestamp=timestamp,
            signature=signature,
            secret=signing_secret,
            now=now,
        )


def gitlab_project_token(secret: str, project_id: int) -> str:
    """The `X-Gitlab-Token` one project's hook sends (`gitlab connect` sets it), derived from
    a `GITLAB_WEBHOOK_TOKEN` and the project's id: a project's maintainers can read their
    hook's deliveries (pointing it at a server of theirs), and so learn a token, which must
    pass for no other project."""
    message = f"repograph gitlab project hook {project_id}".encode()
    digest = hmac.new(_encode(secret), message, hashlib.sha256).digest()
    return "rg1_" + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def header_bytes(value: str) -> bytes | None:
    """The bytes a header value arrived as, or None for text no header could carry.

    ASGI servers hand over raw header bytes; Starlette and `request_headers` decode them as
    latin-1, which maps each byte to one character, so encoding as latin-1 gets them back.
    A secret is compared as these bytes: decoded text re-encoded as UTF-8 would turn the
    two bytes of an "ä" sent as UTF-8 into four, and never match.
    """
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _keys(secrets: Sequence[str]) -> list[bytes]:
    # An empty secret would make HMAC forgeable by anyone, so it never counts as configured.
    return [_encode(secret) for secret in secrets if secret]


def _encode(text: str) -> bytes:
    # Header values arrive as latin-1 text; surrogatepass keeps odd input from raising here.
    return text.encode("utf-8", "surrogatepass")


def _hex_digest(text: str) -> bytes | None:
    # fromhex alone would also accept spaces between digit pairs.
    if not _SHA256_HEX.fullmatch(text):
        return None
    return bytes.fromhex(text)


def _v1_signature(entry: str) -> bytes | None:
    version, _, encoded = entry.partition(",")
    if version != "v1" or not encoded.isascii():
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return None


def _signed_content(msg_id: bytes, timestamp: str, body: bytes) -> bytes:
    return msg_id + b"." + timestamp.encode() + b"." + body


def _matches_any(received: bytes, candidates: Sequence[bytes]) -> bool:
    # Compare against every candidate without stopping early: no timing hint of which matched.
    matched = False
    for candidate in candidates:
        matched |= hmac.compare_digest(received, candidate)
    return matched
