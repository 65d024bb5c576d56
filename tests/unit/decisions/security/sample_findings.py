"""A finding as the findings and gate tests make one."""

from shipway.decisions.security.findings import Finding, Severity


def finding(rule: str = "B105", severity: Severity = Severity.HIGH, **kw: object) -> Finding:
    fields: dict[str, object] = {"tool": "bandit", "title": "t", "path": "src/a.py", "line": 3}
    fields.update(kw)
    return Finding(rule=rule, severity=severity, **fields)  # type: ignore[arg-type]
