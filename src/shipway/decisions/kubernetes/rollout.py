"""The Argo Rollouts ``Rollout``'s strategy, from the environment's delivery rules.

- canary: each step is a ``setWeight`` and, unless it holds 0 s, a ``pause``
  (``{duration: "30s"}``, or ``{}`` for "manual": until `inv promote`); the analysis runs in
  the background from the first step until the rollout ends; ``canaryService`` and
  ``stableService`` always, with traffic_router "nginx" also ``trafficRouting.nginx`` on the
  environment's Ingress (exact weights) and ``scaleDownDelaySeconds``.
- blue-green: ``activeService`` (the stable Service's name) and ``previewService`` (the
  canary Service's), ``autoPromotionEnabled`` false for pause = "manual",
  ``autoPromotionSeconds``, ``scaleDownDelaySeconds``, and the analysis after the switch
  (``postPromotionAnalysis``: the old pods stay until it passes, and a failure switches
  back). No pre-promotion analysis: before the switch no traffic reaches the preview pods,
  so request-based rules could only be inconclusive; their readiness probes gate the switch.
"""

from typing import Any

from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions.kubernetes import analysis, names

Json = dict[str, Any]


def canary_steps(environment: KubernetesEnvironment) -> list[Json]:
    steps: list[Json] = []
    for step in environment.steps:
        steps.append({"setWeight": step.weight})
        if step.manual:
            steps.append({"pause": {}})
        elif step.seconds > 0:
            steps.append({"pause": {"duration": analysis.duration(step.seconds)}})
    return steps


def canary(environment: KubernetesEnvironment, package: str) -> Json:
    strategy: Json = {
        "canaryService": names.canary_service(package),
        "stableService": names.stable_service(package),
    }
    if environment.traffic_router == "nginx":
        strategy["trafficRouting"] = {"nginx": {"stableIngress": names.ingress(package)}}
        strategy["scaleDownDelaySeconds"] = int(environment.scale_down_delay)
    strategy["analysis"] = analysis.run_reference(package)
    strategy["steps"] = canary_steps(environment)
    return {"canary": strategy}


def blue_green(environment: KubernetesEnvironment, package: str) -> Json:
    strategy: Json = {
        "activeService": names.stable_service(package),
        "previewService": names.canary_service(package),
        "autoPromotionEnabled": environment.pause != "manual",
    }
    if environment.auto_promotion_seconds is not None:
        strategy["autoPromotionSeconds"] = int(environment.auto_promotion_seconds)
    strategy["scaleDownDelaySeconds"] = int(environment.scale_down_delay)
    strategy["postPromotionAnalysis"] = analysis.run_reference(package)
    return {"blueGreen": strategy}


def strategy(environment: KubernetesEnvironment, package: str) -> Json:
    if environment.strategy == "canary":
        return canary(environment, package)
    return blue_green(environment, package)
