"""The scanners' command lines. A credential header is an argument (neither scanner reads one
from elsewhere): the stage logs these lines with its value masked, and masks it in every output.
"""

from dataclasses import dataclass
from pathlib import Path

from shipway.config.dast import DastProfile

SCHEMATHESIS, WAPITI = "schemathesis", "wapiti"
REQUEST_TIMEOUT = 10  # seconds for one request of either scanner


@dataclass(frozen=True)
class DastPaths:
    """Where the raw scanner output goes (a private work directory, never the reports)."""

    work: Path

    @property
    def schemathesis_json(self) -> Path:
        return self.work / "schemathesis.json"

    @property
    def schemathesis_html(self) -> Path:
        return self.work / "schemathesis-html"

    @property
    def wapiti_json(self) -> Path:
        return self.work / "wapiti.json"

    @property
    def wapiti_session(self) -> Path:
        return self.work / "wapiti-session"


def schemathesis_argv(
    schema: str,
    profile: DastProfile,
    paths: DastPaths,
    exclude_checks: list[str],
    *,
    auth: tuple[str, str] | None,
    trust: Path | None = None,
    seed: int | None = None,
) -> list[str]:
    """API fuzzing of every operation in ``schema``: all checks, bounded in examples and time;
    ``auth`` (header name, value) goes with every request; an HTTPS environment's ``trust``
    file verifies its server."""
    argv = [
        "st",
        "run",
        schema,
        "--max-examples",
        str(profile.max_examples),
        "--request-timeout",
        str(REQUEST_TIMEOUT),
        "--continue-on-failure",
        "--report-json-path",
        str(paths.schemathesis_json),
        "--report-html-path",
        str(paths.schemathesis_html),
        "--generation-database",
        "none",
        "--no-color",
    ]
    if trust is not None:
        argv += ["--tls-verify", str(trust)]
    if profile.api_time is not None:
        argv += ["--max-time", f"{profile.api_time:g}"]
    if auth is not None:
        argv += ["--header", f"{auth[0]}:{auth[1]}"]
    if exclude_checks:
        argv += ["--exclude-checks", ",".join(exclude_checks)]
    if seed is not None:
        argv += ["--seed", str(seed), "--generation-deterministic"]
    return argv


def wapiti_argv(
    start: str,
    profile: DastProfile,
    paths: DastPaths,
    *,
    auth: tuple[str, str] | None,
    schema: str | None = None,
) -> list[str]:
    """A crawl from ``start`` (this folder and below), and of the API operations ``schema``
    declares, then the profile's attack modules."""
    header = ["-H", f"{auth[0]}: {auth[1]}"] if auth is not None else []
    swagger = ["--swagger", schema] if schema is not None else []
    return [
        "wapiti",
        "-u",
        start,
        "--scope",
        "folder",
        "-m",
        ",".join(profile.modules),
        "-d",
        str(profile.depth),
        "--max-links-per-page",
        str(profile.max_links_per_page),
        "--max-scan-time",
        f"{profile.scan_time:g}",
        "--max-attack-time",
        f"{profile.attack_time:g}",
        "-t",
        str(REQUEST_TIMEOUT),
        "-f",
        "json",
        "-o",
        str(paths.wapiti_json),
        "--store-session",
        str(paths.wapiti_session),
        "--flush-session",
        "--no-bugreport",
        "-v",
        "1",
        *swagger,
        *header,
    ]


def time_limit(profile: DastProfile) -> float:
    """How long the stage waits for a scanner before it kills it: its budget and a margin (a
    pass of ``max_examples`` has no time budget of its own: it gets the crawl's)."""
    return max(profile.api_time or 0, profile.scan_time) + 120
