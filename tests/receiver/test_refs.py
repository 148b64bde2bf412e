"""Untrusted git names: branch refs against the real `git check-ref-format`, and clone URLs."""

from __future__ import annotations

import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.refs import (
    GitNameError,
    branch_from_ref,
    check_branch_name,
    check_clone_url,
    check_object_id,
    is_valid_branch_name,
    is_zero_object_id,
)


def git_accepts_branch(name: str) -> bool:
    result = subprocess.run(
        ["git", "check-ref-format", "--branch", name], capture_output=True, check=False
    )
    return result.returncode == 0


@pytest.mark.parametrize(
    "name",
    [
        "main",
        "feature/graph-export",
        "release/2026.05",
        "fix_#12",
        "dependabot/pip/x-1.2.3",
        "ünïcode-branch",
        "a" * 255,
    ],
    ids=["main", "nested", "dots", "hash", "dependabot", "unicode", "max-length"],
)
def test_ordinary_branch_names_are_accepted_by_us_and_git(name: str) -> None:
    """Everyday branch names pass our check and git's."""
    assert check_branch_name(name) == name
    assert git_accepts_branch(name)


@pytest.mark.parametrize(
    "name",
    [
        "",
        "-rf",
        "a..b",
        "x.lock",
        "a/.b",
        "a b",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[",
        "a\\b",
        "a@{u}",
        "@",
        "/a",
        "a/",
        "a//b",
        "a.",
        "tab\there",
        "del\x7f",
        "HEAD",
        "\u200bzero-width",
        "line\u2028separator",
        "paragraph\u2029separator",
        "a" * 256,
    ],
    ids=[
        "empty",
        "leading-dash",
        "double-dot",
        "lock",
        "dot-component",
        "space",
        "tilde",
        "caret",
        "colon",
        "question",
        "star",
        "bracket",
        "backslash",
        "reflog",
        "at",
        "leading-slash",
        "trailing-slash",
        "double-slash",
        "trailing-dot",
        "tab",
        "del",
        "head",
        "zero-width-space",
        "line-separator",
        "paragraph-separator",
        "too-long",
    ],
)
def test_dangerous_branch_names_are_refused(name: str) -> None:
    """Names git refuses, and names that could inject options or hide characters, are refused."""
    with pytest.raises(GitNameError):
        check_branch_name(name)


@settings(max_examples=300)
@given(name=st.text(min_size=1, max_size=40))
def test_every_name_we_accept_git_accepts(name: str) -> None:
    """Our check is never more lenient than `git check-ref-format --branch`."""
    if is_valid_branch_name(name) and "\x00" not in name:
        assert git_accepts_branch(name)


@given(name=st.from_regex(r"[A-Za-z0-9._/-]{1,30}", fullmatch=True))
def test_ascii_names_git_accepts_we_accept_too(name: str) -> None:
    """For plain ASCII names we refuse nothing git accepts, apart from a leading '-'."""
    if git_accepts_branch(name) and not name.startswith("-"):
        assert is_valid_branch_name(name)


def test_every_ascii_control_character_in_a_branch_name_is_refused() -> None:
    """Each of the 33 ASCII control characters, anywhere in a name, makes it invalid."""
    controls = [chr(code) for code in (*range(0x20), 0x7F)]
    assert not [char for char in controls if is_valid_branch_name(f"a{char}b")]


@pytest.mark.parametrize(
    ("ref", "branch"),
    [
        ("refs/heads/main", "main"),
        ("refs/heads/a/b", "a/b"),
        ("refs/tags/v1", None),
        ("refs/remotes/origin/main", None),
        ("main", None),
    ],
    ids=["branch", "nested-branch", "tag", "remote", "short-name"],
)
def test_branch_from_ref_extracts_only_branches(ref: str, branch: str | None) -> None:
    """Only refs/heads/* yields a branch; tags, remotes and short names yield None."""
    assert branch_from_ref(ref) == branch


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("9f4a1c2e7b3d5a6f8e0c1b2a3d4e5f6a7b8c9d0e", True),
        ("0" * 64, True),
        ("9f4a1c2", False),
        ("9F4A1C2E7B3D5A6F8E0C1B2A3D4E5F6A7B8C9D0E", False),
        ("g" * 40, False),
        ("0" * 41, False),
    ],
    ids=["sha1", "sha256", "abbreviated", "uppercase", "not-hex", "odd-length"],
)
def test_object_ids_must_be_full_lowercase_hex(value: str, valid: bool) -> None:
    """Only a full SHA-1 or SHA-256 id in lowercase hex is an object id."""
    if valid:
        assert check_object_id(value) == value
    else:
        with pytest.raises(GitNameError):
            check_object_id(value)


def test_zero_object_ids_mean_deletion() -> None:
    """The all-zeros id of either length marks a deleted ref; nothing else does."""
    assert is_zero_object_id("0" * 40)
    assert is_zero_object_id("0" * 64)
    assert not is_zero_object_id("0" * 39 + "1")


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/w.git",
        "http://127.0.0.1:8080/acme/w.git",
        "https://gitlab.example.com/a/b/c.git",
    ],
    ids=["github", "local-http", "gitlab-subgroup"],
)
def test_http_clone_urls_are_accepted(url: str) -> None:
    """Plain http(s) clone URLs pass unchanged."""
    assert check_clone_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "ext::sh -c touch% /tmp/pwned",
        "ssh://git@github.com/a/b.git",
        "git@github.com:a/b.git",
        "https://user:token@github.com/a/b.git",
        "https://github.com/a b.git",
        "https:///a/b.git",
        "https://github.com:99999/a.git",
        "https://[::1/a.git",
        "file:///srv/repo.git",
        "https://github.com/a\n/b.git",
        "-uhttps://github.com/a.git",
        "/srv/git/widgets",
    ],
    ids=[
        "ext-transport",
        "ssh",
        "scp-like",
        "credentials",
        "space",
        "no-host",
        "bad-port",
        "bad-ipv6",
        "file-not-allowed",
        "newline",
        "leading-dash",
        "bare-path-not-allowed",
    ],
)
def test_dangerous_clone_urls_are_refused(url: str) -> None:
    """Transports that run commands, credentials in URLs and malformed URLs are refused."""
    with pytest.raises(GitNameError):
        check_clone_url(url)


@pytest.mark.parametrize(
    ("url", "valid"),
    [
        ("file:///srv/git/widgets", True),
        ("file://localhost/srv/git/w", True),
        ("/srv/git/widgets", True),
        ("relative/path", False),
        ("file://otherhost/srv/w", False),
        ("file:relative/path", False),
    ],
    ids=["absolute", "localhost", "bare-path", "bare-relative", "remote-host", "relative"],
)
def test_file_urls_need_allow_local_and_an_absolute_local_path(url: str, valid: bool) -> None:
    """With allow_local, only absolute paths on this machine are accepted as file URLs."""
    if valid:
        assert check_clone_url(url, allow_local=True) == url
    else:
        with pytest.raises(GitNameError):
            check_clone_url(url, allow_local=True)


def test_every_ascii_control_character_or_space_in_a_clone_url_is_refused() -> None:
    """Each ASCII control character and whitespace character, anywhere in a URL, is refused."""
    hidden = [chr(code) for code in (*range(0x21), 0x7F)]
    accepted = []
    for char in hidden:
        try:
            check_clone_url(f"https://github.com/o/r{char}x.git")
        except GitNameError:
            continue
        accepted.append(char)
    assert accepted == []
