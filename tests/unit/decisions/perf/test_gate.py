"""The SLO gate over Locust's stats."""

import dataclasses
from pathlib import Path

import pytest

from shipway.config.perf import PerfGates
from shipway.decisions.perf.gate import PerfVerdict, slo_checks
from shipway.decisions.perf.stats import FailureStats
from shipway.decisions.verdict import Outcome
from tests.unit.decisions.perf.locust_csv import NOTHING, stats

REPORT = Path("reports/perf/summary.json")


def test_within_every_slo_passes_with_its_numbers() -> None:
    checks = slo_checks(stats(), PerfGates(error_rate=0.01, min_rps=10), REPORT)
    assert [c.gate for c in checks] == ["perf.p95_ms", "perf.error_rate", "perf.min_rps"]
    assert all(c.passed for c in checks)
    p95, errors, rps = checks
    assert p95.summary() == (
        "perf.p95_ms gate: PASS — measured 8 ms, required <= 500 ms "
        "(report: reports/perf/summary.json); p99 19 ms, median 3 ms, 624 requests"
    )
    assert errors.measured == pytest.approx(100 * 5 / 624)
    assert "5 of 624 requests failed (threshold 0.01)" in errors.detail
    assert rps.measured == pytest.approx(33.02)


def test_slow_p95_fails_naming_metric_threshold_and_measured_value() -> None:
    checks = slo_checks(stats(), PerfGates(p95_ms=5), REPORT)
    verdict = PerfVerdict(tuple(checks))
    assert not verdict.passed
    [reason] = verdict.reasons
    assert reason.startswith("perf.p95_ms gate: FAIL — measured 8 ms, required <= 5 ms")


def test_error_rate_over_the_threshold_fails() -> None:
    verdict = PerfVerdict(tuple(slo_checks(stats(), PerfGates(error_rate=0.005), REPORT)))
    [reason] = verdict.reasons
    assert reason.startswith("perf.error_rate gate: FAIL — measured 0.8%, required <= 0.5%")
    assert "error_rate 0.0080: 5 of 624 requests failed" in reason


def test_too_few_requests_per_second_fails() -> None:
    [reason] = PerfVerdict(tuple(slo_checks(stats(), PerfGates(min_rps=50), REPORT))).reasons
    assert reason.startswith("perf.min_rps gate: FAIL — measured 33.02 req/s, required >= 50")


@pytest.mark.parametrize("measured", [None, "empty"])
def test_nothing_measured_never_passes(measured: str | None) -> None:
    parsed = stats(NOTHING) if measured else None
    checks = slo_checks(parsed, PerfGates(), REPORT)
    assert [c.outcome for c in checks] == [Outcome.NO_DATA] * 3
    assert not PerfVerdict(tuple(checks)).passed


def test_a_failed_run_fails_even_with_passing_numbers() -> None:
    checks = tuple(slo_checks(stats(), PerfGates(), REPORT))
    assert PerfVerdict(checks).passed
    failed = PerfVerdict(checks, errors=("Locust exited with status 2",))
    assert not failed.passed
    assert failed.reasons == ["Locust exited with status 2"]
    assert not PerfVerdict(()).passed  # no check at all is no pass


def test_a_failing_error_rate_names_the_most_frequent_failures() -> None:
    failures = tuple(
        FailureStats("GET", f"/{n}", "answered 500, expected 200-299", n) for n in (5, 4, 3, 2)
    )
    measured = dataclasses.replace(stats(), failures=failures)
    verdict = PerfVerdict(tuple(slo_checks(measured, PerfGates(error_rate=0.005), REPORT)))
    [reason] = verdict.reasons
    assert reason.endswith(
        "(threshold 0.005); failed: GET /5: answered 500, expected 200-299 (5 times); "
        "GET /4: answered 500, expected 200-299 (4 times); "
        "GET /3: answered 500, expected 200-299 (3 times); 1 more in locust_failures.csv"
    )
