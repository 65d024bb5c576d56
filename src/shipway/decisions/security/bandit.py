"""bandit's JSON report as findings. Its issue texts can quote secrets, so only ids are kept."""

import json

from shipway.decisions.security.findings import Finding, Severity, ToolReport

TOOL = "bandit"
EXIT_CLEAN, EXIT_FOUND = 0, 1


def parse_bandit(returncode: int, report_json: str, stderr: str) -> ToolReport:
    try:
        report = json.loads(report_json)
        results = report["results"]
    except (ValueError, KeyError, TypeError):
        return ToolReport(TOOL, error=_failure(returncode, stderr))
    if returncode not in (EXIT_CLEAN, EXIT_FOUND):
        return ToolReport(TOOL, error=_failure(returncode, stderr))
    errors = [f"{e.get('filename')}: {e.get('reason')}" for e in report.get("errors", [])]
    if errors:
        return ToolReport(TOOL, error=f"could not scan {len(errors)} file(s): {'; '.join(errors)}")
    findings = tuple(
        Finding(
            TOOL,
            rule=result["test_id"],
            severity=Severity.parse(result["issue_severity"]),
            title=result["test_name"].replace("_", " "),
            path=_relative(result["filename"]),
            line=result["line_number"],
        )
        for result in results
    )
    return ToolReport(TOOL, findings)


def _relative(filename: str) -> str:
    return filename.removeprefix("./")


def _failure(returncode: int, stderr: str) -> str:
    last = stderr.strip().splitlines()[-1:] or ["no output"]
    return f"exit status {returncode}: {last[0]}"
