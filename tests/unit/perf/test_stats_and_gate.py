"""Locust's stats CSV read as it is, and the SLO gate over it."""

from pathlib import Path

import pytest

from shipway.config.model import PerfGates
from shipway.decisions.perf.gate import PerfVerdict, slo_checks
from shipway.decisions.perf.stats import LocustStats, parse_stats_csv
from shipway.decisions.verdict import Outcome
from shipway.errors import ShipwayError

# The header and rows exactly as Locust 2.47 writes them (values of a real run).
HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
STATS = f"""{HEADER}
POST,/api/chat,455,5,3,3.95,1.60,28.55,164.8,24.08,0.26,3,4,4,4,6,8,14,20,29,29,29
GET,/health,169,0,3,3.27,1.40,39.90,15.0,8.94,0.0,3,3,3,3,4,7,11,13,40,40,40
,Aggregated,624,5,3,3.77,1.40,39.90,124.2,33.02,0.26,3,3,4,4,6,8,13,19,40,40,40
"""
NOTHING = f"""{HEADER}
,Aggregated,0,0,0,0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
"""
REPORT = Path("reports/perf/summary.json")


def stats(text: str = STATS) -> LocustStats:
    return parse_stats_csv(text)


def test_rows_and_the_aggregated_total_are_read_as_locust_wrote_them() -> None:
    parsed = stats()
    chat, health = parsed.endpoints
    assert (chat.method, chat.name, chat.requests, chat.failures) == ("POST", "/api/chat", 455, 5)
    assert (chat.p50_ms, chat.p95_ms, chat.p99_ms) == (3, 8, 20)
    assert health.name == "/health"
    total = parsed.total
    assert (total.requests, total.failures, total.p95_ms, total.p99_ms) == (624, 5, 8, 19)
    assert total.rps == pytest.approx(33.02)
    assert total.error_rate == pytest.approx(5 / 624)


def test_a_run_without_requests_has_no_percentiles() -> None:
    total = stats(NOTHING).total
    assert (total.requests, total.p95_ms, total.error_rate) == (0, None, 0.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "lacks the columns Type, Name, Request Count"),
        (HEADER.replace(",95%", ",95th") + "\n", "lacks the columns 95%"),
        (f"{HEADER}\nGET,/health,1,0,3,3,1,3,1,1,0,3,3,3,3,3,3,3,3,3,3,3\n", "no Aggregated row"),
        (STATS.replace(",624,", ",many,"), "unreadable row"),
    ],
)
def test_a_csv_that_is_not_locusts_is_an_error(text: str, message: str) -> None:
    with pytest.raises(ShipwayError, match=message):
        parse_stats_csv(text)


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
