"""Analysis of a release taking traffic: measurements, limits and the verdict.

The semantics follow Argo Rollouts' AnalysisRun and Flagger's interval times threshold:

- Every ``interval`` a **measurement** looks at the new release over the last ``window``
  (through the router: what users got). Its outcome is one of:
  - *failed*: a rule is breached (5xx share above ``error_rate``, p95/p99 above ``p95_ms`` /
    ``p99_ms``), and — with ``compare_to_stable`` — the stable release, which takes the rest of
    the traffic in the same window, does not breach that rule too;
  - *inconclusive*: fewer than ``min_requests`` requests in the window, or every breach is one
    the stable release shows as well (a slow dependency slows both: that is not the new
    release's fault, and not a pass either);
  - *error*: the router's statistics could not be read;
  - *successful*: none of the above.
  Too few requests only make a window inconclusive while the errors seen could still be within
  the limit: 10 errors out of 10 requests fail a 5 % rule with ``min_requests`` 20, because the
  window would breach even if the 10 missing requests all succeeded.
- The analysis **fails** (and the release is rolled back) when
  - failed measurements exceed ``failure_limit`` (0 by default: the first failure), or
  - metric-source errors in a row exceed ``consecutive_error_limit`` (4, as in Argo): a release
    that cannot be watched is not promoted; errors are counted and shown, never ignored, or
  - ``health_failures`` health checks in a row (one a second, on the new release's /ready)
    failed, or
  - ``inconclusive = "fail"`` and a measurement is inconclusive.
- A **step** ends when its pause is over *and* its newest measurement, taken during the step,
  is successful. Inconclusive or error holds the step (``inconclusive = "pause"``): the weight
  stays, measuring goes on, ``inv promote`` / ``inv abort`` decide, and after ``max_pause`` the
  analysis fails. Nothing inconclusive ever passes on its own.
- A **manual pause** (``pause = "manual"``) never ends on its own: it holds, measuring, until
  ``inv promote`` or ``inv abort``. Failed measurements, health checks and metric-source
  errors fail it as they fail any step; too little data does not, since nothing passes
  without a person: ``inconclusive = "fail"`` and ``max_pause`` do not apply there.
"""

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

from shipway.config.deploy import Analysis
from shipway.decisions.deploy.metrics import WindowMetrics
from shipway.decisions.deploy.state import WAITING_FOR_PROMOTION


class Outcome(StrEnum):
    SUCCESSFUL = "successful"
    FAILED = "failed"
    INCONCLUSIVE = "inconclusive"
    ERROR = "error"


@dataclass(frozen=True)
class Breach:
    rule: str
    threshold: float
    measured: float
    unit: str = ""

    def describe(self) -> str:
        if self.unit == "%":
            return f"{self.rule} {self.measured * 100:.1f}% > {self.threshold * 100:g}% threshold"
        return (
            f"{self.rule} {self.measured:.0f}{self.unit} > {self.threshold:g}{self.unit} threshold"
        )

    def record(self) -> dict[str, object]:
        return {"rule": self.rule, "threshold": self.threshold, "measured": self.measured}


@dataclass(frozen=True)
class Measurement:
    outcome: Outcome
    at: float
    canary: WindowMetrics | None = None
    stable: WindowMetrics | None = None
    breaches: tuple[Breach, ...] = ()
    note: str = ""

    def describe(self) -> str:
        if self.breaches and self.outcome is Outcome.FAILED:
            return "; ".join(b.describe() for b in self.breaches)
        return self.note or self.outcome.value


def breaches(rules: Analysis, metrics: WindowMetrics) -> list[Breach]:
    found = []
    if metrics.error_rate is not None and metrics.error_rate > rules.error_rate:
        found.append(Breach("error_rate", rules.error_rate, metrics.error_rate, "%"))
    for rule, threshold, measured in (
        ("p95", rules.p95_ms, metrics.p95_ms),
        ("p99", rules.p99_ms, metrics.p99_ms),
    ):
        if threshold is not None and measured is not None and measured > threshold:
            found.append(Breach(rule, threshold, measured, "ms"))
    return found


def measure(
    rules: Analysis, canary: WindowMetrics, stable: WindowMetrics | None, at: float
) -> Measurement:
    """One measurement of the new release (``canary``) beside the stable one, if it has traffic."""
    found = breaches(rules, canary)
    if canary.requests < rules.min_requests:
        # Would a full window still breach if every missing request succeeded?
        if canary.errors / rules.min_requests > rules.error_rate:
            sure = Breach("error_rate", rules.error_rate, canary.errors / rules.min_requests, "%")
            return Measurement(Outcome.FAILED, at, canary, stable, (sure,))
        note = (
            f"inconclusive: {canary.requests} requests in the window, "
            f"fewer than {rules.min_requests}"
        )
        return Measurement(Outcome.INCONCLUSIVE, at, canary, stable, tuple(found), note)
    if not found:
        return Measurement(Outcome.SUCCESSFUL, at, canary, stable)
    comparable = (
        rules.compare_to_stable and stable is not None and stable.requests >= rules.min_requests
    )
    shared = {b.rule for b in breaches(rules, stable)} if comparable and stable else set()
    own = tuple(b for b in found if b.rule not in shared)
    if own:
        return Measurement(Outcome.FAILED, at, canary, stable, own)
    note = "inconclusive: the stable release breaches " + ", ".join(sorted(shared)) + " too"
    return Measurement(Outcome.INCONCLUSIVE, at, canary, stable, tuple(found), note)


