"""Webhook authentication: GitHub HMAC, GitLab tokens and Standard Webhooks signatures."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.signatures import (
    GITHUB_SECRET_SETTING,
    GITLAB_SIGNING_SETTING,
    GITLAB_TOKEN_SETTING,
    SignatureError,
    SignatureFailure,
    gitlab_project_token,
    sign_github,
    sign_standard_webhook,
    verify_github,
    verify_gitlab,
    verify_gitlab_token,
    verify_standard_webhook,
)

BODY = b'{"ref": "refs/heads/main"}'
OLD_SECRET = "old-secret-2025"
NEW_SECRET = "new-secret-2026"
# The reference vector published with the Standard Webhooks specification.
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
OTHER_WHSEC = "whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA=="


def failure_of(call: object, *args: object, **kwargs: object) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value


@pytest.mark.parametrize(
    "secret", [OLD_SECRET, NEW_SECRET], ids=["signed-with-old-secret", "signed-with-new-secret"]
)
def test_github_accepts_a_signature_from_any_configured_secret(secret: str) -> None:
    """During rotation a delivery signed with either the old or the new secret is accepted."""
    verify_github(BODY, sign_github(BODY, secret), (OLD_SECRET, NEW_SECRET))


@pytest.mark.parametrize(
    ("signature", "sha1", "reason"),
    [
        (None, None, SignatureFailure.MISSING),
        (None, "sha1=0123456789abcdef0123456789abcdef01234567", SignatureFailure.SHA1_ONLY),
        ("sha1=0123456789abcdef0123456789abcdef01234567", None, SignatureFailure.SHA1_ONLY),
        ("sha256=" + "0" * 63, None, SignatureFailure.MALFORMED),
        ("sha256=" + "zz" * 32, None, SignatureFailure.MALFORMED),
        ("sha256=" + "ab " * 21 + "a", None, SignatureFailure.MALFORMED),
        ("sha512=" + "0" * 64, None, SignatureFailure.MALFORMED),
        ("", None, SignatureFailure.MALFORMED),
        ("sha256=" + "0" * 64, None, SignatureFailure.MISMATCH),
        (sign_github(BODY, "someone-elses-secret"), None, SignatureFailure.MISMATCH),
        (sign_github(BODY + b" ", NEW_SECRET), None, SignatureFailure.MISMATCH),
    ],
    ids=[
        "missing-header",
        "sha1-header-only",
        "sha1-in-sha256-header",
        "short-digest",
        "not-hex",
        "hex-with-spaces",
        "other-algorithm",
        "empty-header",
        "zero-digest",
        "wrong-secret",
        "tampered-body",
    ],
)
def test_github_refuses_bad_signatures_with_a_precise_reason(
    signature: str | None, sha1: str | None, reason: SignatureFailure
) -> None:
    """Each kind of bad GitHub signature fails with its own reason, naming the setting."""
    error = failure_of(verify_github, BODY, signature, (NEW_SECRET,), signature_sha1=sha1)
    assert error.reason is reason
    assert error.setting == GITHUB_SECRET_SETTING
    assert GITHUB_SECRET_SETTING in error.hint


@pytest.mark.parametrize("secrets", [(), ("",)], ids=["no-secrets", "only-empty-secret"])
def test_github_without_a_usable_secret_refuses_everything(secrets: tuple[str, ...]) -> None:
    """An empty secret never verifies anything, since anyone could compute that HMAC."""
    error = failure_of(verify_github, BODY, sign_github(BODY, ""), secrets)
    assert error.reason is SignatureFailure.NOT_CONFIGURED


def test_signature_errors_never_contain_the_secret() -> None:
    """Neither the message nor the hint of a failure reveals a configured secret."""
    error = failure_of(verify_github, BODY, sign_github(BODY, "x"), (NEW_SECRET,))
    assert NEW_SECRET not in str(error)
    assert NEW_SECRET not in error.hint


@pytest.mark.parametrize("token", ["token-a", "token-b"], ids=["first-token", "second-token"])
def test_gitlab_accepts_any_configured_token(token: str) -> None:
    """A GitLab delivery carrying any of the configured tokens is accepted."""
    verify_gitlab_token(token, ("token-a", "token-b"))


@pytest.mark.parametrize(
    ("token", "tokens", "reason"),
    [
        (None, ("token-a",), SignatureFailure.MISSING),
        ("token-c", ("token-a", "token-b"), SignatureFailure.MISMATCH),
        ("token-a-and-more", ("token-a",), SignatureFailure.MISMATCH),
        ("", ("token-a",), SignatureFailure.MISMATCH),
        ("tökén-ä\udcff", ("token-a",), SignatureFailure.MISMATCH),
        ("token-a", (), SignatureFailure.NOT_CONFIGURED),
    ],
    ids=["missing", "unknown", "prefix-match", "empty", "non-ascii", "not-configured"],
)
def test_gitlab_refuses_bad_tokens(
    token: str | None, tokens: tuple[str, ...], reason: SignatureFailure
) -> None:
    """A missing, wrong or non-ASCII GitLab token fails with its reason and never a TypeError."""
    error = failure_of(verify_gitlab_token, token, tokens)
    assert error.reason is reason
    assert error.setting == GITLAB_TOKEN_SETTING


def test_a_standard_webhooks_id_beyond_ascii_is_checked_as_the_bytes_sent() -> None:
    """A webhook-id sent as UTF-8 bytes arrives as their latin-1 text, as Starlette decodes
    headers: it is signed as those bytes, not as that text encoded again."""
    msg_id = "msg-ünïcode"
    signature = sign_standard_webhook(SPEC_BODY, msg_id, SPEC_TIMESTAMP, SPEC_SECRET)
    verify_standard_webhook(
        SPEC_BODY,
        msg_id=msg_id.encode().decode("latin-1"),
        timestamp=str(SPEC_TIMESTAMP),
        signature=signature,
        secret=SPEC_SECRET,
        now=SPEC_TIMESTAMP,
    )


def test_standard_webhooks_reference_vector_verifies() -> None:
    """The specification's published example signature verifies (and signs identically)."""
    assert sign_standard_webhook(SPEC_BODY, SPEC_ID, SPEC_TIMESTAMP, SPEC_SECRET) == SPEC_SIGNATURE
    verify_standard_webhook(
        SPEC_BODY,
        msg_id=SPEC_ID,
        timestamp=str(SPEC_TIMESTAMP),
        signature=SPEC_SIGNATURE,
        secret=SPEC_SECRET,
        now=SPEC_TIMESTAMP,
    )


