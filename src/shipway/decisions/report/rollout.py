"""The report of one rollout (a deploy, rollback or abort, whatever its outcome): what it
changed, why it ended as it did, and what the analysis saw on the way.

A ``Timeline`` is filled while the rollout runs (appends in memory, nothing written until
it ends); ``rollout_report`` joins it with the audit record and the analysis rules in force,
and the views below turn that document into what the HTML and Markdown reports show:

- ``charts``: the traffic weight over time, and per analysis window and per release (new
  and stable) the request rate, the 5xx share and p95/p99, each with its rule's threshold
  drawn as a line (Chart.js configurations: data only, no drawing here);
- ``decisions``: every rule applied to every window, with its threshold, the measured value
  and the verdict, then the promotions and the outcome;
- ``markdown``: the same for a CI step summary.
"""

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from shipway.config.deploy import Analysis
from shipway.decisions.deploy.analysis import Measurement, Outcome

Release = Literal["new", "stable"]
RELEASES: tuple[Release, ...] = ("new", "stable")
COLOURS = {"new": "#2563eb", "stable": "#9ca3af", "threshold": "#dc2626", "weight": "#059669"}
REPORTED = frozenset({"deploy", "rollback"})
SERVED = ("succeeded", "succeeded, post-deploy hook failed")


class WeightPoint(BaseModel):
    model_config = ConfigDict(frozen=True)

    at: float
    weight: int  # the share of users' traffic on the new release, in percent
    stage: str


class StepRun(BaseModel):
    """One step of the rollout's plan (install, start, smoke, canary, switch, ...)."""

    model_config = ConfigDict(frozen=True)

    step: str
    started: float
    ended: float
    ok: bool


class Window(BaseModel):
    """One analysis measurement: the releases' metrics over its window and its verdict."""

    model_config = ConfigDict(frozen=True)

    at: float
    weight: int
    stage: str
    outcome: Outcome
    note: str = ""
    new: dict[str, float | int | None] | None = None
    stable: dict[str, float | int | None] | None = None
    breaches: list[dict[str, Any]] = []


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True)

    error_rate: float
    p95_ms: float | None
    p99_ms: float | None
    min_requests: int
    failure_limit: int
    window: float
    interval: float

    @classmethod
    def of(cls, rules: Analysis) -> "Thresholds":
        return cls(
            error_rate=rules.error_rate,
            p95_ms=rules.p95_ms,
            p99_ms=rules.p99_ms,
            min_requests=rules.min_requests,
            failure_limit=rules.failure_limit,
            window=rules.window,
            interval=rules.interval,
        )


@dataclass
class Timeline:
    """What a rollout's report needs, recorded as it happens (in memory)."""

    weights: list[WeightPoint] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)
    steps: list[StepRun] = field(default_factory=list)

    def step(self, step: str, started: float, ended: float, *, ok: bool) -> None:
        self.steps.append(StepRun(step=step, started=started, ended=ended, ok=ok))

    @property
    def weight_now(self) -> int:
        return self.weights[-1].weight if self.weights else 0

    @property
    def stage_now(self) -> str:
        return self.weights[-1].stage if self.weights else ""

    def weight(self, at: float, weight: int, stage: str) -> None:
        """A change of weight or stage (a repeat of the current one is not a change)."""
        if self.weights and (self.weights[-1].weight, self.weights[-1].stage) == (weight, stage):
            return
        self.weights.append(WeightPoint(at=at, weight=weight, stage=stage))

    def measured(self, at: float, measurement: Measurement) -> None:
        self.windows.append(
            Window(
                at=at,
                weight=self.weight_now,
                stage=self.stage_now,
                outcome=measurement.outcome,
                note=measurement.note,
                new=measurement.canary.summary() if measurement.canary else None,
                stable=measurement.stable.summary() if measurement.stable else None,
                breaches=[b.record() for b in measurement.breaches],
            )
        )


