"""What `make run` prints about where everything is."""

from __future__ import annotations

import pytest

from app.settings import Settings
from stack.supervisor import _banner


def test_banner_shows_metrics_on_metrics_port_when_set(capsys: pytest.CaptureFixture[str]) -> None:
    """With METRICS_PORT set the web port answers 404 for /metrics; the banner says where."""
    _banner(Settings(port=8100, metrics_port=9091), [])
    health = next(line for line in capsys.readouterr().out.splitlines() if "health" in line)
    assert "metrics http://127.0.0.1:9091/metrics" in health


def test_banner_shows_metrics_on_the_web_port_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without METRICS_PORT, /metrics is served beside the webhooks."""
    _banner(Settings(port=8100), [])
    assert "metrics http://127.0.0.1:8100/metrics" in capsys.readouterr().out
