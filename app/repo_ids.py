"""Repository ids typed by people (admin API, command line): only the forms repograph makes.

A branch workflow's id is `repo-index-<repo_id>-<branch>`, and branch names may contain `-`,
so a free-form id such as `github-1-feature` with branch `a` would name the workflow of
`github-1`'s branch `feature-a`. The ids repograph produces cannot do that: a provider id is
digits up to the `-`, a hash has a fixed length. Standard library only.
"""

from __future__ import annotations

import re

# github-<repository id>, gitlab-<project id> (app/commands.py), local-<hash>, url-<hash>
# (app/cli/targets.py). Positive ids without leading zeros, as the payloads carry them.
_REPO_ID = re.compile(r"(?:github|gitlab)-[1-9][0-9]{0,18}|(?:local|url)-[0-9a-f]{16}")
REPO_ID_FORMS = "github-<repository id>, gitlab-<project id>, local-<16 hex> or url-<16 hex>"


class RepoIdError(ValueError):
    """A repository id in none of the forms repograph produces; the message lists them."""


def check_repo_id(text: str) -> str:
    """Return `text` if it is an id repograph could have produced; RepoIdError otherwise."""
    if not _REPO_ID.fullmatch(text):
        raise RepoIdError(f"{text!r} is not a repository id: expected {REPO_ID_FORMS}")
    return text
