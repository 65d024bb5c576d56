import datetime
import json
from xml.etree import ElementTree as ET

from shipway.config.security import AllowedFinding, Security
from shipway.decisions.dast.reports import junit, markdown, sarif
from shipway.decisions.security.findings import Finding, Severity, ToolReport
from shipway.decisions.security.gate import SecurityVerdict, security_gate

TODAY = datetime.date(2026, 11, 23)
SQL = Finding("wapiti", "SQL Injection", Severity.CRITICAL, "SQL Injection (parameter q)", "GET /s")
HEADER = Finding("wapiti", "MIME Type Confusion", Severity.LOW, "MIME Type Confusion", "GET /")
SERVER = Finding("schemathesis", "ST101", Severity.HIGH, "Server error", "POST /api/items")


def verdict(*reports: ToolReport, allow: list[AllowedFinding] | None = None) -> SecurityVerdict:
    return security_gate(reports, Security(fail_on="high", allow=allow or []), TODAY)


def test_sarif_has_a_run_per_scanner_and_a_result_per_finding_at_its_endpoint() -> None:
    document = sarif(
        verdict(ToolReport("wapiti", (SQL, HEADER)), ToolReport("schemathesis", (SERVER,))),
        "http://h",
    )
    runs = {run["tool"]["driver"]["name"]: run for run in document["runs"]}  # type: ignore[attr-defined]
    (first, second) = runs["wapiti"]["results"]
    assert first["ruleId"] == "SQL Injection"
    assert first["level"] == "error"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "http://h/s"
    assert second["level"] == "note"
    json.dumps(document)


def test_junit_fails_blocking_findings_and_a_scanner_that_did_not_run() -> None:
    text = junit(
        verdict(ToolReport("wapiti", (SQL, HEADER)), ToolReport("schemathesis", error="down"))
    )
    document = ET.fromstring(text.split("\n", 1)[1])  # noqa: S314 - our own XML
    suites = {s.get("name"): s for s in document}
    assert suites["wapiti"].get("failures") == "1"
    assert suites["wapiti"].get("tests") == "3"
    assert suites["schemathesis"].get("failures") == "1"


def test_markdown_lists_each_finding_with_endpoint_and_severity() -> None:
    allow = [AllowedFinding(id="ST999", reason="r", expires=TODAY)]
    text = markdown(
        verdict(ToolReport("wapiti", (SQL,)), allow=allow),
        "http://h",
        "quick",
        {"wapiti": "3 page(s)"},
    )
    assert "❌ FAIL" in text
    assert "| critical | SQL Injection | `GET /s` | wapiti |" in text
    assert "| wapiti | ran | 3 page(s) |" in text
    assert "stale allowlist entry ST999" in text
