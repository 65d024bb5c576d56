import hashlib
import json

from shipway.decisions.security import secrets
from shipway.decisions.security.findings import Severity


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
