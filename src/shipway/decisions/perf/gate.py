"""The service-level objectives of ``[tool.shipway.gates.perf]`` applied to Locust's numbers.

Every check is a Verdict with its metric, threshold and measured value. A run that measured
nothing (Locust failed, or sent no request) fails: a gate never passes by accident.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shipway.config.perf import PerfGates
from shipway.decisions.perf.stats import FailureStats, LocustStats
from shipway.decisions.verdict import Bound, Outcome, Verdict

P95, ERROR_RATE, MIN_RPS = "perf.p95_ms", "perf.error_rate", "perf.min_rps"
FAILURES_SHOWN = 3  # the most frequent ways requests failed, in the error rate's detail


@dataclass(frozen=True)
class PerfVerdict:
    checks: tuple[Verdict, ...]
    errors: tuple[str, ...] = ()  # the run itself went wrong (Locust failed, no data)
    notes: tuple[str, ...] = ()  # worth reading, never a failure (e.g. no baseline yet)

    @property
    def passed(self) -> bool:
        return not self.errors and bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def reasons(self) -> list[str]:
        return [*self.errors, *(c.summary() for c in self.checks if not c.passed)]


def slo_checks(stats: LocustStats | None, gates: PerfGates, report: Path) -> list[Verdict]:
    """p95, error rate and request rate against their thresholds (no data: NO_DATA each)."""
    if stats is None or stats.total.requests == 0:
        detail = "Locust measured no request"
        return [
            Verdict(P95, Outcome.NO_DATA, gates.p95_ms, Bound.AT_MOST, " ms", None, report, detail),
            Verdict(
                ERROR_RATE,
                Outcome.NO_DATA,
                gates.error_rate * 100,
                Bound.AT_MOST,
                "%",
                None,
                report,
                detail,
            ),
            Verdict(
                MIN_RPS, Outcome.NO_DATA, gates.min_rps, Bound.AT_LEAST, " req/s", None, report
            ),
        ]
    total = stats.total
    p95 = total.p95_ms
    p95_outcome = Outcome.NO_DATA if p95 is None else _at_most(p95, gates.p95_ms)
    rate = total.error_rate
    return [
        Verdict(
            P95,
            p95_outcome,
            gates.p95_ms,
            Bound.AT_MOST,
            " ms",
            p95,
            report,
            f"p99 {_ms(total.p99_ms)}, median {_ms(total.p50_ms)}, {total.requests} requests",
        ),
        Verdict(
            ERROR_RATE,
            _at_most(rate * 100, gates.error_rate * 100),
            gates.error_rate * 100,
            Bound.AT_MOST,
            "%",
            rate * 100,
            report,
            f"error_rate {rate:.4f}: {total.failures} of {total.requests} requests failed "
            f"(threshold {gates.error_rate:g}){_most_frequent(stats.failures)}",
        ),
        Verdict(
            MIN_RPS,
            Outcome.PASS if total.rps >= gates.min_rps else Outcome.FAIL,
            gates.min_rps,
            Bound.AT_LEAST,
            " req/s",
            total.rps,
            report,
        ),
    ]


def _most_frequent(failures: Sequence[FailureStats]) -> str:
    if not failures:
        return ""
    shown = "; ".join(failure.summary() for failure in failures[:FAILURES_SHOWN])
    more = len(failures) - FAILURES_SHOWN
    return f"; failed: {shown}" + (f"; {more} more in locust_failures.csv" if more > 0 else "")


def _at_most(measured: float, threshold: float) -> Outcome:
    return Outcome.PASS if measured <= threshold else Outcome.FAIL


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:g} ms"
