"""The analysis rules of an environment (``analysis``) as an Argo Rollouts AnalysisTemplate:
one Prometheus metric per rule, over the service's own request metrics.

Each measurement reads the pods of the release under analysis: Argo Rollouts passes their
``rollouts-pod-template-hash`` as the argument ``canary-hash``, and the queries select
``rollouts_pod_template_hash`` (the pod label as Prometheus' Kubernetes discovery maps it,
``__meta_kubernetes_pod_label_(.+)``) and ``namespace``. The rules keep their local meaning:

- ``window`` is the range of every query (``increase(...[60s])``), ``interval`` the metric's
  interval, and the first measurement waits one window (``initialDelay``), so that it covers a
  whole window of the new release's traffic;
- ``min_requests``: a window with fewer requests gives an empty result, which neither passes
  nor fails: inconclusive. With ``inconclusive = "pause"`` Argo tolerates as many
  inconclusive measurements as fit in ``max_pause`` (``inconclusiveLimit``), then pauses the
  rollout as Inconclusive for a person (`inv promote` / `inv abort`); with ``"fail"`` an
  empty result is a failed measurement;
- ``failure_limit`` and ``consecutive_error_limit`` are Argo's ``failureLimit`` and
  ``consecutiveErrorLimit``, with the same meaning (that many tolerated, one more fails);
- ``count``: a canary's analysis runs in the background until the rollout ends (no count);
  a blue-green's after the switch, for ``ceil(window / interval)`` measurements.

Not expressed: ``compare_to_stable`` (the template judges the new release alone) and
``health_failures`` (the readiness probe's ``failureThreshold``, see manifests.py).
"""

import math
from typing import Any, Literal

from shipway.config.deploy import Analysis
from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions.kubernetes import names
from shipway.errors import ShipwayError

HASH_ARGUMENT = "canary-hash"
HASH_LABEL = "rollouts_pod_template_hash"
NAMESPACE_LABEL = "namespace"
ROLLOUTS_API = "argoproj.io/v1alpha1"

Json = dict[str, Any]


def duration(seconds: float) -> str:
    """A Go duration Argo Rollouts and PromQL both read: '60s', '1500ms'."""
    if float(seconds).is_integer():
        return f"{int(seconds)}s"
    milliseconds = seconds * 1000
    if abs(milliseconds - round(milliseconds)) < 1e-6:
        return f"{round(milliseconds)}ms"
    raise ShipwayError(f"{seconds} s is not a whole number of milliseconds")


def number(value: float) -> str:
    """A threshold as Argo's expressions read it: 2000, 0.05."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def selector(namespace: str, extra: str = "") -> str:
    return f'{NAMESPACE_LABEL}="{namespace}",{HASH_LABEL}="{{{{args.{HASH_ARGUMENT}}}}}"{extra}'


def requests_query(environment: KubernetesEnvironment, extra: str = "") -> str:
    """Requests the release answered in one window (``extra``: more label matchers)."""
    metrics = environment.metrics
    window = duration(environment.analysis.window)
    return (
        f"sum(increase({metrics.requests}{{{selector(environment.namespace, extra)}}}[{window}]))"
    )


def enough(environment: KubernetesEnvironment) -> str:
    """The window's request count, or nothing when it is below min_requests."""
    return f"({requests_query(environment)} >= {environment.analysis.min_requests})"


def error_rate_query(environment: KubernetesEnvironment) -> str:
    """Share of 5xx answers in the window; empty with too few requests."""
    label = environment.metrics.status_label
    errors = requests_query(environment, f',{label}=~"5.."')
    return f"({errors} or vector(0)) / {enough(environment)}"


def latency_query(environment: KubernetesEnvironment, quantile: float) -> str:
    """The quantile of answer times in the window, in ms; empty with too few requests."""
    metrics = environment.metrics
    window = duration(environment.analysis.window)
    buckets = f"{metrics.duration}_bucket{{{selector(environment.namespace)}}}[{window}]"
    return (
        f"1000 * histogram_quantile({quantile}, sum by (le) (rate({buckets}))) "
        f"and on() {enough(environment)}"
    )


def conditions(threshold: float, inconclusive: Literal["pause", "fail"]) -> Json:
    """Pass at or below the threshold, fail above it; an empty result (too little data) is
    inconclusive (neither holds) or, with inconclusive = 'fail', a failure."""
    limit = number(threshold)
    if inconclusive == "fail":
        failure = f"len(result) == 0 || isNaN(result[0]) || result[0] > {limit}"
    else:
        failure = f"len(result) > 0 && result[0] > {limit}"
    return {
        "successCondition": f"len(result) > 0 && result[0] <= {limit}",
        "failureCondition": failure,
    }


def limits(analysis: Analysis) -> Json:
    """failureLimit, consecutiveErrorLimit and inconclusiveLimit, from the same rules."""
    tolerated = 0
    if analysis.inconclusive == "pause":
        tolerated = math.ceil(analysis.max_pause / analysis.interval)
    return {
        "failureLimit": analysis.failure_limit,
        "consecutiveErrorLimit": analysis.consecutive_error_limit,
        "inconclusiveLimit": tolerated,
    }


def measurements(environment: KubernetesEnvironment) -> int | None:
    """How many measurements a run takes: a canary's background analysis runs until the
    rollout ends (None), a blue-green's post-promotion analysis one window's worth."""
    if environment.strategy == "canary":
        return None
    analysis = environment.analysis
    return max(1, math.ceil(analysis.window / analysis.interval))


def metric(environment: KubernetesEnvironment, name: str, query: str, threshold: float) -> Json:
    analysis = environment.analysis
    count = measurements(environment)
    return {
        "name": name,
        "initialDelay": duration(analysis.window),
        "interval": duration(analysis.interval),
        **({} if count is None else {"count": count}),
        **conditions(threshold, analysis.inconclusive),
        **limits(analysis),
        "provider": {"prometheus": {"address": environment.metrics.address, "query": query}},
    }


def metrics(environment: KubernetesEnvironment) -> list[Json]:
    """One metric per rule: error-rate always, p95 and p99 when configured."""
    analysis = environment.analysis
    rules = [metric(environment, "error-rate", error_rate_query(environment), analysis.error_rate)]
    for name, quantile, threshold in (
        ("p95-ms", 0.95, analysis.p95_ms),
        ("p99-ms", 0.99, analysis.p99_ms),
    ):
        if threshold is not None:
            rules.append(metric(environment, name, latency_query(environment, quantile), threshold))
    return rules


def analysis_template(environment: KubernetesEnvironment, package: str, labels: Json) -> Json:
    return {
        "apiVersion": ROLLOUTS_API,
        "kind": "AnalysisTemplate",
        "metadata": {
            "name": names.analysis_template(package),
            "namespace": environment.namespace,
            "labels": labels,
        },
        "spec": {"args": [{"name": HASH_ARGUMENT}], "metrics": metrics(environment)},
    }


def run_reference(package: str) -> Json:
    """How the Rollout starts a run of the template: the new pods' hash as the argument."""
    return {
        "templates": [{"templateName": names.analysis_template(package)}],
        "args": [{"name": HASH_ARGUMENT, "valueFrom": {"podTemplateHashValue": "Latest"}}],
    }
