import json

from shipway.decisions.security import trivy
from shipway.decisions.security.findings import Severity

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
