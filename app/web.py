"""The web process: a Starlette app built by `create_app(settings)`.

Clients for Redis and Temporal (and Neo4j, for the admin API when ADMIN_TOKEN is set) are
opened in the lifespan and kept on `app.state`, so a request never pays for a connection and
tests can build an app against their own services. No client waits for its server: the process
starts with any of them down, /readyz reports which, and each connects as soon as its server
answers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Route

from app.admin_api import AdminApi, admin_routes
from app.clients import connect_temporal, open_neo4j, open_redis
from app.dispatcher import Dispatcher
from app.health import healthz, readyz
from app.ledger import RedisDeliveryLedger
from app.metrics import ReceiverMetrics, metrics_endpoint, serving_registry
from app.settings import Settings
from app.webhooks import WebhookReceiver, github_webhook, gitlab_webhook

log = logging.getLogger("repograph.web")


def create_app(settings: Settings) -> Starlette:
    """The receiver app: webhooks, health, readiness and metrics routes, and the admin API.
    With METRICS_PORT set, /metrics is served on that port alone (behind Fly's proxy only
    PORT is public) and the app answers 404 for it."""
    metrics = ReceiverMetrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        redis_client = open_redis(settings)
        temporal_client = await connect_temporal(settings)
        dispatcher = Dispatcher(temporal_client, settings)
        ledger = RedisDeliveryLedger(redis_client)
        neo4j = open_neo4j(settings) if settings.admin_token else None
        app.state.settings = settings
        app.state.metrics = metrics
        app.state.redis = redis_client
        app.state.temporal = temporal_client
        app.state.receiver = WebhookReceiver(settings, ledger, dispatcher, metrics)
        if neo4j is not None:
            app.state.admin = AdminApi(
                settings, client=temporal_client, dispatcher=dispatcher, driver=neo4j
            )
        log.info(
            "web process ready",
            extra={
                "port": settings.port,
                "task_queue": settings.task_queue,
                "admin_api": neo4j is not None,
            },
        )
        with ExitStack() as own_port:
            if settings.metrics_port:
                own_port.enter_context(
                    serving_registry(
                        metrics.registry, settings.host, settings.metrics_port, "web metrics"
                    )
                )
            try:
                yield
            finally:
                await ledger.aclose()
                await redis_client.aclose()
                if neo4j is not None:
                    await neo4j.close()

    routes = [
        Route("/webhooks/github", github_webhook, methods=["POST"]),
        Route("/webhooks/gitlab", gitlab_webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
    if not settings.metrics_port:
        routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    if settings.admin_token:
        routes += admin_routes()
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.metrics = metrics
    return app
