"""How a scanner's run becomes a ToolReport: found, could not run, scanned nothing; the
credential masked in the logged command line and in every error."""

from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from shipway.effects.command import NOT_FOUND, Completed, ToolRunner
from shipway.effects.dast import scanners

FIXTURES = Path(__file__).parents[3] / "fixtures" / "dast"
SECRET = "s3cr3t-value"  # nosec B105 - a test value


class FakeRunner(ToolRunner):
    def __init__(self, returncode: int, stdout: str = "", stderr: str = "") -> None:
        super().__init__(Path())
        self.done = (returncode, stdout, stderr)

    def run(
        self,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        *,
        stdin: str | None = None,
        quiet: bool = False,
    ) -> Completed:
        return Completed(list(argv), *self.done)


def test_failures_found_are_findings(tmp_path: Path) -> None:
    report = FIXTURES / "schemathesis-vulnerable.json"
    result, scanned = scanners.schemathesis(FakeRunner(1), ["st", "run"], report, set())
    assert not result.error
    assert scanned is not None
    assert any(f.rule == "ST101" for f in result.findings)


def test_a_schema_that_could_not_be_loaded_is_an_error_with_the_reason_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = f"Error: Unable to load schema\n Failed to connect with header {SECRET}\n"
    argv = ["st", "run", "--header", f"X-Token:{SECRET}"]
    result, _ = scanners.schemathesis(FakeRunner(2, out), argv, tmp_path / "none", {SECRET})
    assert "exit status 2" in result.error
    assert "Unable to load schema" in result.error
    assert SECRET not in result.error
    logged = capsys.readouterr()
    assert SECRET not in logged.out + logged.err
    assert "X-Token:****" in logged.err


def test_a_scanner_that_is_not_installed_says_how_to_install_it(tmp_path: Path) -> None:
    result, _ = scanners.wapiti(FakeRunner(NOT_FOUND), ["wapiti"], tmp_path / "none", set())
    assert "wapiti not found" in result.error
    assert "'dast' dependency group" in result.error


def test_no_page_crawled_is_scanned_nothing(tmp_path: Path) -> None:
    report = tmp_path / "wapiti.json"
    report.write_text('{"vulnerabilities": {}, "infos": {"crawled_pages_nbr": 0}}')
    result, _ = scanners.wapiti(FakeRunner(0), ["wapiti"], report, set())
    assert result.error == "scanned nothing: no page was crawled"


def test_no_operation_tested_is_scanned_nothing(tmp_path: Path) -> None:
    report = tmp_path / "st.json"
    report.write_text('{"failures": [], "operations": {"tested": 0}, "errors": []}')
    result, _ = scanners.schemathesis(FakeRunner(0), ["st"], report, set())
    assert result.error == "scanned nothing: no API operation was tested"
