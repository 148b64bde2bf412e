"""Forged, malformed and oversized deliveries get their documented status and dispatch nothing."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator, Callable

import pytest
import redis.asyncio as aioredis

from app.ledger import DEFAULT_PREFIX, delivery_key
from app.settings import Settings
from app.signatures import gitlab_project_token
from tests.conftest import LocalStack
from tests.receiver.webhook_fixtures import fixture_body, with_change
from tests.web.conftest import receiver_settings
from tests.web.deliveries import (
    GITHUB_PREVIOUS_SECRET,
    GITHUB_SECRET,
    GITLAB_SIGNING_SECRET,
    GITLAB_TOKEN,
    UniqueIds,
    github_headers,
    gitlab_headers,
)
from tests.web.receiver_app import Receiver, serve
from tests.web.temporal_history import Dispatched

MIB = 1024 * 1024
OTHER_WHSEC = "whsec_c2VjcmV0LW9mLWEtcm90YXRlZC1lbmRwb2ludA=="
# Ends with "à": UTF-8 C3 A0, whose A0 is a non-breaking space when read as latin-1 text.
NON_ASCII = "gl-tökén-2026-à"


async def assert_nothing_dispatched(
    receiver: Receiver,
    dispatched: Dispatched,
    redis_client: aioredis.Redis,
    ids: UniqueIds,
    provider: str,
) -> None:
    repo = ids.ids["708123456"] if provider == "github" else ids.ids["48151623"]
    assert not await dispatched.exists(f"repo-index-{provider}-{repo}-main")
    assert await redis_client.exists(DEFAULT_PREFIX + delivery_key(provider, ids.delivery)) == 0
    assert await receiver.metric("repograph_workflow_signals_total") == 0


def github_push(ids: UniqueIds) -> bytes:
    return ids.body(fixture_body("github", "push"))


def gitlab_push(ids: UniqueIds) -> bytes:
    return ids.body(fixture_body("gitlab", "push"))


@pytest.mark.parametrize(
    ("signature_headers", "reason"),
    [
        ({"x-hub-signature-256": "sha256=" + "0" * 64}, "mismatch"),
        ({"x-hub-signature": "sha1=" + "0" * 40}, "sha1_only"),
        ({"x-hub-signature-256": "sha1=" + "0" * 40}, "sha1_only"),
        ({}, "missing"),
        ({"x-hub-signature-256": "sha256=" + "zz" * 32}, "malformed"),
    ],
    ids=["wrong-signature", "sha1-only", "sha1-in-sha256-header", "missing", "malformed"],
)
async def test_github_delivery_without_a_valid_sha256_signature_is_401(
    receiver: Receiver,
    dispatched: Dispatched,
    redis_client: aioredis.Redis,
    ids: UniqueIds,
    signature_headers: dict[str, str],
    reason: str,
) -> None:
    """A wrong, sha1-only, missing or malformed signature is refused before parsing."""
    body = github_push(ids)
    headers = github_headers(body, delivery=ids.delivery, secret=None) | signature_headers
    response = await receiver.post_github(body, headers=headers)
    assert response.status_code == 401
    assert response.json()["status"] == "unauthorized"
    failures = "repograph_webhook_verification_failures_total"
    assert await receiver.metric(failures, provider="github", reason=reason) == 1
    await assert_nothing_dispatched(receiver, dispatched, redis_client, ids, "github")


async def test_github_signed_with_another_secret_is_401(
    receiver: Receiver, dispatched: Dispatched, redis_client: aioredis.Redis, ids: UniqueIds
) -> None:
    """A body signed with a secret we do not hold is refused."""
    body = github_push(ids)
    response = await receiver.post_github(body, delivery=ids.delivery, secret="not-our-secret")
    assert response.status_code == 401
    await assert_nothing_dispatched(receiver, dispatched, redis_client, ids, "github")


@pytest.mark.parametrize(
    "secret", [GITHUB_SECRET, GITHUB_PREVIOUS_SECRET], ids=["new-secret", "old-secret"]
)
async def test_github_accepts_both_secrets_during_rotation(
    receiver: Receiver, dispatched: Dispatched, ids: UniqueIds, secret: str
) -> None:
    """With GITHUB_WEBHOOK_SECRET listing old and new, a delivery signed with either dispatches."""
    response = await receiver.post_github(github_push(ids), delivery=ids.delivery, secret=secret)
    assert (response.status_code, response.json()["status"]) == (202, "accepted")
    dispatched.track(*response.json()["workflows"])


async def test_github_signature_failure_logs_the_setting_never_the_secret(
    receiver: Receiver, ids: UniqueIds, caplog: pytest.LogCaptureFixture
) -> None:
    """The 401 log names GITHUB_WEBHOOK_SECRET as the hint and contains no secret value."""
    caplog.set_level(logging.INFO, logger="repograph.webhooks")
    await receiver.post_github(github_push(ids), secret="not-our-secret")
    messages = [record.getMessage() for record in caplog.records]
    assert any("GITHUB_WEBHOOK_SECRET" in message for message in messages)
    logged = " ".join(messages + [repr(record.__dict__) for record in caplog.records])
    assert GITHUB_SECRET not in logged
    assert GITHUB_PREVIOUS_SECRET not in logged


async def test_unconfigured_secret_refuses_every_delivery(
    local_stack: LocalStack, task_queue: str, ids: UniqueIds
) -> None:
    """With no GITHUB_WEBHOOK_SECRET set, even a signed delivery is 401: nothing is trusted."""
    settings = receiver_settings(local_stack, task_queue, github_webhook_secrets=())
    async with serve(settings) as receiver:
        response = await receiver.post_github(github_push(ids))
        assert response.status_code == 401
        failures = "repograph_webhook_verification_failures_total"
        assert await receiver.metric(failures, reason="not_configured") == 1


@pytest.mark.parametrize(
    "token", ["wrong-token", None, GITLAB_TOKEN + " "], ids=["mismatch", "missing", "padded"]
)
async def test_gitlab_token_mismatch_is_401(
    receiver: Receiver,
    dispatched: Dispatched,
    redis_client: aioredis.Redis,
    ids: UniqueIds,
    token: str | None,
) -> None:
    """A GitLab delivery whose X-Gitlab-Token is wrong or absent is refused."""
    response = await receiver.post_gitlab(gitlab_push(ids), delivery=ids.delivery, token=token)
    assert response.status_code == 401
    await assert_nothing_dispatched(receiver, dispatched, redis_client, ids, "gitlab")


@pytest.mark.parametrize(
    ("encoding", "status"), [("utf-8", 202), ("latin-1", 401)], ids=["utf-8", "latin-1"]
)
async def test_a_gitlab_token_beyond_ascii_matches_its_utf8_bytes(
    local_stack: LocalStack,
    task_queue: str,
    dispatched: Dispatched,
    ids: UniqueIds,
    encoding: str,
    status: int,
) -> None:
    """X-Gitlab-Token is compared as the bytes sent: the token's UTF-8 bytes (what GitLab
    sends) pass, the same text in latin-1 does not. (A hook sending the token itself, not
    one derived per project: a derived token is ASCII.)"""
    settings = receiver_settings(
        local_stack,
        task_queue,
        gitlab_webhook_tokens=(NON_ASCII,),
        gitlab_webhook_token_per_project=False,
    )
    body = gitlab_push(ids)
    headers: dict[str, str | bytes] = {**gitlab_headers(body, delivery=ids.delivery, token=None)}
    headers["x-gitlab-token"] = NON_ASCII.encode(encoding)
    async with serve(settings) as receiver:
        response = await receiver.http.post("/webhooks/gitlab", content=body, headers=headers)

    assert response.status_code == status, response.text
    if status == 202:
        dispatched.track(*response.json()["workflows"])
        assert response.json()["workflows"]


@pytest.fixture
async def signing_receiver(local_stack: LocalStack, task_queue: str) -> AsyncIterator[Receiver]:
    """The app with GITLAB_WEBHOOK_SIGNING_TOKEN set: Standard Webhooks signatures required."""
    settings = receiver_settings(
        local_stack, task_queue, gitlab_webhook_signing_token=GITLAB_SIGNING_SECRET
    )
    async with serve(settings) as running:
        yield running


async def test_gitlab_valid_standard_webhooks_signature_is_accepted(
    signing_receiver: Receiver, dispatched: Dispatched, ids: UniqueIds
) -> None:
    """Token and a fresh `webhook-signature` under the signing secret: dispatched."""
    response = await signing_receiver.post_gitlab(
        gitlab_push(ids), delivery=ids.delivery, signing_secret=GITLAB_SIGNING_SECRET
    )
    assert (response.status_code, response.json()["status"]) == (202, "accepted")
    dispatched.track(*response.json()["workflows"])


@pytest.mark.parametrize(
    ("secret", "age_seconds", "reason"),
    [
        (OTHER_WHSEC, 0, "mismatch"),
        (GITLAB_SIGNING_SECRET, 6 * 60, "timestamp_out_of_range"),
        (GITLAB_SIGNING_SECRET, -6 * 60, "timestamp_out_of_range"),
        (None, 0, "missing"),
    ],
    ids=["bad-signature", "stale", "from-the-future", "unsigned"],
)
async def test_gitlab_bad_or_stale_standard_webhooks_signature_is_401(
    signing_receiver: Receiver,
    dispatched: Dispatched,
    redis_client: aioredis.Redis,
    ids: UniqueIds,
    secret: str | None,
    age_seconds: int,
    reason: str,
) -> None:
    """With signing configured, a right token alone is not enough: the signature must verify."""
    response = await signing_receiver.post_gitlab(
        gitlab_push(ids),
        delivery=ids.delivery,
        signing_secret=secret,
        timestamp=int(time.time()) - age_seconds,
    )
    assert response.status_code == 401
    failures = "repograph_webhook_verification_failures_total"
    assert await signing_receiver.metric(failures, provider="gitlab", reason=reason) == 1
    await assert_nothing_dispatched(signing_receiver, dispatched, redis_client, ids, "gitlab")


def truncated(body: bytes) -> bytes:
    return body[: len(body) // 2]


def json_array(body: bytes) -> bytes:
    return b"[" + body + b"]"


def without_repository(body: bytes) -> bytes:
    return json.dumps(with_change(json.loads(body), ("repository",))).encode()


def without_project(body: bytes) -> bytes:
    return json.dumps(with_change(json.loads(body), ("project",))).encode()


def without_ref(body: bytes) -> bytes:
    return json.dumps(with_change(json.loads(body), ("ref",))).encode()


@pytest.mark.parametrize(
    ("provider", "damage"),
    [
        ("github", truncated),
        ("github", json_array),
        ("github", without_repository),
        ("gitlab", without_ref),
    ],
    ids=[
        "github-truncated-json",
        "github-json-array",
        "github-push-without-repository",
        "gitlab-push-without-ref",
    ],
)
async def test_malformed_signed_body_is_400(
    receiver: Receiver,
    dispatched: Dispatched,
    redis_client: aioredis.Redis,
    ids: UniqueIds,
    provider: str,
    damage: Callable[[bytes], bytes],
) -> None:
    """A correctly signed body that is not a JSON object, or lacks what its event needs, is 400."""
    source = github_push(ids) if provider == "github" else gitlab_push(ids)
    body = damage(source)
    if provider == "github":
        response = await receiver.post_github(body, delivery=ids.delivery)
    else:
        response = await receiver.post_gitlab(body, delivery=ids.delivery)
    assert response.status_code == 400
    assert response.json()["status"] == "malformed"
    await assert_nothing_dispatched(receiver, dispatched, redis_client, ids, provider)


@pytest.mark.parametrize(
    "damage", [truncated, json_array, without_project], ids=["truncated", "array", "no-project"]
)
async def test_a_gitlab_project_hook_body_naming_no_project_is_401(
    receiver: Receiver,
    dispatched: Dispatched,
    redis_client: aioredis.Redis,
    ids: UniqueIds,
    damage: Callable[[bytes], bytes],
) -> None:
    """A project hook's token is the one derived for the project its body names: a body
    naming none (or no JSON object) has no token it could be checked against."""
    body = damage(gitlab_push(ids))
    token = gitlab_project_token(GITLAB_TOKEN, int(ids.ids["48151623"]))
    headers = gitlab_headers(body, delivery=ids.delivery, per_project=False, token=token)
    response = await receiver.post_gitlab(body, headers=headers)
    assert response.status_code == 401
    assert "the body names no project" in response.json()["detail"]
    await assert_nothing_dispatched(receiver, dispatched, redis_client, ids, "gitlab")


async def test_a_token_derived_for_another_project_is_401(
    receiver: Receiver, dispatched: Dispatched, redis_client: aioredis.Redis, ids: UniqueIds
) -> None:
    """A project's maintainers may learn their hook's token: it passes for no other project,
    nor does GITLAB_WEBHOOK_TOKEN itself."""
    body = gitlab_push(ids)
    other = int(ids.ids["48151623"]) + 1
    for token in (gitlab_project_token(GITLAB_TOKEN, other), GITLAB_TOKEN):
        headers = gitlab_headers(body, delivery=ids.delivery, per_project=False, token=token)
        response = await receiver.post_gitlab(body, headers=headers)
        assert response.status_code == 401
    await assert_nothing_dispatched(receiver, dispatched, redis_client, ids, "gitlab")


async def test_github_delivery_without_delivery_id_is_400(
    receiver: Receiver, ids: UniqueIds
) -> None:
    """Without X-GitHub-Delivery there is nothing to deduplicate on, so it is refused."""
    body = github_push(ids)
    headers = github_headers(body)
    del headers["x-github-delivery"]
    response = await receiver.post_github(body, headers=headers)
    assert response.status_code == 400
    assert "X-GitHub-Delivery" in response.json()["detail"]


class CountingBody:
    """An upload of `size` bytes in chunks that records how much of it was read."""

    def __init__(self, size: int, chunk: int = 256 * 1024) -> None:
        self.size = size
        self.chunk = chunk
        self.sent = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        block = b"x" * self.chunk
        while self.sent < self.size:
            piece = block[: min(self.chunk, self.size - self.sent)]
            self.sent += len(piece)
            yield piece


@pytest.mark.parametrize("provider", ["github", "gitlab"])
async def test_declared_26_mib_body_is_413_before_reading_it(
    receiver: Receiver, provider: str
) -> None:
    """A Content-Length over 25 MiB is refused without reading a byte of the body."""
    upload = CountingBody(26 * MIB)
    headers = {"content-length": str(upload.size), "content-type": "application/json"}
    response = await receiver.http.post(
        f"/webhooks/{provider}", content=upload.__aiter__(), headers=headers
    )
    assert response.status_code == 413
    assert response.json()["status"] == "too_large"
    assert upload.sent == 0


@pytest.mark.parametrize("provider", ["github", "gitlab"])
async def test_chunked_26_mib_body_is_413_once_past_the_cap(
    receiver: Receiver, settings: Settings, provider: str
) -> None:
    """A body without Content-Length is read only until it passes the cap, never whole."""
    upload = CountingBody(26 * MIB)
    response = await receiver.http.post(
        f"/webhooks/{provider}",
        content=upload.__aiter__(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert settings.max_body_bytes < upload.sent <= settings.max_body_bytes + upload.chunk
    assert upload.sent < upload.size
    refused = await receiver.metric("repograph_webhook_deliveries_total", outcome="too_large")
    assert refused == 1


async def test_body_at_the_cap_is_read(
    local_stack: LocalStack, task_queue: str, ids: UniqueIds
) -> None:
    """A body of exactly MAX_BODY_BYTES passes the cap (and, unsigned, then fails the signature)."""
    settings = receiver_settings(local_stack, task_queue, max_body_bytes=64 * 1024)
    async with serve(settings) as receiver:
        body = b" " * (64 * 1024)
        assert (await receiver.post_github(body, headers={})).status_code == 401
        over = b" " * (64 * 1024 + 1)
        assert (await receiver.post_github(over, headers={})).status_code == 413


async def test_signal_temporal_refuses_as_invalid_is_400_and_releases_the_claim(
    receiver: Receiver,
    dispatched: Dispatched,
    redis_client: aioredis.Redis,
    ids: UniqueIds,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A push whose signal exceeds Temporal's 2 MB blob limit is a 400, not a 503 to retry."""
    # Under the 25 MiB body cap, but the repository name alone makes the signal too big.
    document = json.loads(github_push(ids))
    huge = with_change(document, ("repository", "full_name"), "octo/" + "a" * (3 * MIB))
    response = await receiver.post_github(json.dumps(huge).encode(), delivery=ids.delivery)
    assert response.status_code == 400
    answer = response.json()
    assert answer["status"] == "malformed"
    assert "Temporal refused the signal as invalid" in answer["detail"]
    assert "Temporal refused" in caplog.text
    await assert_nothing_dispatched(receiver, dispatched, redis_client, ids, "github")


