"""Which GitHub webhook deliveries to redeliver: those whose event never got through. Pure.

GitHub logs one attempt per delivery (the first and every redelivery share the event's GUID).
An event is lost only if no attempt succeeded; redelivering the latest attempt once per GUID
recovers it without duplicating events that a later attempt already delivered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime


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


def deliveries_to_redeliver(attempts: Iterable[DeliveryAttempt]) -> list[DeliveryAttempt]:
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
