"""POST /webhooks/github and /webhooks/gitlab: size cap, verify, parse, deduplicate, dispatch.

Every refusal caused by what a delivery contains is a 4xx (401 signature, 400 malformed,
413 too large) and every event we merely skip is 202, because GitLab disables hooks that keep
failing. The only 5xx are 503 when Temporal does not take the signals (the claim is released
so a redelivery is processed) and 500 for a bug of ours, which is logged with its traceback.
A signal Temporal refuses as invalid (INVALID_ARGUMENT, such as a payload over its blob size
limit) is a 400 with the claim released: a redelivery carries the same payload, so it cannot
succeed, and a 503 would only invite retries.

A delivery confirmed earlier is answered 202 `duplicate` without dispatching. One whose claim
a concurrent request holds waits for that request's outcome: `duplicate` once it confirmed,
dispatched by this request if it failed and released the claim, and 503 if it is still
undecided after `OWNER_WAIT_SECONDS`. A 202 at once would be lost work if the owner then
failed: GitHub redelivers an event only when none of its attempts got a 2xx.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from starlette.types import Receive, Scope, Send
from temporalio.service import RPCError, RPCStatusCode

from app import metrics as outcomes
from app.clients import is_temporal_unavailable
from app.commands import (
    Command,
    DeleteBranch,
    Dispatch,
    Ignored,
    IndexBranch,
    Outcome,
    Ping,
    RemoveInstallation,
    RemoveRepository,
    SetupInstallation,
    SetupRepository,
    UpdateRepository,
)
from app.errors import WebhookError
from app.github_events import commands_for_github_event
from app.gitlab_events import PUSH_HOOK, SYSTEM_HOOK, TAG_PUSH_HOOK, commands_for_gitlab_event
from app.ledger import DeliveryLedger, LedgerUnavailableError, delivery_key
from app.metrics import ReceiverMetrics
from app.payloads import Fields, PayloadError, parse_json_object
from app.request_body import BodyTooLargeError, ClientDisconnectError, read_capped_body
from app.settings import Settings
from app.signatures import SignatureError, verify_github, verify_gitlab

log = logging.getLogger("repograph.webhooks")

# A request's headers by lowercase name (as ASGI servers give them), the first value of each.
Headers = Mapping[str, str]

# Provider delivery ids are UUIDs; anything printable up to this length is accepted.
_DELIVERY_ID = re.compile(r"[\x21-\x7e]{1,256}")
_LOGGED_HEADER_CHARS = 128
# How long a copy of a delivery waits for the request dispatching it: longer than a dispatch
# that retries an unreachable Temporal (app.clients.TEMPORAL_RETRY, 3 s), short enough to
# dispatch itself after that and answer within a provider's 10 s.
OWNER_WAIT_SECONDS = 4.0
_OWNER_POLL_SECONDS = (0.005, 0.25)  # first and longest interval between looks at the claim


class DeliveryIdError(WebhookError):
    """The delivery id header is missing or not a plausible id (400)."""


class CommandDispatcher(Protocol):
    """Sends commands to Temporal; `app.dispatcher.Dispatcher` in production."""

    async def dispatch_all(self, commands: Iterable[Command]) -> list[str]: ...


class EventMapper(Protocol):
    def __call__(
        self, event: str, payload: object, delivery_id: str, *, allow_local_repos: bool = False
    ) -> Outcome: ...


@dataclass(frozen=True)
class Provider:
    """What differs between GitHub and GitLab deliveries; the flow is the same."""

    name: str
    event_header: str
    handled_events: frozenset[str]
    authenticate: Callable[[Settings, bytes, Headers, float], None]
    delivery_id: Callable[[Headers, bytes], str]
    commands: EventMapper

    def event_label(self, event: str) -> str:
        """`event` if it is one we handle, else `other`: metric labels stay bounded."""
        return event if event in self.handled_events else "other"


def _authenticate_github(settings: Settings, body: bytes, headers: Headers, _now: float) -> None:
    verify_github(
        body,
        headers.get("x-hub-signature-256"),
        settings.github_webhook_secrets,
        signature_sha1=headers.get("x-hub-signature"),
    )


def _authenticate_gitlab(settings: Settings, body: bytes, headers: Headers, now: float) -> None:
    event = headers.get("x-gitlab-event") or ""
    system_hook = event == SYSTEM_HOOK
    per_project = settings.gitlab_webhook_token_per_project and not system_hook
    verify_gitlab(
        body,
        token=headers.get("x-gitlab-token"),
        tokens=settings.gitlab_webhook_tokens,
        signing_secret=settings.gitlab_webhook_signing_token,
        system_hook=system_hook,
        system_tokens=settings.gitlab_system_hook_tokens,
        per_project=per_project,
        project_id=_named_project(body, event) if per_project else None,
        msg_id=headers.get("webhook-id"),
        timestamp=headers.get("webhook-timestamp"),
        signature=headers.get("webhook-signature"),
        now=now,
    )


def _named_project(body: bytes, event: str) -> int | None:
    """The id of the project a GitLab project hook's body names (`project.id`), read as the
    event's mapping reads it (`gitlab_events`), whose token the delivery must carry; None
    where it names none (or is no JSON object): no token can be checked."""
    try:
        return Fields(event, parse_json_object(body, event)).obj("project").ident("id")
    except PayloadError:
        return None


def _github_delivery_id(headers: Headers, _body: bytes) -> str:
    return _checked_delivery_id("X-GitHub-Delivery", headers.get("x-github-delivery"))


def _gitlab_delivery_id(headers: Headers, body: bytes) -> str:
    for name in ("Idempotency-Key", "webhook-id", "X-Gitlab-Event-UUID"):
        value = headers.get(name.lower())
        if value:
            return _checked_delivery_id(name, value)
    # GitLab before 15.x sends no id at all; an identical body is the same event.
    return "sha256-" + hashlib.sha256(body).hexdigest()


def _checked_delivery_id(header: str, value: str | None) -> str:
    if not value:
        raise DeliveryIdError(f"{header} is missing")
    if not _DELIVERY_ID.fullmatch(value):
        raise DeliveryIdError(f"{header} must be 1 to 256 printable ASCII characters")
    return value


GITHUB = Provider(
    name="github",
    event_header="x-github-event",
    handled_events=frozenset(
        {"ping", "push", "delete", "installation", "installation_repositories", "repository"}
    ),
    authenticate=_authenticate_github,
    delivery_id=_github_delivery_id,
    commands=commands_for_github_event,
)
GITLAB = Provider(
    name="gitlab",
    event_header="x-gitlab-event",
    handled_events=frozenset({PUSH_HOOK, TAG_PUSH_HOOK, SYSTEM_HOOK}),
    authenticate=_authenticate_gitlab,
    delivery_id=_gitlab_delivery_id,
    commands=commands_for_gitlab_event,
)


class _Claim(enum.Enum):
    OWNED = "owned"
    TAKEN = "taken"  # confirmed: dispatched before
    IN_FLIGHT = "in_flight"  # another request still holds the claim after OWNER_WAIT_SECONDS
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class _Answer:
    status_code: int
    outcome: str
    body: Mapping[str, object]

    async def send(self, send: Send) -> None:
        """Send the answer as a JSON response on the ASGI channel."""
        # ensure_ascii: a lone surrogate from a JSON escape can never break the encoding.
        content = json.dumps({"status": self.outcome, **self.body}, separators=(",", ":"))
        encoded = content.encode("ascii")
        headers = [
            (b"content-length", str(len(encoded)).encode("ascii")),
            (b"content-type", b"application/json"),
        ]
        await send({"type": "http.response.start", "status": self.status_code, "headers": headers})
        await send({"type": "http.response.body", "body": encoded})


class WebhookReceiver:
    """One delivery at a time: the flow of the module docstring, for either provider."""

    def __init__(
        self,
        settings: Settings,
        ledger: DeliveryLedger,
        dispatcher: CommandDispatcher,
        metrics: ReceiverMetrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._settings = settings
        self._ledger = ledger
        self._dispatcher = dispatcher
        self._metrics = metrics
        self._clock = clock

    async def receive(self, headers: Headers, receive: Receive, provider: Provider) -> _Answer:
        """Answer one delivery, whose body is read from the ASGI `receive`; never raises."""
        event = headers.get(provider.event_header, "")
        try:
            answer = await self._answer(headers, receive, provider, event)
        except Exception:
            log.exception(
                "webhook handling failed", extra={"provider": provider.name, "event": _short(event)}
            )
            answer = _Answer(500, outcomes.ERROR, {"detail": "internal error"})
        self._metrics.delivery(provider.name, provider.event_label(event), answer.outcome).inc()
        return answer

    async def _answer(
        self, headers: Headers, receive: Receive, provider: Provider, event: str
    ) -> _Answer:
        context = {"provider": provider.name, "event": _short(event)}
        try:
            body = await read_capped_body(
                receive, headers.get("content-length"), self._settings.max_body_bytes
            )
        except BodyTooLargeError as exc:
            log.warning("webhook body refused: %s", exc, extra=context)
            return _Answer(413, outcomes.TOO_LARGE, {"detail": str(exc)})
        except ClientDisconnectError:
            log.info("webhook sender disconnected mid-body", extra=context)
            return _Answer(400, outcomes.DISCONNECTED, {"detail": "client disconnected"})
        try:
            provider.authenticate(self._settings, body, headers, self._clock())
        except SignatureError as exc:
            self._metrics.verification_failures.labels(provider.name, exc.reason.value).inc()
            log.warning(
                "webhook authentication failed: %s; %s",
                exc.detail,
                exc.hint,
                extra={**context, "reason": exc.reason.value, "setting": exc.setting},
            )
            return _Answer(401, outcomes.UNAUTHORIZED, {"detail": exc.detail})
        try:
            delivery_id = provider.delivery_id(headers, body)
            payload = parse_json_object(body, event)
            outcome = provider.commands(
                event, payload, delivery_id, allow_local_repos=self._settings.allow_local_repos
            )
        except WebhookError as exc:
            log.info("webhook payload refused: %s", exc, extra=context)
            return _Answer(400, outcomes.MALFORMED, {"detail": str(exc)})
        context["delivery"] = delivery_id
        match outcome:
            case Ping(reason):
                log.info("webhook ping: %s", reason, extra=context)
                return _Answer(200, outcomes.PING, {"delivery": delivery_id, "workflows": []})
            case Ignored(reason):
                log.info("webhook ignored: %s", reason, extra=context)
                return _Answer(
                    202,
                    outcomes.IGNORED,
                    {"delivery": delivery_id, "reason": reason, "workflows": []},
                )
            case Dispatch(commands):
                return await self._dispatch(provider, delivery_id, commands, context)
        raise TypeError(f"unknown outcome {type(outcome).__name__}")

    async def _dispatch(
        self,
        provider: Provider,
        delivery_id: str,
        commands: tuple[Command, ...],
        context: dict[str, str],
    ) -> _Answer:
        key = delivery_key(provider.name, delivery_id)
        claim = await self._claim(key, context)
        if claim is _Claim.TAKEN:
            self._metrics.duplicates.labels(provider.name).inc()
            log.info("webhook duplicate: already dispatched", extra=context)
            return _Answer(202, outcomes.DUPLICATE, {"delivery": delivery_id, "workflows": []})
        if claim is _Claim.IN_FLIGHT:
            log.warning(
                "webhook copy: another request is still dispatching it; answering 503",
                extra=context,
            )
            detail = "a copy of this delivery is still being dispatched; redeliver"
            return _Answer(503, outcomes.UNAVAILABLE, {"delivery": delivery_id, "detail": detail})
        started = time.perf_counter()
        try:
            workflows = await self._dispatcher.dispatch_all(commands)
        except BaseException as exc:
            self._observe_dispatch(provider, "failed", started)
            # Shielded: a cancelled request must still hand the delivery back for redelivery.
            # After an unanswered claim too: Redis may have taken it, and a redelivery within
            # the claim's TTL would be answered `duplicate` and lost. (Releasing a concurrent
            # copy's claim instead costs at most one more, coalescing, signal.)
            await asyncio.shield(self._ledger_step("release", key, context))
            if isinstance(exc, RPCError) and exc.status == RPCStatusCode.INVALID_ARGUMENT:
                log.warning(
                    "Temporal refused the delivery's signal as invalid: %s",
                    exc.message,
                    extra=context,
                )
                detail = f"Temporal refused the signal as invalid: {exc.message}"
                return _Answer(400, outcomes.MALFORMED, {"delivery": delivery_id, "detail": detail})
            if isinstance(exc, Exception) and is_temporal_unavailable(exc):
                log.warning(
                    "Temporal did not take the delivery (%s); answering 503 for a redelivery",
                    type(exc).__name__,
                    extra=context,
                )
                body = {"delivery": delivery_id, "detail": "Temporal is unavailable; redeliver"}
                return _Answer(503, outcomes.UNAVAILABLE, body)
            raise
        self._observe_dispatch(provider, "ok", started)
        if claim is _Claim.OWNED:
            await self._ledger_step("confirm", key, context)
        for command, workflow_id in zip(commands, workflows, strict=True):
            self._metrics.signal(type(command).__name__).inc()
            log.info(
                "signalled %s",
                workflow_id,
                extra={**context, **_command_context(command), "workflow_id": workflow_id},
            )
        return _Answer(202, outcomes.ACCEPTED, {"delivery": delivery_id, "workflows": workflows})

    async def _claim(self, key: str, context: dict[str, str]) -> _Claim:
        """Own the delivery, or learn that it was dispatched, waiting out a concurrent copy
        (module docstring): its claim is released if its dispatch fails."""
        deadline = time.monotonic() + OWNER_WAIT_SECONDS
        interval, longest = _OWNER_POLL_SECONDS
        try:
            while True:
                if await self._ledger.claim(key):
                    return _Claim.OWNED
                if await self._ledger.confirmed(key):
                    return _Claim.TAKEN
                if time.monotonic() >= deadline:
                    return _Claim.IN_FLIGHT
                await asyncio.sleep(interval)
                interval = min(interval * 2, longest)
        except LedgerUnavailableError as exc:
            self._metrics.ledger_fail_open.labels("claim").inc()
            log.warning("ledger unavailable, dispatching without dedup: %s", exc, extra=context)
            return _Claim.UNAVAILABLE

    async def _ledger_step(self, operation: str, key: str, context: dict[str, str]) -> None:
        step = self._ledger.confirm if operation == "confirm" else self._ledger.release
        try:
            await step(key)
        except LedgerUnavailableError as exc:
            # The claim expires by itself; a redelivery meanwhile is answered `duplicate`
            # (after a failed release) or dispatched again (after a failed confirm: harmless).
            self._metrics.ledger_fail_open.labels(operation).inc()
            log.warning("ledger %s failed: %s", operation, exc, extra=context)

    def _observe_dispatch(self, provider: Provider, result: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        self._metrics.dispatch_time(provider.name, result).observe(elapsed)


def _command_context(command: Command) -> dict[str, str]:
    """repo_id and branch (or installation) of a command, for structured logs."""
    match command:
        case IndexBranch(request):
            return {"repo_id": request.repo.repo_id, "branch": request.branch}
        case DeleteBranch(request):
            return {"repo_id": request.repo_id, "branch": request.branch}
        case SetupRepository(repo):
            return {"repo_id": repo.repo_id}
        case RemoveRepository(repo_id) | UpdateRepository(repo_id):
            return {"repo_id": repo_id}
        case SetupInstallation(installation_id) | RemoveInstallation(installation_id):
            return {"installation_id": str(installation_id)}


def _short(value: str) -> str:
    return value[:_LOGGED_HEADER_CHARS]


class WebhookRoute:
    """The ASGI app of one provider's webhook path, on the receiver in `app.state.receiver`.

    Headers and body are read straight from the ASGI scope and channel, and the answer is
    sent on it: a Starlette Request and Response per delivery cost the web process more CPU
    than verifying the signature (bench.receiver).
    """

    def __init__(self, provider: Provider) -> None:
        self.provider = provider

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        receiver: WebhookReceiver = scope["app"].state.receiver
        answer = await receiver.receive(request_headers(scope), receive, self.provider)
        await answer.send(send)


def request_headers(scope: Scope) -> Headers:
    """The headers of an HTTP scope by name; of a repeated header, the first value counts."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope["headers"]:
        name = raw_name.decode("latin-1")
        if name not in headers:
            headers[name] = raw_value.decode("latin-1")
    return headers


# POST /webhooks/github and POST /webhooks/gitlab.
github_webhook = WebhookRoute(GITHUB)
gitlab_webhook = WebhookRoute(GITLAB)