async def test_a_gitlab_system_hook_needs_a_token_of_its_own(
    local_stack: LocalStack,
    task_queue: str,
    dispatched: Dispatched,
    redis_client: aioredis.Redis,
    ids: UniqueIds,
) -> None:
    """A system hook speaks for every project (`project_destroy` removes any graph): the
    project hooks' token does not pass for one, none is accepted without
    GITLAB_SYSTEM_HOOK_TOKEN, and the system token does not pass for a project hook."""
    body = ids.body(fixture_body("gitlab", "system_push"))
    failures = "repograph_webhook_verification_failures_total"
    unset = receiver_settings(local_stack, task_queue, gitlab_system_hook_tokens=())
    async with serve(unset) as receiver:
        response = await receiver.post_gitlab(body, delivery=ids.delivery, event="System Hook")
        assert response.status_code == 401
        assert await receiver.metric(failures, provider="gitlab", reason="not_configured") == 1
    system_token = "system-hook-token"
    settings = receiver_settings(local_stack, task_queue, gitlab_system_hook_tokens=(system_token,))
    async with serve(settings) as receiver:
        response = await receiver.post_gitlab(body, delivery=ids.delivery, event="System Hook")
        assert response.status_code == 401
        response = await receiver.post_gitlab(
            gitlab_push(ids), delivery=ids.delivery, token=system_token
        )
        assert response.status_code == 401
        await assert_nothing_dispatched(receiver, dispatched, redis_client, ids, "gitlab")
        response = await receiver.post_gitlab(
            body, delivery=ids.delivery, event="System Hook", token=system_token
        )
        assert response.status_code == 202, response.text
        repo = ids.ids["48151623"]
        assert await dispatched.exists(f"repo-index-gitlab-{repo}-main")
