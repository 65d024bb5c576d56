"""pip-audit's three outcomes: vulnerable, clean, or could not audit — never confused.

Plain pip-audit says "No known vulnerabilities found" even when it audited nothing (every
package skipped because the advisory source was unreachable). Its JSON report lists skipped
packages; shipway counts them, and a crash on an unreachable source counts every package.
"""

import json
import re
from typing import Any

from shipway.decisions.security.findings import Finding, Severity, ToolReport

TOOL = "pip-audit"
EXIT_CLEAN, EXIT_FOUND = 0, 1
UNREACHABLE = re.compile(
    r"ConnectionError|Max retries exceeded|Connection refused|Name or service not known|"
    r"Temporary failure in name resolution|timed out|Failed to establish a new connection|"
    r"HTTPError|5\d\d Server Error|Could not connect"
)


def source_name(source: str) -> str:
    """The advisory source as a user would look for it in their network settings."""
    return {
        "osv": "OSV (https://api.osv.dev/v1/query)",
        "pypi": "PyPI (https://pypi.org/pypi)",
    }.get(source, source)


def parse_pip_audit(
    returncode: int, report_json: str | None, stderr: str, packages: int, source: str
) -> ToolReport:
    """Outcome of ``pip-audit -f json`` over ``packages`` requirements against ``source``."""
    source = source_name(source)
    report = _load(report_json) if returncode in (EXIT_CLEAN, EXIT_FOUND) else None
    if report is None:
        if UNREACHABLE.search(stderr):
            return ToolReport(
                TOOL, unaudited=packages, unavailable=f"advisory source {source} unreachable"
            )
        last = (stderr.strip().splitlines() or ["no output"])[-1]
        return ToolReport(TOOL, error=f"exit status {returncode}: {last}")
    findings: list[Finding] = []
    skipped = []
    for dependency in report:
        if "skip_reason" in dependency:
            skipped.append(dependency["name"])
            continue
        for vuln in dependency.get("vulns", []):
            findings.append(
                Finding(
                    TOOL,
                    rule=vuln["id"],
                    severity=Severity.UNKNOWN,  # pip-audit reports none; see osv.severity_of
                    title=f"{dependency['name']} {dependency['version']}: fixed in "
                    + (", ".join(vuln.get("fix_versions", [])) or "no release yet"),
                    path=f"{dependency['name']}=={dependency['version']}",
                    aliases=tuple(vuln.get("aliases", [])),
                )
            )
    unavailable = f"advisory source {source} answered nothing for them" if skipped else ""
    return ToolReport(TOOL, tuple(findings), unaudited=len(skipped), unavailable=unavailable)


def _load(report_json: str | None) -> list[dict[str, Any]] | None:
    try:
        dependencies = json.loads(report_json or "")["dependencies"]
    except (ValueError, KeyError, TypeError):
        return None
    return dependencies if isinstance(dependencies, list) else None
