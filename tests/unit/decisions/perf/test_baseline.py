"""The baseline comparison and the baseline file."""

import json
import re
from pathlib import Path

import pytest

from shipway.config.perf import PerfGates
from shipway.decisions.perf.baseline import (
    BaselineEntry,
    baseline_document,
    parse_baseline,
    regression_checks,
)
from shipway.decisions.perf.stats import EndpointStats
from shipway.errors import ShipwayError
from tests.unit.decisions.perf.totals import total

SOURCE = Path("benchmarks/perf-baseline.json")


BASE = BaselineEntry(p95_ms=100, rps=50, error_rate=0, users=20, duration_s=20)


def compare(
    now: EndpointStats, entry: BaselineEntry | None = BASE, users: int = 20, **gates: float
) -> tuple[list[str], list[str]]:
    checks, notes = regression_checks(now, users, "load", entry, PerfGates(**gates), SOURCE)
    return [c.summary() for c in checks if not c.passed], notes


def test_same_numbers_pass_and_say_what_they_were_compared_with() -> None:
    checks, notes = regression_checks(total(), 20, "load", BASE, PerfGates(), SOURCE)
    assert [c.gate for c in checks] == ["perf.max_regression.p95_ms", "perf.max_regression.rps"]
    assert all(c.passed for c in checks)
    assert notes == ["compared with the load baseline of unknown date"]


def test_p95_up_by_more_than_max_regression_fails() -> None:
    failed, _ = compare(total(p95=125))
    assert failed == [
        "perf.max_regression.p95_ms gate: FAIL — measured 125 ms, required <= 120 ms "
        "(report: benchmarks/perf-baseline.json); baseline p95 100 ms, now +25%; "
        "allowed +20% or +5 ms"
    ]
    assert compare(total(p95=119))[0] == []
    assert compare(total(p95=125), max_regression=0.3)[0] == []


def test_small_absolute_p95_changes_are_noise() -> None:
    fast = BaselineEntry(p95_ms=4, rps=50, error_rate=0, users=20, duration_s=20)
    assert compare(total(p95=8), fast)[0] == []  # +100 %, but only +4 ms
    [failed] = compare(total(p95=10), fast)[0]
    assert "required <= 9 ms" in failed


def test_request_rate_down_by_more_than_max_regression_fails() -> None:
    [failed] = compare(total(rps=39))[0]
    assert failed.startswith("perf.max_regression.rps gate: FAIL — measured 39 req/s")
    assert "baseline 50.0 req/s, now -22%; allowed -20%" in failed


def test_no_baseline_or_another_load_is_a_note_not_a_failure() -> None:
    checks, notes = regression_checks(total(p95=900), 20, "load", None, PerfGates(), SOURCE)
    assert checks == []
    assert notes == [
        "no baseline for profile load in benchmarks/perf-baseline.json: not compared; "
        "`nox -s perf -- --update-baseline` stores one"
    ]
    checks, [note] = regression_checks(total(p95=900), 50, "load", BASE, PerfGates(), SOURCE)
    assert checks == []
    assert note.startswith("the baseline for load ran 20 users, this run 50: not compared")


def test_baseline_file_round_trips_by_profile() -> None:
    text = json.dumps(baseline_document({"stress": BASE, "load": BASE}))
    assert json.loads(text)["schema"] == 1
    assert list(json.loads(text)["profiles"]) == ["load", "stress"]
    assert parse_baseline(text, SOURCE) == {"load": BASE, "stress": BASE}


@pytest.mark.parametrize(
    "text",
    ["not json", "[]", '{"schema": 2, "profiles": {}}', '{"schema": 1, "profiles": {"load": {}}}'],
)
def test_an_unreadable_baseline_names_the_file_and_the_fix(text: str) -> None:
    with pytest.raises(ShipwayError, match=re.escape(f"{SOURCE} is not a shipway perf")):
        parse_baseline(text, SOURCE)
