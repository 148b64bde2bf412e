"""A GitLab project's webhook for repograph, registered or updated with python-gitlab.

The hook is identified by its URL: connecting a project twice updates the hook the first run
created instead of adding a second one, so the command is safe to repeat (for example after
rotating GITLAB_WEBHOOK_TOKEN).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gitlab

from app.signatures import gitlab_project_token

GITLAB_WEBHOOK_PATH = "/webhooks/gitlab"


@dataclass(frozen=True)
class HookSpec:
    """What the project hook must look like; secrets are excluded from its repr."""

    url: str
    token: str  # a GITLAB_WEBHOOK_TOKEN
    signing_token: str | None
    enable_ssl_verification: bool = True
    # The hook sends the token derived for its project (`gitlab_project_token`), as the
    # receiver expects by default (GITLAB_WEBHOOK_TOKEN_PER_PROJECT); else `token` itself.
    per_project: bool = True

    def __repr__(self) -> str:
        return f"HookSpec(url={self.url!r}, ssl={self.enable_ssl_verification})"

    def attributes(self, project_id: int) -> dict[str, Any]:
        """The hook's attributes on project `project_id`."""
        token = gitlab_project_token(self.token, project_id) if self.per_project else self.token
        attributes: dict[str, Any] = {
            "url": self.url,
            "push_events": True,
            "tag_push_events": True,
            "enable_ssl_verification": self.enable_ssl_verification,
            "token": token,
        }
        if self.signing_token:
            # GitLab 18.x signs deliveries (Standard Webhooks) when the hook has one.
            attributes["signing_token"] = self.signing_token
        return attributes


@dataclass(frozen=True)
class HookOutcome:
    action: str  # "created" | "updated"
    hook_id: int
    project_id: int
    project_path: str
    duplicates: tuple[int, ...] = ()


def webhook_url(base_url: str) -> str:
    """The receiver's GitLab endpoint under the public base URL of the web process."""
    base = base_url.rstrip("/")
    return base if base.endswith(GITLAB_WEBHOOK_PATH) else base + GITLAB_WEBHOOK_PATH


def connect_project_hook(client: gitlab.Gitlab, project: str, spec: HookSpec) -> HookOutcome:
    """Create the hook on `project` (id or path), or update the one already at `spec.url`."""
    found = client.projects.get(project)
    hooks = found.hooks.list(get_all=True)
    same_url = sorted((hook for hook in hooks if hook.url == spec.url), key=lambda h: h.id)
    if same_url:
        hook_id = int(same_url[0].id)
        found.hooks.update(hook_id, spec.attributes(int(found.id)))
        duplicates = tuple(int(hook.id) for hook in same_url[1:])
        return HookOutcome(
            "updated", hook_id, int(found.id), str(found.path_with_namespace), duplicates
        )
    created = found.hooks.create(spec.attributes(int(found.id)))
    return HookOutcome("created", int(created.id), int(found.id), str(found.path_with_namespace))
