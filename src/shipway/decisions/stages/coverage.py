"""Coverage: which data files to combine, what coverage.py's JSON report says, and the gate."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from shipway.decisions.verdict import Bound, Outcome, Verdict

GATE = "coverage"


# The test sessions whose data the gate combines: the unit tests on each Python, then the
# integration tests (the session names the noxfile gives them, e.g. "tests-3.12").
UNIT_SESSION = "tests"
INTEGRATION_SESSION = "integration"


def measured_sessions(pythons: Sequence[str]) -> list[str]:
    return [*(f"{UNIT_SESSION}-{python}" for python in pythons), INTEGRATION_SESSION]


@dataclass(frozen=True)
class CombinePlan:
    sessions: list[str]  # test sessions whose data will be combined
    missing: list[str]  # expected test sessions that left no data


def plan_combine(expected: Sequence[str], with_data: Collection[str]) -> CombinePlan:
    return CombinePlan(
        sessions=[s for s in expected if s in with_data],
        missing=[s for s in expected if s not in with_data],
    )


class CoverageTotals(BaseModel):
    """The ``totals`` object of ``coverage json``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    num_statements: int
    covered_lines: int
    percent_covered: float
    num_branches: int = 0
    covered_branches: int = 0


def parse_totals(report_json: str) -> CoverageTotals | None:
    """Totals from a coverage.py JSON report; None when the report is absent or unreadable."""
    try:
        return _Report.model_validate_json(report_json).totals
    except ValidationError:
        return None


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore")
    totals: CoverageTotals


def coverage_gate(
    totals: CoverageTotals | None,
    threshold: float,
    report: Path,
    plan: CombinePlan | None = None,
) -> Verdict:
    """Pass when total coverage reaches ``threshold`` percent. No data is a failure."""
    missing = f"no data from {', '.join(plan.missing)}" if plan and plan.missing else ""

    def verdict(outcome: Outcome, measured: float | None, detail: str) -> Verdict:
        detail = "; ".join(part for part in (detail, missing) if part)
        return Verdict(GATE, outcome, threshold, Bound.AT_LEAST, "%", measured, report, detail)

    if totals is None or totals.num_statements == 0:
        return verdict(Outcome.NO_DATA, None, "no coverage data: the tests measured nothing")
    measured = totals.percent_covered
    lines = f"{totals.covered_lines}/{totals.num_statements} lines"
    if totals.num_branches:
        lines += f", {totals.covered_branches}/{totals.num_branches} branches"
    if plan:
        lines += f", from {', '.join(plan.sessions)}"
    return verdict(Outcome.PASS if measured >= threshold else Outcome.FAIL, measured, lines)
