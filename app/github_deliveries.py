"""The GitHub App's webhook delivery log, through githubkit with the App's JWT.

`GET /app/hook/deliveries` pages by cursor (newest first, the next cursor in the `Link`
header); `POST /app/hook/deliveries/{id}/attempts` asks GitHub to send a delivery again.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from githubkit import AppAuthStrategy, GitHub

from app.redelivery import DeliveryAttempt
from app.settings import Settings

PAGE_SIZE = 100
_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class GitHubAppNotConfiguredError(ValueError):
    """GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY are needed to read the App's deliveries."""


class AppDeliveries:
    """Lists and redelivers the App's webhook deliveries; errors are githubkit's."""

    def __init__(self, settings: Settings, *, timeout: float = 30.0) -> None:
        if not (settings.github_app_id and settings.github_app_private_key):
            raise GitHubAppNotConfiguredError(
                "set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_FILE)"
            )
        self._github = GitHub(
            AppAuthStrategy(settings.github_app_id, settings.github_app_private_key),
            base_url=settings.github_api_url + "/",
            http_cache=False,
            timeout=timeout,
        )

    async def since(self, cutoff: datetime) -> AsyncIterator[DeliveryAttempt]:
        """Every attempt delivered at or after `cutoff`, newest first."""
        cursor: str | None = None
        while True:
            if cursor is None:
                response = await self._github.rest.apps.async_list_webhook_deliveries(
                    per_page=PAGE_SIZE
                )
            else:
                response = await self._github.rest.apps.async_list_webhook_deliveries(
                    per_page=PAGE_SIZE, cursor=cursor
                )
            reached_cutoff = False
            for item in response.parsed_data:
                if item.delivered_at < cutoff:
                    reached_cutoff = True
                    continue
                yield DeliveryAttempt(
                    id=item.id,
                    guid=item.guid,
                    delivered_at=item.delivered_at,
                    status_code=item.status_code,
                    status=item.status,
                    event=item.event,
                    action=item.action,
                    redelivery=item.redelivery,
                )
            cursor = next_cursor(response.headers.get("link"))
            if reached_cutoff or cursor is None:
                return

    async def redeliver(self, delivery_id: int) -> None:
        """Ask GitHub to send the delivery again (it answers 202 and delivers later)."""
        await self._github.rest.apps.async_redeliver_webhook_delivery(delivery_id)


def next_cursor(link_header: str | None) -> str | None:
    """The `cursor` of the `rel="next"` link, or None on the last page."""
    match = _NEXT_LINK.search(link_header or "")
    if match is None:
        return None
    values = parse_qs(urlsplit(match.group(1)).query).get("cursor")
    return values[0] if values else None
