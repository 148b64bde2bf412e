"""The git binary, driven safely: no hooks, no submodules, no LFS, no credentials in argv.

Nothing is ever checked out. The worker fetches one commit into a bare repository and reads
blobs with `git cat-file --batch`, so symlinks, path traversal and `.gitattributes` filters in
a hostile repository never touch the worker's filesystem. A token reaches git only through
`GIT_CONFIG_*` environment variables as an `http.extraHeader`, never in a URL or `.git/config`.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.refs import GitNameError, check_branch_name, check_object_id

BLOB_MODES = {"100644", "100755"}  # symlinks (120000) and submodules (160000) are never read


class GitError(RuntimeError):
    """A git command failed; `kind` says whether retrying can help."""

    def __init__(self, message: str, kind: str = "transient") -> None:
        super().__init__(message)
        # "not_found" | "auth" | "invalid_ref" | "branch_gone" | "transient"
        self.kind = kind


@dataclass(frozen=True)
class TreeEntry:
    path: str
    blob_sha: str
    size: int


# Messages git prints for failures no retry can fix, by kind.
_PERMANENT = (
    (
        "auth",
        re.compile(
            r"Authentication failed|could not read (Username|Password)|HTTP 40[13]|"
            r"returned error: 40[13]|terminal prompts disabled",
            re.I,
        ),
    ),
    (
        "not_found",
        re.compile(
            r"not found|does not appear to be a git repository|"
            r"returned error: 404|HTTP 404|does not exist|No such file",
            re.I,
        ),
    ),
    ("branch_gone", re.compile(r"couldn't find remote ref", re.I)),
    ("invalid_ref", re.compile(r"not our ref|invalid refspec", re.I)),
)


def _auth_header(token: str) -> str:
    # Basic with the x-access-token user works for GitHub App tokens and GitLab tokens alike.
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return f"Authorization: Basic {basic}"


class GitClient:
    """Runs git with a locked-down environment; `token` values are scrubbed from all errors."""

    def __init__(self, *, allow_file_protocol: bool = False, timeout: float = 600.0) -> None:
        self._allow_file = allow_file_protocol
        self._timeout = timeout

    def _env(self, token: str | None) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": "/nonexistent",
            "LANG": "C",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "/bin/false",
            "SSH_ASKPASS": "/bin/false",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_LFS_SKIP_SMUDGE": "1",
            "GIT_ALLOW_PROTOCOL": "http:https" + (":file" if self._allow_file else ""),
        }
        config = [
            ("core.hooksPath", "/dev/null"),
            ("core.fsmonitor", "false"),
            ("protocol.ext.allow", "never"),
            ("fetch.recurseSubmodules", "false"),
            ("credential.helper", ""),
            # Kept repositories are reused a bounded number of times, never collected: no gc
            # or maintenance may start in the middle of a fetch.
            ("gc.auto", "0"),
            ("maintenance.auto", "false"),
        ]
        if token:
            config.append(("http.extraHeader", _auth_header(token)))
        env["GIT_CONFIG_COUNT"] = str(len(config))
        for index, (key, value) in enumerate(config):
            env[f"GIT_CONFIG_KEY_{index}"] = key
            env[f"GIT_CONFIG_VALUE_{index}"] = value
        return env

    async def _run(
        self, args: Sequence[str], *, cwd: Path | None = None, token: str | None = None
    ) -> bytes:
        proc = await asyncio.create_subprocess_exec(
            "git",
            *args,
            cwd=cwd,
            env=self._env(token),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), self._timeout)
        except (TimeoutError, asyncio.CancelledError):
            proc.kill()
            await proc.wait()
            raise
        if proc.returncode != 0:
            message = _scrub(err.decode(errors="replace").strip(), token)
            raise GitError(f"git {args[0]} failed: {message[-2000:]}", _classify(message))
        return out

    async def remote_head(self, url: str, branch: str, token: str | None) -> str:
        """The commit `refs/heads/<branch>` points at on the remote, without fetching it."""
        check_branch_name(branch)
        ref = f"refs/heads/{branch}"
        out = await self._run(["ls-remote", "--heads", "--", url, ref], token=token)
        for sha, name in _ls_remote_lines(out):
            if name == ref.encode():
                return check_object_id(sha.decode("ascii", "replace"))
        raise GitError(f"branch {branch!r} does not exist on the remote", "branch_gone")

    async def remote_default_branch(self, url: str, token: str | None) -> str:
        """The branch the remote's HEAD points at (its default branch)."""
        out = await self._run(["ls-remote", "--symref", "--", url, "HEAD"], token=token)
        for target, name in _ls_remote_lines(out):
            if name == b"HEAD" and target.startswith(b"ref: refs/heads/"):
                raw = target.removeprefix(b"ref: refs/heads/")
                try:
                    # Undecodable bytes become surrogates, which the check refuses as not UTF-8.
                    return check_branch_name(raw.decode(errors="surrogateescape"))
                except GitNameError as exc:
                    # Setup treats invalid_ref as permanent: no retry renames the branch.
                    raise GitError(
                        f"the remote's default branch {raw!r}: {exc}", "invalid_ref"
                    ) from None
        raise GitError("the remote has no default branch (empty repository?)", "invalid_ref")

    async def fetch_branch(self, url: str, branch: str, dest: Path, token: str | None) -> str:
        """Fetch the branch head (depth 1) into the bare repository at `dest`, created when
        missing; return its sha. An earlier fetch there means only new objects travel."""
        check_branch_name(branch)
        if not (dest / "HEAD").is_file():
            dest.mkdir(parents=True, exist_ok=False)  # noqa: ASYNC240 - one local mkdir
            await self._run(["init", "--quiet", "--bare", str(dest)])
        local = "refs/repograph/head"
        await self._run(
            [
                "fetch",
                "--quiet",
                "--depth=1",
                "--no-tags",
                "--no-recurse-submodules",
                "--no-write-fetch-head",
                "--",
                url,
                f"+refs/heads/{branch}:{local}",
            ],
            cwd=dest,
            token=token,
        )
        out = await self._run(["rev-parse", "--verify", f"{local}^{{commit}}"], cwd=dest)
        return check_object_id(out.decode().strip())

    async def list_blobs(self, repo: Path, commit: str) -> list[TreeEntry]:
        """Every regular file in the commit with its blob id and size, sorted by path."""
        check_object_id(commit)
        out = await self._run(["ls-tree", "-r", "-z", "--long", "--full-tree", commit], cwd=repo)
        entries = []
        for record in out.split(b"\0"):
            if not record:
                continue
            meta, _, raw_path = record.partition(b"\t")
            mode, kind, sha, size = meta.split()
            if kind != b"blob" or mode.decode() not in BLOB_MODES:
                continue
            path = raw_path.decode("utf-8", errors="surrogateescape")
            entries.append(TreeEntry(path, sha.decode(), int(size)))
        entries.sort(key=lambda entry: entry.path)
        return entries

    async def read_blobs(
        self, repo: Path, shas: Sequence[str]
    ) -> AsyncGenerator[tuple[str, bytes], None]:
        """Stream (sha, content) for each blob through one `git cat-file --batch` process.
        Close it (`contextlib.aclosing`) when stopping early: that ends the process."""
        proc = await asyncio.create_subprocess_exec(
            "git",
            "cat-file",
            "--batch",
            cwd=repo,
            env=self._env(None),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            limit=2**20,
        )
        assert proc.stdin is not None  # noqa: S101 - pipes were requested
        assert proc.stdout is not None  # noqa: S101 - same
        writer = asyncio.create_task(_feed(proc.stdin, shas))
        try:
            for _ in shas:
                header = (await proc.stdout.readline()).decode().split()
                if len(header) != 3:
                    raise GitError(f"cat-file could not read object {header[:1]}")
                sha, _, size = header
                content = await proc.stdout.readexactly(int(size))
                await proc.stdout.readexactly(1)  # the newline after each object
                yield sha, content
            await writer
        finally:
            writer.cancel()
            if proc.returncode is None:
                proc.kill()
            await proc.wait()


async def _feed(stdin: asyncio.StreamWriter, shas: Sequence[str]) -> None:
    for sha in shas:
        stdin.write(f"{sha}\n".encode())
        await stdin.drain()
    stdin.close()


def _ls_remote_lines(out: bytes) -> list[tuple[bytes, bytes]]:
    """The (object id or `ref: <target>`, ref name) records of `git ls-remote` output.

    Split on newlines only and kept as bytes: ref names may hold U+2028, U+0085 and other
    characters that str.splitlines() also breaks on, and git does not promise UTF-8.
    """
    records = []
    for line in out.split(b"\n"):
        if line:
            left, _, ref = line.partition(b"\t")
            records.append((left, ref))
    return records


def _classify(message: str) -> str:
    return next((kind for kind, pattern in _PERMANENT if pattern.search(message)), "transient")


def _scrub(text: str, token: str | None) -> str:
    if token:
        text = text.replace(token, "***")
        text = text.replace(base64.b64encode(f"x-access-token:{token}".encode()).decode(), "***")
    # Userinfo in any URL git echoes back.
    return re.sub(r"(https?://)[^/@\s]+@", r"\1***@", text)
