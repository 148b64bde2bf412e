"""Arbitrary headers and bodies, signed or not, never get a 5xx or raise out of the app."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from temporalio.client import Client

from app.signatures import sign_github, sign_standard_webhook
from tests.conftest import LocalStack
from tests.receiver.test_github_events import EXPECTED as GITHUB_EXPECTED
from tests.receiver.test_gitlab_events import EXPECTED as GITLAB_EXPECTED
from tests.receiver.webhook_fixtures import fixture_body, fixture_names
from tests.web.conftest import receiver_settings
from tests.web.deliveries import GITHUB_SECRET, GITLAB_SIGNING_SECRET, GITLAB_TOKEN, UniqueIds
from tests.web.receiver_app import Receiver, serve
from tests.web.temporal_history import Dispatched

IDS = UniqueIds.new()
FIXTURE_EVENTS = {"github": GITHUB_EXPECTED, "gitlab": GITLAB_EXPECTED}
EVENTS = {
    "github": ["push", "ping", "delete", "installation", "installation_repositories", "repository"],
    "gitlab": ["Push Hook", "Tag Push Hook", "System Hook"],
}
RELEVANT_HEADERS = [
    "content-length",
    "content-type",
    "x-github-event",
    "x-github-delivery",
    "x-hub-signature",
    "x-hub-signature-256",
    "x-gitlab-event",
    "x-gitlab-token",
    "x-gitlab-event-uuid",
    "idempotency-key",
    "webhook-id",
    "webhook-timestamp",
    "webhook-signature",
]
_TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789-_"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
header_values = st.binary(max_size=80).map(
    lambda raw: raw.replace(b"\r", b"").replace(b"\n", b"").replace(b"\x00", b"")
)
arbitrary_headers = st.lists(
    st.tuples(
        (st.sampled_from(RELEVANT_HEADERS) | st.text(_TOKEN_CHARS, min_size=1, max_size=16)).map(
            str.encode
        ),
        header_values,
    ),
    max_size=8,
)


def json_paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    paths = [prefix] if prefix else []
    if isinstance(document, dict):
        for key, value in document.items():
            paths += json_paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            paths += json_paths(value, (*prefix, index))
    return paths


@st.composite
def mutated_fixture(draw: st.DrawFn, provider: str) -> tuple[bytes, str]:
    """A real fixture and its event, with one value replaced or removed (or none)."""
    name = draw(st.sampled_from(fixture_names(provider)))
    event = FIXTURE_EVENTS[provider][name][0]
    document = json.loads(IDS.body(fixture_body(provider, name)))
    paths = json_paths(document)
    mutate = draw(st.booleans())
    if paths and mutate:
        path = draw(st.sampled_from(paths))
        parent = document
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()):
            parent[path[-1]] = draw(json_values)
        elif isinstance(parent, dict):
            del parent[path[-1]]
    return json.dumps(document).encode(), event


def deliveries(provider: str) -> st.SearchStrategy[tuple[bytes, str]]:
    """A body and the event it is sent as: noise, arbitrary JSON, or a damaged real delivery."""
    return st.one_of(
        st.tuples(st.binary(max_size=512), events(provider)),
        st.tuples(json_values.map(lambda value: json.dumps(value).encode()), events(provider)),
        mutated_fixture(provider),
    )


def events(provider: str) -> st.SearchStrategy[str]:
    printable = st.characters(exclude_categories=("Cc", "Cs"))
    return st.sampled_from(EVENTS[provider]) | st.text(printable, max_size=30)


@pytest.fixture(scope="module")
async def fuzz_dispatched(local_stack: LocalStack) -> AsyncIterator[Dispatched]:
    tracker = Dispatched(await Client.connect(local_stack.temporal.address))
    yield tracker
    await tracker.terminate_all()


@pytest.fixture(scope="module")
async def fuzz_receiver(local_stack: LocalStack) -> AsyncIterator[Receiver]:
    """One app for every example, with GitLab Standard Webhooks signing switched on."""
    options = receiver_settings(
        local_stack,
        f"fuzz-{uuid.uuid4().hex[:12]}",
        gitlab_webhook_signing_token=GITLAB_SIGNING_SECRET,
    )
    async with serve(options) as running:
        yield running


def signed_github(body: bytes, event: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"x-github-event", event.encode()),
        (b"x-github-delivery", str(uuid.uuid4()).encode()),
        (b"x-hub-signature-256", sign_github(body, GITHUB_SECRET).encode()),
    ]


def signed_gitlab(body: bytes, event: str) -> list[tuple[bytes, bytes]]:
    msg_id = f"msg_{uuid.uuid4()}"
    now = int(time.time())
    signature = sign_standard_webhook(body, msg_id, now, GITLAB_SIGNING_SECRET)
    return [
        (b"x-gitlab-event", event.encode()),
        (b"x-gitlab-token", GITLAB_TOKEN.encode()),
        (b"webhook-id", msg_id.encode()),
        (b"webhook-timestamp", str(now).encode()),
        (b"webhook-signature", signature.encode()),
    ]


async def post_anything(
    receiver: Receiver, dispatched: Dispatched, provider: str, data: st.DataObject
) -> httpx.Response:
    body, event = data.draw(deliveries(provider), label="delivery")
    headers: list[tuple[bytes, bytes]] = []
    if data.draw(st.booleans(), label="signed"):
        sign = signed_github if provider == "github" else signed_gitlab
        headers += sign(body, event)
    # Signed headers come first, so a drawn duplicate of one is seen only by lenient readers.
    headers += data.draw(arbitrary_headers, label="headers")
    response = await receiver.http.post(f"/webhooks/{provider}", content=body, headers=headers)
    if response.status_code == 202:
        dispatched.track(*response.json()["workflows"])
    return response


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
async def test_github_endpoint_never_answers_5xx(
    fuzz_receiver: Receiver, fuzz_dispatched: Dispatched, data: st.DataObject
) -> None:
    """Whatever headers and body arrive at /webhooks/github, the answer is 2xx or 4xx JSON."""
    response = await post_anything(fuzz_receiver, fuzz_dispatched, "github", data)
    assert response.status_code < 500, response.text
    assert "status" in response.json()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
async def test_gitlab_endpoint_never_answers_5xx(
    fuzz_receiver: Receiver, fuzz_dispatched: Dispatched, data: st.DataObject
) -> None:
    """Whatever headers and body arrive at /webhooks/gitlab, the answer is 2xx or 4xx JSON."""
    response = await post_anything(fuzz_receiver, fuzz_dispatched, "gitlab", data)
    assert response.status_code < 500, response.text
    assert "status" in response.json()


async def test_fuzzing_reached_every_outcome(fuzz_receiver: Receiver) -> None:
    """The property tests above (run first, same app) reached acceptance, not just refusals."""
    for outcome in ("accepted", "ignored", "unauthorized", "malformed"):
        count = await fuzz_receiver.metric("repograph_webhook_deliveries_total", outcome=outcome)
        assert count > 0, outcome
