"""/metrics is valid Prometheus text and follows the deliveries as they arrive."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from app.settings import Settings
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
