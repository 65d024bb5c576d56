"""The aggregated Locust row the baseline and summary tests measure."""

from shipway.decisions.perf.stats import EndpointStats


def total(p95: float | None = 100, rps: float = 50, failures: int = 0) -> EndpointStats:
    return EndpointStats("", "Aggregated", 1000, failures, rps, 40, p95, 150, 45)
