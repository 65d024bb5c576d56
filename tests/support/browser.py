"""Open a page shipway wrote in a real browser: Debian's Chromium, headless, driven by
Playwright over CDP (Playwright's own browser download is never used).

    with open_page(tmp_path / "report.html", "rollout-report") as loaded:
        assert not loaded.console_errors
        assert not loaded.requests
        assert loaded.charts()["weights"] == [3]
        assert loaded.painted("weights")

The page is opened from its file and may load nothing else: every other request (http, another
file, a navigation elsewhere, a WebSocket) is aborted and recorded in ``requests``. Each
``open_page`` starts its own Playwright driver and browser and stops both before it returns,
whatever the test did; a full-page screenshot of what the page showed is saved under
``reports/screenshots/`` for a person to look at.
"""

import contextlib
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import playwright.sync_api
import pytest
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "reports" / "screenshots"

# --disable-background-networking and the two after it: without them Chromium reaches out to
# Google's services at start (component updates, sync, variations), which fail here.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT_MS = 10_000

# Loaded: the page's script has run (the base template sets data-charts after creating every
# chart), and no Chart.js animation is still drawing, so what is read and shot is final.
READY = """() => document.body !== null && document.body.dataset.charts !== undefined
  && (typeof Chart === "undefined" || !Chart.animator
      || Array.from(document.querySelectorAll("canvas[data-chart]")).every((canvas) => {
           const chart = Chart.getChart(canvas);
           return chart === undefined || !Chart.animator.running(chart);
         }))"""

CHARTS = """() => {
  const found = {};
  if (typeof Chart === "undefined") return found;
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const chart = Chart.getChart(canvas);
    if (chart !== undefined) {
      found[canvas.dataset.chart] = chart.data.datasets.map((d) => (d.data || []).length);
    }
  }
  return found;
}"""

PAINTED = """(id) => {
  const canvas = Array.from(document.querySelectorAll("canvas[data-chart]"))
    .find((c) => c.dataset.chart === id);
  if (!canvas || canvas.width === 0 || canvas.height === 0) return false;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) {
    if (pixels[i] !== 0) return true;
  }
  return false;
}"""

TEXT = """(selector) => {
  const found = document.querySelector(selector);
  return found === null ? "" : found.innerText;
}"""


@dataclass
class Loaded:
    page: playwright.sync_api.Page
    console_errors: list[str] = field(default_factory=list)  # "error" messages, page errors
    requests: list[str] = field(default_factory=list)  # every URL asked for but the page's own

    def charts(self) -> dict[str, list[int]]:
        """Chart id (a canvas's data-chart) -> the number of data points of each dataset, from
        the live Chart.js instances (a canvas without a chart is not in it)."""
        found: dict[str, list[int]] = self.page.evaluate(CHARTS)
        return found

    def painted(self, chart_id: str) -> bool:
        """The chart's canvas has a pixel that is not transparent: Chart.js drew on it."""
        drawn: bool = self.page.evaluate(PAINTED, chart_id)
        return drawn

    def text(self, selector: str) -> str:
        """The rendered text of the first element ``selector`` matches ("" if none does)."""
        shown: str = self.page.evaluate(TEXT, selector)
        return shown


# Debian's package first (what .ci/run installs); the others are what GitHub's Ubuntu runner
# images carry.
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str:
    found = next(filter(None, map(shutil.which, BROWSERS)), None)
    if found is None:
        pytest.fail(
            "Chromium is not installed: `apt-get install chromium` (Debian's package; "
            ".ci/run installs it when missing)",
            pytrace=False,
        )
    return found


@contextlib.contextmanager
def open_page(path: Path, screenshot: str) -> Iterator[Loaded]:
    """Open the local HTML file `path`, wait until the page is loaded and
    `document.body.dataset.charts` is set, yield; afterwards save a full-page screenshot to
    <repo>/reports/screenshots/<screenshot>.png (dir created). Browser closed always.

    The screenshot is saved also when the test or the wait failed: it shows what went wrong."""
    url = path.resolve().as_uri()
    executable = chromium()
    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=executable, headless=True, args=list(CHROMIUM_ARGS)
        )
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            loaded = Loaded(page)

            def console(message: playwright.sync_api.ConsoleMessage) -> None:
                if message.type == "error":
                    loaded.console_errors.append(message.text)

            def refuse(route: playwright.sync_api.Route) -> None:
                if route.request.url == url:
                    route.continue_()
                else:
                    loaded.requests.append(route.request.url)
                    route.abort()

            def refuse_socket(socket: playwright.sync_api.WebSocketRoute) -> None:
                loaded.requests.append(socket.url)
                socket.close()

            page.on("console", console)
            page.on("pageerror", lambda error: loaded.console_errors.append(str(error)))
            page.route("**/*", refuse)
            page.route_web_socket(re.compile(".*"), refuse_socket)
            page.goto(url)
            try:
                try:
                    page.wait_for_function(READY)
                except playwright.sync_api.TimeoutError:
                    pytest.fail(
                        f"{path}: document.body.dataset.charts was not set within "
                        f"{TIMEOUT_MS / 1000:g}s (console errors: {loaded.console_errors})",
                        pytrace=False,
                    )
                yield loaded
            finally:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SCREENSHOTS / f"{screenshot}.png", full_page=True)
        finally:
            browser.close()
