"""The Rollout's strategy: each delivery setting to its Argo Rollouts field."""

from typing import Any

from shipway.decisions.kubernetes import rollout
from tests.unit.decisions.kubernetes.environments import PACKAGE, environment

TEMPLATE_RUN = {
    "templates": [{"templateName": "chatbot-analysis"}],
    "args": [{"name": "canary-hash", "valueFrom": {"podTemplateHashValue": "Latest"}}],
}


def canary(**keys: Any) -> dict[str, Any]:
    strategy: dict[str, Any] = rollout.strategy(environment(strategy="canary", **keys), PACKAGE)
    found: dict[str, Any] = strategy["canary"]
    return found


def blue_green(**keys: Any) -> dict[str, Any]:
    config = environment(strategy="blue-green", **keys)
    strategy: dict[str, Any] = rollout.strategy(config, PACKAGE)
    found: dict[str, Any] = strategy["blueGreen"]
    return found


def test_each_step_is_a_weight_and_its_pause() -> None:
    steps = canary(
        replicas=10, steps=[{"weight": 20, "pause": "30s"}, {"weight": 50, "pause": "2m"}]
    )["steps"]
    assert steps == [
        {"setWeight": 20},
        {"pause": {"duration": "30s"}},
        {"setWeight": 50},
        {"pause": {"duration": "120s"}},
    ]


def test_a_manual_pause_waits_for_promotion() -> None:
    steps = canary(steps=[{"weight": 50, "pause": "manual"}])["steps"]
    assert steps == [{"setWeight": 50}, {"pause": {}}]


def test_a_step_of_no_time_has_no_pause() -> None:
    assert canary(steps=[{"weight": 50, "pause": 0}])["steps"] == [{"setWeight": 50}]


def test_a_canary_names_its_canary_and_stable_services() -> None:
    strategy = canary(steps=[{"weight": 50}])
    assert (strategy["canaryService"], strategy["stableService"]) == (
        "chatbot-canary",
        "chatbot-stable",
    )


def test_nginx_routes_at_the_stable_ingress_and_keeps_the_old_pods_a_while() -> None:
    strategy = canary(
        traffic_router="nginx", ingress={"host": "a.example.com"}, scale_down_delay="45s"
    )
    assert strategy["trafficRouting"] == {"nginx": {"stableIngress": "chatbot"}}
    assert strategy["scaleDownDelaySeconds"] == 45


def test_without_a_router_replicas_weigh_the_traffic() -> None:
    strategy = canary(steps=[{"weight": 50}])
    assert "trafficRouting" not in strategy
    assert "scaleDownDelaySeconds" not in strategy


def test_a_canary_is_analysed_in_the_background_with_the_new_pods_hash() -> None:
    assert canary(steps=[{"weight": 50}])["analysis"] == TEMPLATE_RUN


def test_blue_green_switches_the_active_service_to_the_preview() -> None:
    strategy = blue_green()
    assert (strategy["activeService"], strategy["previewService"]) == (
        "chatbot-stable",
        "chatbot-canary",
    )


def test_a_manual_blue_green_pause_turns_auto_promotion_off() -> None:
    assert blue_green(pause="manual")["autoPromotionEnabled"] is False
    assert blue_green()["autoPromotionEnabled"] is True


def test_auto_promotion_seconds_delays_the_switch() -> None:
    assert blue_green(auto_promotion_seconds="2m")["autoPromotionSeconds"] == 120
    assert "autoPromotionSeconds" not in blue_green()


def test_scale_down_delay_keeps_the_old_pods_after_the_switch() -> None:
    assert blue_green(scale_down_delay="90s")["scaleDownDelaySeconds"] == 90


def test_blue_green_is_analysed_after_the_switch_only() -> None:
    strategy = blue_green()
    assert strategy["postPromotionAnalysis"] == TEMPLATE_RUN
    assert "prePromotionAnalysis" not in strategy
