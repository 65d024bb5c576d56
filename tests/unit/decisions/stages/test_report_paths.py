from pathlib import Path

from tests.unit.decisions.stages.paths import REPORTS


def test_report_paths() -> None:
    assert REPORTS.verdict("coverage") == Path("/p/reports/verdicts/coverage.json")
    assert REPORTS.coverage_combined == Path("/p/reports/coverage/combined.coverage")
