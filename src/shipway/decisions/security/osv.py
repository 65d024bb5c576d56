"""Severity of an advisory, read from its OSV record (pip-audit's report carries none)."""

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from shipway.decisions.security.findings import Finding, Severity


def severity_of(record: Mapping[str, Any]) -> Severity:
    """The severity an OSV record declares (GitHub's reviewed severity), else UNKNOWN."""
    declared = (record.get("database_specific") or {}).get("severity")
    if declared:
        return Severity.parse(str(declared))
    for affected in record.get("affected") or []:
        declared = (affected.get("ecosystem_specific") or {}).get("severity")
        if declared:
            return Severity.parse(str(declared))
    return Severity.UNKNOWN


def with_severity(finding: Finding, records: Sequence[Mapping[str, Any]]) -> Finding:
    """The finding with the first known severity among the records of its id and aliases."""
    for record in records:
        severity = severity_of(record)
        if severity is not Severity.UNKNOWN:
            return dataclasses.replace(finding, severity=severity)
    return finding


def query_base(source: str) -> str | None:
    """The OSV API root of an advisory source ('osv' or a /v1/query URL); None for 'pypi'."""
    if source == "pypi":
        return None
    if source == "osv":
        return "https://api.osv.dev"
    return source.removesuffix("/").removesuffix("/v1/query")
