"""One run's summary: what ran, what Locust measured, the verdict and where the reports are.
Written as reports/perf/summary.json (machines), summary.md (CI) and appended to the history."""

from dataclasses import dataclass
from pathlib import Path

from shipway.decisions.perf.baseline import BaselineEntry
from shipway.decisions.perf.gate import PerfVerdict
from shipway.decisions.perf.stats import LocustStats
from shipway.decisions.perf.workload import Workload


@dataclass(frozen=True)
class RunSummary:
    profile: str
    host: str
    version: str | None  # the service's reported version, when it says
    users: int
    spawn_rate: float
    duration_s: float
    processes: int
    started: str  # ISO 8601
    stats: LocustStats | None
    verdict: PerfVerdict
    reports: Path
    workload: Workload  # the built-in user and its paths, or a locustfile

    def metric(self, name: str) -> float | None:
        total = self.stats.total if self.stats else None
        if total is None or total.requests == 0:
            return None
        value: float | None = {
            "p50_ms": total.p50_ms,
            "p95_ms": total.p95_ms,
            "p99_ms": total.p99_ms,
            "error_rate": total.error_rate,
            "rps": total.rps,
        }[name]
        return value

    def to_json(self) -> dict[str, object]:
        total = self.stats.total if self.stats else None
        return {
            "profile": self.profile,
            "host": self.host,
            "version": self.version,
            "users": self.users,
            "spawn_rate": self.spawn_rate,
            "duration_s": self.duration_s,
            "processes": self.processes,
            "started": self.started,
            "requests": total.requests if total else 0,
            "failures": total.failures if total else 0,
            **{
                name: self.metric(name)
                for name in ("p50_ms", "p95_ms", "p99_ms", "error_rate", "rps")
            },
            "verdict": "pass" if self.verdict.passed else "fail",
            "reasons": self.verdict.reasons,
            "notes": list(self.verdict.notes),
            "checks": [check.to_json() for check in self.verdict.checks],
            "workload": self.workload.to_json(),
            "endpoints": [e.to_json() for e in self.stats.endpoints] if self.stats else [],
            "failed_requests": [f.to_json() for f in self.stats.failures] if self.stats else [],
            "reports": {
                "html": str(self.reports / "locust.html"),
                "csv": str(self.reports / "locust_stats.csv"),
                "json": str(self.reports / "locust.json"),
                "log": str(self.reports / "locust.log"),
            },
        }

    def baseline_entry(self) -> BaselineEntry | None:
        """This run as a baseline; None when it measured nothing to compare with."""
        p95, rps, rate = self.metric("p95_ms"), self.metric("rps"), self.metric("error_rate")
        if p95 is None or rps is None or rate is None:
            return None
        return BaselineEntry(
            p95_ms=p95,
            rps=rps,
            error_rate=rate,
            users=self.users,
            duration_s=self.duration_s,
            p99_ms=self.metric("p99_ms"),
            version=self.version,
            recorded=self.started,
        )


def markdown(summary: RunSummary) -> str:
    """A short report for a CI step summary: verdict, headline numbers, checks, notes."""
    verdict = summary.verdict
    icon = "✅ PASS" if verdict.passed else "❌ FAIL"
    lines = [
        f"### perf: {icon} (profile {summary.profile}: {summary.users} users, "
        f"{summary.duration_s:g} s, {summary.host})",
        "",
        "| p95 | p99 | error rate | req/s | requests |",
        "|---|---|---|---|---|",
        f"| {_number(summary.metric('p95_ms'), ' ms')} | {_number(summary.metric('p99_ms'), ' ms')}"
        f" | {_percent(summary.metric('error_rate'))} | {_number(summary.metric('rps'), '')}"
        f" | {summary.stats.total.requests if summary.stats else 0} |",
        "",
        "| check | verdict | measured | required |",
        "|---|---|---|---|",
    ]
    for check in verdict.checks:
        mark = "✅" if check.passed else "❌"
        lines.append(
            f"| {check.gate} | {mark} {check.outcome.upper()} | {check.measured_text} "
            f"| {check.required} |"
        )
    lines.append("")
    lines += [f"- ❌ {error}" for error in verdict.errors]
    lines += [f"- {note}" for note in verdict.notes]
    lines.append(f"- reports: {summary.reports}/ (locust.html, locust_stats.csv, summary.json)")
    return "\n".join(lines) + "\n\n"


def _number(value: float | None, unit: str) -> str:
    return "—" if value is None else f"{value:.1f}{unit}"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"
