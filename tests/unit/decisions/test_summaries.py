"""Markdown for CI step summaries: every verdict with its numbers."""

import datetime
from pathlib import Path

from shipway.config.security import Security
from shipway.decisions.security.findings import Finding, Severity, ToolReport
from shipway.decisions.security.gate import security_gate
from shipway.decisions.stages.coverage import CombinePlan, CoverageTotals, coverage_gate
from shipway.decisions.summaries import security_markdown, verdicts_markdown

TODAY = datetime.date(2026, 11, 22)


def test_coverage_verdict_shows_measured_threshold_report_and_detail() -> None:
    totals = CoverageTotals(num_statements=200, covered_lines=150, percent_covered=75.0)
    plan = CombinePlan(sessions=["tests-3.12"], missing=["integration"])
    verdict = coverage_gate(totals, 90, Path("reports/coverage.json"), plan)
    text = verdicts_markdown([verdict])
    assert "| coverage | ❌ FAIL | 75% | >= 90% | reports/coverage.json |" in text
    assert "- coverage: 150/200 lines, from tests-3.12; no data from integration" in text
    assert text.endswith("\n\n")  # the next section starts on its own paragraph


def test_security_verdict_counts_per_tool_and_says_why_it_failed() -> None:
    high = Finding("bandit", "B105", Severity.HIGH, "hardcoded password", "src/a.py", 3)
    reports = [
        ToolReport("bandit", (high,)),
        ToolReport("pip-audit", unaudited=16, unavailable="advisory source unreachable"),
    ]
    verdict = security_gate(reports, Security.model_validate({}), TODAY)
    text = security_markdown(verdict)
    assert text.startswith("### security: ❌ FAIL (fail on high)")
    assert "| bandit | ran | 0 | 1 | 0 | 0 | 0 |  |" in text
    assert "| pip-audit | could not audit | 0 | 0 | 0 | 0 | 0 | 16 |" in text
    assert "- ❌ pip-audit could not audit 16 package(s): advisory source unreachable" in text
