"""The analysis semantics written down in decisions/deploy/analysis.py, one rule at a time."""

import pytest

from shipway.config.deploy import Analysis
from shipway.decisions.deploy.analysis import (
    AnalysisRun,
    Outcome,
    StepDecision,
    failure,
    measure,
    pause_exceeded,
    rules_summary,
    source_error,
    step_decision,
)
from shipway.decisions.deploy.metrics import WindowMetrics

pytestmark = pytest.mark.unit

RULES = Analysis(error_rate=0.05, p95_ms=2000, window=10, interval=2, min_requests=20)


def metrics(requests: int, errors: int = 0, slow: int = 0) -> WindowMetrics:
    """``slow`` of the requests took up to 5 s, the others up to 10 ms."""
    latency = ((10.0, requests - slow), (2000.0, requests - slow), (5000.0, requests))
    return WindowMetrics(requests=requests, errors=errors, latency=latency, seconds=10)


def test_a_healthy_window_is_successful() -> None:
    assert measure(RULES, metrics(100, errors=5), metrics(900), at=1).outcome is Outcome.SUCCESSFUL


def test_an_error_rate_above_the_threshold_fails_naming_rule_threshold_and_value() -> None:
    result = measure(RULES, metrics(100, errors=20), metrics(900), at=1)
    assert result.outcome is Outcome.FAILED
    assert [b.record() for b in result.breaches] == [
        {"rule": "error_rate", "threshold": 0.05, "measured": 0.2}
    ]
    assert result.describe() == "error_rate 20.0% > 5% threshold"


def test_p95_above_the_threshold_fails() -> None:
    result = measure(RULES, metrics(100, slow=50), metrics(900), at=1)
    assert result.outcome is Outcome.FAILED
    assert result.breaches[0].rule == "p95"
    assert result.breaches[0].measured > 2000
    assert "p95" in result.describe()
    assert "> 2000ms threshold" in result.describe()


def test_p99_is_a_rule_only_when_configured() -> None:
    few_slow = metrics(100, slow=3)  # p95 fine, p99 slow
    assert measure(RULES, few_slow, None, at=1).outcome is Outcome.SUCCESSFUL
    strict = RULES.model_copy(update={"p99_ms": 1000})
    assert measure(strict, few_slow, None, at=1).breaches[0].rule == "p99"


def test_too_few_requests_are_inconclusive_never_successful() -> None:
    result = measure(RULES, metrics(19), metrics(900), at=1)
    assert result.outcome is Outcome.INCONCLUSIVE
    assert "19 requests" in result.note
    assert "fewer than 20" in result.note


def test_too_few_requests_still_fail_when_the_errors_alone_breach_a_full_window() -> None:
    # 2 errors in 10 requests: even 10 more successes would leave 2/20 = 10 % > 5 %.
    result = measure(RULES, metrics(10, errors=2), None, at=1)
    assert result.outcome is Outcome.FAILED
    assert result.breaches[0].measured == pytest.approx(0.1)
    # 1 error in 10: the full window could still be 1/20 = 5 %, within the rule.
    assert measure(RULES, metrics(10, errors=1), None, at=1).outcome is Outcome.INCONCLUSIVE


def test_a_breach_the_stable_release_shares_is_inconclusive() -> None:
    # A slow dependency slows both: not the new release's fault, and not a pass either.
    result = measure(RULES, metrics(100, slow=50), metrics(900, slow=400), at=1)
    assert result.outcome is Outcome.INCONCLUSIVE
    assert "stable release breaches p95 too" in result.note


def test_a_breach_of_its_own_fails_even_when_the_stable_release_shares_another() -> None:
    result = measure(RULES, metrics(100, errors=30, slow=50), metrics(900, slow=400), at=1)
    assert result.outcome is Outcome.FAILED
    assert [b.rule for b in result.breaches] == ["error_rate"]


def test_comparison_needs_enough_stable_traffic_and_can_be_switched_off() -> None:
    canary, stable = metrics(100, slow=50), metrics(10, slow=10)
    assert measure(RULES, canary, stable, at=1).outcome is Outcome.FAILED  # stable too small
    absolute = RULES.model_copy(update={"compare_to_stable": False})
    assert measure(absolute, canary, metrics(900, slow=400), at=1).outcome is Outcome.FAILED


def run_of(*outcomes: Outcome) -> AnalysisRun:
    run = AnalysisRun()
    for i, outcome in enumerate(outcomes):
        if outcome is Outcome.ERROR:
            run = run.record(source_error("connection refused", at=i))
        elif outcome is Outcome.FAILED:
            run = run.record(measure(RULES, metrics(100, errors=50), None, at=i))
        elif outcome is Outcome.INCONCLUSIVE:
            run = run.record(measure(RULES, metrics(1), None, at=i))
        else:
            run = run.record(measure(RULES, metrics(100), None, at=i))
    return run


