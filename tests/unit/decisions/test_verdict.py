from pathlib import Path

import pytest

from shipway.decisions.verdict import Bound, Outcome, Verdict


def verdict(outcome: Outcome = Outcome.PASS, measured: float | None = 92.5) -> Verdict:
    return Verdict("coverage", outcome, 90, Bound.AT_LEAST, "%", measured, Path("r.json"), "d")


def test_summary_carries_gate_outcome_numbers_and_report() -> None:
    assert verdict(Outcome.FAIL, 85.25).summary() == (
        "coverage gate: FAIL — measured 85.25%, required >= 90% (report: r.json); d"
    )


def test_summary_without_measurement_or_report() -> None:
    bare = Verdict("perf", Outcome.NO_DATA, 500, Bound.AT_MOST, " ms", None, None)
    assert bare.summary() == "perf gate: NO DATA — measured —, required <= 500 ms"


@pytest.mark.parametrize(
    ("measured", "shown"), [(89.996, "89.99%"), (0.29, "0.29%"), (100.0, "100%"), (90.5, "90.5%")]
)
def test_numbers_are_truncated_never_rounded_up(measured: float, shown: str) -> None:
    assert verdict(measured=measured).measured_text == shown


@pytest.mark.parametrize(
    ("outcome", "passed"), [(Outcome.PASS, True), (Outcome.FAIL, False), (Outcome.NO_DATA, False)]
)
def test_only_pass_passes(outcome: Outcome, passed: bool) -> None:
    assert verdict(outcome).passed is passed


def test_json_form() -> None:
    assert verdict().to_json() == {
        "gate": "coverage",
        "outcome": "pass",
        "passed": True,
        "threshold": 90,
        "bound": ">=",
        "unit": "%",
        "measured": 92.5,
        "report": "r.json",
        "detail": "d",
    }
