import json
from pathlib import Path

import pytest

from shipway.decisions.dast.findings import parse_schemathesis, parse_wapiti
from shipway.decisions.security.findings import Severity

FIXTURES = Path(__file__).parents[3] / "fixtures" / "dast"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_a_server_error_is_high_and_conformance_findings_are_medium_each_at_its_endpoint() -> None:
    scanned = parse_schemathesis(fixture("schemathesis-vulnerable.json"))
    by_rule = {f.rule: f for f in scanned.findings}
    assert by_rule["ST101"].severity is Severity.HIGH
    assert by_rule["ST101"].path == "POST /api/items"
    assert by_rule["ST101"].title == "Server error"
    assert by_rule["ST103"].severity is Severity.MEDIUM
    assert scanned.covered == 1


def test_injections_are_critical_xss_high_and_missing_headers_low_once_each() -> None:
    scanned = parse_wapiti(fixture("wapiti-vulnerable.json"))
    found = {(f.rule, f.path, f.severity) for f in scanned.findings}
    assert ("SQL Injection", "GET /search", Severity.CRITICAL) in found
    assert ("Reflected Cross Site Scripting", "GET /hello", Severity.HIGH) in found
    assert ("Clickjacking Protection", "GET /", Severity.LOW) in found
    assert len(scanned.findings) == len(set(scanned.findings))
    assert scanned.covered == 6


def test_a_finding_never_carries_the_request_its_scanner_quotes() -> None:
    scanned = parse_wapiti(fixture("wapiti-reference.json"))
    assert scanned.findings
    assert all("authorization" not in repr(f).lower() for f in scanned.findings)


def test_an_unknown_wapiti_category_goes_by_its_level() -> None:
    raw = {"vulnerabilities": {"New Thing": [{"method": "POST", "path": "/x", "level": 3}]}}
    (finding,) = parse_wapiti(json.dumps(raw)).findings
    assert (finding.severity, finding.path) == (Severity.HIGH, "POST /x")


def test_a_report_that_is_not_one_is_an_error() -> None:
    with pytest.raises(ValueError, match="schemathesis"):
        parse_schemathesis("[]")
    with pytest.raises(ValueError, match="wapiti"):
        parse_wapiti('{"infos": {}}')
