"""Coverage: which data files to combine, what coverage.py's JSON report says, and the gate."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from shipway.decisions.verdict import Bound, Outcome, Verdict

GATE = "coverage"


@dataclass(frozen=True)
class CombinePlan:
    pythons: list[str]  # interpreters whose data will be combined
    missing: list[str]  # configured interpreters that left no data


def plan_combine(configured: Sequence[str], with_data: Collection[str]) -> CombinePlan:
    return CombinePlan(
        pythons=[p for p in configured if p in with_data],
        missing=[p for p in configured if p not in with_data],
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
    missing = f"no data from Python {', '.join(plan.missing)}" if plan and plan.missing else ""

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
        lines += f", Python {', '.join(plan.pythons)}"
    return verdict(Outcome.PASS if measured >= threshold else Outcome.FAIL, measured, lines)
