"""The browser harness (tests/support/browser.py) sees what it must: a report page that draws
its charts from nothing but itself, an error on the console, and a request for the network."""

from pathlib import Path

from shipway.config.deploy import Analysis
from shipway.decisions.deploy.analysis import Measurement, Outcome
from shipway.decisions.deploy.metrics import WindowMetrics
from shipway.decisions.report.rollout import Timeline, report_id, rollout_report
from shipway.effects.report.rollout import render_html
from tests.support.browser import SCREENSHOTS, open_page

STARTED = 1_800_000_000.0
LATENCY = ((5.0, 30), (10.0, 38), (25.0, 40))  # (bound in ms, requests at or below it)


def report_page(path: Path) -> Path:
    """A canary that took 10 % of the traffic for three successful measurements."""
    timeline = Timeline()
    timeline.weight(STARTED, 0, "start")
    timeline.weight(STARTED + 1, 10, "step 1/1")
    for k in range(3):
        at = STARTED + 5 + 5 * k
        canary = WindowMetrics(40, 0, LATENCY, 5.0)
        stable = WindowMetrics(360, 1, LATENCY, 5.0)
        timeline.measured(at, Measurement(Outcome.SUCCESSFUL, at, canary, stable))
    timeline.weight(STARTED + 21, 100, "promoted")
    record = {
        "action": "deploy",
        "version": "2.0.0",
        "from_version": "1.0.0",
        "who": "alice@host",
        "started": STARTED,
        "ended": STARTED + 22,
        "outcome": "succeeded",
        "strategy": "canary",
        "environment": "prod",
        "report": report_id("deploy", "2.0.0", STARTED),
    }
    report = rollout_report(record, timeline, Analysis())
    path.write_text(render_html(report), encoding="utf-8")
    return path


def test_a_report_page_draws_its_charts_with_no_network(tmp_path: Path) -> None:
    page = report_page(tmp_path / "report.html")
    with open_page(page, "test-browser-report") as loaded:
        charts = loaded.charts()
        assert loaded.console_errors == []
        assert loaded.requests == []
        assert set(charts) == {"weights", "rps", "error-rate", "p95-ms", "p99-ms"}
        assert charts["weights"] == [4]  # start, 10 %, promoted, and the end
        assert charts["rps"] == [3, 3]  # new and stable, one point per measurement
        for chart_id in charts:
            assert sum(charts[chart_id]) > 0, chart_id
            assert loaded.painted(chart_id), chart_id
        assert "2.0.0 serves in prod." in loaded.text("#reason")
        assert loaded.text("#no-such-element") == ""
    assert (SCREENSHOTS / "test-browser-report.png").stat().st_size > 0


def test_console_errors_uncaught_errors_and_requests_are_all_seen(tmp_path: Path) -> None:
    """One page that does all a report must not (one browser for the three: each start costs
    seconds), and what the harness reads of a page that has no chart."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html><body data-charts="0"><p id="said">hello</p>'
        '<canvas data-chart="blank" width="50" height="50"></canvas>'
        '<img src="http://127.0.0.1:9/x.png"><img src="beside.png">'
        '<script>console.error("boom"); console.log("not an error")</script>'
        "<script>null.draw();</script></body></html>",
        encoding="utf-8",
    )
    with open_page(page, "test-browser-bad-page") as loaded:
        errors = loaded.console_errors
        assert "boom" in errors
        assert "not an error" not in errors  # console.log is not one
        assert any("null" in error for error in errors)  # the uncaught TypeError
        assert sum("Failed to load resource" in error for error in errors) == 2  # refused
        assert len(errors) == 4
        assert sorted(loaded.requests) == sorted(
            ["http://127.0.0.1:9/x.png", (tmp_path / "beside.png").as_uri()]
        )
        assert loaded.charts() == {}  # a canvas is not a chart
        assert not loaded.painted("blank")
        assert not loaded.painted("missing")
        assert loaded.text("#said") == "hello"
