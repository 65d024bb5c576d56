"""The environment dashboard (``inv dashboard``): what its page shows, built from the audit logs,
git's commit times, the perf stage's run history and the stage cache's records. No I/O here.

Per environment:

- **History**: its deploys and rollbacks, newest first (the newest ``HISTORY_ROWS``): when, the
  version and the one it replaced, the outcome, how long it took (``started`` to ``ended``),
  who, and the id of its rollout report when the record names one.
- **The DORA four keys** over the window (the last ``WINDOW_DAYS`` days), as ``dora.dora``
  defines them: deployment frequency, lead time for changes, change failure rate, time to
  restore.
- **Charts** of the window: deploys per UTC day stacked by outcome, with manual rollbacks
  beside them; each deploy's duration (start to end), by outcome; and each served deploy's lead
  time (its commit's time to serving), when git knows the commit.

Across environments:

- **The perf trend**: the runs of one load profile (the configured one, else the most run),
  oldest first: p95 and p99 latency, the request rate and the failed requests' share, each
  beside the gate's threshold recorded with that run.
- **Stage durations**: how long each checking stage's last run that passed took, as the stage
  cache recorded it (a cached PASS keeps the time of the run it stands for; a stage that never
  passed, or has no cache, has no duration).

Charts are Chart.js configurations (data only): category x axes, never a time scale (which
needs a date adapter the page does not carry), no animation.
"""

import datetime
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shipway.decisions.report.dora import DAY, SERVED, Dora, dora, served_at
from shipway.decisions.report.rollout import REPORTED, Chart

WINDOW_DAYS = 30
HISTORY_ROWS = 100
PERF_ROWS = 20
MAX_BAR = 48  # pixels: a chart of few bars keeps them bars, not blocks
OUTCOME_COLOURS = {
    "succeeded": "#059669",
    "succeeded, post-deploy hook failed": "#84cc16",
    "rolled_back": "#f59e0b",
    "failed": "#dc2626",
    "aborted": "#7c3aed",
    "interrupted": "#6b7280",
}
ROLLBACK_COLOUR = "#2563eb"
OTHER_COLOUR = "#374151"
SERIES_COLOURS = {"p95": "#2563eb", "p99": "#9333ea", "rps": "#059669", "errors": "#f59e0b"}
THRESHOLD_COLOUR = "#dc2626"
# The perf gates' names in a run's checks (decisions/perf/gate.py), by the series they bound.
PERF_GATES = {"p95": "perf.p95_ms", "rps": "perf.min_rps", "errors": "perf.error_rate"}


@dataclass(frozen=True)
class Row:
    """One deploy or rollback of the history table."""

    environment: str
    started: float
    action: str
    version: str | None
    from_version: str | None
    outcome: str
    seconds: float | None
    who: str
    reason: str
    report: str | None  # the id of its rollout report

    @property
    def succeeded(self) -> bool:
        return self.outcome in SERVED


@dataclass(frozen=True)
class EnvironmentView:
    name: str
    rows: list[Row]  # newest first, at most HISTORY_ROWS
    recorded: int  # deploys and rollbacks in its audit log
    keys: Dora
    charts: list[Chart]


@dataclass(frozen=True)
class PerfRun:
    started: str  # ISO 8601, as the run recorded it
    profile: str
    version: str | None
    p95_ms: float | None
    p99_ms: float | None
    rps: float | None
    error_rate: float | None  # a fraction
    verdict: str
    thresholds: dict[str, float]  # by series (PERF_GATES), in the series' unit

    @property
    def passed(self) -> bool:
        return self.verdict == "pass"


@dataclass(frozen=True)
class PerfView:
    profile: str | None  # the profile charted; None without runs
    runs: list[PerfRun]  # every run, newest first, at most PERF_ROWS
    charted: int  # runs of the charted profile
    total: int
    charts: list[Chart]


@dataclass(frozen=True)
class StageTime:
    stage: str
    seconds: float
    passed_at: datetime.datetime


