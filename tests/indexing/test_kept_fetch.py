"""A kept repository takes push after push over smart HTTP, as a worker's pool reuses it."""

from __future__ import annotations

from pathlib import Path

from activities.git_client import GitClient
from tests.support import git_server
from tests.support.git_server import WorkRepo

# Enough fetches that the request's `shallow`/`have` lines pass 1 KiB, where git starts to
# gzip the request body (the fake git host once failed from there on, ~16 fetches in).
PUSHES = 30


async def test_every_push_fetches_into_the_same_kept_repository(tmp_path: Path) -> None:
    repo = WorkRepo(tmp_path / "src", "kept")
    token = "ghs_KEPTREPOSITORYTOKEN7"
    client = GitClient()
    dest = tmp_path / "kept.git"
    with git_server.serving(tmp_path / "src" / "served", token=token) as server:
        for n in range(PUSHES):
            repo.write({f"pkg/m{n}.py": f"def f{n}():\n    return {n}\n", "main.py": f"N = {n}\n"})
            sha = repo.commit(f"push {n}")
            assert await client.fetch_branch(server.url("kept"), "main", dest, token) == sha
            paths = {entry.path for entry in await client.list_blobs(dest, sha)}
            assert paths == {"main.py", *(f"pkg/m{i}.py" for i in range(n + 1))}
