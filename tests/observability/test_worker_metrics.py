"""Worker metrics: the Temporal SDK's and repograph's own, scraped after real index runs."""

from __future__ import annotations

import dataclasses
import logging
import socket
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from neo4j import AsyncDriver
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families
from temporalio.client import Client

from activities.connections import temporal_client as connect_temporal
from activities.worker import running_worker
from activities.worker_metrics import WorkerMetrics, serving_worker_metrics, temporal_runtime
from app.settings import Settings, SettingsError
from tests.observability.conftest import free_port_pair, scrape, total
from tests.support.git_server import WorkRepo
from tests.support.workflows import local_repo, push, terminate_running, wait_for_status
from workflows.contracts import IndexStats, RepoRef, RunRecord


@asynccontextmanager
async def metered_worker(settings: Settings, driver: AsyncDriver) -> AsyncIterator[Client]:
    """What run_worker sets up: a metrics runtime, its client, served counters and the worker."""
    runtime = temporal_runtime(settings)
    assert runtime is not None
    client = await connect_temporal(settings, runtime)
    metrics = WorkerMetrics()
    with serving_worker_metrics(metrics, settings) as port:
        assert port == settings.worker_metrics_port + 1
        async with running_worker(settings, client, driver, metrics=metrics):
            yield client
    await terminate_running(client, settings.task_queue)


@pytest.fixture
def metered_settings(settings: Settings) -> Settings:
    """The test's settings with both metrics endpoints on free ports of 127.0.0.1."""
    return dataclasses.replace(settings, worker_metrics_port=free_port_pair())


async def test_index_runs_move_the_worker_counters(
    metered_settings: Settings, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    """An indexed run and an unchanged one move repograph's counters; the text parses."""
    port = metered_settings.worker_metrics_port + 1
    repo = WorkRepo(tmp_path, "metered")
    repo.write(
        {
            "app.py": "import util\n\ndef main():\n    return util.helper()\n",
            "util.py": "def helper():\n    return 1\n",
            "node_modules/lib/index.js": "module.exports = 1;\n",
        }
    )
    sha = repo.commit("first")
    ref: RepoRef = local_repo(f"github-{unique_id}", repo.bare)
    async with metered_worker(metered_settings, neo4j_driver) as client:
        before = await scrape(port)
        assert total(before, "repograph_index_runs_total") == 0

        handle = await push(client, metered_settings, ref, "main", sha)
        status = await wait_for_status(
            handle, lambda s: s.last_indexed_sha == sha and s.state == "idle"
        )
        indexed = await scrape(port)
        await push(client, metered_settings, ref, "main", sha)
        await wait_for_status(handle, lambda s: s.runs == 2 and s.state == "idle")
        unchanged = await scrape(port)

    assert status.last_result is not None
    stats = status.last_result.stats
    assert total(indexed, "repograph_index_runs_total", outcome="indexed") == 1
    assert total(indexed, "repograph_index_files_total", result="parsed") == stats.parsed_files == 2
    assert total(indexed, "repograph_index_files_total", result="skipped") == stats.skipped_files
    assert stats.skipped_files == 1
    assert total(indexed, "repograph_graph_nodes_written_total") == stats.nodes_written > 0
    assert total(indexed, "repograph_graph_edges_written_total") == stats.edges_written > 0
    assert total(indexed, "repograph_index_run_seconds_count") == 1
    assert total(indexed, "repograph_index_run_seconds_sum") == pytest.approx(
        sum(stats.timings.values())
    )
    assert total(unchanged, "repograph_index_runs_total", outcome="unchanged") == 1
    assert total(unchanged, "repograph_index_runs_total", outcome="indexed") == 1
    assert total(unchanged, "repograph_index_run_seconds_count") == 1


async def test_a_failed_run_is_counted_as_failed(
    metered_settings: Settings, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    """A run that cannot fetch its repository counts as outcome="failed" and writes nothing."""
    port = metered_settings.worker_metrics_port + 1
    missing = local_repo(f"github-{unique_id}", tmp_path / "no-such-repo.git")
    async with metered_worker(metered_settings, neo4j_driver) as client:
        handle = await push(client, metered_settings, missing, "main")
        await wait_for_status(handle, lambda s: s.last_error is not None and s.state == "idle")
        families = await scrape(port)

    assert total(families, "repograph_index_runs_total", outcome="failed") == 1
    assert total(families, "repograph_index_runs_total", outcome="indexed") == 0
    assert total(families, "repograph_graph_nodes_written_total") == 0


async def test_temporal_sdk_metrics_are_exported_for_the_workers_task_queues(
    metered_settings: Settings, neo4j_driver: AsyncDriver, tmp_path: Path, unique_id: str
) -> None:
    """The Temporal runtime serves SDK metrics on WORKER_METRICS_PORT, labelled by task queue."""
    repo = WorkRepo(tmp_path, "sdk")
    repo.write({"a.py": "def a():\n    pass\n"})
    sha = repo.commit("first")
    async with metered_worker(metered_settings, neo4j_driver) as client:
        handle = await push(
            client, metered_settings, local_repo(f"github-{unique_id}", repo.bare), "main"
        )
        await wait_for_status(handle, lambda s: s.last_indexed_sha == sha and s.state == "idle")
        families = await scrape(metered_settings.worker_metrics_port)

    queue = metered_settings.task_queue
    assert total(families, "temporal_worker_task_slots_available", task_queue=queue) > 0, sorted(
        families
    )
    assert (
        total(
            families,
            "temporal_activity_execution_latency_count",
            activity_type="fetch_repository",
            task_queue=queue,
        )
        == 1
    ), sorted(families)
    host_runs = total(
        families, "temporal_activity_execution_latency_count", activity_type="parse_snapshot"
    )
    assert host_runs == 1


def test_port_zero_turns_both_endpoints_off(settings: Settings) -> None:
    """WORKER_METRICS_PORT=0: no Temporal metrics runtime and no repograph metrics server."""
    off = dataclasses.replace(settings, worker_metrics_port=0)

    assert temporal_runtime(off) is None
    with serving_worker_metrics(WorkerMetrics(), off) as port:
        assert port is None


def test_a_taken_port_costs_the_metrics_not_the_worker(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """If another process holds the ports, both endpoints are skipped with a warning, no error."""
    port = free_port_pair()
    taken = dataclasses.replace(settings, worker_metrics_port=port)
    with socket.socket() as first, socket.socket() as second:
        first.bind(("127.0.0.1", port))
        first.listen()
        second.bind(("127.0.0.1", port + 1))
        second.listen()
        with caplog.at_level(logging.WARNING, logger="repograph.worker_metrics"):
            assert temporal_runtime(taken) is None
            with serving_worker_metrics(WorkerMetrics(), taken) as served:
                assert served is None

    messages = [record.getMessage() for record in caplog.records]
    assert any("Temporal SDK metrics disabled" in message for message in messages), messages
    assert any("repograph worker metrics disabled" in message for message in messages), messages


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, (9464, "127.0.0.1"), id="defaults"),
        pytest.param({"WORKER_METRICS_PORT": "0"}, (0, "127.0.0.1"), id="off"),
        pytest.param(
            {"WORKER_METRICS_PORT": "9100", "WORKER_METRICS_HOST": "0.0.0.0"},  # noqa: S104
            (9100, "0.0.0.0"),  # noqa: S104
            id="production",
        ),
    ],
)
def test_worker_metrics_settings(env: dict[str, str], expected: tuple[int, str]) -> None:
    """WORKER_METRICS_PORT and WORKER_METRICS_HOST are read with their documented defaults."""
    settings = Settings.from_env(env)

    assert (settings.worker_metrics_port, settings.worker_metrics_host) == expected