@dataclass(frozen=True)
class Dashboard:
    generated: float
    window_days: int
    environments: list[EnvironmentView]
    perf: PerfView
    stages: list[StageTime]  # by name
    stage_charts: list[Chart]

    @property
    def charts(self) -> list[Chart]:
        found = [chart for view in self.environments for chart in view.charts]
        return [*found, *self.perf.charts, *self.stage_charts]


def dashboard(
    audits: Mapping[str, Sequence[Mapping[str, Any]]],
    commit_times: Mapping[str, float],
    perf_runs: Sequence[Mapping[str, Any]],
    profile: str,
    stages: Sequence[StageTime],
    now: float,
    window_days: int = WINDOW_DAYS,
) -> Dashboard:
    """The page's view: ``audits`` by environment (each log oldest first), ``perf_runs`` as
    runs.jsonl holds them (oldest first), ``profile`` the perf profile configured."""
    since = now - window_days * DAY
    return Dashboard(
        generated=now,
        window_days=window_days,
        environments=[
            environment_view(name, records, commit_times, since, now)
            for name, records in sorted(audits.items())
        ],
        perf=perf_view(perf_runs, profile),
        stages=sorted(stages, key=lambda s: s.stage),
        stage_charts=stage_charts(stages),
    )


# -- environments ----------------------------------------------------------------------------


def environment_view(
    name: str,
    records: Sequence[Mapping[str, Any]],
    commit_times: Mapping[str, float],
    since: float,
    until: float,
) -> EnvironmentView:
    rows = history(name, records)
    window = [r for r in records if since <= _started(r) < until]
    charts = []
    if any(r.get("action") in REPORTED for r in window):
        charts.append(deploys_per_day(name, window, since, until))
    deploys = [r for r in window if r.get("action") == "deploy"]
    if deploys:
        charts.append(durations(name, deploys))
    lead = lead_times(name, deploys, commit_times)
    if lead is not None:
        charts.append(lead)
    return EnvironmentView(
        name=name,
        rows=rows[:HISTORY_ROWS],
        recorded=len(rows),
        keys=dora(records, commit_times, since, until),
        charts=charts,
    )


def history(name: str, records: Sequence[Mapping[str, Any]]) -> list[Row]:
    """Its deploys and rollbacks, newest first."""
    rows = [
        Row(
            environment=name,
            started=_started(r),
            action=str(r["action"]),
            version=_text(r.get("version")),
            from_version=_text(r.get("from_version")),
            outcome=str(r.get("outcome", "")),
            seconds=_seconds(r),
            who=str(r.get("who", "")),
            reason=str(r.get("reason") or ""),
            report=_text(r.get("report")),
        )
        for r in records
        if r.get("action") in REPORTED
    ]
    return sorted(rows, key=lambda row: row.started, reverse=True)


