"""Every `repograph` command, its arguments and help, in one place.

Handlers are named as `module:function` and imported only when their command runs, so
`--help` and each command load just what they use (the Temporal, Neo4j, GitHub and GitLab
clients take most of a second to import).
"""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from app.cli import arguments

DEMO_DIR = Path(".local/demo")
INDEX_TIMEOUT_SECONDS = 600.0
DEMO_TIMEOUT_SECONDS = 120.0
REDELIVERY_WINDOW = "72h"  # GitHub keeps deliveries for 3 days (GHES: 7)

Subparsers = argparse._SubParsersAction  # argparse does not export this type


class ParagraphHelpFormatter(argparse.HelpFormatter):
    """Wraps each blank-line-separated paragraph of a description on its own."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = [" ".join(part.split()) for part in text.strip().split("\n\n")]
        return "\n\n".join(
            textwrap.fill(part, width, initial_indent=indent, subsequent_indent=indent)
            for part in paragraphs
        )


def _command(
    subparsers: Subparsers[argparse.ArgumentParser],
    name: str,
    handler: str,
    summary: str,
    description: str,
    *,
    long_running: bool = False,
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name, help=summary, description=description, formatter_class=ParagraphHelpFormatter
    )
    parser.set_defaults(handler=handler, long_running=long_running)
    return parser


def _group(
    subparsers: Subparsers[argparse.ArgumentParser], name: str, summary: str, description: str
) -> Subparsers[argparse.ArgumentParser]:
    parser = subparsers.add_parser(
        name, help=summary, description=description, formatter_class=ParagraphHelpFormatter
    )
    return parser.add_subparsers(dest=f"{name}_command", required=True, metavar="ACTION")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="repograph",
        description="Keeps a code knowledge graph of every connected repository current. "
        "Configuration comes from the environment (see docs/deploy.md).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _processes(commands)
    _index(commands)
    _branches(commands)
    _gitlab(commands)
    _github(commands)
    _demo(commands)
    return parser


def _processes(commands: Subparsers[argparse.ArgumentParser]) -> None:
    _command(
        commands,
        "serve",
        "app.cli.processes:serve",
        "run the web process (webhook receiver) on HOST:PORT",
        "Run the web process: receives GitHub and GitLab webhooks on HOST:PORT and starts "
        "the branch workflows. Fly.io's `web` process and `make run` use it.",
        long_running=True,
    )
    _command(
        commands,
        "worker",
        "app.cli.processes:worker",
        "run a Temporal worker that indexes repositories",
        "Run a Temporal worker on TEMPORAL_TASK_QUEUE: clones, parses and writes the graph. "
        "SIGTERM finishes in-flight work within WORKER_SHUTDOWN_SECONDS.",
        long_running=True,
    )
    _command(
        commands,
        "setup-db",
        "app.cli.processes:setup_db",
        "create Neo4j constraints and indexes (idempotent)",
        "Create the Neo4j constraints and indexes repograph needs. Safe to run on every "
        "deploy (Fly.io's release_command).",
    )


def _index(commands: Subparsers[argparse.ArgumentParser]) -> None:
    parser = _command(
        commands,
        "index",
        "app.cli.index:index",
        "index a local path or a repository URL and print the result",
        "Index a repository through the branch workflow, as a push webhook would, and print "
        "what was indexed; progress goes to stderr.\n\nA local path needs "
        "ALLOW_LOCAL_REPOS=true (here and on the worker); its repository id is "
        "`local-<hash of the path>`. A URL must be on GITHUB_URL or GITLAB_URL. A worker must "
        "be running on TEMPORAL_TASK_QUEUE.",
    )
    parser.add_argument("location", metavar="PATH_OR_URL", help="a git repository or its URL")
    parser.add_argument(
        "--branch", type=arguments.branch, help="branch to index (default: the repository's HEAD)"
    )
    parser.add_argument(
        "--repo-id",
        type=arguments.repo_id,
        help="repository id to index under: github-<id>, gitlab-<id>, local-<16 hex> or "
        "url-<16 hex> (default: derived from the path or URL)",
    )
    _timeout(parser, INDEX_TIMEOUT_SECONDS)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _branches(commands: Subparsers[argparse.ArgumentParser]) -> None:
    reindex = _command(
        commands,
        "reindex",
        "app.cli.branches:reindex",
        "signal a branch workflow to re-index (default: the default branch)",
        "Send a push signal to repo-index-<REPO_ID>-<BRANCH>, starting the workflow if "
        "needed. The repository must be in the graph; BRANCH defaults to its default branch.",
    )
    reindex.add_argument("repo_id", metavar="REPO_ID", type=arguments.repo_id)
    reindex.add_argument("branch", metavar="BRANCH", nargs="?", type=arguments.branch)
    reindex.add_argument("--wait", action="store_true", help="wait for the run; print its result")
    _timeout(reindex, INDEX_TIMEOUT_SECONDS)
    reindex.add_argument("--json", action="store_true", help="print JSON")

    status = _command(
        commands,
        "status",
        "app.cli.branches:status",
        "show branch workflows: all running ones, a repository's, or one branch's",
        "Without arguments, list the running branch workflows on TEMPORAL_TASK_QUEUE with "
        "their status; with REPO_ID, that repository's; with REPO_ID BRANCH, that workflow's "
        "`status` query in full.",
    )
    status.add_argument("repo_id", metavar="REPO_ID", nargs="?", type=arguments.repo_id)
    status.add_argument("branch", metavar="BRANCH", nargs="?", type=arguments.branch)
    status.add_argument("--json", action="store_true", help="print JSON")


def _gitlab(commands: Subparsers[argparse.ArgumentParser]) -> None:
    actions = _group(
        commands,
        "gitlab",
        "GitLab operations (connect)",
        "GitLab operations; they use GITLAB_TOKEN against GITLAB_URL.",
    )
    connect = _command(
        actions,
        "connect",
        "app.cli.gitlab_connect:connect",
        "add or update repograph's webhook on a GitLab project",
        "Add repograph's webhook to a GitLab project (push and tag push events, with a secret "
        "token of the project's own derived from the first GITLAB_WEBHOOK_TOKEN, or that token "
        "itself with GITLAB_WEBHOOK_TOKEN_PER_PROJECT=false, and GITLAB_WEBHOOK_SIGNING_TOKEN as "
        "its signing token when set), or update the hook already pointing at the same URL. "
        "Running it again creates nothing new.\n\nGITLAB_TOKEN needs the api scope and the "
        "Maintainer role on the project.",
    )
    connect.add_argument(
        "project", metavar="PROJECT", help="project id or path, e.g. 42 or group/project"
    )
    connect.add_argument(
        "--url",
        metavar="BASE_URL",
        help="public base URL of the web process, e.g. https://repograph.fly.dev "
        "(default: WEBHOOK_BASE_URL); /webhooks/gitlab is appended",
    )
    connect.add_argument(
        "--no-ssl-verification",
        dest="ssl_verification",
        action="store_false",
        help="let GitLab deliver to a self-signed certificate",
    )


def _github(commands: Subparsers[argparse.ArgumentParser]) -> None:
    actions = _group(
        commands,
        "github",
        "GitHub App operations (redeliver)",
        "GitHub App operations; they authenticate as the App (GITHUB_APP_ID and "
        "GITHUB_APP_PRIVATE_KEY) against GITHUB_API_URL.",
    )
    redeliver = _command(
        actions,
        "redeliver",
        "app.cli.github_redeliver:redeliver",
        "redeliver every webhook event that never reached repograph",
        "List the App's webhook deliveries of the last DURATION and ask GitHub to redeliver "
        "every event none of whose attempts succeeded, once, from its latest attempt. Run it "
        "after an outage; events that got through are left alone, so it is safe to repeat.",
    )
    redeliver.add_argument(
        "--since",
        type=arguments.duration,
        default=arguments.parse_duration(REDELIVERY_WINDOW),
        metavar="DURATION",
        help=f"look back this far, e.g. 30m, 12h, 3d (default {REDELIVERY_WINDOW})",
    )
    redeliver.add_argument(
        "--dry-run", action="store_true", help="list what would be redelivered; change nothing"
    )


def _demo(commands: Subparsers[argparse.ArgumentParser]) -> None:
    demo = _command(
        commands,
        "demo",
        "app.cli.demo:demo",
        "push a sample repository to the running stack and show its graph",
        "Play GitHub against the local stack: commit a small Python repository, send a "
        "signed push webhook to the web process, wait for the graph in Neo4j and print it; "
        "then push a change and show the incremental re-index.\n\nNeeds what `make run` "
        "starts: the web process (with ALLOW_LOCAL_REPOS), a worker and Neo4j. The webhook is "
        "signed with the first GITHUB_WEBHOOK_SECRET, or `make run`'s development secret.",
    )
    demo.add_argument(
        "--url", metavar="BASE_URL", help="the web process (default: http://127.0.0.1:$PORT)"
    )
    demo.add_argument(
        "--dir",
        type=Path,
        default=DEMO_DIR,
        help=f"where to create the sample repository (default: {DEMO_DIR})",
    )
    _timeout(demo, DEMO_TIMEOUT_SECONDS)


def _timeout(parser: argparse.ArgumentParser, default: float) -> None:
    parser.add_argument(
        "--timeout",
        type=arguments.seconds,
        default=default,
        metavar="S",
        help=f"give up waiting after S seconds (default {default:.0f})",
    )
