import datetime
import json
from pathlib import Path

import pytest

from shipway.config.security import AllowedFinding, Security
from shipway.decisions.security.findings import Severity, ToolReport
from shipway.decisions.security.gate import apply_allowlist, matches, security_gate
from shipway.decisions.verdict import Bound, Outcome, Verdict
from tests.unit.decisions.security.sample_findings import finding

TODAY = datetime.date(2026, 11, 22)


def entry(id_: str, expires: datetime.date = TODAY, path: str | None = None) -> AllowedFinding:
    return AllowedFinding(id=id_, reason="accepted", expires=expires, path=path)


def test_allowlist_matches_id_or_alias_and_optional_path() -> None:
    vuln = finding("PYSEC-2018-28", aliases=("GHSA-x84v-xcm2-53pg",), path="requests==2.19.0")
    assert matches(entry("ghsa-x84v-xcm2-53pg"), vuln)
    assert matches(entry("GHSA-x84v-xcm2-53pg", path="requests==*"), vuln)
    assert not matches(entry("GHSA-x84v-xcm2-53pg", path="urllib3==*"), vuln)
    assert not matches(entry("B101"), vuln)
    assert not matches(entry("B105", path="src/*"), finding(path=None))


def test_allowlist_suppresses_until_expiry_inclusive_then_reports_expired_and_stale() -> None:
    findings = [finding("B105"), finding("B106"), finding("B107")]
    entries = [entry("B105", TODAY), entry("B106", TODAY - datetime.timedelta(days=1)), entry("X1")]
    active, suppressed, expired, stale = apply_allowlist(findings, entries, TODAY)
    assert [f.rule for f in active] == ["B106", "B107"]
    assert [(f.rule, e.id) for f, e in suppressed] == [("B105", "B105")]
    assert [(e.id, [f.rule for f in fs]) for e, fs in expired] == [("B106", ["B106"])]
    assert [e.id for e in stale] == ["X1"]


def policy(**kw: object) -> Security:
    return Security.model_validate(kw)


def test_gate_passes_below_threshold_and_fails_at_it() -> None:
    reports = [ToolReport("bandit", (finding(severity=Severity.MEDIUM),))]
    assert security_gate(reports, policy(), TODAY).passed
    verdict = security_gate(reports, policy(fail_on="medium"), TODAY)
    assert not verdict.passed
    assert verdict.reasons == (
        "1 finding(s) at or above medium: B105 (bandit, medium) at src/a.py:3: t",
    )
    assert verdict.counts()["medium"] == 1


def test_gate_lists_worst_first_and_caps_the_list() -> None:
    many = (*(finding(f"B{i}", Severity.HIGH) for i in range(11)), finding("S1", Severity.CRITICAL))
    [reason] = security_gate([ToolReport("bandit", many)], policy(), TODAY).reasons
    assert reason.startswith("12 finding(s) at or above high: S1 (bandit, critical)")
    assert reason.endswith("; and 2 more")


def test_tool_error_always_fails() -> None:
    verdict = security_gate([ToolReport("trivy", error="exit status 2: boom")], policy(), TODAY)
    assert verdict.reasons == ("trivy failed to run: exit status 2: boom",)


@pytest.mark.parametrize(("on_unavailable", "passed"), [("fail", False), ("warn", True)])
def test_could_not_audit_follows_policy_and_says_how_many(
    on_unavailable: str, passed: bool
) -> None:
    reports = [ToolReport("pip-audit", unaudited=16, unavailable="advisory source X unreachable")]
    verdict = security_gate(reports, policy(on_unavailable=on_unavailable), TODAY)
    message = "pip-audit could not audit 16 package(s): advisory source X unreachable"
    assert verdict.passed is passed
    assert message in (verdict.warnings if passed else verdict.reasons)
    assert verdict.unaudited == {"pip-audit": 16}


def test_expired_entry_fails_when_its_findings_block_and_warns_otherwise() -> None:
    yesterday = (TODAY - datetime.timedelta(days=1)).isoformat()
    allow = [{"id": "B105", "reason": "legacy", "expires": yesterday}]
    blocking = security_gate([ToolReport("bandit", (finding(),))], policy(allow=allow), TODAY)
    assert not blocking.passed
    expected = f"allowlist entry B105 expired on {yesterday} (legacy); it no longer suppresses 1 finding(s)"
    assert expected in blocking.reasons
    low = [ToolReport("bandit", (finding(severity=Severity.LOW),))]
    harmless = security_gate(low, policy(allow=allow), TODAY)
    assert harmless.passed
    assert expected in harmless.warnings


def test_stale_entry_is_a_warning_and_summary_json_has_everything() -> None:
    allow = [
        {"id": "GHSA-none", "reason": "r", "expires": "2030-01-01"},
        {"id": "B105", "reason": "r", "expires": "2030-01-01"},
    ]
    reports = [
        ToolReport("bandit", (finding(),)),
        ToolReport("pip-audit", unaudited=2, unavailable="offline"),
    ]
    verdict = security_gate(reports, policy(allow=allow, on_unavailable="warn"), TODAY)
    assert verdict.passed
    assert "stale allowlist entry GHSA-none: it matches no finding" in verdict.warnings
    summary = json.loads(json.dumps(verdict.to_json()))
    assert summary["verdict"] == "pass"
    assert summary["unaudited"] == {"pip-audit": 2}
    assert summary["findings_by_severity"] == {
        "critical": 0,
        "high": 0,
        "medium": 0,
        "low": 0,
        "unknown": 0,
    }
    [suppressed] = summary["suppressed"]
    assert suppressed["allowed_by"] == {"id": "B105", "reason": "r", "expires": "2030-01-01"}
    tools = summary["tools"]
    assert [t["status"] for t in tools] == ["ran", "could not audit"]


def test_the_gate_as_one_verdict_counts_blocking_findings_against_none_allowed() -> None:
    report = Path("reports/security/summary.json")
    clean = security_gate([ToolReport("bandit")], policy(), TODAY)
    assert clean.as_verdict(report) == Verdict(
        "security", Outcome.PASS, 0, Bound.AT_MOST, " findings", 0, report, ""
    )
    found = [finding("B105", severity=Severity.HIGH), finding("B101", severity=Severity.LOW)]
    failed = security_gate([ToolReport("bandit", findings=tuple(found))], policy(), TODAY)
    verdict = failed.as_verdict(report)
    assert (verdict.outcome, verdict.measured, verdict.measured_text) == (
        Outcome.FAIL,
        1,
        "1 findings",
    )
    assert verdict.detail == failed.reasons[0]


def test_a_tool_that_could_not_run_makes_the_gate_verdict_no_data() -> None:
    broken = security_gate([ToolReport("trivy", error="exit status 2: boom")], policy(), TODAY)
    verdict = broken.as_verdict(Path("reports/security/summary.json"))
    assert (verdict.outcome, verdict.passed) == (Outcome.NO_DATA, False)
    assert verdict.detail == "trivy failed to run: exit status 2: boom"
