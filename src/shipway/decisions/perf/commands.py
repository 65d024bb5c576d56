"""Locust's command line for one run, and where its reports go."""

import math
from dataclasses import dataclass
from pathlib import Path

from shipway.config.perf import LoadProfile

STOP_TIMEOUT_S = 5  # users finish their current request before Locust stops
STARTUP_GRACE_S = 60  # Locust's own start and the report writing, beyond the run time


@dataclass(frozen=True)
class PerfPaths:
    """The stage's files: Locust's reports and shipway's summary, in one directory."""

    reports: Path

    @property
    def prefix(self) -> Path:  # Locust appends _stats.csv, _failures.csv, .json, ...
        return self.reports / "locust"

    @property
    def stats_csv(self) -> Path:
        return self.reports / "locust_stats.csv"

    @property
    def failures_csv(self) -> Path:
        return self.reports / "locust_failures.csv"

    @property
    def html(self) -> Path:
        return self.reports / "locust.html"

    @property
    def json(self) -> Path:
        return self.reports / "locust.json"

    @property
    def log(self) -> Path:
        return self.reports / "locust.log"

    @property
    def summary_json(self) -> Path:
        return self.reports / "summary.json"

    @property
    def summary_md(self) -> Path:
        return self.reports / "summary.md"


def worker_processes(setting: int | str, cores: int) -> int:
    """Locust processes: as configured, or with 'auto' one per two cores (the service under test
    needs the others), at least one. Beyond one, Locust forks a master and that many workers."""
    if isinstance(setting, int):
        return setting
    return max(1, cores // 2)


def run_seconds(profile: LoadProfile) -> int:
    return max(1, math.ceil(profile.duration))


def locust_argv(
    locustfile: Path, host: str, profile: LoadProfile, processes: int, paths: PerfPaths
) -> list[str]:
    """A headless, time-bounded run whose statistics and reports land in ``paths``.

    ``--exit-code-on-error 0``: failed requests are the gate's to judge (with numbers); a
    non-zero exit then means Locust itself failed.
    """
    argv = [
        "locust",
        "--locustfile",
        str(locustfile),
        "--headless",
        "--host",
        host,
        "--users",
        str(profile.users),
        "--spawn-rate",
        f"{profile.spawn_rate:g}",
        "--run-time",
        f"{run_seconds(profile)}s",
        "--stop-timeout",
        str(STOP_TIMEOUT_S),
        "--csv",
        str(paths.prefix),
        "--html",
        str(paths.html),
        "--json-file",
        str(paths.prefix),
        "--only-summary",
        "--exit-code-on-error",
        "0",
    ]
    if processes > 1:
        argv += ["--processes", str(processes)]
    return argv


def time_limit(profile: LoadProfile) -> float:
    """How long the Locust process may take before it is stopped as hung."""
    return run_seconds(profile) + STOP_TIMEOUT_S + STARTUP_GRACE_S
