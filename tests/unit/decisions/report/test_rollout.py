"""A rollout's report: the timeline recorded as it runs, the document, its charts, its
decisions and its Markdown, one rule per test."""

from typing import Any

from shipway.config.deploy import Analysis
from shipway.decisions.deploy.analysis import Breach, Measurement, Outcome, source_error
from shipway.decisions.deploy.metrics import WindowMetrics
from shipway.decisions.report.rollout import (
    RolloutReport,
    Timeline,
    charts,
    decisions,
    markdown,
    report_id,
    rollout_report,
)

T0 = 1_800_000_000.0
RULES = Analysis(error_rate=0.05, p95_ms=500, min_requests=20)


def metrics(requests: int, errors: int = 0) -> WindowMetrics:
    return WindowMetrics(requests=requests, errors=errors, latency=(), seconds=10.0)


def healthy(at: float) -> Measurement:
    return Measurement(Outcome.SUCCESSFUL, at, metrics(50), metrics(450))


def failing(at: float) -> Measurement:
    breach = Breach("error_rate", 0.05, 0.2, "%")
    return Measurement(Outcome.FAILED, at, metrics(50, 10), metrics(450), (breach,))


def record(**extra: Any) -> dict[str, Any]:
    return {
        "action": "deploy",
        "environment": "prod",
        "who": "alice@laptop",
        "version": "2.0.0",
        "from_version": "1.0.0",
        "strategy": "canary",
        "started": T0,
        "ended": T0 + 30,
        "outcome": "succeeded",
        "reason": "",
        "report": report_id("deploy", "2.0.0", T0),
        **extra,
    }


def canary_timeline(last: Measurement | None = None) -> Timeline:
    timeline = Timeline()
    timeline.weight(T0, 0, "start")
    timeline.weight(T0 + 5, 10, "step 1/2")
    timeline.measured(T0 + 10, healthy(T0 + 10))
    timeline.weight(T0 + 15, 50, "step 2/2")
    timeline.measured(T0 + 20, last or healthy(T0 + 20))
    return timeline


def report(timeline: Timeline | None = None, **extra: Any) -> RolloutReport:
    return rollout_report(record(**extra), timeline or canary_timeline(), RULES)


# -- the timeline ----------------------------------------------------------------------------


def test_a_repeated_weight_and_stage_is_not_a_change() -> None:
    timeline = Timeline()
    timeline.weight(T0, 10, "step 1/2")
    timeline.weight(T0 + 1, 10, "step 1/2")
    timeline.weight(T0 + 2, 10, "step 2/2")  # the same weight at a new stage is
    assert [(p.at, p.stage) for p in timeline.weights] == [(T0, "step 1/2"), (T0 + 2, "step 2/2")]


def test_a_window_is_recorded_at_the_weight_and_stage_it_was_measured_in() -> None:
    window = canary_timeline().windows[-1]
    assert (window.weight, window.stage, window.outcome) == (50, "step 2/2", Outcome.SUCCESSFUL)
    assert window.new is not None
    assert window.new["requests"] == 50
    assert window.stable is not None
    assert window.stable["requests"] == 450


def test_a_window_the_metrics_source_failed_has_no_metrics_and_says_why() -> None:
    timeline = Timeline()
    timeline.measured(T0, source_error("the router did not answer", T0))
    window = timeline.windows[0]
    assert (window.new, window.outcome) == (None, Outcome.ERROR)
    assert "the router did not answer" in window.note


# -- the document ----------------------------------------------------------------------------


def test_report_ids_sort_by_time_and_are_safe_file_names() -> None:
    earlier = report_id("deploy", "2.0.0", T0)
    later = report_id("rollback", "1.0.0", T0 + 1)
    assert earlier < later
    assert report_id("deploy", "../a b/c", T0).endswith("-deploy-.._a_b_c")
    assert "/" not in report_id("deploy", "../a b/c", T0)


def test_the_report_keeps_the_rules_in_force_when_it_ran() -> None:
    thresholds = report().thresholds
    assert thresholds is not None
    assert (thresholds.error_rate, thresholds.p95_ms, thresholds.min_requests) == (0.05, 500, 20)


def test_a_rollout_without_a_timeline_has_no_weights_windows_or_charts() -> None:
    bare = rollout_report(record(outcome="failed", reason="smoke failed"), None, RULES)
    assert (bare.weights, bare.windows, charts(bare)) == ([], [], [])
    assert bare.reason == "smoke failed"


# -- charts ----------------------------------------------------------------------------------


def test_charts_are_the_weights_then_one_per_metric() -> None:
    ids = [chart.id for chart in charts(report())]
    assert ids == ["weights", "rps", "error-rate", "p95-ms", "p99-ms"]


def test_the_weight_chart_steps_and_holds_the_last_weight_to_the_end() -> None:
    weights = charts(report())[0].config["data"]["datasets"][0]
    assert weights["stepped"] is True
    assert [p["y"] for p in weights["data"]] == [0, 10, 50, 50]
    assert weights["data"][-1]["x"] == 30  # the rollout's end, in seconds since its start


