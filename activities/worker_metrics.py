"""The worker's Prometheus metrics: the Temporal SDK's own, and repograph's index-run counters.

Temporal's core serves the SDK metrics (task slots, poll and schedule-to-start latencies,
activity and workflow outcomes by type) on WORKER_METRICS_HOST:WORKER_METRICS_PORT; repograph's
own, recorded whenever a run is recorded, are served by prometheus_client on the next port.
Port 0 turns both off. A port already taken (several workers on one host) costs that worker its
metrics, with a warning, never its work.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Histogram
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from app.metrics import serving_registry
from app.settings import Settings
from workflows.contracts import RunRecord

log = logging.getLogger("repograph.worker_metrics")

OUTCOMES = frozenset({"indexed", "unchanged", "failed"})
_RUN_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)


class WorkerMetrics:
    """Counters of index runs on a registry of this worker's own; `observe_run` updates them."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.index_runs = Counter(
            "repograph_index_runs",
            "Index runs recorded, by outcome (indexed, unchanged, failed).",
            ("outcome",),
            registry=self.registry,
        )
        self.files = Counter(
            "repograph_index_files",
            "Files of indexed runs, by what the run did (parsed, skipped, deferred to the next "
            "run for lack of parse time, unchanged, deleted).",
            ("result",),
            registry=self.registry,
        )
        self.nodes_written = Counter(
            "repograph_graph_nodes_written", "Graph nodes written to Neo4j.", registry=self.registry
        )
        self.edges_written = Counter(
            "repograph_graph_edges_written",
            "Graph relationships written to Neo4j.",
            registry=self.registry,
        )
        self.run_seconds = Histogram(
            "repograph_index_run_seconds",
            "Parse plus graph-write time of each indexed run.",
            buckets=_RUN_BUCKETS,
            registry=self.registry,
        )

    def observe_run(self, record: RunRecord) -> None:
        """Count one recorded run; an activity retry of `record_run` counts it again."""
        outcome = record.status if record.status in OUTCOMES else "other"
        self.index_runs.labels(outcome).inc()
        stats = record.stats
        if record.status != "indexed" or stats is None:
            return
        self.files.labels("parsed").inc(stats.parsed_files)
        self.files.labels("skipped").inc(stats.skipped_files - stats.deferred_files)
        self.files.labels("deferred").inc(stats.deferred_files)
        self.files.labels("unchanged").inc(stats.unchanged_files)
        self.files.labels("deleted").inc(stats.deleted_files)
        self.nodes_written.inc(stats.nodes_written)
        self.edges_written.inc(stats.edges_written)
        self.run_seconds.observe(sum(stats.timings.values()))


def temporal_runtime(settings: Settings) -> Runtime | None:
    """A Temporal runtime exporting the SDK metrics for Prometheus; None when off or port taken."""
    if settings.worker_metrics_port == 0:
        return None
    address = f"{settings.worker_metrics_host}:{settings.worker_metrics_port}"
    try:
        return Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=address)))
    except ValueError as exc:  # the core reports a bind failure as a ValueError
        log.warning(
            "Temporal SDK metrics disabled: cannot listen on %s (%s); set WORKER_METRICS_PORT",
            address,
            exc,
        )
        return None


@contextmanager
def serving_worker_metrics(metrics: WorkerMetrics, settings: Settings) -> Iterator[int | None]:
    """Serve `metrics` on WORKER_METRICS_PORT + 1 while the block runs; yields that port."""
    if settings.worker_metrics_port == 0:
        yield None
        return
    port = settings.worker_metrics_port + 1
    with serving_registry(
        metrics.registry, settings.worker_metrics_host, port, "repograph worker metrics"
    ) as served:
        yield served
