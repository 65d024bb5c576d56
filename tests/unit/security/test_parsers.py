import hashlib
import json
from collections.abc import Mapping

import pytest

from shipway.decisions.security import osv, secrets, trivy
from shipway.decisions.security.bandit import parse_bandit
from shipway.decisions.security.findings import Finding, Severity
from shipway.decisions.security.pip_audit import parse_pip_audit

BANDIT = {
    "errors": [],
    "results": [
        {
            "code": "2 password = 'hunter22'\n",
            "filename": "./src/app.py",
            "issue_severity": "LOW",
            "issue_text": "Possible hardcoded password: 'hunter22'",
            "line_number": 2,
            "test_id": "B105",
            "test_name": "hardcoded_password_string",
        }
    ],
}


def test_bandit_findings_keep_ids_not_quoted_text() -> None:
    report = parse_bandit(1, json.dumps(BANDIT), "")
    [f] = report.findings
    assert (f.rule, f.severity, f.path, f.line) == ("B105", Severity.LOW, "src/app.py", 2)
    assert f.title == "hardcoded password string"
    assert "hunter22" not in json.dumps(f.to_json())


def test_bandit_failures() -> None:
    assert (
        parse_bandit(2, "", "Traceback\nValueError: bad").error == "exit status 2: ValueError: bad"
    )
    broken = {"errors": [{"filename": "x.py", "reason": "syntax error"}], "results": []}
    assert (
        parse_bandit(0, json.dumps(broken), "").error
        == "could not scan 1 file(s): x.py: syntax error"
    )
    assert parse_bandit(3, json.dumps(BANDIT), "odd").error == "exit status 3: odd"


TRIVY = {
    "Results": [
        {
            "Target": "Dockerfile",
            "Misconfigurations": [
                {
                    "ID": "DS-0002",
                    "AVDID": "AVD-DS-0002",
                    "Namespace": "builtin.dockerfile.DS002",
                    "Title": "Image user should not be 'root'",
                    "Severity": "HIGH",
                    "Status": "FAIL",
                    "CauseMetadata": {"StartLine": 0},
                },
                {"ID": "DS-0001", "Title": "ok", "Severity": "LOW", "Status": "PASS"},
            ],
        },
        {
            "Target": "settings.py",
            "Secrets": [
                {
                    "RuleID": "aws-access-key-id",
                    "Severity": "CRITICAL",
                    "Title": "AWS Access Key ID",
                    "StartLine": 1,
                    "Match": 'KEY = "****"',
                }
            ],
        },
        {
            "Target": "uv.lock",
            "Vulnerabilities": [
                {
                    "VulnerabilityID": "CVE-1",
                    "PkgName": "requests",
                    "InstalledVersion": "2.19.0",
                    "Severity": "MEDIUM",
                    "Title": "leak",
                    "VendorIDs": ["GHSA-1"],
                }
            ],
        },
    ]
}


def test_trivy_findings_of_every_scanner() -> None:
    report = trivy.parse_trivy(0, json.dumps(TRIVY), "")
    assert [(f.rule, f.severity, f.path, f.line) for f in report.findings] == [
        ("DS-0002", Severity.HIGH, "Dockerfile", None),
        ("aws-access-key-id", Severity.CRITICAL, "settings.py", 1),
        ("CVE-1", Severity.MEDIUM, "uv.lock", None),
    ]
    assert report.findings[0].aliases == ("DS002", "AVD-DS-0002")
    assert report.findings[2].aliases == ("GHSA-1",)
    assert report.findings[2].title == "requests 2.19.0: leak"


def test_trivy_failure_names_the_fatal_line() -> None:
    stderr = "INFO x\nERROR Falling back to embedded checks\nFATAL Fatal error: no such dir\nINFO y"
    assert trivy.parse_trivy(1, "", stderr).error == "exit status 1: FATAL Fatal error: no such dir"
    assert trivy.parse_trivy(0, "", "").error == "exit status 0: no output"


def test_trivy_secret_locations_and_values_behind_masks() -> None:
    assert trivy.secret_locations(json.dumps(TRIVY)) == [("settings.py", 1, 'KEY = "****"')]
    assert trivy.unmasked_values('KEY = "****"', 'KEY = "abcd"') == ["abcd"]
    assert trivy.unmasked_values('A="***" B="**"', 'A="xyz" B="qq"') == ["xyz", "qq"]
    assert trivy.unmasked_values('KEY = "****"', "a different line") == []


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def scan(*items: tuple[str, str, int]) -> str:
    results: dict[str, list[dict[str, object]]] = {}
    for kind, value, line in items:
        results.setdefault("app.py", []).append(
            {"type": kind, "filename": "app.py", "hashed_secret": sha1(value), "line_number": line}
        )
    return json.dumps({"results": results})


