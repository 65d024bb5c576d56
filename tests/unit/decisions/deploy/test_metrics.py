"""Router statistics → window metrics: parsing Envoy's JSON, differences, percentiles."""

from typing import Any

import pytest

from shipway.decisions.deploy.metrics import (
    Counters,
    MetricsError,
    Sample,
    baseline,
    histogram_bounds,
    parse_stats,
    quantile,
    window,
)

pytestmark = pytest.mark.unit


def envoy_stats(
    blue_completed: int, green_5xx: int, buckets: list[tuple[float, int]]
) -> dict[str, Any]:
    """The shape of /stats?format=json&histogram_buckets=cumulative (recorded from Envoy 1.40)."""
    return {
        "stats": [
            {"name": "cluster.blue.upstream_rq_completed", "value": blue_completed},
            {"name": "cluster.green.upstream_rq_5xx", "value": green_5xx},
            {"name": "cluster.green.upstream_rq_completed", "value": green_5xx},
            {
                "histograms": [
                    {
                        "name": "cluster.blue.upstream_rq_time",
                        "buckets": [
                            {"upper_bound": b, "interval": 0, "cumulative": c} for b, c in buckets
                        ],
                    }
                ]
            },
        ]
    }


def test_parse_reads_counters_and_histograms_and_missing_counters_are_zero() -> None:
    sample = parse_stats(envoy_stats(41, 9, [(1, 30), (5, 41)]), at=3.0)
    assert sample.of("blue") == Counters(requests=41, errors=0, latency=((1.0, 30), (5.0, 41)))
    assert sample.of("green") == Counters(requests=9, errors=9, latency=())
    assert sample.at == 3.0


def test_parse_reads_the_preview_ports_cluster_beside_the_slots() -> None:
    document = envoy_stats(1, 0, [])
    document["stats"] += [
        {"name": "cluster.preview.upstream_rq_completed", "value": 7},
        {"name": "cluster.preview.upstream_rq_5xx", "value": 2},
    ]
    sample = parse_stats(document, at=0)
    assert sample.of("preview") == Counters(requests=7, errors=2, latency=())
    assert sample.of("blue").requests == 1


@pytest.mark.parametrize(
    "document",
    [{}, {"stats": [{"name": "x"}]}, {"stats": [{"name": "x", "value": "many"}]}, None],
)
def test_parse_refuses_what_is_not_envoys_shape(document: object) -> None:
    with pytest.raises(MetricsError, match="unexpected router statistics"):
        parse_stats(document, at=0)


def test_window_is_the_difference_of_two_samples() -> None:
    older = Counters(requests=100, errors=1, latency=((10, 90), (100, 100)))
    newer = Counters(requests=300, errors=21, latency=((10, 250), (100, 300)))
    metrics = window(older, newer, seconds=10)
    assert (metrics.requests, metrics.errors) == (200, 20)
    assert metrics.error_rate == pytest.approx(0.1)
    assert metrics.latency == ((10.0, 160), (100.0, 200))
    assert metrics.rps == 20


def test_window_across_a_router_restart_is_an_error_not_a_negative_count() -> None:
    with pytest.raises(MetricsError, match="restarted"):
        window(Counters(requests=50), Counters(requests=3), seconds=5)


def test_quantile_interpolates_inside_the_bucket_like_histogram_quantile() -> None:
    buckets = ((10.0, 50), (20.0, 100))  # 50 at or below 10 ms, 50 more up to 20 ms
    assert quantile(buckets, 0.5) == 10.0
    assert quantile(buckets, 0.75) == pytest.approx(15.0)
    assert quantile(buckets, 0.95) == pytest.approx(19.0)
    assert quantile((), 0.95) is None
    assert quantile(((10.0, 0),), 0.95) is None


def test_a_threshold_that_is_a_bucket_bound_is_decided_exactly() -> None:
    # 6 % of requests slower than 2000 ms: p95 must come out above 2000, 4 % below it.
    bounds = histogram_bounds([2000, None])
    assert 2000.0 in bounds
    slow = ((1000.0, 90), (2000.0, 94), (2500.0, 100))
    fast = ((1000.0, 90), (2000.0, 96), (2500.0, 100))
    assert (quantile(slow, 0.95) or 0) > 2000
    assert (quantile(fast, 0.95) or 0) <= 2000


def test_baseline_is_the_newest_sample_at_or_before_the_windows_start() -> None:
    samples = [Sample(at=t) for t in (0.0, 5.0, 10.0, 15.0)]
    assert baseline(samples, since=11.0) == Sample(at=10.0)
    assert baseline(samples, since=-5.0) == Sample(at=0.0)  # the canary is younger than a window
    assert baseline([], since=0.0) is None