def source_error(message: str, at: float) -> Measurement:
    return Measurement(Outcome.ERROR, at, note=f"metrics source: {message}")


@dataclass(frozen=True)
class Failure:
    """Why an analysis failed: the rule, its threshold and the measured values."""

    reason: str
    breaches: tuple[Breach, ...] = ()


@dataclass(frozen=True)
class AnalysisRun:
    successful: int = 0
    failed: int = 0
    inconclusive: int = 0
    errors: int = 0
    consecutive_errors: int = 0
    health_checks: int = 0
    health_failed: int = 0
    consecutive_health_failures: int = 0
    last: Measurement | None = None

    def record(self, measurement: Measurement) -> "AnalysisRun":
        outcome = measurement.outcome
        return replace(
            self,
            successful=self.successful + (outcome is Outcome.SUCCESSFUL),
            failed=self.failed + (outcome is Outcome.FAILED),
            inconclusive=self.inconclusive + (outcome is Outcome.INCONCLUSIVE),
            errors=self.errors + (outcome is Outcome.ERROR),
            consecutive_errors=self.consecutive_errors + 1 if outcome is Outcome.ERROR else 0,
            last=measurement,
        )

    def record_health(self, ok: bool) -> "AnalysisRun":
        return replace(
            self,
            health_checks=self.health_checks + 1,
            health_failed=self.health_failed + (not ok),
            consecutive_health_failures=0 if ok else self.consecutive_health_failures + 1,
        )

    def counts(self) -> dict[str, int]:
        return {
            "successful": self.successful,
            "failed": self.failed,
            "inconclusive": self.inconclusive,
            "errors": self.errors,
            "health_checks": self.health_checks,
            "health_failed": self.health_failed,
        }


def failure(run: AnalysisRun, rules: Analysis, *, manual: bool = False) -> Failure | None:
    """Whether the analysis has failed, and why; None while it has not. At a ``manual``
    pause too little data is shown, not failed: a person decides there."""
    if run.consecutive_health_failures >= rules.health_failures:
        return Failure(
            f"{run.consecutive_health_failures} health checks failed in a row "
            f"(limit {rules.health_failures})",
            (Breach("health_failures", rules.health_failures, run.consecutive_health_failures),),
        )
    last = run.last
    if run.failed > rules.failure_limit and last is not None:
        failed = last if last.outcome is Outcome.FAILED else None
        shown = failed.describe() if failed else "see earlier measurements"
        return Failure(
            f"{shown} ({run.failed} failed measurement(s), limit {rules.failure_limit})",
            failed.breaches if failed else (),
        )
    if run.consecutive_errors > rules.consecutive_error_limit and last is not None:
        return Failure(
            f"the metrics source failed {run.consecutive_errors} times in a row "
            f"(limit {rules.consecutive_error_limit}): {last.note}"
        )
    if (
        rules.inconclusive == "fail"
        and not manual
        and last is not None
        and last.outcome is Outcome.INCONCLUSIVE
    ):
        return Failure(f"{last.note} (inconclusive = 'fail')")
    return None


class StepDecision(StrEnum):
    WAIT = "wait"  # the step's pause is not over
    ADVANCE = "advance"  # pause over, newest measurement of this step successful
    HOLD = "hold"  # pause over, but the data does not (yet) support moving on
    WAIT_FOR_PROMOTION = "wait for promotion"  # a manual pause: only a person moves it on


def step_decision(
    run: AnalysisRun, step_started: float, pause: float | Literal["manual"], now: float
) -> tuple[StepDecision, str]:
    if isinstance(pause, str):  # the only word a pause may be: "manual"
        return StepDecision.WAIT_FOR_PROMOTION, WAITING_FOR_PROMOTION
    if now < step_started + pause:
        return StepDecision.WAIT, "analysing"
    last = run.last
    if last is None or last.at < step_started:
        return StepDecision.HOLD, "waiting for a measurement of this step"
    if last.outcome is Outcome.SUCCESSFUL:
        return StepDecision.ADVANCE, "passed"
    return StepDecision.HOLD, f"paused: {last.describe()}"


def pause_exceeded(held_since: float | None, now: float, rules: Analysis) -> Failure | None:
    if held_since is not None and now - held_since > rules.max_pause:
        return Failure(
            f"held for {now - held_since:.0f}s without a conclusive measurement "
            f"(max_pause {rules.max_pause:g}s)"
        )
    return None


def rules_summary(rules: Analysis) -> str:
    """The rules in one line, for the dry run."""
    latency = [
        f"{name} ≤ {value:g} ms"
        for name, value in (("p95", rules.p95_ms), ("p99", rules.p99_ms))
        if value
    ]
    return ", ".join(
        [
            f"5xx ≤ {rules.error_rate * 100:g} %",
            *latency,
            f"{rules.health_failures} failed health checks in a row",
            f"window {rules.window:g}s every {rules.interval:g}s",
        ]
    )
