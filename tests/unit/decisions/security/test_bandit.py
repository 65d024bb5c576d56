import json

from shipway.decisions.security.bandit import parse_bandit
from shipway.decisions.security.findings import Severity

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
