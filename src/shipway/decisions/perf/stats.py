"""Locust's own statistics, read from its ``_stats.csv``: counts, rates and the percentiles
Locust computed. Nothing is recomputed here; a file without them is an error, not zeros."""

import csv
import io
import re
from dataclasses import dataclass

from shipway.errors import ShipwayError

AGGREGATED = "Aggregated"
COLUMNS = {
    "Type": "method",
    "Name": "name",
    "Request Count": "requests",
    "Failure Count": "failures",
    "Requests/s": "rps",
    "50%": "p50_ms",
    "95%": "p95_ms",
    "99%": "p99_ms",
    "Average Response Time": "average_ms",
}


@dataclass(frozen=True)
class EndpointStats:
    method: str
    name: str
    requests: int
    failures: int
    rps: float
    p50_ms: float | None  # None: Locust had no response time to rank ("N/A")
    p95_ms: float | None
    p99_ms: float | None
    average_ms: float | None

    @property
    def error_rate(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    def to_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "name": self.name,
            "requests": self.requests,
            "failures": self.failures,
            "error_rate": self.error_rate,
            "rps": self.rps,
            "p50_ms": self.p50_ms,
            "p95_ms": self.p95_ms,
            "p99_ms": self.p99_ms,
            "average_ms": self.average_ms,
        }


@dataclass(frozen=True)
class FailureStats:
    """One row of ``<prefix>_failures.csv``: a request that failed one way, and how often."""

    method: str
    name: str
    error: str
    occurrences: int

    def summary(self) -> str:
        return f"{self.method} {self.name}: {self.error} ({self.occurrences} times)"

    def to_json(self) -> dict[str, object]:
        return {
            "method": self.method,
            "name": self.name,
            "error": self.error,
            "occurrences": self.occurrences,
        }


@dataclass(frozen=True)
class LocustStats:
    endpoints: tuple[EndpointStats, ...]
    total: EndpointStats  # Locust's "Aggregated" row
    failures: tuple[FailureStats, ...] = ()  # most frequent first


def parse_stats_csv(text: str) -> LocustStats:
    """The rows of ``<prefix>_stats.csv``; ShipwayError naming what is missing otherwise."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ShipwayError(f"Locust's stats CSV lacks the columns {', '.join(missing)}")
    rows = [_row(raw) for raw in reader]
    totals = [row for row in rows if row.name == AGGREGATED and not row.method]
    if len(totals) != 1:
        raise ShipwayError("Locust's stats CSV has no Aggregated row")
    return LocustStats(tuple(row for row in rows if row is not totals[0]), totals[0])


def _row(raw: dict[str, str]) -> EndpointStats:
    values = {field: raw.get(column, "") for column, field in COLUMNS.items()}
    try:
        return EndpointStats(
            method=values["method"],
            name=values["name"],
            requests=int(values["requests"]),
            failures=int(values["failures"]),
            rps=float(values["rps"]),
            p50_ms=_milliseconds(values["p50_ms"]),
            p95_ms=_milliseconds(values["p95_ms"]),
            p99_ms=_milliseconds(values["p99_ms"]),
            average_ms=_milliseconds(values["average_ms"]),
        )
    except ValueError:
        raise ShipwayError(f"Locust's stats CSV has an unreadable row: {raw}") from None


def _milliseconds(value: str) -> float | None:
    return None if value.strip() in ("", "N/A") else float(value)


# A locustfile's response.failure("text") reaches the CSV as CatchResponseError('text').
CAUGHT = re.compile(r"""^CatchResponseError\((['"])(?P<text>.*)\1\)$""")


def parse_failures_csv(text: str) -> tuple[FailureStats, ...]:
    """The rows of ``<prefix>_failures.csv``, most frequent first; unreadable rows are skipped
    (the failure counts themselves come from the stats CSV)."""
    failures = []
    for raw in csv.DictReader(io.StringIO(text)):
        try:
            occurrences = int(raw.get("Occurrences") or "")
        except ValueError:
            continue
        error = raw.get("Error") or ""
        caught = CAUGHT.match(error)
        failures.append(
            FailureStats(
                method=raw.get("Method") or "",
                name=raw.get("Name") or "",
                error=caught["text"] if caught else error,
                occurrences=occurrences,
            )
        )
    return tuple(sorted(failures, key=lambda failure: -failure.occurrences))
