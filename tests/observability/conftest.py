"""Helpers for the worker metrics tests: free port pairs and scraping a Prometheus endpoint."""

from __future__ import annotations

import socket

import httpx
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample


def free_port_pair() -> int:
    """A port P such that P and P + 1 are both free on 127.0.0.1 right now."""
    for _ in range(50):
        with socket.socket() as first:
            first.bind(("127.0.0.1", 0))
            port = int(first.getsockname()[1])
            if port >= 65535:
                continue
            with socket.socket() as second:
                try:
                    second.bind(("127.0.0.1", port + 1))
                except OSError:
                    continue
                return port
    raise AssertionError("no pair of adjacent free ports")


async def scrape(port: int) -> dict[str, list[Sample]]:
    """GET /metrics on 127.0.0.1:`port`, parsed; samples by family name."""
    async with httpx.AsyncClient() as client:
        response = await client.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    assert response.status_code == 200, response.text
    return {
        family.name: list(family.samples)
        for family in text_string_to_metric_families(response.text)
    }


def total(families: dict[str, list[Sample]], sample: str, **labels: str) -> float:
    """The sum of the samples named `sample` whose labels include `labels`."""
    return sum(
        found.value
        for samples in families.values()
        for found in samples
        if found.name == sample
        and all(found.labels.get(key) == value for key, value in labels.items())
    )
