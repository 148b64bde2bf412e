"""The admin API of the web process: inspect, re-index or delete one branch's graph.

The routes exist only when ADMIN_TOKEN is set (otherwise 404), and every request must carry that
token as a bearer token, compared in constant time. Branch names may contain '/', so the branch
is the rest of the path: GET and DELETE read all of it, a POST must end in `/reindex` and only
what precedes that suffix is the branch (`.../branches/a/reindex/reindex` re-indexes `a/reindex`).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import uuid
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from neo4j import AsyncDriver
from neo4j.exceptions import DriverError, Neo4jError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from app.clients import is_temporal_unavailable
from app.dispatcher import Dispatcher
from app.refs import GitNameError, check_branch_name
from app.repo_ids import RepoIdError, check_repo_id
from app.repositories import recorded_repository
from app.settings import Settings
from app.signatures import header_bytes
from workflows.contracts import (
    STATUS_QUERY,
    BranchStatus,
    DeleteRequest,
    PushRequest,
    branch_workflow_id,
)

log = logging.getLogger("repograph.admin")

BRANCH_ROUTE = "/api/repos/{repo_id}/branches/{branch:path}"
REINDEX_SUFFIX = "/reindex"
QUERY_TIMEOUT = timedelta(seconds=5)
NEO4J_TIMEOUT_SECONDS = 5.0


class AdminApi:
    """Answers the branch routes; one instance per app, built in the lifespan."""

    def __init__(
        self, settings: Settings, *, client: Client, dispatcher: Dispatcher, driver: AsyncDriver
    ) -> None:
        if not settings.admin_token:
            raise ValueError("the admin API needs ADMIN_TOKEN")
        self._token = settings.admin_token.encode()
        self._settings = settings
        self._client = client
        self._dispatcher = dispatcher
        self._driver = driver

    async def handle(self, request: Request) -> Response:
        """Authenticate, validate the names, then run the method's action; never raises."""
        refusal = self._authenticate(request.headers.get("authorization"))
        if refusal is not None:
            return refusal
        repo_id: str = request.path_params["repo_id"]
        branch: str = request.path_params["branch"]
        if request.method == "POST":
            if not branch.endswith(REINDEX_SUFFIX):
                return _error(
                    405,
                    "to re-index, POST .../branches/{branch}/reindex",
                    headers={"Allow": "GET, DELETE"},
                )
            branch = branch.removesuffix(REINDEX_SUFFIX)
        try:
            check_repo_id(repo_id)
            check_branch_name(branch)
        except (RepoIdError, GitNameError) as exc:
            return _error(400, str(exc))
        context = {"repo_id": repo_id, "branch": branch, "method": request.method}
        try:
            if request.method == "POST":
                return await self._reindex(repo_id, branch)
            if request.method == "DELETE":
                return await self._delete(repo_id, branch)
            return await self._status(repo_id, branch)
        except Exception as exc:
            if not is_temporal_unavailable(exc):
                log.exception("admin request failed", extra=context)
                return _error(500, "internal error")
            log.warning(
                "admin request: Temporal unavailable (%s)", type(exc).__name__, extra=context
            )
            return _error(503, "Temporal is unavailable; retry")

    def _authenticate(self, header: str | None) -> Response | None:
        scheme, _, credentials = (header or "").partition(" ")
        # Stripped as bytes: str.strip() would also eat the \x85 or \xa0 that end the UTF-8
        # bytes of some characters (as latin-1 text), and ADMIN_TOKEN holds no whitespace.
        given = (header_bytes(credentials) or b"").strip() if scheme.lower() == "bearer" else b""
        if hmac.compare_digest(given, self._token):
            return None
        challenge = 'Bearer realm="repograph"'
        if given:
            challenge += ', error="invalid_token"'
            log.warning("admin request refused: wrong bearer token; check ADMIN_TOKEN")
        return _error(
            401, "send Authorization: Bearer <ADMIN_TOKEN>", headers={"WWW-Authenticate": challenge}
        )

    async def _status(self, repo_id: str, branch: str) -> Response:
        workflow_id = branch_workflow_id(repo_id, branch)
        handle = self._client.get_workflow_handle(workflow_id)
        try:
            description = await handle.describe()
        except RPCError as exc:
            if exc.status == RPCStatusCode.NOT_FOUND:
                return _error(404, f"no workflow {workflow_id}: the branch was never indexed")
            raise
        execution = description.status.name if description.status else "UNKNOWN"
        record: dict[str, Any] = {"workflow_id": workflow_id, "execution_status": execution}
        try:
            status = await handle.query(
                STATUS_QUERY, result_type=BranchStatus, rpc_timeout=QUERY_TIMEOUT
            )
        except (WorkflowQueryFailedError, RPCError) as exc:
            # Usually no worker polls the task queue, so nobody can answer the query.
            log.warning(
                "status query unanswered (%s)",
                type(exc).__name__,
                extra={"workflow_id": workflow_id},
            )
            return JSONResponse(
                {**record, "detail": "no worker answered the status query"}, status_code=503
            )
        return JSONResponse({**record, **asdict(status)})

    async def _reindex(self, repo_id: str, branch: str) -> Response:
        try:
            async with asyncio.timeout(NEO4J_TIMEOUT_SECONDS):
                repo = await recorded_repository(self._driver, self._settings, repo_id)
        except (DriverError, Neo4jError, TimeoutError) as exc:
            log.warning(
                "admin reindex: Neo4j unavailable (%s)",
                type(exc).__name__,
                extra={"repo_id": repo_id},
            )
            return _error(503, "Neo4j is unavailable; retry")
        if repo is None:
            return _error(404, f"repository {repo_id} is not in the graph")
        if not repo.clone_url:
            return _error(409, f"repository {repo_id} has no clone URL recorded")
        delivery = f"admin-{uuid.uuid4()}"
        workflow_id = await self._dispatcher.push(
            PushRequest(repo, branch, None, f"refs/heads/{branch}", delivery)
        )
        log.info(
            "admin reindex signalled %s",
            workflow_id,
            extra={"repo_id": repo_id, "branch": branch, "delivery": delivery},
        )
        return JSONResponse({"status": "signalled", "workflow_id": workflow_id}, status_code=202)

    async def _delete(self, repo_id: str, branch: str) -> Response:
        delivery = f"admin-{uuid.uuid4()}"
        workflow_id = await self._dispatcher.delete(
            DeleteRequest(repo_id, branch, delivery, "deleted through the admin API")
        )
        log.info(
            "admin delete signalled %s",
            workflow_id,
            extra={"repo_id": repo_id, "branch": branch, "delivery": delivery},
        )
        return JSONResponse({"status": "deleting", "workflow_id": workflow_id}, status_code=202)


def _error(status_code: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"detail": detail}, status_code=status_code, headers=headers)


async def admin_branch(request: Request) -> Response:
    """GET, POST .../reindex and DELETE on /api/repos/{repo_id}/branches/{branch}."""
    admin: AdminApi = request.app.state.admin
    return await admin.handle(request)


def admin_routes() -> list[Route]:
    """The admin API's routes; mounted only when ADMIN_TOKEN is set."""
    return [Route(BRANCH_ROUTE, admin_branch, methods=["GET", "POST", "DELETE"])]
