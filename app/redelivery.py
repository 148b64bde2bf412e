"""Which GitHub webhook deliveries to redeliver: those whose event never got through. Pure.

GitHub logs one attempt per delivery (the first and every redelivery share the event's GUID).
An event is lost only if no attempt succeeded; redelivering the latest attempt once per GUID
recovers it without duplicating events that a later attempt already delivered. An event is
redelivered only while its latest answer is one a retry can change: each redelivery is a new
attempt, so one the receiver refuses for good would be sent again at every sweep.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# 0: GitHub timed out or could not connect. 5xx, 408, 429: repograph, Temporal or a proxy
# was down or busy. 401, 403, 404: a secret or route, ours or a proxy's, was wrong and may
# have been fixed since. Not 400 or 413: the receiver judged the payload itself, and a
# redelivery sends the same bytes.
_RETRYABLE_CLIENT_ERRORS = frozenset({401, 403, 404, 408, 429})


@dataclass(frozen=True)
class DeliveryAttempt:
    """One row of the App's delivery log (`GET /app/hook/deliveries`)."""

    id: int
    guid: str
    delivered_at: datetime
    status_code: int
    status: str
    event: str
    action: str | None = None
    redelivery: bool = False

    @property
    def succeeded(self) -> bool:
        return 200 <= self.status_code < 300 or self.status == "OK"

    @property
    def retryable(self) -> bool:
        """True if sending the same delivery again can succeed."""
        code = self.status_code
        return code == 0 or code >= 500 or code in _RETRYABLE_CLIENT_ERRORS


def undelivered(attempts: Iterable[DeliveryAttempt]) -> list[DeliveryAttempt]:
    """The latest attempt of each GUID none of whose attempts succeeded, oldest first."""
    by_guid: dict[str, list[DeliveryAttempt]] = {}
    for attempt in attempts:
        by_guid.setdefault(attempt.guid, []).append(attempt)
    lost = [
        max(group, key=lambda a: (a.delivered_at, a.id))
        for group in by_guid.values()
        if not any(a.succeeded for a in group)
    ]
    return sorted(lost, key=lambda a: (a.delivered_at, a.id))


def deliveries_to_redeliver(attempts: Iterable[DeliveryAttempt]) -> list[DeliveryAttempt]:
    """Of the `undelivered` events, those whose latest attempt a redelivery can change."""
    return [attempt for attempt in undelivered(attempts) if attempt.retryable]
