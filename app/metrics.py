"""Prometheus metrics of the web process, on a registry of each app's own.

A per-app `CollectorRegistry` keeps apps built side by side (tests, benchmarks) from sharing
counters. Label values are bounded: event names outside the handled set count as `other`, so
a sender cannot grow the series by inventing events.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    start_http_server,
)
from prometheus_client.exposition import generate_latest
from starlette.requests import Request
from starlette.responses import Response

# Outcomes of one delivery, as the `outcome` label and in logs.
ACCEPTED = "accepted"
DUPLICATE = "duplicate"
IGNORED = "ignored"
PING = "ping"
UNAUTHORIZED = "unauthorized"
MALFORMED = "malformed"
TOO_LARGE = "too_large"
UNAVAILABLE = "unavailable"
DISCONNECTED = "disconnected"
ERROR = "error"

log = logging.getLogger("repograph.metrics")

_DISPATCH_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ReceiverMetrics:
    """Counters and histograms the webhook routes update; `render()` is the /metrics text."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.deliveries = Counter(
            "repograph_webhook_deliveries",
            "Webhook deliveries answered, by provider, event and outcome.",
            ("provider", "event", "outcome"),
            registry=self.registry,
        )
        self.duplicates = Counter(
            "repograph_webhook_duplicates",
            "Deliveries already claimed or confirmed in the ledger, so not dispatched again.",
            ("provider",),
            registry=self.registry,
        )
        self.verification_failures = Counter(
            "repograph_webhook_verification_failures",
            "Deliveries refused because their signature or token did not verify.",
            ("provider", "reason"),
            registry=self.registry,
        )
        self.ledger_fail_open = Counter(
            "repograph_ledger_fail_open",
            "Ledger operations that failed because Redis did not answer; dispatch went ahead.",
            ("operation",),
            registry=self.registry,
        )
        self.signals = Counter(
            "repograph_workflow_signals",
            "Signal-with-start calls that Temporal accepted, by command.",
            ("command",),
            registry=self.registry,
        )
        self.dispatch_seconds = Histogram(
            "repograph_dispatch_seconds",
            "Time to signal-with-start every command of one delivery.",
            ("provider", "result"),
            buckets=_DISPATCH_BUCKETS,
            registry=self.registry,
        )

        # The series every accepted delivery updates, looked up once per label set:
        # `labels()` validates and locks on each call. Label values are bounded (see above).
        self.delivery = functools.cache(self.deliveries.labels)
        self.signal = functools.cache(self.signals.labels)
        self.dispatch_time = functools.cache(self.dispatch_seconds.labels)

    def render(self) -> bytes:
        """Every metric in the Prometheus text exposition format."""
        return generate_latest(self.registry)


async def metrics_endpoint(request: Request) -> Response:
    """GET /metrics: Prometheus text format."""
    metrics: ReceiverMetrics = request.app.state.metrics
    return Response(metrics.render(), media_type=CONTENT_TYPE_LATEST)


@contextmanager
def serving_registry(
    registry: CollectorRegistry, host: str, port: int, what: str
) -> Iterator[int | None]:
    """Serve `registry` on its own port (prometheus_client's thread) while the block runs;
    yields the port. A port already taken costs the process its `what`, with a warning,
    never its work."""
    try:
        server, thread = start_http_server(port, host, registry=registry)
    except OSError as exc:
        log.warning("%s disabled: cannot listen on %s:%d (%s)", what, host, port, exc.strerror)
        yield None
        return
    log.info("serving %s", what, extra={"host": host, "port": port})
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