@pytest.mark.parametrize(
    "header",
    [
        f"v1,{'A' * 43}= {SPEC_SIGNATURE}",
        f"v1a,c29tZXRoaW5n {SPEC_SIGNATURE}",
        f"{SPEC_SIGNATURE}  v1,not-base64!",
    ],
    ids=["rotated-first-entry-wrong", "asymmetric-entry-skipped", "garbage-entry-after"],
)
def test_standard_webhooks_accepts_any_valid_v1_entry(header: str) -> None:
    """With several space-separated signatures one valid `v1` entry is enough."""
    verify_standard_webhook(
        SPEC_BODY,
        msg_id=SPEC_ID,
        timestamp=str(SPEC_TIMESTAMP),
        signature=header,
        secret=SPEC_SECRET,
        now=SPEC_TIMESTAMP,
    )


@pytest.mark.parametrize("skew", [-300, 300], ids=["five-minutes-old", "five-minutes-ahead"])
def test_standard_webhooks_tolerates_five_minutes_either_way(skew: int) -> None:
    """A timestamp exactly five minutes from now, in either direction, is still accepted."""
    verify_standard_webhook(
        SPEC_BODY,
        msg_id=SPEC_ID,
        timestamp=str(SPEC_TIMESTAMP),
        signature=SPEC_SIGNATURE,
        secret=SPEC_SECRET,
        now=SPEC_TIMESTAMP - skew,
    )


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"now": SPEC_TIMESTAMP + 301}, SignatureFailure.TIMESTAMP_OUT_OF_RANGE),
        ({"now": SPEC_TIMESTAMP - 301}, SignatureFailure.TIMESTAMP_OUT_OF_RANGE),
        ({"msg_id": None}, SignatureFailure.MISSING),
        ({"timestamp": None}, SignatureFailure.MISSING),
        ({"signature": None}, SignatureFailure.MISSING),
        ({"signature": ""}, SignatureFailure.MISSING),
        ({"timestamp": "1614265330.5"}, SignatureFailure.MALFORMED),
        ({"timestamp": "-1614265330"}, SignatureFailure.MALFORMED),
        (
            {"timestamp": "\uff11\uff16\uff11\uff14\uff12\uff16\uff15\uff13\uff13\uff10"},
            SignatureFailure.MALFORMED,
        ),
        ({"signature": "v2,abc"}, SignatureFailure.MALFORMED),
        ({"signature": "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="}, SignatureFailure.MALFORMED),
        ({"msg_id": "msg_other"}, SignatureFailure.MISMATCH),
        ({"body": SPEC_BODY + b"\n"}, SignatureFailure.MISMATCH),
        ({"secret": OTHER_WHSEC}, SignatureFailure.MISMATCH),
        ({"secret": "whsec_%%%"}, SignatureFailure.NOT_CONFIGURED),
    ],
    ids=[
        "stale",
        "from-the-future",
        "missing-id",
        "missing-timestamp",
        "missing-signature",
        "empty-signature",
        "fractional-timestamp",
        "negative-timestamp",
        "fullwidth-digits",
        "unknown-version-only",
        "no-version-prefix",
        "other-message-id",
        "tampered-body",
        "other-secret",
        "secret-not-base64",
    ],
)
def test_standard_webhooks_refuses_bad_deliveries(
    overrides: dict[str, object], reason: SignatureFailure
) -> None:
    """Each way a Standard Webhooks delivery can be wrong fails with its own reason."""
    arguments: dict[str, object] = {
        "body": SPEC_BODY,
        "msg_id": SPEC_ID,
        "timestamp": str(SPEC_TIMESTAMP),
        "signature": SPEC_SIGNATURE,
        "secret": SPEC_SECRET,
        "now": SPEC_TIMESTAMP,
    }
    arguments.update(overrides)
    body = arguments.pop("body")
    error = failure_of(verify_standard_webhook, body, **arguments)
    assert error.reason is reason
    assert error.setting == GITLAB_SIGNING_SETTING


