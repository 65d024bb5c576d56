"""The stage's own reports from its verdict: SARIF 2.1.0 (one run per scanner), JUnit XML
(one test case per scanner and finding), and the step summary in Markdown."""

from xml.etree import ElementTree as ET  # nosec B405 - writes XML, parses none

from shipway.decisions.security.findings import SEVERITIES, Finding, Severity
from shipway.decisions.security.gate import SecurityVerdict

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.UNKNOWN: "error",
}
TOOL_URIS = {
    "schemathesis": "https://schemathesis.readthedocs.io/",
    "wapiti": "https://wapiti-scanner.github.io/",
}


def sarif(verdict: SecurityVerdict, host: str) -> dict[str, object]:
    """Every active finding, located at the endpoint it was found on (a URI under ``host``)."""
    runs = []
    for report in verdict.reports:
        findings = [f for f in verdict.active if f.tool == report.tool]
        rules = sorted({f.rule for f in findings})
        runs.append(
            {
                "tool": {
                    "driver": {
                        "name": report.tool,
                        "informationUri": TOOL_URIS.get(report.tool, ""),
                        "rules": [{"id": rule, "name": rule} for rule in rules],
                    }
                },
                "results": [_result(f, host) for f in findings],
                "invocations": [
                    {
                        "executionSuccessful": not report.error,
                        **(
                            {"toolExecutionNotifications": [_note(report.error)]}
                            if report.error
                            else {}
                        ),
                    }
                ],
            }
        )
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}


def _note(text: str) -> dict[str, object]:
    return {"level": "error", "message": {"text": text}}


def _result(finding: Finding, host: str) -> dict[str, object]:
    method, _, endpoint = (finding.path or "").partition(" ")
    uri = host + (endpoint or method or "/")
    return {
        "ruleId": finding.rule,
        "level": _SARIF_LEVEL[finding.severity],
        "message": {"text": f"{finding.title} ({finding.severity}) at {finding.path or host}"},
        "properties": {"severity": finding.severity.value, "endpoint": finding.path},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}],
    }


def junit(verdict: SecurityVerdict) -> str:
    """A test suite per scanner: a failing case per blocking finding (or the scanner's error),
    a passing case per finding below the gate, and one for the scan itself."""
    suites = ET.Element("testsuites", name="dast")
    for report in verdict.reports:
        findings = [f for f in verdict.active if f.tool == report.tool]
        suite = ET.SubElement(suites, "testsuite", name=report.tool)
        scan = ET.SubElement(suite, "testcase", classname=f"dast.{report.tool}", name="scan")
        if report.error:
            ET.SubElement(scan, "failure", message=report.error)
        failures = int(bool(report.error))
        for finding in findings:
            case = ET.SubElement(
                suite, "testcase", classname=f"dast.{report.tool}", name=_case_name(finding)
            )
            if finding.severity.blocks_at(verdict.fail_on):
                failures += 1
                ET.SubElement(case, "failure", message=finding.describe())
        suite.set("tests", str(len(findings) + 1))
        suite.set("failures", str(failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, "unicode") + "\n"


def _case_name(finding: Finding) -> str:
    return f"{finding.rule} {finding.path or ''} [{finding.severity}]".replace("  ", " ")


def markdown(verdict: SecurityVerdict, host: str, profile: str, covered: dict[str, str]) -> str:
    """The step summary: the scanners, what they covered, findings by severity, and each
    active finding with its endpoint."""
    names = [s.value for s in SEVERITIES]
    outcome = "✅ PASS" if verdict.passed else "❌ FAIL"
    lines = [
        f"### dast: {outcome} (fail on {verdict.fail_on}; {host}, profile {profile})",
        "",
        "| scanner | status | covered | " + " | ".join(names) + " |",
        "|---" * (len(names) + 3) + "|",
    ]
    for report in verdict.reports:
        counts = verdict.counts([f for f in verdict.active if f.tool == report.tool])
        cells = [report.tool, report.status, covered.get(report.tool, "")]
        lines.append("| " + " | ".join([*cells, *(str(counts[n]) for n in names)]) + " |")
    ranked = sorted(verdict.active, key=lambda f: -f.severity.rank)
    if ranked:
        lines += ["", "| severity | id | endpoint | scanner | title |", "|---|---|---|---|---|"]
        lines += [
            f"| {f.severity} | {f.rule} | `{f.path or ''}` | {f.tool} | {_cell(f.title)} |"
            for f in ranked
        ]
    lines += [""] + [f"- ❌ {reason}" for reason in verdict.reasons]
    lines += [f"- ⚠️ {warning}" for warning in verdict.warnings]
    return "\n".join(lines) + "\n\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
