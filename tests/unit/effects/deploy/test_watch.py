"""What the release manager sees while a release is analysed."""

import time

import pytest
from rich.console import Console

from shipway.decisions.deploy.state import Rollout
from shipway.effects.deploy.watch import render

pytestmark = pytest.mark.unit


def test_the_live_table_shows_stage_weight_time_left_and_metrics_per_release() -> None:
    rollout = Rollout(
        operation="x",
        version="2.0.0",
        strategy="canary",
        stage="step 2/3",
        weight=25,
        max_weight=25,
        ends_at=time.time() + 17.4,
        status="analysing",
        canary={"requests": 120, "rps": 30.0, "error_rate": 0.0083, "p95_ms": 4.2, "p99_ms": 9.1},
        stable={"requests": 400, "rps": 100.0, "error_rate": 0.0, "p95_ms": None, "p99_ms": None},
        measurements={"successful": 5, "failed": 0, "inconclusive": 1, "errors": 0},
    )
    console = Console(width=100, record=True)
    console.print(render(rollout))
    lines = [line.split() for line in console.export_text().splitlines()]
    assert " ".join(lines[0]).startswith("canary 2.0.0 — step 2/3: 25% of traffic, 1")
    assert lines[0][-1] == "analysing"
    assert lines[2] == ["new", "120", "30.0", "0.8%", "4", "ms", "9", "ms"]
    assert lines[3] == ["stable", "400", "100.0", "0.0%", "-", "-"]
    assert lines[4][:3] == ["measurements:", "successful", "5,"]
