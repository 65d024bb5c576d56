"""A stored baseline per profile, and a run's comparison with it.

The baseline file holds one entry per profile (a run is only comparable with a run of the same
profile). A run fails when its p95 rose, or its request rate fell, by more than
``gates.perf.max_regression`` of the baseline's. p95 increases no larger than
``regression_floor_ms`` are noise on any machine and never count: at a 3 ms p95, one scheduler
hiccup is +30 %. No baseline yet is a note, never a failure.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from shipway.config.perf import PerfGates
from shipway.decisions.perf.stats import EndpointStats
from shipway.decisions.verdict import Bound, Outcome, Verdict
from shipway.errors import ShipwayError

SCHEMA = 1
P95_REGRESSION, RPS_REGRESSION = "perf.max_regression.p95_ms", "perf.max_regression.rps"
UPDATE_HINT = "`nox -s perf -- --update-baseline` stores one"


@dataclass(frozen=True)
class BaselineEntry:
    p95_ms: float
    rps: float
    error_rate: float
    users: int
    duration_s: float
    p99_ms: float | None = None
    version: str | None = None
    recorded: str | None = None  # ISO 8601 time of the run

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def parse_baseline(text: str, source: Path) -> dict[str, BaselineEntry]:
    """The entries of a baseline file, by profile; ShipwayError naming the file otherwise."""
    try:
        document = json.loads(text)
        if document.get("schema") != SCHEMA:
            raise ValueError(f"schema {document.get('schema')!r}, expected {SCHEMA}")
        return {str(name): BaselineEntry(**entry) for name, entry in document["profiles"].items()}
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise ShipwayError(
            f"{source} is not a shipway perf baseline ({type(error).__name__}: {error}); "
            f"fix or delete it; {UPDATE_HINT}"
        ) from None


def baseline_document(entries: dict[str, BaselineEntry]) -> dict[str, object]:
    return {
        "schema": SCHEMA,
        "profiles": {name: entries[name].to_json() for name in sorted(entries)},
    }


def regression_checks(
    total: EndpointStats,
    users: int,
    profile: str,
    entry: BaselineEntry | None,
    gates: PerfGates,
    source: Path,
) -> tuple[list[Verdict], list[str]]:
    """Checks against the profile's baseline entry, and notes on what was not compared."""
    if entry is None:
        return [], [f"no baseline for profile {profile} in {source}: not compared; {UPDATE_HINT}"]
    if entry.users != users:
        return [], [
            f"the baseline for {profile} ran {entry.users} users, this run {users}: not "
            f"compared; {UPDATE_HINT}"
        ]
    allowed = gates.max_regression
    notes = [f"compared with the {profile} baseline of {entry.recorded or 'unknown date'}"]
    checks: list[Verdict] = []
    if total.p95_ms is not None:
        limit = max(entry.p95_ms * (1 + allowed), entry.p95_ms + gates.regression_floor_ms)
        checks.append(
            Verdict(
                P95_REGRESSION,
                Outcome.PASS if total.p95_ms <= limit else Outcome.FAIL,
                limit,
                Bound.AT_MOST,
                " ms",
                total.p95_ms,
                source,
                f"baseline p95 {entry.p95_ms:g} ms, now {_change(total.p95_ms, entry.p95_ms)}; "
                f"allowed +{allowed:.0%} or +{gates.regression_floor_ms:g} ms",
            )
        )
    floor = entry.rps * (1 - allowed)
    checks.append(
        Verdict(
            RPS_REGRESSION,
            Outcome.PASS if total.rps >= floor else Outcome.FAIL,
            floor,
            Bound.AT_LEAST,
            " req/s",
            total.rps,
            source,
            f"baseline {entry.rps:.1f} req/s, now {_change(total.rps, entry.rps)}; "
            f"allowed -{allowed:.0%}",
        )
    )
    return checks, notes


def _change(now: float, before: float) -> str:
    return f"{now / before - 1:+.0%}" if before else "n/a (baseline 0)"