class RolloutReport(BaseModel):
    """The document a rollout's HTML and Markdown reports are rendered from."""

    model_config = ConfigDict(frozen=True)

    id: str
    environment: str
    target: Literal["local", "kubernetes"] = "local"
    action: str
    strategy: str | None = None
    version: str | None = None
    from_version: str | None = None
    who: str = ""
    git_sha: str | None = None
    started: float
    ended: float
    outcome: str
    reason: str = ""
    thresholds: Thresholds | None = None
    weights: list[WeightPoint] = []
    windows: list[Window] = []
    steps: list[StepRun] = []
    promotions: list[dict[str, Any]] = []
    breaches: list[dict[str, Any]] = []  # those that ended the analysis
    measurements: dict[str, int] = {}

    @property
    def succeeded(self) -> bool:
        return self.outcome in SERVED

    @property
    def seconds(self) -> float:
        return max(0.0, self.ended - self.started)

    @property
    def title(self) -> str:
        change = f"{self.from_version or '(nothing)'} → {self.version or '(nothing)'}"
        return f"{self.action} {change} in {self.environment}: {self.outcome}"


def report_id(action: str, version: str | None, started: float) -> str:
    """Sortable by time, unique per environment (one rollout at a time holds its lock), and
    safe as a file name whatever the version string holds."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
    safe = re.sub(r"[^A-Za-z0-9._+-]", "_", version or "none")
    return f"{stamp}-{action}-{safe}"


def rollout_report(
    record: Mapping[str, Any],
    timeline: Timeline | None,
    rules: Analysis | None,
    target: Literal["local", "kubernetes"] = "local",
) -> RolloutReport:
    """The report of the rollout an audit ``record`` ends (see ``REPORTED``)."""
    started = float(record.get("started", 0.0))
    return RolloutReport(
        id=str(record.get("report") or report_id(str(record["action"]), None, started)),
        environment=str(record.get("environment", "")),
        target=target,
        action=str(record["action"]),
        strategy=record.get("strategy"),
        version=record.get("version"),
        from_version=record.get("from_version"),
        who=str(record.get("who", "")),
        git_sha=record.get("git_sha"),
        started=started,
        ended=float(record.get("ended", started)),
        outcome=str(record.get("outcome", "")),
        reason=str(record.get("reason", "")),
        thresholds=Thresholds.of(rules) if rules is not None else None,
        weights=timeline.weights if timeline else [],
        windows=timeline.windows if timeline else [],
        steps=timeline.steps if timeline else [],
        promotions=list(record.get("promotions", [])),
        breaches=list(record.get("breaches", [])),
        measurements=dict(record.get("measurements", {})),
    )


# -- charts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    config: dict[str, Any]  # a Chart.js configuration


def charts(report: RolloutReport) -> list[Chart]:
    """The weight timeline, then one chart per metric of the analysis windows (none without
    windows: a rollout that never took traffic has nothing to draw there)."""
    found = []
    if report.weights:
        found.append(_weight_chart(report))
    if report.windows:
        found += [
            _metric_chart(report, "rps", "request rate (requests/s)", None),
            _metric_chart(report, "error_rate", "5xx share (%)", "error_rate"),
            _metric_chart(report, "p95_ms", "p95 latency (ms)", "p95_ms"),
            _metric_chart(report, "p99_ms", "p99 latency (ms)", "p99_ms"),
        ]
    return found


def _seconds(report: RolloutReport, at: float) -> float:
    return round(at - report.started, 2)


def _weight_chart(report: RolloutReport) -> Chart:
    points = [{"x": _seconds(report, p.at), "y": p.weight} for p in report.weights]
    points.append({"x": _seconds(report, report.ended), "y": report.weights[-1].weight})
    dataset = {
        "label": f"traffic on {report.version}",
        "data": points,
        "stepped": True,
        "borderColor": COLOURS["weight"],
        "backgroundColor": COLOURS["weight"],
    }
    end = _seconds(report, report.ended)
    return Chart(
        "weights", "traffic weight on the new release (%)", _config([dataset], 0, 100, end=end)
    )


def _metric_chart(report: RolloutReport, metric: str, title: str, rule: str | None) -> Chart:
    percent = metric == "error_rate"
    datasets: list[dict[str, Any]] = []
    for release in RELEASES:
        points = []
        for window in report.windows:
            metrics = window.new if release == "new" else window.stable
            value = (metrics or {}).get(metric)
            if value is not None:
                y = round(float(value) * 100, 3) if percent else value
                points.append({"x": _seconds(report, window.at), "y": y})
        if points:
            label = f"{release} ({report.version if release == 'new' else report.from_version})"
            datasets.append(
                {
                    "label": label,
                    "data": points,
                    "borderColor": COLOURS[release],
                    "backgroundColor": COLOURS[release],
                }
            )
    threshold = _threshold(report.thresholds, rule)
    if threshold is not None:
        value = threshold * 100 if percent else threshold
        datasets.append(
            {
                "label": f"threshold {value:g}{' %' if percent else ' ms'}",
                "data": [{"x": 0, "y": value}, {"x": _seconds(report, report.ended), "y": value}],
                "borderColor": COLOURS["threshold"],
                "backgroundColor": COLOURS["threshold"],
                "borderDash": [6, 4],
                "pointRadius": 0,
            }
        )
    # Latencies span orders of magnitude (a 20 ms release, a 2000 ms threshold): a
    # logarithmic axis shows both.
    scale = "linear" if rule in (None, "error_rate") else "logarithmic"
    config = _config(datasets, 0, None, end=_seconds(report, report.ended))
    if scale == "logarithmic":
        config["options"]["scales"]["y"] = {"type": "logarithmic"}
    return Chart(metric.replace("_", "-"), title, config)


def _threshold(thresholds: Thresholds | None, rule: str | None) -> float | None:
    if thresholds is None or rule is None:
        return None
    value = getattr(thresholds, rule)
    return None if value is None else float(value)


def _config(
    datasets: list[dict[str, Any]], y_min: float, y_max: float | None, *, end: float
) -> dict[str, Any]:
    """A line chart over the rollout's seconds, from its start to its end."""
    y_axis: dict[str, Any] = {"min": y_min}
    if y_max is not None:
        y_axis["max"] = y_max
    return {
        "type": "line",
        "data": {"datasets": datasets},
        "options": {
            "animation": False,
            "maintainAspectRatio": False,
            "parsing": True,
            "scales": {
                "x": {
                    "type": "linear",
                    "min": 0,
                    "max": end,
                    "title": {"display": True, "text": "seconds since start"},
                },
                "y": y_axis,
            },
        },
    }


