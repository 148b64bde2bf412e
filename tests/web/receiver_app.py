"""The receiver app under test: built by `create_app`, run through its lifespan, called by httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from app.settings import Settings
from app.web import create_app
from tests.web.deliveries import github_headers, gitlab_headers


@dataclass
class Receiver:
    """A running app and an httpx client that talks to it in-process (ASGI)."""

    app: Starlette
    http: httpx.AsyncClient

    async def post_github(
        self, body: bytes, headers: Mapping[str, str] | None = None, **options: Any
    ) -> httpx.Response:
        """POST `body` to /webhooks/github, signed unless `headers` are given."""
        sent = dict(headers) if headers is not None else github_headers(body, **options)
        return await self.http.post("/webhooks/github", content=body, headers=sent)

    async def post_gitlab(
        self, body: bytes, headers: Mapping[str, str] | None = None, **options: Any
    ) -> httpx.Response:
        """POST `body` to /webhooks/gitlab, with the token unless `headers` are given."""
        sent = dict(headers) if headers is not None else gitlab_headers(body, **options)
        return await self.http.post("/webhooks/gitlab", content=body, headers=sent)

    async def metric(self, sample: str, **labels: str) -> float:
        """The sum of the /metrics samples named `sample` whose labels match `labels`."""
        response = await self.http.get("/metrics")
        assert response.status_code == 200
        return sum(
            float(found.value)
            for family in text_string_to_metric_families(response.text)
            for found in family.samples
            if found.name == sample
            and all(found.labels.get(key) == value for key, value in labels.items())
        )


@asynccontextmanager
async def serve(settings: Settings, **options: Any) -> AsyncIterator[Receiver]:
    """Run `create_app(settings)` through its lifespan for the duration of the block."""
    app = create_app(settings, **options)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as http:
            yield Receiver(app, http)