def test_gitlab_requires_the_signature_only_when_a_signing_secret_is_set() -> None:
    """Without a signing secret the token suffices; with one, a missing signature is refused."""
    common = {
        "token": "token-a",
        "tokens": ("token-a",),
        "msg_id": None,
        "timestamp": None,
        "signature": None,
        "now": SPEC_TIMESTAMP,
    }
    verify_gitlab(SPEC_BODY, signing_secret=None, **common)  # type: ignore[arg-type]
    error = failure_of(verify_gitlab, SPEC_BODY, signing_secret=SPEC_SECRET, **common)
    assert error.reason is SignatureFailure.MISSING
    assert error.setting == GITLAB_SIGNING_SETTING


def test_gitlab_checks_the_token_before_the_signature() -> None:
    """A valid signature does not excuse a wrong token."""
    error = failure_of(
        verify_gitlab,
        SPEC_BODY,
        token="wrong",
        tokens=("token-a",),
        signing_secret=SPEC_SECRET,
        msg_id=SPEC_ID,
        timestamp=str(SPEC_TIMESTAMP),
        signature=SPEC_SIGNATURE,
        now=SPEC_TIMESTAMP,
    )
    assert error.setting == GITLAB_TOKEN_SETTING


def test_gitlab_project_hooks_pass_only_with_their_own_projects_token() -> None:
    """Per project, a hook's token is derived from a configured token (any, in rotation) and
    the project its body names: another project's does not pass, nor does the configured
    token itself, nor any for a body naming no project."""
    common = {
        "signing_secret": None,
        "msg_id": None,
        "timestamp": None,
        "signature": None,
        "now": SPEC_TIMESTAMP,
        "tokens": ("token-new", "token-old"),
        "per_project": True,
    }
    for secret in ("token-new", "token-old"):
        token = gitlab_project_token(secret, 9)
        verify_gitlab(SPEC_BODY, token=token, project_id=9, **common)  # type: ignore[arg-type]
    refused = [
        (gitlab_project_token("token-new", 10), 9),
        ("token-new", 9),
        (gitlab_project_token("token-new", 9), None),
    ]
    for token, project_id in refused:
        error = failure_of(verify_gitlab, SPEC_BODY, token=token, project_id=project_id, **common)
        assert error.reason is SignatureFailure.MISMATCH
        assert error.setting == GITLAB_TOKEN_SETTING
    assert gitlab_project_token("token-new", 9) != gitlab_project_token("token-new", 90)
    unconfigured = {**common, "tokens": ()}
    error = failure_of(verify_gitlab, SPEC_BODY, token="x", project_id=None, **unconfigured)
    assert error.reason is SignatureFailure.NOT_CONFIGURED


headers = st.none() | st.text(max_size=200)


@given(body=st.binary(max_size=512), signature=headers, sha1=headers)
def test_github_verification_raises_only_signature_errors(
    body: bytes, signature: str | None, sha1: str | None
) -> None:
    """Arbitrary bodies and header values fail with SignatureError, never another exception."""
    with pytest.raises(SignatureError):
        verify_github(body, signature, (NEW_SECRET,), signature_sha1=sha1)


@given(
    body=st.binary(max_size=512),
    msg_id=headers,
    timestamp=headers,
    signature=headers,
    token=headers,
)
def test_gitlab_verification_raises_only_signature_errors(
    body: bytes,
    msg_id: str | None,
    timestamp: str | None,
    signature: str | None,
    token: str | None,
) -> None:
    """Arbitrary GitLab headers fail with SignatureError, never another exception."""
    with pytest.raises(SignatureError):
        verify_gitlab(
            body,
            token=token,
            tokens=("token-a",),
            signing_secret=SPEC_SECRET,
            msg_id=msg_id,
            timestamp=timestamp,
            signature=signature,
            now=SPEC_TIMESTAMP,
        )
