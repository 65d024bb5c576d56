"""Static HTML pages (a rollout's report, an environment's dashboard) and their Markdown:
rendered from the templates beside this module, every value escaped, with Chart.js inlined
so that a page opens with no network at all.

Chart.js (vendor/chart.umd.min.js, MIT, its licence beside it) is vendored from the npm
registry, version and digest pinned below: `scripts/vendor_chartjs.py` fetches it again.
"""

import functools
import hashlib
import threading
import time
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING

from shipway.decisions.report.rollout import Chart

if TYPE_CHECKING:
    import jinja2

CHART_JS_VERSION = "4.6.1"
CHART_JS_SHA256 = (
    "87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2"  # pragma: allowlist secret
)


def utc(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(at))


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.1f}s"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}h{rest // 60:02d}m" if hours else f"{rest // 60}m{rest % 60:02d}s"


@functools.cache
def _templates() -> "jinja2.Environment":
    import jinja2  # on first use: every deploy command imports this module

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("shipway.effects.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["utc"] = utc
    environment.filters["duration"] = duration
    return environment


@functools.cache
def chart_js() -> str:
    """The vendored Chart.js, checked against its pinned digest."""
    vendored = resources.files("shipway.effects.report").joinpath("vendor/chart.umd.min.js")
    source = vendored.read_bytes()
    if hashlib.sha256(source).hexdigest() != CHART_JS_SHA256:
        raise RuntimeError("vendor/chart.umd.min.js is not the pinned Chart.js build")
    # Inlined in a <script> element: nothing in it may close that element early, and its
    # source map comment would point at a file the page does not have.
    text = source.decode("utf-8").split("\n//# sourceMappingURL=", 1)[0]
    return text.replace("</script", "<\\/script")


def prepare(*templates: str) -> threading.Thread:
    """Load Jinja2, compile ``templates`` and read Chart.js in a thread of their own, while
    the caller works (a deploy installs and starts its release meanwhile): the page rendered
    at its end then costs only its rendering. Everything prepared is cached, once."""

    def load() -> None:
        environment = _templates()
        for name in templates:
            environment.get_template(name)
        chart_js()

    thread = threading.Thread(target=load, name="prepare-pages", daemon=True)
    thread.start()
    return thread


def html(template: str, *, title: str, charts: Sequence[Chart], **context: object) -> str:
    """A page: ``template`` (which extends page.html.j2) with its charts drawn by Chart.js."""
    from markupsafe import Markup  # as jinja2, on first use

    return (
        _templates()
        .get_template(template)
        .render(
            title=title,
            charts=[{"id": c.id, "title": c.title, "config": c.config} for c in charts],
            chart_js=Markup(chart_js()),  # noqa: S704  # nosec B704 - our vendored, pinned file
            **context,
        )
    )
