"""Per-release request statistics, read from the router, and what they say about a window.

Envoy counts, per cluster (a release slot, or the preview port's cluster), completed upstream
requests, 5xx answers (including the 503 it answers itself when a release refuses
connections) and a latency histogram. All are cumulative since the router started, so a
window is the difference of two samples. Percentiles come from the histogram's buckets by
linear interpolation inside the bucket, as Prometheus' ``histogram_quantile`` does. The router
is configured with every latency threshold as a bucket bound, so "p95 above the threshold" is
decided exactly, not estimated.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from shipway.decisions.deploy.state import PREVIEW, SLOTS

# Bucket bounds (ms) of the latency histogram, beside the configured thresholds. The route
# timeout is 60 s, so no request is slower than the last bound.
LATENCY_BUCKETS_MS = (1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000)
STATS_FILTER = r"^cluster\.(blue|green|preview)\.upstream_rq_(completed|5xx|time)$"
CLUSTERS = (*SLOTS, PREVIEW)

Buckets = tuple[tuple[float, int], ...]  # (upper bound in ms, requests at or below it)


class MetricsError(Exception):
    """The router's statistics could not be read or make no sense."""


@dataclass(frozen=True)
class Counters:
    requests: int = 0
    errors: int = 0
    latency: Buckets = ()


@dataclass(frozen=True)
class Sample:
    at: float  # monotonic seconds
    clusters: Mapping[str, Counters] = field(default_factory=dict)  # by CLUSTERS' names

    def of(self, cluster: str) -> Counters:
        """A slot's counters (``blue``, ``green``), or those of the preview port's cluster."""
        return self.clusters.get(cluster, Counters())


@dataclass(frozen=True)
class WindowMetrics:
    """What one release did between two samples."""

    requests: int
    errors: int
    latency: Buckets
    seconds: float

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None

    @property
    def p95_ms(self) -> float | None:
        return quantile(self.latency, 0.95)

    @property
    def p99_ms(self) -> float | None:
        return quantile(self.latency, 0.99)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> dict[str, float | int | None]:
        def rounded(value: float | None, digits: int) -> float | None:
            return None if value is None else round(value, digits)

        return {
            "requests": self.requests,
            "errors": self.errors,
            "error_rate": rounded(self.error_rate, 4),
            "p95_ms": rounded(self.p95_ms, 1),
            "p99_ms": rounded(self.p99_ms, 1),
            "rps": round(self.rps, 1),
        }


def histogram_bounds(thresholds_ms: Iterable[float | None]) -> list[float]:
    """The router's latency buckets: the defaults plus every configured threshold."""
    extra = {float(t) for t in thresholds_ms if t is not None}
    return sorted({float(b) for b in LATENCY_BUCKETS_MS} | extra)


def parse_stats(document: Any, at: float) -> Sample:  # noqa: ANN401 - JSON from the router
    """A sample from Envoy's ``/stats?format=json&histogram_buckets=cumulative`` answer.

    Envoy creates a counter on first use, so a missing counter is zero; anything that is not
    the documented shape is a ``MetricsError``.
    """
    try:
        values: dict[str, int] = {}
        histograms: dict[str, Buckets] = {}
        for entry in document["stats"]:
            if "histograms" in entry:
                for histogram in entry["histograms"]:
                    histograms[histogram["name"]] = tuple(
                        (float(b["upper_bound"]), int(b["cumulative"]))
                        for b in histogram["buckets"]
                    )
            else:
                values[entry["name"]] = int(entry["value"])
    except (KeyError, TypeError, ValueError) as error:
        problem = f"{type(error).__name__}: {error}"
        raise MetricsError(f"unexpected router statistics ({problem})") from None
    clusters = {
        name: Counters(
            requests=values.get(f"cluster.{name}.upstream_rq_completed", 0),
            errors=values.get(f"cluster.{name}.upstream_rq_5xx", 0),
            latency=histograms.get(f"cluster.{name}.upstream_rq_time", ()),
        )
        for name in CLUSTERS
    }
    return Sample(at=at, clusters=clusters)


def window(older: Counters, newer: Counters, seconds: float) -> WindowMetrics:
    """The difference of two samples; counters that went back mean the router restarted."""
    requests, errors = newer.requests - older.requests, newer.errors - older.errors
    old_buckets = dict(older.latency)
    latency = tuple((bound, count - old_buckets.get(bound, 0)) for bound, count in newer.latency)
    if requests < 0 or errors < 0 or any(count < 0 for _, count in latency):
        raise MetricsError("the router's counters went back: it restarted during the window")
    return WindowMetrics(requests=requests, errors=errors, latency=latency, seconds=seconds)


def quantile(buckets: Buckets, q: float) -> float | None:
    """The q-quantile (0-1) of a cumulative histogram; None when it holds no request."""
    total = buckets[-1][1] if buckets else 0
    if total <= 0:
        return None
    rank = q * total
    lower_bound, lower_count = 0.0, 0
    for bound, count in buckets:
        if count >= rank:
            if count == lower_count:
                return bound
            return lower_bound + (bound - lower_bound) * (rank - lower_count) / (
                count - lower_count
            )
        lower_bound, lower_count = bound, count
    return buckets[-1][0]


def baseline(samples: Iterable[Sample], since: float) -> Sample | None:
    """The newest sample taken at or before ``since`` (else the oldest): a window's start."""
    ordered = sorted(samples, key=lambda s: s.at)
    if not ordered:
        return None
    before = [s for s in ordered if s.at <= since]
    return before[-1] if before else ordered[0]
