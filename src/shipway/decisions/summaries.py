"""Markdown verdicts for CI step summaries (``$GITHUB_STEP_SUMMARY``): always with numbers."""

from collections.abc import Sequence

from shipway.decisions.security.findings import SEVERITIES
from shipway.decisions.security.gate import SecurityVerdict
from shipway.decisions.verdict import Verdict


def verdicts_markdown(verdicts: Sequence[Verdict]) -> str:
    """A table of gates: verdict, measured value, threshold, report."""
    lines = ["| gate | verdict | measured | required | report |", "|---|---|---|---|---|"]
    for v in verdicts:
        icon = "✅" if v.passed else "❌"
        report = str(v.report or "")
        lines.append(
            f"| {v.gate} | {icon} {v.outcome.upper()} | {v.measured_text} | {v.required} "
            f"| {report} |"
        )
    details = [f"- {v.gate}: {v.detail}" for v in verdicts if v.detail]
    return "\n".join([*lines, *(["", *details] if details else [])]) + "\n\n"


def security_markdown(verdict: SecurityVerdict) -> str:
    """Findings per tool and severity, unaudited packages, and why the gate failed."""
    names = [s.value for s in SEVERITIES]
    lines = [
        f"### security: {'✅ PASS' if verdict.passed else '❌ FAIL'} (fail on {verdict.fail_on})",
        "",
        "| tool | status | " + " | ".join(names) + " | unaudited |",
        "|---" * (len(names) + 3) + "|",
    ]
    for report in verdict.reports:
        counts = verdict.counts([f for f in verdict.active if f.tool == report.tool])
        unaudited = str(report.unaudited) if report.unavailable else ""
        cells = [report.tool, report.status, *(str(counts[n]) for n in names), unaudited]
        lines.append("| " + " | ".join(cells) + " |")
    lines += [""] + [f"- ❌ {reason}" for reason in verdict.reasons]
    lines += [f"- ⚠️ {warning}" for warning in verdict.warnings]
    return "\n".join(lines) + "\n\n"
