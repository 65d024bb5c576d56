import json
from pathlib import Path

from shipway.decisions.stages.coverage import (
    CombinePlan,
    CoverageTotals,
    coverage_gate,
    measured_sessions,
    parse_totals,
    plan_combine,
)
from shipway.decisions.verdict import Outcome

REPORT = Path("reports/coverage.json")


def totals(covered: int, statements: int, branches: int = 0) -> CoverageTotals:
    percent = 100.0 * covered / statements if statements else 100.0
    return CoverageTotals(
        num_statements=statements,
        covered_lines=covered,
        percent_covered=percent,
        num_branches=branches,
        covered_branches=branches // 2,
    )


def test_at_threshold_passes() -> None:
    verdict = coverage_gate(totals(90, 100), 90, REPORT)
    assert verdict.outcome is Outcome.PASS
    assert verdict.measured == 90.0
    assert verdict.report == REPORT
    assert verdict.detail == "90/100 lines"


def test_below_threshold_fails_with_numbers() -> None:
    verdict = coverage_gate(totals(899, 1000, branches=10), 90, REPORT)
    assert verdict.outcome is Outcome.FAIL
    assert verdict.summary() == (
        "coverage gate: FAIL — measured 89.9%, required >= 90% "
        "(report: reports/coverage.json); 899/1000 lines, 5/10 branches"
    )


def test_no_report_is_no_data_not_a_pass() -> None:
    verdict = coverage_gate(None, 0, REPORT)
    assert verdict.outcome is Outcome.NO_DATA
    assert not verdict.passed
    assert "measured nothing" in verdict.detail


def test_nothing_measured_is_no_data_even_at_a_zero_threshold() -> None:
    verdict = coverage_gate(totals(0, 0), 0, REPORT)
    assert verdict.outcome is Outcome.NO_DATA
    assert verdict.measured is None


def test_plan_names_the_test_sessions_and_the_missing_ones() -> None:
    plan = CombinePlan(sessions=["tests-3.11", "integration"], missing=["tests-3.13"])
    verdict = coverage_gate(totals(95, 100), 90, REPORT, plan)
    assert verdict.passed
    assert verdict.detail == ("95/100 lines, from tests-3.11, integration; no data from tests-3.13")


def test_missing_sessions_are_named_when_there_is_no_data_at_all() -> None:
    plan = plan_combine(measured_sessions(["3.11", "3.12"]), set())
    verdict = coverage_gate(None, 90, REPORT, plan)
    assert verdict.outcome is Outcome.NO_DATA
    assert verdict.detail.endswith("no data from tests-3.11, tests-3.12, integration")


def test_the_gate_expects_unit_data_per_python_and_the_integration_data() -> None:
    assert measured_sessions(["3.12", "3.13"]) == ["tests-3.12", "tests-3.13", "integration"]


def test_plan_combine_keeps_the_expected_order() -> None:
    expected = measured_sessions(["3.11", "3.12", "3.13"])
    assert plan_combine(expected, {"integration", "tests-3.13", "tests-3.11"}) == CombinePlan(
        sessions=["tests-3.11", "tests-3.13", "integration"], missing=["tests-3.12"]
    )


def test_parse_totals_reads_coverage_json() -> None:
    report = {
        "meta": {"version": "7.17.3"},
        "files": {},
        "totals": {
            "covered_lines": 8,
            "num_statements": 10,
            "percent_covered": 80.0,
            "percent_covered_display": "80",
            "missing_lines": 2,
            "excluded_lines": 0,
            "num_branches": 4,
            "covered_branches": 3,
        },
    }
    parsed = parse_totals(json.dumps(report))
    assert parsed == CoverageTotals(
        num_statements=10, covered_lines=8, percent_covered=80.0, num_branches=4, covered_branches=3
    )


def test_parse_totals_of_garbage_is_none() -> None:
    assert parse_totals("not json") is None
    assert parse_totals('{"files": {}}') is None
