"""Argument types for the command line: each turns text into a checked value or a usage error."""

from __future__ import annotations

import argparse
import re
from datetime import timedelta

from app.refs import GitNameError, check_branch_name
from app.repo_ids import RepoIdError, check_repo_id

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> timedelta:
    """`90s`, `30m`, `72h`, `3d` or combinations such as `1h30m`; raises ValueError otherwise."""
    compact = text.strip().lower()
    parts = _DURATION_PART.findall(compact)
    if not compact or "".join(number + unit for number, unit in parts) != compact:
        raise ValueError(f"{text!r} is not a duration such as 90s, 30m, 72h or 3d")
    seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    if seconds <= 0:
        raise ValueError(f"{text!r} is not a positive duration")
    return timedelta(seconds=seconds)


def duration(text: str) -> timedelta:
    """argparse type for `parse_duration`."""
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def seconds(text: str) -> float:
    """argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def repo_id(text: str) -> str:
    """argparse type: a repository id such as `github-1296269` or `local-3f2a...`."""
    try:
        return check_repo_id(text)
    except RepoIdError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def branch(text: str) -> str:
    """argparse type: a branch name git would accept (without `refs/heads/`)."""
    try:
        return check_branch_name(text.removeprefix("refs/heads/"))
    except GitNameError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
