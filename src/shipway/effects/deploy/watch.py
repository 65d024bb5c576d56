"""Watching a release that takes traffic: health checks once a second, a measurement from the
router's statistics every ``interval``, progress on the terminal and in ``rollout.json``.
Before a blue-green switch the new release takes no users' traffic: what is measured then is
what it answers on the preview port (the router's "preview" cluster).

The verdicts are decisions/deploy/analysis.py's; this module only feeds it and shows it.
"""

import time
from collections import deque
from typing import Literal

from rich.console import Group
from rich.live import Live
from rich.table import Table

from shipway.decisions.deploy.analysis import (
    AnalysisRun,
    Failure,
    Measurement,
    Outcome,
    failure,
    measure,
    source_error,
)
from shipway.decisions.deploy.metrics import MetricsError, Sample, WindowMetrics, baseline, window
from shipway.decisions.deploy.promotion import applies
from shipway.decisions.deploy.state import Control, Rollout, Slot, other
from shipway.decisions.report.rollout import Timeline
from shipway.effects import probes
from shipway.effects.console import console
from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_control, write_atomically
from shipway.effects.deploy.router import router_sample

TICK = 1.0  # seconds between health checks (and control-file polls)


class Watch:
    """The analysis of the release in ``slot`` while it takes traffic."""

    def __init__(
        self,
        env: LocalEnvironment,
        slot: Slot,
        operation: str,
        version: str,
        strategy: Literal["blue-green", "canary"],
        timeline: Timeline,
    ) -> None:
        self.env = env
        self.timeline = timeline  # what the rollout's report shows
        self.rules = env.config.analysis
        self.slot = slot
        self.operation = operation
        self.version = version
        self.strategy = strategy
        self.run = AnalysisRun()
        self.samples: deque[Sample] = deque()
        self.cluster: str = slot  # the router's cluster whose answers are the new release's
        self.compare = True  # whether the other slot takes traffic to compare with
        self.preview_url: str | None = None  # shown while the preview answers from it
        self.promotions: list[dict[str, object]] = []  # inv promote: stage, who, when
        self.max_weight = 0
        self.display = Display()
        self.watcher = processes.this_process()
        self.next_measurement = 0.0
        self.baseline_taken = False

    def restart_window(self, *, compare: bool, cluster: str | None = None) -> None:
        """Begin measuring from now, what ``cluster`` answers (default: the new release's
        slot); after promotion, the stable slot has no traffic left to compare with."""
        self.samples.clear()
        self.cluster = cluster or self.slot
        self.compare = compare
        self.baseline_taken = False

    def tick(self, *, manual: bool = False) -> Failure | None:
        """One health check, a measurement when one is due; the analysis' failure, if any
        (at a ``manual`` pause, too little data is no failure)."""
        now = time.monotonic()
        if not self.baseline_taken:
            self.baseline_taken = self._sample(now) is not None
            self.next_measurement = now + self.rules.interval
        self.run = self.run.record_health(self._ready())
        if now >= self.next_measurement:
            self.next_measurement = now + self.rules.interval
            measurement = self._measure(now)
            self.run = self.run.record(measurement)
            self.timeline.measured(time.time(), measurement)
            self.display.measured(measurement, self.version)
        return failure(self.run, self.rules, manual=manual)

    def control(self, stage: str) -> Control | None:
        """``inv promote`` or ``inv abort``, if one was sent, and acts at ``stage``; a promote
        meant for an earlier stage is spent without effect (promotion.applies)."""
        found = load_control(self.env.files, self.operation)
        if found is None:
            return None
        self.env.files.control.unlink(missing_ok=True)
        if not applies(found, stage):
            console.print(
                f"  a promote by {found.who} for {found.stage} reached {stage}: already past it"
            )
            return None
        return found

    def publish(
        self,
        stage: str,
        weight: int,
        ends_at: float | None,
        status: str,
        held_since: float | None = None,
    ) -> Rollout:
        self.max_weight = max(self.max_weight, weight)
        self.timeline.weight(time.time(), weight, stage)
        last = self.run.last
        rollout = Rollout(
            operation=self.operation,
            version=self.version,
            strategy=self.strategy,
            stage=stage,
            weight=weight,
            max_weight=self.max_weight,
            ends_at=ends_at,
            status=status,
            held_since=held_since,
            preview_url=self.preview_url,
            canary=last.canary.summary() if last and last.canary else {},
            stable=last.stable.summary() if last and last.stable else {},
            measurements=self.run.counts(),
            watcher=self.watcher,
            updated=time.time(),
        )
        write_atomically(self.env.files, self.env.files.rollout, rollout)
        self.display.show(rollout)
        return rollout

    def close(self) -> None:
        self.display.close()
        self.env.files.rollout.unlink(missing_ok=True)
        self.env.files.control.unlink(missing_ok=True)

    def _sample(self, now: float) -> Sample | None:
        try:
            return self._remember(router_sample(self.env.files, now))
        except MetricsError:
            return None

    def _remember(self, sample: Sample) -> Sample:
        """Keep the samples a window needs: the newest one at or before its start, and later."""
        self.samples.append(sample)
        while len(self.samples) > 2 and self.samples[1].at <= sample.at - self.rules.window:
            self.samples.popleft()
        return sample

    def _measure(self, now: float) -> Measurement:
        try:
            sample = router_sample(self.env.files, now)
        except MetricsError as error:
            return source_error(str(error), now)
        start = baseline(self.samples, now - self.rules.window)
        if start is None:
            self._remember(sample)
            return source_error("no earlier sample to measure a window from", now)
        try:
            seconds = sample.at - start.at
            canary = window(start.of(self.cluster), sample.of(self.cluster), seconds)
            stable: WindowMetrics | None = None
            if self.compare:
                stable_slot = other(self.slot)
                stable = window(start.of(stable_slot), sample.of(stable_slot), seconds)
        except MetricsError as error:
            # The router restarted (a supervisor brought it back from its files): its counters
            # begin again, so windows are measured from this sample on, not from older ones.
            self.samples.clear()
            self._remember(sample)
            return source_error(str(error), now)
        self._remember(sample)
        return measure(self.rules, canary, stable, now)

    def _ready(self) -> bool:
        base = f"http://127.0.0.1:{self.env.slot_ports[self.slot]}"
        return probes.ready(base, self.env.config.ready_path, timeout=TICK)


