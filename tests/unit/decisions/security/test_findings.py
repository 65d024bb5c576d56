import pytest

from shipway.decisions.security.findings import Severity, ToolReport
from tests.unit.decisions.security.sample_findings import finding


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("HIGH", Severity.HIGH),
        ("Moderate", Severity.MEDIUM),
        ("critical", Severity.CRITICAL),
        ("LOW", Severity.LOW),
        ("", Severity.UNKNOWN),
        (None, Severity.UNKNOWN),
        ("weird", Severity.UNKNOWN),
    ],
)
def test_severity_words(word: str | None, severity: Severity) -> None:
    assert Severity.parse(word) is severity


def test_blocking_order_and_unknown_blocks_at_any_threshold() -> None:
    assert Severity.HIGH.blocks_at(Severity.HIGH)
    assert not Severity.MEDIUM.blocks_at(Severity.HIGH)
    assert Severity.CRITICAL.blocks_at(Severity.LOW)
    assert Severity.UNKNOWN.blocks_at(Severity.CRITICAL)


def test_finding_description_and_json() -> None:
    f = finding(aliases=("CWE-259",))
    assert f.describe() == "B105 (bandit, high) at src/a.py:3: t"
    assert f.ids == ("B105", "CWE-259")
    assert f.to_json()["aliases"] == ["CWE-259"]
    assert finding(path=None).location == ""
    assert finding(line=None).location == "src/a.py"


def test_tool_report_status() -> None:
    assert ToolReport("x").status == "ran"
    assert ToolReport("x", unavailable="offline").status == "could not audit"
    assert ToolReport("x", error="boom", unavailable="offline").status == "error"
