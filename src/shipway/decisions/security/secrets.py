"""detect-secrets, as in the pre-commit hook: secrets not accepted in the baseline are findings.

detect-secrets reports a SHA-1 of each secret, never the secret. To mask a secret wherever
another tool might print it, its value is recovered from the flagged line: the substring
whose SHA-1 matches.
"""

import hashlib
import json
from typing import Any

from shipway.decisions.security.findings import Finding, Severity, ToolReport

TOOL = "detect-secrets"
MIN_SECRET, MAX_SECRET = 4, 256


def parse_detect_secrets(
    returncode: int, scanned_json: str, baseline_json: str | None, stderr: str
) -> ToolReport:
    """Findings: secrets in ``scanned_json`` that the ``baseline_json`` did not already hold."""
    try:
        scanned = _results(json.loads(scanned_json))
        accepted = _results(json.loads(baseline_json)) if baseline_json else []
    except (ValueError, KeyError, TypeError, AttributeError):
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        return ToolReport(TOOL, error=f"exit status {returncode}: {last}")
    known = {(item["filename"], item["hashed_secret"]) for item in accepted}
    findings = tuple(
        Finding(
            TOOL,
            rule=_rule(item["type"]),
            severity=Severity.CRITICAL,
            title=item["type"],
            path=item["filename"],
            line=item.get("line_number"),
        )
        for item in scanned
        if (item["filename"], item["hashed_secret"]) not in known
    )
    return ToolReport(TOOL, findings)


def flagged_lines(scanned_json: str, baseline_json: str | None) -> list[tuple[str, int, str]]:
    """(file, line, SHA-1) of every reported secret but those audited as false positives.

    Unaudited baseline entries are still masked: accepting a finding is not proof it is
    harmless, but an audit (``is_secret: false``) is.
    """
    audited = _results(json.loads(baseline_json)) if baseline_json else []
    harmless = {(i["filename"], i["hashed_secret"]) for i in audited if i.get("is_secret") is False}
    return [
        (item["filename"], item["line_number"], item["hashed_secret"])
        for item in _results(json.loads(scanned_json))
        if item.get("line_number") and (item["filename"], item["hashed_secret"]) not in harmless
    ]


def recover_secret(line: str, hashed_secret: str) -> str | None:
    """The substring of ``line`` whose SHA-1 is ``hashed_secret``, if there is one."""
    for start in range(len(line)):
        for end in range(start + MIN_SECRET, min(len(line), start + MAX_SECRET) + 1):
            candidate = line[start:end]
            if hashlib.sha1(candidate.encode(), usedforsecurity=False).hexdigest() == hashed_secret:
                return candidate
    return None


def _results(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for items in document["results"].values() for item in items]


def _rule(kind: str) -> str:
    return kind.lower().replace(" ", "-")