def deploys_per_day(
    name: str, window: Sequence[Mapping[str, Any]], since: float, until: float
) -> Chart:
    """Deploys per UTC day, one stacked series per outcome, and ``inv rollback`` beside them."""
    first = int(since // DAY)
    days = list(range(first, int((until - 1) // DAY) + 1))
    counts: Counter[tuple[str, int]] = Counter()
    for record in window:
        series = "rollback" if record.get("action") == "rollback" else record.get("outcome")
        if record.get("action") in REPORTED:
            counts[(str(series), int(_started(record) // DAY))] += 1
    datasets = [
        {
            "label": series,
            "data": [counts[(series, day)] for day in days],
            "backgroundColor": _colour(series),
            "stack": "rollbacks" if series == "rollback" else "deploys",
        }
        for series in _ordered({series for series, _ in counts})
    ]
    labels = [time.strftime("%m-%d", time.gmtime(day * DAY)) for day in days]
    return Chart(
        f"{name}-deploys",
        f"{name}: deploys per day (UTC) by outcome, and rollbacks",
        _bar(labels, datasets, "deploys", stacked=True, whole=True),
    )


def durations(name: str, deploys: Sequence[Mapping[str, Any]]) -> Chart:
    """Each deploy's duration in seconds, oldest first; one series per outcome."""
    ordered = sorted(deploys, key=_started)
    outcomes = _ordered({str(r.get("outcome")) for r in ordered})
    datasets = [
        {
            "label": outcome,
            "data": [_seconds(r) if str(r.get("outcome")) == outcome else None for r in ordered],
            "backgroundColor": _colour(outcome),
        }
        for outcome in outcomes
    ]
    labels = [str(r.get("version") or "-") for r in ordered]
    return Chart(
        f"{name}-durations",
        f"{name}: deploy duration (s), start to end",
        _bar(labels, datasets, "seconds", stacked=True),
    )


def lead_times(
    name: str, deploys: Sequence[Mapping[str, Any]], commit_times: Mapping[str, float]
) -> Chart | None:
    """Each served deploy's lead time, commit to serving, in hours; None when git knows none
    of their commits."""
    known = [
        r
        for r in sorted(deploys, key=_started)
        if r.get("outcome") in SERVED and r.get("git_sha") in commit_times
    ]
    if not known:
        return None
    dataset = {
        "label": "lead time (h)",
        "data": [round((served_at(r) - commit_times[str(r["git_sha"])]) / 3600, 2) for r in known],
        "borderColor": OUTCOME_COLOURS["succeeded"],
        "backgroundColor": OUTCOME_COLOURS["succeeded"],
    }
    labels = [str(r.get("version") or "-") for r in known]
    return Chart(
        f"{name}-lead-times",
        f"{name}: lead time for changes (h), commit to serving",
        _line(labels, [dataset], "hours"),
    )


# -- perf ------------------------------------------------------------------------------------


def perf_view(documents: Sequence[Mapping[str, Any]], configured: str) -> PerfView:
    runs = [perf_run(d) for d in documents]
    profiles = Counter(run.profile for run in runs)
    profile = configured if configured in profiles else None
    if profile is None and profiles:
        profile = profiles.most_common(1)[0][0]
    charted = [run for run in runs if run.profile == profile]
    return PerfView(
        profile=profile,
        runs=list(reversed(runs))[:PERF_ROWS],
        charted=len(charted),
        total=len(runs),
        charts=perf_charts(charted) if charted else [],
    )


def perf_run(document: Mapping[str, Any]) -> PerfRun:
    """A run as runs.jsonl holds it (decisions/perf/summary.py, ``RunSummary.to_json``)."""
    thresholds = {}
    for check in document.get("checks") or []:
        for series, gate in PERF_GATES.items():
            if check.get("gate") == gate and isinstance(check.get("threshold"), int | float):
                thresholds[series] = float(check["threshold"])
    return PerfRun(
        started=str(document.get("started", "")),
        profile=str(document.get("profile", "")),
        version=_text(document.get("version")),
        p95_ms=_number(document.get("p95_ms")),
        p99_ms=_number(document.get("p99_ms")),
        rps=_number(document.get("rps")),
        error_rate=_number(document.get("error_rate")),
        verdict=str(document.get("verdict", "")),
        thresholds=thresholds,
    )


def perf_charts(runs: Sequence[PerfRun]) -> list[Chart]:
    """Latency, request rate and failures per run, each beside its gate's threshold (the
    error-rate gate is recorded in percent; a minimum rate of 0 bounds nothing)."""
    labels = [_run_label(run) for run in runs]
    errors = [None if r.error_rate is None else round(r.error_rate * 100, 3) for r in runs]
    latency = [
        _series("p95", [r.p95_ms for r in runs]),
        _series("p99", [r.p99_ms for r in runs]),
        *_threshold("p95 gate", [r.thresholds.get("p95") for r in runs]),
    ]
    rates = [
        _series("requests/s", [r.rps for r in runs], "rps"),
        *_threshold("minimum", [r.thresholds.get("rps") or None for r in runs]),
    ]
    failures = [
        _series("failed requests (%)", errors, "errors"),
        *_threshold("error-rate gate", [r.thresholds.get("errors") for r in runs]),
    ]
    return [
        Chart(
            "perf-latency", "perf: p95 and p99 latency (ms) per run", _line(labels, latency, "ms")
        ),
        Chart("perf-rps", "perf: request rate (requests/s) per run", _line(labels, rates, "req/s")),
        Chart("perf-errors", "perf: failed requests (%) per run", _line(labels, failures, "%")),
    ]


def _run_label(run: PerfRun) -> str:
    stamp = run.started[:16].replace("T", " ")
    return f"{stamp} {run.version}" if run.version else stamp


def _series(label: str, values: list[float | None], colour: str | None = None) -> dict[str, Any]:
    shade = SERIES_COLOURS[colour or label]
    return {"label": label, "data": values, "borderColor": shade, "backgroundColor": shade}


def _threshold(label: str, values: list[float | None]) -> list[dict[str, Any]]:
    if all(value is None for value in values):
        return []
    return [
        {
            "label": label,
            "data": values,
            "borderColor": THRESHOLD_COLOUR,
            "backgroundColor": THRESHOLD_COLOUR,
            "borderDash": [6, 4],
            "pointRadius": 0,
            "stepped": True,
        }
    ]


# -- stages ----------------------------------------------------------------------------------


def stage_charts(stages: Sequence[StageTime]) -> list[Chart]:
    if not stages:
        return []
    ordered = sorted(stages, key=lambda s: s.stage)
    dataset = {
        "label": "seconds",
        "data": [stage.seconds for stage in ordered],
        "backgroundColor": SERIES_COLOURS["p95"],
    }
    labels = [stage.stage for stage in ordered]
    title = "stage durations (s): each stage's last run that passed"
    return [Chart("stages", title, _bar(labels, [dataset], "seconds", stacked=False))]


# -- helpers ---------------------------------------------------------------------------------


def _bar(
    labels: list[str],
    datasets: list[dict[str, Any]],
    y_title: str,
    *,
    stacked: bool,
    whole: bool = False,
) -> dict[str, Any]:
    config = _config("bar", labels, datasets, y_title)
    for axis in ("x", "y"):
        config["options"]["scales"][axis]["stacked"] = stacked
    config["options"]["maxBarThickness"] = MAX_BAR
    if whole:
        config["options"]["scales"]["y"]["ticks"] = {"precision": 0}
    return config


def _line(labels: list[str], datasets: list[dict[str, Any]], y_title: str) -> dict[str, Any]:
    config = _config("line", labels, datasets, y_title)
    config["options"]["spanGaps"] = True
    return config


def _config(
    kind: str, labels: list[str], datasets: list[dict[str, Any]], y_title: str
) -> dict[str, Any]:
    return {
        "type": kind,
        "data": {"labels": labels, "datasets": datasets},
        "options": {
            "animation": False,
            "maintainAspectRatio": False,
            "scales": {
                "x": {"type": "category"},
                "y": {"beginAtZero": True, "title": {"display": True, "text": y_title}},
            },
        },
    }


def _ordered(series: set[str]) -> list[str]:
    """Outcomes in a fixed order (served first), others by name, rollbacks last."""
    known = [s for s in OUTCOME_COLOURS if s in series]
    others = sorted(s for s in series if s not in OUTCOME_COLOURS and s != "rollback")
    return [*known, *others, *(["rollback"] if "rollback" in series else [])]


def _colour(series: str) -> str:
    if series == "rollback":
        return ROLLBACK_COLOUR
    return OUTCOME_COLOURS.get(series, OTHER_COLOUR)


def _started(record: Mapping[str, Any]) -> float:
    return float(record.get("started", 0))


def _seconds(record: Mapping[str, Any]) -> float | None:
    if "ended" not in record or "started" not in record:
        return None
    return round(max(0.0, float(record["ended"]) - float(record["started"])), 1)


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
