"""The AnalysisTemplate: each analysis rule to its metric's fields and query."""

from typing import Any

import pytest

from shipway.decisions.kubernetes import analysis
from shipway.errors import ShipwayError
from tests.unit.decisions.kubernetes.environments import PACKAGE, environment

SELECTOR = 'namespace="chatbot",rollouts_pod_template_hash="{{args.canary-hash}}"'


def metrics(**keys: Any) -> dict[str, dict[str, Any]]:
    labels = {"app.kubernetes.io/name": "chatbot"}
    template = analysis.analysis_template(environment(**keys), PACKAGE, labels)
    assert template["spec"]["args"] == [{"name": "canary-hash"}]
    return {metric["name"]: metric for metric in template["spec"]["metrics"]}


def query(metric: dict[str, Any]) -> str:
    text: str = metric["provider"]["prometheus"]["query"]
    return text


def test_error_rate_is_the_share_of_5xx_of_the_requests_counter() -> None:
    rule = metrics(
        analysis={"error_rate": 0.02, "window": "2m", "min_requests": 30},
        metrics={"requests": "chatbot_http_requests_total", "status_label": "code"},
    )["error-rate"]
    assert query(rule) == (
        f'(sum(increase(chatbot_http_requests_total{{{SELECTOR},code=~"5.."}}[120s])) '
        "or vector(0)) / "
        f"(sum(increase(chatbot_http_requests_total{{{SELECTOR}}}[120s])) >= 30)"
    )
    assert rule["successCondition"] == "len(result) > 0 && result[0] <= 0.02"
    assert rule["failureCondition"] == "len(result) > 0 && result[0] > 0.02"


def test_p95_and_p99_are_quantiles_of_the_duration_histogram_in_ms() -> None:
    rules = metrics(
        analysis={"p95_ms": 800, "p99_ms": 1500, "window": "1m", "min_requests": 5},
        metrics={"duration": "app_seconds"},
    )
    assert query(rules["p95-ms"]) == (
        "1000 * histogram_quantile(0.95, sum by (le) "
        f"(rate(app_seconds_bucket{{{SELECTOR}}}[60s]))) and on() "
        f"(sum(increase(http_requests_total{{{SELECTOR}}}[60s])) >= 5)"
    )
    assert "histogram_quantile(0.99," in query(rules["p99-ms"])
    assert rules["p95-ms"]["successCondition"] == "len(result) > 0 && result[0] <= 800"
    assert rules["p99-ms"]["failureCondition"] == "len(result) > 0 && result[0] > 1500"


def test_a_rule_set_to_none_has_no_metric() -> None:
    assert sorted(metrics(analysis={"p95_ms": None})) == ["error-rate"]


def test_window_is_the_query_range_and_the_first_measurements_delay() -> None:
    rule = metrics(analysis={"window": "90s"})["error-rate"]
    assert "[90s]" in query(rule)
    assert rule["initialDelay"] == "90s"


def test_interval_is_the_metrics_interval() -> None:
    assert metrics(analysis={"interval": "15s"})["error-rate"]["interval"] == "15s"


def test_a_canary_measures_until_the_rollout_ends() -> None:
    assert "count" not in metrics(strategy="canary", steps=[{"weight": 50}])["error-rate"]


def test_blue_green_measures_one_window_after_the_switch() -> None:
    rule = metrics(strategy="blue-green", analysis={"window": "60s", "interval": "25s"})
    assert rule["error-rate"]["count"] == 3


def test_failure_and_error_limits_keep_their_meaning() -> None:
    rule = metrics(analysis={"failure_limit": 2, "consecutive_error_limit": 6})["error-rate"]
    assert (rule["failureLimit"], rule["consecutiveErrorLimit"]) == (2, 6)


def test_too_little_data_holds_as_inconclusive_for_max_pause() -> None:
    rule = metrics(analysis={"inconclusive": "pause", "max_pause": "5m", "interval": "20s"})[
        "error-rate"
    ]
    assert rule["inconclusiveLimit"] == 15
    assert rule["failureCondition"].startswith("len(result) > 0 &&")  # empty: neither


def test_too_little_data_fails_with_inconclusive_fail() -> None:
    rule = metrics(analysis={"inconclusive": "fail"})["error-rate"]
    assert rule["inconclusiveLimit"] == 0
    assert rule["failureCondition"] == ("len(result) == 0 || isNaN(result[0]) || result[0] > 0.05")


def test_the_prometheus_address_is_the_providers() -> None:
    rule = metrics(metrics={"address": "http://prom.example:9090"})["error-rate"]
    assert rule["provider"]["prometheus"]["address"] == "http://prom.example:9090"


@pytest.mark.parametrize(
    ("seconds", "text"), [(60, "60s"), (0.5, "500ms"), (90.0, "90s"), (1.25, "1250ms")]
)
def test_durations_are_go_durations(seconds: float, text: str) -> None:
    assert analysis.duration(seconds) == text


def test_a_duration_finer_than_a_millisecond_is_refused() -> None:
    with pytest.raises(ShipwayError, match="not a whole number of milliseconds"):
        analysis.duration(0.0005)


def test_thresholds_are_written_as_numbers() -> None:
    assert [analysis.number(v) for v in (2000.0, 0.05, 1e-05)] == ["2000", "0.05", "1e-05"]
