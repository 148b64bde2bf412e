"""GitClient reads `git ls-remote` of real repositories whatever bytes their ref names hold."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from activities.git_client import GitClient, GitError
from tests.support.git_server import WorkRepo


async def test_a_non_ascii_default_branch_is_read_back(tmp_path: Path) -> None:
    """A default branch named in UTF-8 beyond ASCII is the remote's HEAD, and its head is read."""
    branch = "ünïcode/straße"
    repo = WorkRepo(tmp_path, "accents", branch=branch)
    repo.write({"a.py": "A = 1\n"})
    sha = repo.commit("first")
    git = GitClient(allow_file_protocol=True)

    assert await git.remote_default_branch(repo.bare.as_uri(), None) == branch
    assert await git.remote_head(repo.bare.as_uri(), branch, None) == sha


@pytest.mark.parametrize(
    "raw_branch",
    ["feature\u2028x".encode(), "feature\u2029x".encode(), b"caf\xe9"],
    ids=["line-separator", "paragraph-separator", "not-utf8"],
)
async def test_a_default_branch_we_refuse_is_named_as_refused(
    tmp_path: Path, raw_branch: bytes
) -> None:
    """A remote HEAD naming a branch git allows but we refuse fails as invalid_ref saying why,
    not as an empty repository: the ls-remote line is not split inside the name."""
    repo = WorkRepo(tmp_path, "odd")
    repo.write({"a.py": "A = 1\n"})
    repo.commit("first")
    for argv in (
        [b"git", b"branch", b"-m", b"main", raw_branch],
        [b"git", b"symbolic-ref", b"HEAD", b"refs/heads/" + raw_branch],
    ):
        subprocess.run(argv, cwd=repo.bare, check=True, capture_output=True)

    with pytest.raises(GitError) as caught:
        await GitClient(allow_file_protocol=True).remote_default_branch(repo.bare.as_uri(), None)

    assert caught.value.kind == "invalid_ref"
    assert "branch name refused" in str(caught.value)
    assert "empty repository" not in str(caught.value)
