"""`repograph gitlab connect PROJECT`: register (or update) repograph's webhook on a project."""

from __future__ import annotations

import argparse

import gitlab
import requests

from app.cli.command import CliError, UsageError
from app.gitlab_hooks import HookSpec, connect_project_hook, webhook_url
from app.settings import Settings

API_TIMEOUT_SECONDS = 30


def connect(settings: Settings, args: argparse.Namespace) -> int:
    base_url: str | None = args.url or settings.webhook_base_url
    if not base_url:
        raise UsageError(
            "pass --url (the public base URL of the web process) or set WEBHOOK_BASE_URL"
        )
    if not base_url.startswith(("https://", "http://")):
        raise UsageError(f"--url must be an http(s) URL, not {base_url!r}")
    if not settings.gitlab_token:
        raise UsageError("set GITLAB_TOKEN (api scope, Maintainer role on the project)")
    # The receiver checks X-Gitlab-Token on every delivery, signed or not: a hook without one
    # would be answered 401 every time.
    if not settings.gitlab_webhook_tokens:
        raise UsageError(
            "set GITLAB_WEBHOOK_TOKEN (the receiver refuses every GitLab delivery without it, "
            "even with GITLAB_WEBHOOK_SIGNING_TOKEN set)"
        )
    spec = HookSpec(
        url=webhook_url(base_url),
        # GitLab sends the first token; the receiver accepts the others while a rotation ends.
        token=settings.gitlab_webhook_tokens[0],
        signing_token=settings.gitlab_webhook_signing_token,
        enable_ssl_verification=args.ssl_verification,
        per_project=settings.gitlab_webhook_token_per_project,
    )
    client = gitlab.Gitlab(
        settings.gitlab_url, private_token=settings.gitlab_token, timeout=API_TIMEOUT_SECONDS
    )
    try:
        outcome = connect_project_hook(client, args.project, spec)
    except gitlab.exceptions.GitlabError as exc:
        raise CliError(
            f"GitLab at {settings.gitlab_url} answered {exc.response_code or 'an error'} for "
            f"project {args.project}: {exc.error_message}; check the project and GITLAB_TOKEN"
        ) from None
    except requests.RequestException as exc:
        raise CliError(f"cannot reach GitLab at {settings.gitlab_url}: {exc}") from None
    signed = "token, signing token" if spec.signing_token else "token"
    print(
        f"{outcome.action} webhook {outcome.hook_id} on {outcome.project_path} "
        f"(project {outcome.project_id}) -> {spec.url} (push and tag push events; {signed})"
    )
    if outcome.duplicates:
        others = ", ".join(str(hook_id) for hook_id in outcome.duplicates)
        print(f"other hooks with the same URL, worth deleting: {others}")
    return 0