def test_detect_secrets_reports_what_the_baseline_does_not_hold() -> None:
    scanned = scan(("AWS Access Key", "AKIA1", 1), ("Secret Keyword", "s3cr3t-value", 2))
    baseline = scan(("Secret Keyword", "s3cr3t-value", 2))
    report = secrets.parse_detect_secrets(0, scanned, baseline, "")
    [f] = report.findings
    assert (f.rule, f.severity, f.location) == ("aws-access-key", Severity.CRITICAL, "app.py:1")
    assert len(secrets.parse_detect_secrets(0, scanned, None, "").findings) == 2
    assert secrets.parse_detect_secrets(2, "", None, "usage: x").error == "exit status 2: usage: x"


def test_secret_values_are_recovered_from_their_hash() -> None:
    line = 'aws_secret_access_key = "s3cr3t/Value+xyz"'
    assert secrets.recover_secret(line, sha1("s3cr3t/Value+xyz")) == "s3cr3t/Value+xyz"
    assert secrets.recover_secret(line, sha1("absent")) is None
    flagged = scan(("AWS Access Key", "AKIA1", 7), ("Basic Auth Credentials", "password", 8))
    assert secrets.flagged_lines(flagged, None) == [
        ("app.py", 7, sha1("AKIA1")),
        ("app.py", 8, sha1("password")),
    ]
    audited = json.loads(scan(("Basic Auth Credentials", "password", 8)))
    audited["results"]["app.py"][0]["is_secret"] = False
    assert secrets.flagged_lines(flagged, json.dumps(audited)) == [("app.py", 7, sha1("AKIA1"))]


def audit_json(*deps: Mapping[str, object]) -> str:
    return json.dumps({"dependencies": list(deps), "fixes": []})


def test_pip_audit_vulnerable_clean_and_partly_unaudited() -> None:
    vulnerable = audit_json(
        {
            "name": "requests",
            "version": "2.19.0",
            "vulns": [
                {"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"], "aliases": ["CVE-2018-18074"]}
            ],
        },
        {"name": "idna", "version": "2.7", "vulns": []},
        {"name": "chardet", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    )
    report = parse_pip_audit(1, vulnerable, "", packages=3, source="osv")
    [f] = report.findings
    assert (f.rule, f.aliases, f.severity) == (
        "PYSEC-2018-28",
        ("CVE-2018-18074",),
        Severity.UNKNOWN,
    )
    assert f.title == "requests 2.19.0: fixed in 2.20.0"
    assert report.unaudited == 1
    assert (
        report.unavailable
        == "advisory source OSV (https://api.osv.dev/v1/query) answered nothing for them"
    )
    clean = parse_pip_audit(
        0, audit_json({"name": "idna", "version": "2.7", "vulns": []}), "", 1, "pypi"
    )
    assert (clean.findings, clean.unaudited, clean.unavailable, clean.error) == ((), 0, "", "")


def test_pip_audit_everything_skipped_is_not_clean() -> None:
    skipped = audit_json(*({"name": n, "skip_reason": "not found"} for n in ("a", "b")))
    report = parse_pip_audit(0, skipped, "No known vulnerabilities found", 2, "pypi")
    assert report.status == "could not audit"
    assert report.unaudited == 2
    assert "PyPI (https://pypi.org/pypi)" in report.unavailable


def test_pip_audit_crash_on_an_unreachable_source_counts_every_package() -> None:
    stderr = "Traceback ...\nrequests.exceptions.ConnectionError: Max retries exceeded (Connection refused)"
    report = parse_pip_audit(1, None, stderr, packages=16, source="http://127.0.0.1:9/v1/query")
    assert (report.unaudited, report.unavailable) == (
        16,
        "advisory source http://127.0.0.1:9/v1/query unreachable",
    )


def test_pip_audit_other_crash_is_an_error() -> None:
    report = parse_pip_audit(1, None, "Traceback\nKeyError: 'x'", 3, "osv")
    assert report.error == "exit status 1: KeyError: 'x'"


@pytest.mark.parametrize(
    ("record", "severity"),
    [
        ({"database_specific": {"severity": "HIGH"}}, Severity.HIGH),
        ({"database_specific": {"severity": "MODERATE"}}, Severity.MEDIUM),
        ({"affected": [{"ecosystem_specific": {"severity": "LOW"}}]}, Severity.LOW),
        ({"aliases": ["CVE-1"]}, Severity.UNKNOWN),
    ],
)
def test_osv_severity(record: dict[str, object], severity: Severity) -> None:
    assert osv.severity_of(record) is severity


def test_osv_enrichment_takes_the_first_known_severity() -> None:
    f = Finding("pip-audit", "PYSEC-1", Severity.UNKNOWN, "t", aliases=("GHSA-1",))
    enriched = osv.with_severity(
        f, [{"id": "PYSEC-1"}, {"database_specific": {"severity": "HIGH"}}]
    )
    assert enriched.severity is Severity.HIGH
    assert osv.with_severity(f, [{}]).severity is Severity.UNKNOWN


def test_osv_query_base() -> None:
    assert osv.query_base("osv") == "https://api.osv.dev"
    assert osv.query_base("pypi") is None
    assert osv.query_base("http://127.0.0.1:8/v1/query") == "http://127.0.0.1:8"
