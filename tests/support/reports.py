"""A rollout's report, checked in headless Chromium as a person would look at it: it loads
without console errors or network, its charts were drawn with data, and it shows why the
rollout ended as it did and the thresholds it was held to."""

from collections.abc import Collection, Mapping
from pathlib import Path

from shipway.effects.deploy.files import EnvFiles
from tests.support.browser import open_page

METRIC_CHARTS = ("rps", "error-rate", "p95-ms", "p99-ms")
FAILED_ROWS = """(table) => Array.from(document.querySelectorAll(table + " tr.failed"))
  .map((row) => row.innerText)"""


def report_page(files: EnvFiles, audit: Mapping[str, object]) -> Path:
    """The HTML report an audit record names; it exists."""
    path = files.reports / f"{audit['report']}.html"
    assert path.is_file(), path
    return path


def assert_report_shows(
    path: Path,
    screenshot: str,
    *,
    outcome: str,
    reason: str,
    charts: Collection[str],
    thresholds: Collection[str] = ("≤ 5 %",),
    failed_rules: Collection[str] = (),
    failed_step: str | None = None,
) -> None:
    with open_page(path, screenshot) as page:
        assert page.console_errors == []
        assert page.requests == []
        drawn = page.charts()
        assert sorted(drawn) == sorted(charts), drawn
        for chart in charts:
            assert any(points > 0 for points in drawn[chart]), (chart, drawn[chart])
            assert page.painted(chart), chart
        assert outcome in page.text(".badge")
        assert reason in page.text("#reason")
        rules = page.text("#rules")
        for threshold in thresholds:
            assert threshold in rules, rules
        failed: list[str] = page.page.evaluate(FAILED_ROWS, "#decisions")
        for rule in failed_rules:
            assert any(rule in row and "breached" in row for row in failed), failed
        if failed_step is not None:
            steps: list[str] = page.page.evaluate(FAILED_ROWS, "#steps")
            assert [row.split()[0] for row in steps] == [failed_step], steps
