import json
from collections.abc import Mapping

from shipway.decisions.security.findings import Severity
from shipway.decisions.security.pip_audit import parse_pip_audit


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
