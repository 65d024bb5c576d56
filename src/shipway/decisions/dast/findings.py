"""The scanners' JSON reports as shipway findings, and what each scanner covered.

Severity mapping (the security stage's gate then applies ``fail_on``):

- schemathesis (by its own severity of the failure): ``critical`` (a 5xx, ST101/ST102; an
  ignored authentication, ST401/ST402; a use after free, ST301) -> **high**; ``high`` and
  ``medium`` (schema, status code, content type or header conformance) -> **medium**; ``low`` ->
  **low**.
- wapiti (by category): SQL/blind SQL injection, command execution, Log4Shell/Spring4Shell, a
  known CVE -> **critical**; cross-site scripting, HTML/LDAP/CRLF injection, path traversal,
  SSRF, XXE, unrestricted upload -> **high**; open or inconsistent redirect, CSRF, backup and
  dangerous files, information disclosure, stack traces, weak credentials, cleartext
  passwords, 500 answers to an attack -> **medium**; missing security headers (clickjacking,
  MIME sniffing, CSP, HSTS), cookie flags, fingerprinting -> **low**. A category not listed
  goes by wapiti's level (4 critical, 3 high, 2 medium, otherwise low).

A finding's path is "METHOD /endpoint"; its title names the parameter when there is one. No
request, response, header or body is ever copied: a credential could be in any of them.
"""

import json
from dataclasses import dataclass

from shipway.decisions.security.findings import Finding, Severity

SCHEMATHESIS, WAPITI = "schemathesis", "wapiti"
_ST_SEVERITY = {
    "critical": Severity.HIGH,
    "high": Severity.MEDIUM,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
}
_WAPITI_SEVERITY = {
    Severity.CRITICAL: (
        "SQL Injection",
        "Blind SQL Injection",
        "Command execution",
        "Log4Shell",
        "Spring4Shell",
        "Vulnerable software",
    ),
    Severity.HIGH: (
        "Reflected Cross Site Scripting",
        "Stored Cross Site Scripting",
        "HTML Injection",
        "Stored HTML Injection",
        "LDAP Injection",
        "CRLF Injection",
        "Path Traversal",
        "Server Side Request Forgery",
        "XML External Entity",
        "Unrestricted File Upload",
        "Htaccess Bypass",
    ),
    Severity.MEDIUM: (
        "Open Redirect",
        "Inconsistent Redirection",
        "Cross Site Request Forgery",
        "Backup file",
        "Potentially dangerous file",
        "Information Disclosure - Full Path",
        "Stack Trace Disclosure",
        "Weak credentials",
        "Cleartext Submission of Password",
        "Internal Server Error",
        "Subdomain takeover",
        "NS takeover",
        "TLS/SSL misconfigurations",
    ),
    Severity.LOW: (
        "Clickjacking Protection",
        "MIME Type Confusion",
        "Content Security Policy Configuration",
        "HTTP Strict Transport Security (HSTS)",
        "HttpOnly Flag cookie",
        "Secure Flag cookie",
        "Unencrypted Channels",
        "Fingerprint web application framework",
        "Fingerprint web server",
        "Resource consumption",
    ),
}
_BY_CATEGORY = {name: severity for severity, names in _WAPITI_SEVERITY.items() for name in names}
_BY_LEVEL = {4: Severity.CRITICAL, 3: Severity.HIGH, 2: Severity.MEDIUM}


@dataclass(frozen=True)
class Scanned:
    """What a scanner's report says it covered, and what it found."""

    findings: tuple[Finding, ...]
    covered: int  # operations tested (schemathesis) or pages crawled (wapiti)
    errors: tuple[str, ...] = ()  # what the scanner itself reports it could not do


def parse_schemathesis(raw: str) -> Scanned:
    """``st run --report-json-path``'s report. Raises ValueError when it is not one."""
    report = json.loads(raw)
    if not isinstance(report, dict) or "failures" not in report:
        raise ValueError("not a schemathesis JSON report")
    findings = []
    for failure in report.get("failures") or []:
        severity = _ST_SEVERITY.get(str(failure.get("severity", "")).lower(), Severity.UNKNOWN)
        code, title = str(failure.get("code", "")), str(failure.get("title", ""))
        for operation in failure.get("operations") or [None]:
            findings.append(Finding(SCHEMATHESIS, code, severity, title, operation))
    tested = int((report.get("operations") or {}).get("tested") or 0)
    errors = tuple(_error_text(error) for error in report.get("errors") or [])
    return Scanned(tuple(dict.fromkeys(findings)), tested, errors)


def _error_text(error: object) -> str:
    if isinstance(error, dict):
        where = error.get("operation") or error.get("label") or ""
        what = error.get("title") or error.get("message") or error.get("type") or "error"
        return f"{where}: {what}".strip(": ")
    return str(error)[:200]


def parse_wapiti(raw: str) -> Scanned:
    """``wapiti -f json``'s report. Raises ValueError when it is not one."""
    report = json.loads(raw)
    if not isinstance(report, dict) or "vulnerabilities" not in report:
        raise ValueError("not a wapiti JSON report")
    findings = []
    for section in ("vulnerabilities", "anomalies"):
        for category, items in (report.get(section) or {}).items():
            for item in items or []:
                findings.append(_wapiti_finding(category, item))
    crawled = int((report.get("infos") or {}).get("crawled_pages_nbr") or 0)
    return Scanned(tuple(dict.fromkeys(findings)), crawled)  # once each, in order


def _wapiti_finding(category: str, item: dict[str, object]) -> Finding:
    level = item.get("level")
    severity = _BY_CATEGORY.get(category) or _BY_LEVEL.get(
        level if isinstance(level, int) else 0, Severity.LOW
    )
    path = f"{item.get('method') or 'GET'} {item.get('path') or '/'}"
    parameter = item.get("parameter")
    info = str(item.get("info") or "").splitlines()[0][:200] if item.get("info") else ""
    title = category + (f" (parameter {parameter})" if parameter else "")
    title += f": {info}" if info and not parameter else ""
    return Finding(WAPITI, category, severity, title, path)
