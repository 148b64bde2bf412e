"""`repograph worker` serves both metrics endpoints from the settings in its environment."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest
from temporalio.client import Client
from temporalio.service import RPCError

from app.settings import Settings
from tests.cli.conftest import stack_env
from tests.observability.conftest import free_port_pair, scrape
from tests.support.worker_process import worker_process
from workflows.contracts import redelivery_schedule_id


async def wait_for_family(port: int, family: str, log: Path, timeout: float = 60) -> None:
    """Poll 127.0.0.1:`port`/metrics until it serves the metric family `family`."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        try:
            if family in await scrape(port):
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.2)
    raise AssertionError(f"port {port} never served {family}:\n{log.read_text()}")


async def test_worker_process_serves_sdk_and_repograph_metrics(
    settings: Settings, temporal_client: Client, tmp_path: Path
) -> None:
    """Temporal's metrics on WORKER_METRICS_PORT, repograph's on the next; no App, no sweep."""
    port = free_port_pair()
    log = tmp_path / "worker.log"
    env = stack_env(settings, WORKER_METRICS_PORT=str(port))

    with worker_process(env, log) as proc:
        # The SDK reports slots once the workers poll, after repograph's endpoint is up.
        await wait_for_family(port, "temporal_worker_task_slots_available", log)
        sdk = await scrape(port)
        ours = await scrape(port + 1)
        assert proc.poll() is None, log.read_text()

    assert proc.returncode == 0, log.read_text()
    assert {"temporal_request", "temporal_worker_task_slots_available"} <= set(sdk), sorted(sdk)
    assert {"repograph_index_runs", "repograph_graph_nodes_written"} <= set(ours), sorted(ours)
    with pytest.raises(RPCError, match="not found"):
        await temporal_client.get_schedule_handle(
            redelivery_schedule_id(settings.task_queue)
        ).describe()
