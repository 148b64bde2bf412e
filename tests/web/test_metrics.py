"""/metrics is valid Prometheus text and follows the deliveries as they arrive."""

from __future__ import annotations

import dataclasses
import socket

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from app.settings import Settings
from stack.services import free_port
from tests.receiver.webhook_fixtures import fixture_body
from tests.web.deliveries import UniqueIds
from tests.web.receiver_app import Receiver, serve
from tests.web.temporal_history import Dispatched

DELIVERIES = "repograph_webhook_deliveries_total"


async def test_metrics_parse_as_prometheus_text(receiver: Receiver) -> None:
    """Every receiver metric is exposed and parses with Prometheus's own text parser."""
    response = await receiver.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    names = {family.name for family in text_string_to_metric_families(response.text)}
    assert {
        "repograph_webhook_deliveries",
        "repograph_webhook_duplicates",
        "repograph_webhook_verification_failures",
        "repograph_ledger_fail_open",
        "repograph_workflow_signals",
        "repograph_dispatch_seconds",
    } <= names


async def test_metrics_change_as_deliveries_arrive(
    receiver: Receiver, dispatched: Dispatched, ids: UniqueIds
) -> None:
    """Accepted, duplicate, refused and ignored deliveries each move their own series."""
    body = ids.body(fixture_body("github", "push"))
    accepted = await receiver.post_github(body, delivery=ids.delivery)
    dispatched.track(*accepted.json()["workflows"])
    await receiver.post_github(body, delivery=ids.delivery)
    await receiver.post_github(body, secret="not-our-secret")
    await receiver.post_github(body, event="issues")

    assert await receiver.metric(DELIVERIES, event="push", outcome="accepted") == 1
    assert await receiver.metric(DELIVERIES, event="push", outcome="duplicate") == 1
    assert await receiver.metric(DELIVERIES, event="push", outcome="unauthorized") == 1
    assert await receiver.metric(DELIVERIES, event="other", outcome="ignored") == 1
    assert await receiver.metric("repograph_webhook_duplicates_total", provider="github") == 1
    assert await receiver.metric("repograph_workflow_signals_total", command="IndexBranch") == 1
    assert (
        await receiver.metric("repograph_dispatch_seconds_count", provider="github", result="ok")
        == 1
    )
    failures = "repograph_webhook_verification_failures_total"
    assert await receiver.metric(failures, provider="github", reason="mismatch") == 1


async def test_each_app_counts_only_its_own_deliveries(
    receiver: Receiver, settings: Settings
) -> None:
    """Two apps built side by side keep separate registries."""
    await receiver.post_github(b"{}", secret="not-our-secret")
    async with serve(settings) as other:
        assert await other.metric(DELIVERIES) == 0
    assert await receiver.metric(DELIVERIES, outcome="unauthorized") == 1


async def test_metrics_port_takes_metrics_off_the_public_port(
    settings: Settings, dispatched: Dispatched, ids: UniqueIds
) -> None:
    """With METRICS_PORT, /metrics answers only there (Fly's proxy exposes PORT alone)."""
    port = free_port()
    own = dataclasses.replace(settings, metrics_port=port)
    async with serve(own) as receiver, httpx.AsyncClient() as scraper:
        accepted = await receiver.post_github(ids.body(fixture_body("github", "push")))
        dispatched.track(*accepted.json()["workflows"])
        assert (await receiver.http.get("/metrics")).status_code == 404
        response = await scraper.get(f"http://{own.host}:{port}/metrics")
        assert response.status_code == 200
        samples = [
            sample
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
            if sample.name == DELIVERIES and sample.labels.get("outcome") == "accepted"
        ]
        assert [sample.value for sample in samples] == [1]
    async with httpx.AsyncClient() as scraper:
        with pytest.raises(httpx.ConnectError):  # closed with the app
            await scraper.get(f"http://{own.host}:{port}/metrics")


async def test_a_taken_metrics_port_costs_only_the_metrics(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as taken:
        taken.bind((settings.host, 0))
        taken.listen()
        own = dataclasses.replace(settings, metrics_port=taken.getsockname()[1])
        async with serve(own) as receiver:
            assert (await receiver.http.get("/healthz")).status_code == 200
    assert any("web metrics disabled" in r.getMessage() for r in caplog.records)