def test_the_error_rate_chart_has_both_releases_and_the_threshold_in_percent() -> None:
    chart = next(c for c in charts(report(canary_timeline(failing(T0 + 20))))
                 if c.id == "error-rate")  # fmt: skip
    labels = [d["label"] for d in chart.config["data"]["datasets"]]
    assert labels == ["new (2.0.0)", "stable (1.0.0)", "threshold 5 %"]
    new, _, threshold = chart.config["data"]["datasets"]
    assert [p["y"] for p in new["data"]] == [0.0, 20.0]
    assert {p["y"] for p in threshold["data"]} == {5.0}
    assert [p["x"] for p in threshold["data"]] == [0, 30]  # drawn across the whole rollout


def test_a_rule_without_a_threshold_draws_no_threshold_line() -> None:
    chart = next(c for c in charts(report()) if c.id == "p99-ms")  # no p99_ms rule
    assert all("threshold" not in d["label"] for d in chart.config["data"]["datasets"])


def test_latency_charts_are_logarithmic_so_a_far_threshold_leaves_the_data_readable() -> None:
    chart = next(c for c in charts(report()) if c.id == "p95-ms")
    assert chart.config["options"]["scales"]["y"]["type"] == "logarithmic"


# -- decisions -------------------------------------------------------------------------------


def test_every_rule_of_every_window_is_a_decision_with_threshold_and_measured_value() -> None:
    rows = decisions(report(canary_timeline(failing(T0 + 20))))
    failed = [r for r in rows if r.where == "step 2/2 at 50%" and r.rule == "error_rate"]
    assert len(failed) == 1
    assert (failed[0].threshold, failed[0].measured) == ("≤ 5.00 %", "20.00 %")
    assert (failed[0].verdict, failed[0].failed) == ("breached", True)
    first = [r.rule for r in rows if r.where == "step 1/2 at 10%"]
    assert first == ["min_requests", "error_rate", "p95", "window verdict"]


def test_a_window_with_too_few_requests_says_so() -> None:
    timeline = Timeline()
    few = Measurement(Outcome.INCONCLUSIVE, T0 + 5, metrics(3), None, (), "inconclusive: 3")
    timeline.measured(T0 + 5, few)
    rows = decisions(report(timeline))
    assert rows[0].rule == "min_requests"
    assert (rows[0].measured, rows[0].verdict) == ("3", "too few requests: inconclusive")


def test_the_breach_that_ended_the_analysis_and_the_outcome_come_last() -> None:
    breach = {"rule": "error_rate", "threshold": 0.05, "measured": 0.2}
    rows = decisions(
        report(outcome="rolled_back", reason="analysis failed at step 2/2", breaches=[breach])
    )
    assert (rows[-2].rule, rows[-2].verdict) == ("error_rate", "breached: rolled back")
    assert rows[-1].verdict == "rolled_back: analysis failed at step 2/2"
    assert rows[-1].failed


def test_a_manual_promotion_is_a_decision_naming_who() -> None:
    promotion = {"stage": "step 1/2", "who": "bob@ci", "at": T0 + 12}
    rows = decisions(report(promotions=[promotion]))
    promoted = [r for r in rows if r.rule == "manual promotion"]
    assert [(r.at, r.verdict) for r in promoted] == [(12, "promoted by bob@ci")]


def test_a_metrics_source_error_is_a_failed_decision_with_its_note() -> None:
    timeline = Timeline()
    timeline.measured(T0, source_error("no sample", T0))
    row = decisions(report(timeline))[0]
    assert (row.rule, row.failed) == ("metrics source", True)
    assert "no sample" in row.verdict


# -- markdown --------------------------------------------------------------------------------


def test_markdown_leads_with_the_outcome_and_its_reason() -> None:
    text = markdown(report(outcome="rolled_back", reason="error_rate 20% > 5%"))
    assert text.startswith("### ❌ deploy 1.0.0 → 2.0.0 in prod: rolled\\_back")
    assert "error\\_rate 20% \\> 5%" in text
    assert "5xx ≤ 5 %, p95 ≤ 500 ms" in text


def test_markdown_keeps_text_from_a_deploy_from_breaking_its_table() -> None:
    text = markdown(report(reason="a | b\nc"))
    outcome_row = text.strip().splitlines()[-1]
    assert "a \\| b c" in outcome_row
    assert outcome_row.count(" | ") == 5  # the row's own six cells, no more


def test_the_steps_run_are_kept_with_their_times_and_the_failed_one_is_marked() -> None:
    timeline = Timeline()
    timeline.step("install", T0, T0 + 8, ok=True)
    timeline.step("start", T0 + 8, T0 + 11, ok=False)
    text = markdown(report(timeline, outcome="failed", reason="not ready"))
    assert "- **steps:** install 8.0s, start 3.0s ❌" in text
