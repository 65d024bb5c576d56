"""One severity gate over every scanner's findings, with an allowlist that expires.

Semantics:
- a finding blocks when its severity is at or above ``fail_on`` (UNKNOWN always blocks);
- an allowlist entry suppresses the findings whose id or alias equals its id (and whose path
  matches its glob, when it has one) until its ``expires`` date, inclusive; after that it
  suppresses nothing and the verdict says it expired;
- an entry that matches no finding is reported as stale (a warning);
- a tool that failed always fails the gate; one that could not audit fails it unless
  ``on_unavailable = "warn"``, which makes it a warning. Either way the count is reported.
"""

import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path

from shipway.config.security import AllowedFinding, Security
from shipway.decisions.security.findings import SEVERITIES, Finding, Severity, ToolReport
from shipway.decisions.verdict import Bound, Outcome, Verdict

MAX_LISTED = 10
SECURITY = "security"  # the gate's name among the verdicts


@dataclass(frozen=True)
class SecurityVerdict:
    passed: bool
    fail_on: Severity
    reports: tuple[ToolReport, ...]
    active: tuple[Finding, ...]  # findings not suppressed by a valid allowlist entry
    suppressed: tuple[tuple[Finding, AllowedFinding], ...]
    reasons: tuple[str, ...]  # why the gate failed
    warnings: tuple[str, ...]

    def counts(self, findings: Sequence[Finding] | None = None) -> dict[str, int]:
        tally = Counter(f.severity for f in (self.active if findings is None else findings))
        return {severity.value: tally[severity] for severity in SEVERITIES}

    def as_verdict(self, report: Path) -> Verdict:
        """The gate as one verdict among the others (coverage, perf): its blocking findings
        against none allowed. A tool that could not run or audit is NO_DATA, never a pass."""
        blocking = sum(1 for f in self.active if f.severity.blocks_at(self.fail_on))
        outcome = Outcome.PASS if self.passed else Outcome.FAIL if blocking else Outcome.NO_DATA
        detail = "; ".join(self.reasons)
        return Verdict(SECURITY, outcome, 0, Bound.AT_MOST, " findings", blocking, report, detail)

    @property
    def unaudited(self) -> dict[str, int]:
        return {r.tool: r.unaudited for r in self.reports if r.unavailable}

    def to_json(self) -> dict[str, object]:
        return {
            "verdict": "pass" if self.passed else "fail",
            "fail_on": self.fail_on.value,
            "tools": [
                {
                    "tool": r.tool,
                    "status": r.status,
                    "findings": self.counts([f for f in self.active if f.tool == r.tool]),
                    "unaudited": r.unaudited,
                    "unavailable": r.unavailable,
                    "error": r.error,
                }
                for r in self.reports
            ],
            "findings_by_severity": self.counts(),
            "unaudited": self.unaudited,
            "findings": [f.to_json() for f in self.active],
            "suppressed": [
                {
                    **f.to_json(),
                    "allowed_by": {
                        "id": e.id,
                        "reason": e.reason,
                        "expires": e.expires.isoformat(),
                    },
                }
                for f, e in self.suppressed
            ],
            "reasons": list(self.reasons),
            "warnings": list(self.warnings),
        }


def security_gate(
    reports: Sequence[ToolReport], policy: Security, today: datetime.date
) -> SecurityVerdict:
    fail_on = Severity(policy.fail_on)
    findings = [f for r in reports for f in r.findings]
    active, suppressed, expired, stale = apply_allowlist(findings, policy.allow, today)
    blocking = sorted(
        (f for f in active if f.severity.blocks_at(fail_on)), key=lambda f: -f.severity.rank
    )
    reasons = [f"{r.tool} failed to run: {r.error}" for r in reports if r.error]
    warnings: list[str] = []
    if blocking:
        listed = "; ".join(f.describe() for f in blocking[:MAX_LISTED])
        more = f"; and {len(blocking) - MAX_LISTED} more" if len(blocking) > MAX_LISTED else ""
        reasons.append(f"{len(blocking)} finding(s) at or above {fail_on}: {listed}{more}")
    for entry, matched in expired:
        message = (
            f"allowlist entry {entry.id} expired on {entry.expires.isoformat()} "
            f"({entry.reason}); it no longer suppresses {len(matched)} finding(s)"
        )
        blocks = any(f.severity.blocks_at(fail_on) for f in matched)
        (reasons if blocks else warnings).append(message)
    for report in reports:
        if report.unavailable and not report.error:
            message = f"{report.tool} could not audit {report.unaudited} package(s): "
            message += report.unavailable
            (reasons if policy.on_unavailable == "fail" else warnings).append(message)
    warnings += [f"stale allowlist entry {e.id}: it matches no finding" for e in stale]
    return SecurityVerdict(
        passed=not reasons,
        fail_on=fail_on,
        reports=tuple(reports),
        active=tuple(active),
        suppressed=tuple(suppressed),
        reasons=tuple(reasons),
        warnings=tuple(warnings),
    )


AllowlistOutcome = tuple[
    list[Finding],
    list[tuple[Finding, AllowedFinding]],
    list[tuple[AllowedFinding, list[Finding]]],
    list[AllowedFinding],
]


def apply_allowlist(
    findings: Sequence[Finding], entries: Sequence[AllowedFinding], today: datetime.date
) -> AllowlistOutcome:
    """(active, suppressed, expired entries with their findings, stale entries)."""
    active, suppressed = [], []
    matched: dict[int, list[Finding]] = {i: [] for i in range(len(entries))}
    for finding in findings:
        entry_index = next((i for i, e in enumerate(entries) if matches(e, finding)), None)
        if entry_index is None:
            active.append(finding)
            continue
        matched[entry_index].append(finding)
        entry = entries[entry_index]
        if today <= entry.expires:
            suppressed.append((finding, entry))
        else:
            active.append(finding)
    expired = [(e, matched[i]) for i, e in enumerate(entries) if matched[i] and today > e.expires]
    stale = [e for i, e in enumerate(entries) if not matched[i]]
    return active, suppressed, expired, stale


def matches(entry: AllowedFinding, finding: Finding) -> bool:
    ids = {i.lower() for i in finding.ids}
    if entry.id.lower() not in ids:
        return False
    return entry.path is None or (finding.path is not None and fnmatch(finding.path, entry.path))
