"""Licenses of the runtime dependencies, read from the CycloneDX SBOM, against an allowlist."""

import json
import re
from collections.abc import Collection
from typing import Any

from packaging.utils import canonicalize_name

from shipway.decisions.security.findings import Finding, Severity, ToolReport

TOOL = "licenses"
_OSI = "License :: OSI Approved :: "
# Trove classifiers that name exactly one SPDX license. ("BSD License" names no variant.)
CLASSIFIER_SPDX = {
    _OSI + "MIT License": "MIT",
    _OSI + "Apache Software License": "Apache-2.0",
    _OSI + "ISC License (ISCL)": "ISC",
    _OSI + "Python Software Foundation License": "PSF-2.0",
    _OSI + "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    _OSI + "The Unlicense (Unlicense)": "Unlicense",
}
_TOKEN = re.compile(r"\(|\)|[^\s()]+")


def license_report(
    sbom_json: str, allowed: Collection[str], severity: Severity, own: Collection[str]
) -> tuple[ToolReport, list[dict[str, object]]]:
    """Findings for unknown or disallowed licenses, and the per-component listing.

    ``own`` names the project's own distributions, which are not dependencies.
    """
    try:
        components = json.loads(sbom_json).get("components", [])  # absent when there are none
    except (ValueError, AttributeError):
        return ToolReport(TOOL, error="the SBOM could not be read"), []
    skip = {canonicalize_name(name) for name in own}
    findings, listing = [], []
    for component in components:
        name, version = component.get("name", "?"), component.get("version", "?")
        if canonicalize_name(name) in skip:
            continue
        expression = declared_license(component)
        ok = expression is not None and is_allowed(expression, allowed)
        listing.append({"name": name, "version": version, "license": expression, "allowed": ok})
        if not ok:
            problem = "no license declared" if expression is None else f"{expression} not allowed"
            findings.append(
                Finding(
                    TOOL,
                    rule=f"license:{expression or 'unknown'}",
                    severity=severity,
                    title=f"{name} {version}: {problem}",
                    path=f"{name}=={version}",
                )
            )
    return ToolReport(TOOL, tuple(findings)), listing


def declared_license(component: dict[str, Any]) -> str | None:
    """One SPDX expression for a component, or the license name it declares.

    A component often declares one license several ways (License-Expression, classifiers).
    SPDX declarations win; several of them are AND-ed, to be safe. Names count only when
    there is nothing better, translated to SPDX when they are well-known classifiers.
    """
    spdx, names = [], []
    for entry in component.get("licenses") or []:
        if "expression" in entry:
            spdx.append(entry["expression"])
        elif license_id := entry.get("license", {}).get("id"):
            spdx.append(license_id)
        elif name := entry.get("license", {}).get("name"):
            names.append(CLASSIFIER_SPDX.get(name, name))
    chosen = list(dict.fromkeys(spdx or names))
    if not chosen:
        return None
    return chosen[0] if len(chosen) == 1 else " AND ".join(f"({part})" for part in chosen)


def is_allowed(expression: str, allowed: Collection[str]) -> bool:
    """Whether an SPDX expression is satisfied by the allowed licenses.

    ``A OR B`` needs one of them, ``A AND B`` both, ``A WITH exception`` needs A. A name that is
    not an expression (e.g. "Apache 2.0") is allowed only if listed exactly.
    """
    if expression in allowed:
        return True
    tokens = _TOKEN.findall(expression)
    try:
        value, rest = _parse_or(tokens, {a.lower() for a in allowed})
    except (IndexError, ValueError):
        return False
    return value and not rest


Parsed = tuple[bool, list[str]]


def _parse_or(tokens: list[str], allowed: set[str]) -> Parsed:
    value, rest = _parse_and(tokens, allowed)
    while rest and rest[0].upper() == "OR":
        right, rest = _parse_and(rest[1:], allowed)
        value = value or right
    return value, rest


def _parse_and(tokens: list[str], allowed: set[str]) -> Parsed:
    value, rest = _parse_term(tokens, allowed)
    while rest and rest[0].upper() == "AND":
        right, rest = _parse_term(rest[1:], allowed)
        value = value and right
    return value, rest


def _parse_term(tokens: list[str], allowed: set[str]) -> Parsed:
    head, rest = tokens[0], tokens[1:]
    if head == "(":
        value, rest = _parse_or(rest, allowed)
        if not rest or rest[0] != ")":
            raise ValueError("unbalanced parenthesis")
        return value, rest[1:]
    if head in (")",) or head.upper() in ("AND", "OR", "WITH"):
        raise ValueError(f"unexpected {head}")
    if rest and rest[0].upper() == "WITH":
        rest = rest[2:]  # an exception only widens what the license allows
    return head.removesuffix("+").lower() in allowed, rest