def sleep_until_next_tick(tick_started: float) -> None:
    time.sleep(max(0.0, TICK - (time.monotonic() - tick_started)))


class Display:
    """A live table on a terminal; a line per measurement or change elsewhere (CI logs)."""

    def __init__(self) -> None:
        self.live: Live | None = None
        self.last_line = ""

    def show(self, rollout: Rollout) -> None:
        if console.is_terminal:
            if self.live is None:
                self.live = Live(console=console, refresh_per_second=2, transient=True)
                self.live.start()
            self.live.update(render(rollout))
            return
        line = f"  {rollout.stage}: {rollout.weight}% on {rollout.version}, {rollout.status}"
        if line != self.last_line:
            console.print(line)
            self.last_line = line

    def measured(self, measurement: Measurement | None, version: str) -> None:
        if measurement is None or console.is_terminal:
            return
        colour = {Outcome.SUCCESSFUL: "green", Outcome.FAILED: "red"}.get(
            measurement.outcome, "yellow"
        )
        metrics = ""
        if measurement.canary is not None:
            m = measurement.canary.summary()
            rate, p95 = _percent(m["error_rate"]), _ms(m["p95_ms"])
            metrics = f" ({m['requests']} requests, {rate} 5xx, p95 {p95})"
        console.print(
            f"    [{colour}]{measurement.outcome.value}[/]{metrics}: {measurement.describe()}"
        )

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


def render(rollout: Rollout) -> Group:
    left = ""
    if rollout.ends_at is not None:
        left = f", {max(0.0, rollout.ends_at - time.time()):.0f}s left"
    heading = (
        f"[bold]{rollout.strategy} {rollout.version}[/] — {rollout.stage}: "
        f"{rollout.weight}% of traffic{left} — {rollout.status}"
    )
    table = Table(box=None, pad_edge=False)
    for column in ("release", "requests", "rps", "5xx", "p95", "p99"):
        table.add_column(column, justify="left" if column == "release" else "right")
    for name, metrics in (("new", rollout.canary), ("stable", rollout.stable)):
        if metrics:
            table.add_row(
                name,
                str(metrics.get("requests", "")),
                str(metrics.get("rps", "")),
                _percent(metrics.get("error_rate")),
                _ms(metrics.get("p95_ms")),
                _ms(metrics.get("p99_ms")),
            )
    counts = ", ".join(f"{k} {v}" for k, v in rollout.measurements.items())
    preview = [f"preview: {rollout.preview_url}"] if rollout.preview_url else []
    return Group(heading, table, f"measurements: {counts}", *preview)


def _percent(value: object) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "-"


def _ms(value: object) -> str:
    return f"{value:.0f} ms" if isinstance(value, int | float) else "-"