# -- decisions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decision:
    at: float | None  # seconds since the rollout started
    where: str  # the stage and weight, or "outcome"
    rule: str
    threshold: str
    measured: str
    verdict: str
    failed: bool = False


def decisions(report: RolloutReport) -> list[Decision]:
    """Every rule applied to every window, then who promoted what, then the outcome."""
    found: list[Decision] = []
    limits = report.thresholds
    for window in report.windows:
        at = _seconds(report, window.at)
        where = f"{window.stage or 'analysis'} at {window.weight}%"
        if window.new is None:
            found.append(Decision(at, where, "metrics source", "-", "-", window.note, True))
            continue
        breached = {str(b["rule"]) for b in window.breaches}
        failed = window.outcome is Outcome.FAILED
        if limits is not None:
            requests = int(window.new.get("requests") or 0)
            enough = requests >= limits.min_requests
            found.append(
                Decision(
                    at,
                    where,
                    "min_requests",
                    f"≥ {limits.min_requests}",
                    str(requests),
                    "enough data" if enough else "too few requests: inconclusive",
                )
            )
            for rule, value, threshold in _rules(window.new, limits):
                if threshold is None:
                    continue
                over = rule in breached
                stable_too = over and not failed and window.outcome is Outcome.INCONCLUSIVE
                verdict = "within" if not over else "breached"
                if stable_too:
                    verdict = "breached (inconclusive: " + (window.note or "see note") + ")"
                found.append(
                    Decision(
                        at,
                        where,
                        rule,
                        _shown(rule, threshold, "≤ "),
                        _shown(rule, value, ""),
                        verdict,
                        over and failed,
                    )
                )
        found.append(Decision(at, where, "window verdict", "-", "-", window.outcome.value, failed))
    for promotion in report.promotions:
        at = _seconds(report, float(promotion.get("at", report.started)))
        stage = str(promotion.get("stage", ""))
        found.append(
            Decision(at, stage, "manual promotion", "-", "-", f"promoted by {promotion.get('who')}")
        )
    for breach in report.breaches:
        rule = str(breach.get("rule"))
        found.append(
            Decision(
                None,
                "outcome",
                rule,
                _shown(rule, breach.get("threshold"), "≤ "),
                _shown(rule, breach.get("measured"), ""),
                "breached: rolled back",
                True,
            )
        )
    found.append(
        Decision(
            _seconds(report, report.ended),
            "outcome",
            "rollout",
            "-",
            "-",
            report.outcome + (f": {report.reason}" if report.reason else ""),
            not report.succeeded,
        )
    )
    return found


