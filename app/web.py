"""The web process: a Starlette app built by `create_app(settings)`.

Clients for Redis and Temporal are opened in the lifespan and kept on `app.state`, so a request
never pays for a connection and tests can build an app against their own services.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.settings import Settings

log = logging.getLogger("repograph.web")


async def healthz(_request: Request) -> JSONResponse:
    """The process is alive and serving; dependencies are checked by /readyz."""
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings) -> Starlette:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        log.info("web process ready", extra={"port": settings.port})
        yield

    return Starlette(routes=[Route("/healthz", healthz)], lifespan=lifespan)