@pytest.mark.parametrize("port", ["65535", "-1", "http"])
def test_worker_metrics_port_must_leave_room_for_the_next_port(port: str) -> None:
    """The port must be 0..65534, since repograph's own metrics take the next one."""
    with pytest.raises(SettingsError, match="WORKER_METRICS_PORT"):
        Settings.from_env({"WORKER_METRICS_PORT": port})


def test_fly_toml_scrapes_the_ports_the_settings_give_each_process() -> None:
    """fly.toml's [[metrics]] are the web METRICS_PORT and the worker's two ports, reachable on
    0.0.0.0; the web PORT behind Fly's public proxy serves none of them."""
    with (Path(__file__).resolve().parents[2] / "fly.toml").open("rb") as handle:
        fly = tomllib.load(handle)
    settings = Settings.from_env(fly["env"])

    scraped = {(entry["processes"][0], entry["port"], entry["path"]) for entry in fly["metrics"]}

    assert scraped == {
        ("web", settings.metrics_port, "/metrics"),
        ("worker", settings.worker_metrics_port, "/metrics"),
        ("worker", settings.worker_metrics_port + 1, "/metrics"),
    }
    assert settings.worker_metrics_host == "0.0.0.0"  # noqa: S104 - scraped over Fly's network
    assert fly["http_service"]["internal_port"] == settings.port
    assert settings.port not in {port for _, port, _ in scraped}
    assert settings.metrics_port != 0


def test_deferred_files_are_counted_apart_from_the_skipped() -> None:
    """Deferred files are skipped only until the next run: a dashboard must tell them apart."""
    metrics = WorkerMetrics()
    stats = IndexStats(parsed_files=4, skipped_files=3, deferred_files=2, unchanged_files=5)
    repo = RepoRef("github-1", "github", "acme/widgets", "https://example.com/acme/widgets")
    metrics.observe_run(
        RunRecord(repo, "main", "abc", "indexed", "2026-12-05T00:00:00", stats=stats)
    )
    families = {
        family.name: family.samples
        for family in text_string_to_metric_families(generate_latest(metrics.registry).decode())
    }
    counted = {
        result: total(families, "repograph_index_files_total", result=result)
        for result in ("parsed", "skipped", "deferred", "unchanged", "deleted")
    }
    assert counted == {"parsed": 4, "skipped": 1, "deferred": 2, "unchanged": 5, "deleted": 0}
