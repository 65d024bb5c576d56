import pytest

from shipway.decisions.security import osv
from shipway.decisions.security.findings import Finding, Severity


@pytest.mark.parametrize(
    ("record", "severity"),
    [
        ({"database_specific": {"severity": "HIGH"}}, Severity.HIGH),
        ({"database_specific": {"severity": "MODERATE"}}, Severity.MEDIUM),
        ({"affected": [{"ecosystem_specific": {"severity": "LOW"}}]}, Severity.LOW),
        ({"aliases": ["CVE-1"]}, Severity.UNKNOWN),
    ],
)
def test_osv_severity(record: dict[str, object], severity: Severity) -> None:
    assert osv.severity_of(record) is severity


def test_osv_enrichment_takes_the_first_known_severity() -> None:
    f = Finding("pip-audit", "PYSEC-1", Severity.UNKNOWN, "t", aliases=("GHSA-1",))
    enriched = osv.with_severity(
        f, [{"id": "PYSEC-1"}, {"database_specific": {"severity": "HIGH"}}]
    )
    assert enriched.severity is Severity.HIGH
    assert osv.with_severity(f, [{}]).severity is Severity.UNKNOWN


def test_osv_query_base() -> None:
    assert osv.query_base("osv") == "https://api.osv.dev"
    assert osv.query_base("pypi") is None
    assert osv.query_base("http://127.0.0.1:8/v1/query") == "http://127.0.0.1:8"
