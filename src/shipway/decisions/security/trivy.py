"""trivy's JSON report as findings, and the secret values behind trivy's masks.

trivy masks the secrets it reports with '*', but prints the lines around them as they are;
shipway never writes trivy's code excerpts anywhere (see redact.py).
"""

import json
import re
from typing import Any

from shipway.decisions.security.findings import Finding, Severity, ToolReport

TOOL = "trivy"
MASK_RUN = re.compile(r"\*+")


def parse_trivy(returncode: int, report_json: str, stderr: str) -> ToolReport:
    try:
        results = json.loads(report_json).get("Results") or []
    except (ValueError, AttributeError):
        return ToolReport(TOOL, error=_failure(returncode, stderr))
    if returncode != 0:
        return ToolReport(TOOL, error=_failure(returncode, stderr))
    findings: list[Finding] = []
    for result in results:
        target = result.get("Target")
        findings += [
            _misconfiguration(target, m)
            for m in result.get("Misconfigurations") or []
            if m.get("Status") == "FAIL"
        ]
        findings += [_secret(target, s) for s in result.get("Secrets") or []]
        findings += [_vulnerability(target, v) for v in result.get("Vulnerabilities") or []]
    return ToolReport(TOOL, tuple(findings))


def _misconfiguration(target: str, item: dict[str, Any]) -> Finding:
    cause = item.get("CauseMetadata") or {}
    legacy = item.get("Namespace", "").rsplit(".", 1)[-1]  # builtin.dockerfile.DS002 -> DS002
    return Finding(
        TOOL,
        rule=item["ID"],
        severity=Severity.parse(item.get("Severity")),
        title=item.get("Title", ""),
        path=target,
        line=cause.get("StartLine") or None,
        aliases=tuple(a for a in (legacy, item.get("AVDID")) if a and a != item["ID"]),
    )


def _secret(target: str, item: dict[str, Any]) -> Finding:
    return Finding(
        TOOL,
        rule=item["RuleID"],
        severity=Severity.parse(item.get("Severity")),
        title=item.get("Title", ""),
        path=target,
        line=item.get("StartLine"),
    )


def _vulnerability(target: str, item: dict[str, Any]) -> Finding:
    package = f"{item.get('PkgName')} {item.get('InstalledVersion')}"
    return Finding(
        TOOL,
        rule=item["VulnerabilityID"],
        severity=Severity.parse(item.get("Severity")),
        title=f"{package}: {item.get('Title', '')}".strip(),
        path=target,
        aliases=tuple(item.get("VendorIDs") or ()),
    )


def secret_locations(report_json: str) -> list[tuple[str, int, str]]:
    """(path, line, masked match) of every secret in a trivy report."""
    locations = []
    for result in json.loads(report_json).get("Results") or []:
        for item in result.get("Secrets") or []:
            locations.append((result["Target"], item["StartLine"], item.get("Match", "")))
    return locations


def unmasked_values(masked: str, original: str) -> list[str]:
    """The text behind each run of '*' in ``masked``, read from the ``original`` line.

    trivy replaces a secret with as many '*' as it has characters, so the two lines align.
    """
    if len(masked) != len(original):
        return []
    values = [original[run.start() : run.end()] for run in MASK_RUN.finditer(masked)]
    return [value for value in values if value.strip("*")]


def _failure(returncode: int, stderr: str) -> str:
    fatal = [line for line in stderr.splitlines() if "FATAL" in line]
    last = (fatal or stderr.strip().splitlines() or ["no output"])[-1]
    return f"exit status {returncode}: {last}"