def _rules(
    metrics: Mapping[str, float | int | None], limits: Thresholds
) -> list[tuple[str, float | int | None, float | None]]:
    return [
        ("error_rate", metrics.get("error_rate"), limits.error_rate),
        ("p95", metrics.get("p95_ms"), limits.p95_ms),
        ("p99", metrics.get("p99_ms"), limits.p99_ms),
    ]


def _shown(rule: str, value: object, prefix: str) -> str:
    if not isinstance(value, int | float):
        return "-"
    if rule == "error_rate":
        return f"{prefix}{value * 100:.2f} %"
    if rule in ("p95", "p99"):
        return f"{prefix}{value:g} ms"
    return f"{prefix}{value:g}"


# -- markdown --------------------------------------------------------------------------------


def markdown(report: RolloutReport) -> str:
    """The report for a CI step summary: the outcome and reason first, then the decisions."""
    icon = "✅" if report.succeeded else "❌"
    lines = [
        f"### {icon} {_md(report.title)}",
        "",
        f"- **outcome:** {_md(report.outcome)}"
        + (f": {_md(report.reason)}" if report.reason else ""),
        f"- **who:** {_md(report.who)}, "
        f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime(report.started))}, "
        f"{report.seconds:.1f}s",
    ]
    if report.strategy:
        lines.append(f"- **strategy:** {_md(report.strategy)}")
    if report.git_sha:
        lines.append(f"- **commit:** `{_md(report.git_sha)}`")
    if report.thresholds is not None:
        t = report.thresholds
        latency = "".join(
            f", {name} ≤ {value:g} ms"
            for name, value in (("p95", t.p95_ms), ("p99", t.p99_ms))
            if value
        )
        lines.append(
            f"- **rules:** 5xx ≤ {t.error_rate * 100:g} %{latency}, at least {t.min_requests} "
            f"requests per {t.window:g}s window"
        )
    if report.weights:
        steps = " → ".join(f"{p.weight}% ({_md(p.stage)})" for p in report.weights)
        lines.append(f"- **traffic:** {steps}")
    if report.steps:
        done = ", ".join(
            f"{s.step} {s.ended - s.started:.1f}s{'' if s.ok else ' ❌'}" for s in report.steps
        )
        lines.append(f"- **steps:** {done}")
    rows = decisions(report)
    lines += [
        "",
        "| s | where | rule | threshold | measured | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        at = "" if row.at is None else f"{row.at:g}"
        mark = "❌ " if row.failed else ""
        lines.append(
            f"| {at} | {_md(row.where)} | {row.rule} | {row.threshold} | {row.measured} "
            f"| {mark}{_md(row.verdict)} |"
        )
    return "\n".join(lines) + "\n\n"


def _md(text: str) -> str:
    """Text from a deploy (versions, reasons, names) kept from breaking a table or markup."""
    return re.sub(r"([|\\`*_<>\[\]])", r"\\\1", text.replace("\n", " "))