def test_failure_limit_counts_failed_measurements() -> None:
    assert failure(run_of(Outcome.SUCCESSFUL), RULES) is None
    failed = failure(run_of(Outcome.FAILED), RULES)
    assert failed is not None
    assert "error_rate 50.0% > 5% threshold" in failed.reason
    assert "limit 0" in failed.reason
    assert failed.breaches[0].record()["measured"] == 0.5
    tolerant = RULES.model_copy(update={"failure_limit": 1})
    assert failure(run_of(Outcome.FAILED, Outcome.SUCCESSFUL), tolerant) is None
    assert failure(run_of(Outcome.FAILED, Outcome.SUCCESSFUL, Outcome.FAILED), tolerant)


def test_metric_source_errors_are_counted_and_only_consecutive_ones_fail() -> None:
    four = run_of(*[Outcome.ERROR] * 4)
    assert failure(four, RULES) is None
    assert four.counts()["errors"] == 4  # counted, shown, never silently ignored
    five = four.record(source_error("connection refused", at=9))
    result = failure(five, RULES)
    assert result is not None
    assert "metrics source failed 5 times in a row (limit 4)" in result.reason
    assert "connection refused" in result.reason
    interrupted = run_of(*[Outcome.ERROR] * 4, Outcome.SUCCESSFUL, *[Outcome.ERROR] * 4)
    assert failure(interrupted, RULES) is None
    assert interrupted.counts()["errors"] == 8


def test_inconclusive_pauses_by_default_and_fails_when_configured() -> None:
    run = run_of(Outcome.INCONCLUSIVE)
    assert failure(run, RULES) is None
    strict = RULES.model_copy(update={"inconclusive": "fail"})
    result = failure(run, strict)
    assert result is not None
    assert "inconclusive = 'fail'" in result.reason


def test_consecutive_failed_health_checks_fail_and_a_success_resets_them() -> None:
    run = AnalysisRun()
    for ok in (False, False, True, False, False):
        run = run.record_health(ok)
    assert failure(run, RULES) is None
    assert run.counts()["health_failed"] == 4
    run = run.record_health(False)
    result = failure(run, RULES)
    assert result is not None
    assert result.reason == "3 health checks failed in a row (limit 3)"


def test_a_step_advances_only_after_its_pause_on_a_successful_measurement_of_its_own() -> None:
    step_started, pause = 100.0, 10.0
    successful_before = run_of(Outcome.SUCCESSFUL)  # measured at 0, before the step
    assert step_decision(successful_before, step_started, pause, now=105)[0] is StepDecision.WAIT
    decision, status = step_decision(successful_before, step_started, pause, now=111)
    assert decision is StepDecision.HOLD
    assert "waiting for a measurement" in status
    run = AnalysisRun().record(measure(RULES, metrics(100), None, at=108))
    assert step_decision(run, step_started, pause, now=111)[0] is StepDecision.ADVANCE


@pytest.mark.parametrize("outcome", [Outcome.INCONCLUSIVE, Outcome.ERROR])
def test_an_inconclusive_or_error_measurement_holds_the_step(outcome: Outcome) -> None:
    run = AnalysisRun().record(
        measure(RULES, metrics(3), None, at=108)
        if outcome is Outcome.INCONCLUSIVE
        else source_error("timeout", at=108)
    )
    decision, status = step_decision(run, 100, 10, now=111)
    assert decision is StepDecision.HOLD
    assert status.startswith("paused: ")


def test_a_hold_fails_after_max_pause() -> None:
    rules = RULES.model_copy(update={"max_pause": 60})
    assert pause_exceeded(None, 1000, rules) is None
    assert pause_exceeded(100, 150, rules) is None
    result = pause_exceeded(100, 161, rules)
    assert result is not None
    assert "max_pause 60s" in result.reason


# -- a manual pause: held until a person decides, still analysed ---------------------------


def test_a_manual_pause_waits_for_promotion_however_long_and_whatever_it_measured() -> None:
    for run in (AnalysisRun(), run_of(Outcome.SUCCESSFUL), run_of(Outcome.INCONCLUSIVE)):
        for now in (100.0, 1e9):
            assert step_decision(run, 100, "manual", now) == (
                StepDecision.WAIT_FOR_PROMOTION,
                "waiting for promotion",
            )


def test_at_a_manual_pause_too_little_data_is_no_failure_even_with_inconclusive_fail() -> None:
    strict = RULES.model_copy(update={"inconclusive": "fail"})
    run = run_of(Outcome.INCONCLUSIVE)
    assert failure(run, strict) is not None  # an automatic step fails on it
    assert failure(run, strict, manual=True) is None


def test_at_a_manual_pause_failed_measurements_health_checks_and_errors_still_fail() -> None:
    assert failure(run_of(Outcome.FAILED), RULES, manual=True) is not None
    assert failure(run_of(*[Outcome.ERROR] * 5), RULES, manual=True) is not None
    unhealthy = AnalysisRun()
    for _ in range(3):
        unhealthy = unhealthy.record_health(False)
    assert failure(unhealthy, RULES, manual=True) is not None


def test_the_rules_in_one_line_for_the_dry_run() -> None:
    assert rules_summary(Analysis(p99_ms=3000)) == (
        "5xx ≤ 5 %, p95 ≤ 2000 ms, p99 ≤ 3000 ms, 3 failed health checks in a row, "
        "window 60s every 10s"
    )
