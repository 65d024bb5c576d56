"""``[tool.shipway.environments.<name>]`` with ``target = "kubernetes"``: the same releases,
strategy, steps and analysis as a local environment, run by Kubernetes and Argo Rollouts.

shipway renders the manifests (decisions/kubernetes/) and drives ``kubectl`` and its Argo
Rollouts plugin; it never reads a Secret's value (``k8s:SECRET/KEY`` is a reference the pod
resolves) and never re-implements the controller.
"""

import math
import re
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BeforeValidator, Field, StringConstraints, field_validator, model_validator

from shipway.config.deploy import Delivery
from shipway.config.fields import EnvVarName, Port, Seconds, StrictModel

# A DNS-1123 label: a namespace's, a Secret's, an ingress class's name.
K8S_NAME = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
K8sName = Annotated[str, StringConstraints(pattern=K8S_NAME, max_length=63)]
# A Secret's name may be a DNS-1123 subdomain; its keys are [-._a-zA-Z0-9]+.
K8sSecretRef = Annotated[
    str,
    StringConstraints(
        pattern=r"^k8s:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/[-._a-zA-Z0-9]+$", max_length=400
    ),
]
# resource.Quantity: a decimal number with an optional SI or binary suffix ("250m", "1.5",
# "512Mi", "2G", "1e3").
QUANTITY = re.compile(
    r"^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$"
)
# An image repository: registry host (with port), path, no tag or digest: the tag is the
# release's version.
IMAGE = r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*$"
HOSTNAME = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"


def _quantity(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and QUANTITY.match(value):
        return value
    raise ValueError(
        "not a Kubernetes quantity: a number with an optional suffix, e.g. '250m' or '0.5' "
        "(CPU), '256Mi' or '1Gi' (memory)"
    )


Quantity = Annotated[str, BeforeValidator(_quantity)]

_BINARY = {f"{prefix}i": Decimal(1024) ** power for power, prefix in enumerate("KMGTPE", 1)}
_DECIMAL = {prefix: Decimal(1000) ** power for power, prefix in enumerate("kMGTPE", 1)}
_SUFFIXES = {
    **_BINARY,
    **_DECIMAL,
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("1e-3"),
}


def quantity_value(quantity: str) -> Decimal:
    """The amount a valid quantity names: '250m' → 0.25, '1Gi' → 1073741824, '1e3' → 1000."""
    match = QUANTITY.match(quantity)
    if match is None:
        raise ValueError(f"not a Kubernetes quantity: {quantity!r}")
    number, suffix = match[1], match[3] or ""
    if suffix[:1] in ("e", "E"):
        return Decimal(number + suffix)
    return Decimal(number) * _SUFFIXES.get(suffix, Decimal(1))


class Resources(StrictModel):
    cpu: Quantity = Field(default="100m", description="CPU each pod requests")
    memory: Quantity = Field(default="256Mi", description="memory each pod requests")
    cpu_limit: Quantity | None = Field(default=None, description="CPU limit (none: no limit)")
    memory_limit: Quantity | None = Field(
        default="512Mi", description="memory limit (none: no limit)"
    )

    @model_validator(mode="after")
    def _requests_within_limits(self) -> Self:
        for kind, request, limit in (
            ("cpu", self.cpu, self.cpu_limit),
            ("memory", self.memory, self.memory_limit),
        ):
            if limit is not None and quantity_value(request) > quantity_value(limit):
                raise ValueError(
                    f"{kind} = {request!r} is more than {kind}_limit = {limit!r}, which "
                    f"Kubernetes refuses; allowed: a {kind} request at most its limit"
                )
        return self


class Autoscaling(StrictModel):
    min_replicas: int = Field(ge=1, description="fewest pods the HorizontalPodAutoscaler keeps")
    max_replicas: int = Field(ge=1, description="most pods it scales to")
    cpu_percent: int = Field(
        default=70, ge=1, le=100, description="average CPU use (of requests) it aims for"
    )

    @model_validator(mode="after")
    def _a_range(self) -> Self:
        if self.max_replicas < self.min_replicas:
            raise ValueError(
                f"max_replicas = {self.max_replicas} is below min_replicas = {self.min_replicas}"
            )
        return self


class Ingress(StrictModel):
    host: str = Field(pattern=HOSTNAME, description="the host name the Ingress routes")
    class_name: K8sName = Field(default="nginx", description="ingressClassName")
    tls_secret: K8sName | None = Field(
        default=None, description="a kubernetes.io/tls Secret in the namespace: serve HTTPS"
    )


class DisruptionBudget(StrictModel):
    max_unavailable: int = Field(
        default=1, ge=0, description="pods a voluntary disruption (a node drain) may take at once"
    )


class PrometheusMetrics(StrictModel):
    """Where the AnalysisTemplate's queries read, and what the service's metrics are called.

    The defaults are the common names of Prometheus client libraries' HTTP metrics; the
    reference service's are ``chatbot_http_requests_total`` and
    ``chatbot_http_request_duration_seconds``."""

    address: str = Field(
        default="http://prometheus-server.monitoring.svc.cluster.local",
        pattern=r"^https?://",
        description="the Prometheus server's URL, as the Argo Rollouts controller reaches it",
    )
    requests: str = Field(
        default="http_requests_total",
        pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$",
        description="counter of answered requests, with a status-code label",
    )
    duration: str = Field(
        default="http_request_duration_seconds",
        pattern=r"^[a-zA-Z_:][a-zA-Z0-9_:]*$",
        description="histogram of answer times in seconds (its _bucket series are queried)",
    )
    status_label: str = Field(
        default="status",
        pattern=r"^[a-zA-Z_][a-zA-Z0-9_]*$",
        description="the label holding the HTTP status code",
    )


class KubernetesEnvironment(Delivery):
    target: Literal["kubernetes"] = Field(description="'kubernetes': Argo Rollouts runs it")
    namespace: K8sName = Field(description="the namespace everything is applied to")
    context: str | None = Field(
        default=None, description="the kubectl context (none: kubectl's current one)"
    )
    image: str = Field(
        pattern=IMAGE,
        description="image repository without tag (e.g. ghcr.io/acme/chatbot): the tag is the "
        "release's version",
    )
    port: Port = Field(default=8000, description="the port the service listens on in the pod")
    replicas: int = Field(default=2, ge=1, description="pods (without autoscaling)")
    autoscaling: Autoscaling | None = Field(
        default=None, description="{ min_replicas, max_replicas, cpu_percent? }: an HPA"
    )
    resources: Resources = Resources()
    workers: int = Field(default=2, ge=1, le=64, description="gunicorn workers per pod")
    threads: int = Field(
        default=4, ge=1, le=256, description="threads per worker of a WSGI app (ASGI: unused)"
    )
    secrets: dict[EnvVarName, K8sSecretRef] = Field(
        default={}, description="variables from Kubernetes Secrets: k8s:SECRET/KEY"
    )
    ingress: Ingress | None = Field(
        default=None, description="{ host, class_name?, tls_secret? }: the Ingress in front"
    )
    disruption_budget: DisruptionBudget = DisruptionBudget()
    traffic_router: Literal["none", "nginx"] = Field(
        default="none",
        description="'none': weights by replica count; 'nginx': ingress-nginx canary "
        "annotations, exact weights (needs ingress)",
    )
    scale_down_delay: Seconds = Field(
        default=30.0, description="blue-green: how long the old ReplicaSet stays after the switch"
    )
    auto_promotion_seconds: Seconds | None = Field(
        default=None,
        description="blue-green: promote this long after the preview is ready (none: at once)",
    )
    metrics: PrometheusMetrics = PrometheusMetrics()
    rollout_timeout: Seconds = Field(
        default=900.0, description="how long `inv deploy` follows the rollout before it fails"
    )

    @field_validator("secrets", mode="before")
    @classmethod
    def _only_kubernetes_secrets(cls, value: object) -> object:
        if isinstance(value, dict):
            for name, ref in value.items():
                if isinstance(ref, str) and ref.startswith(("env:", "file:")):
                    raise ValueError(
                        f"{name} = {ref!r}: a Kubernetes environment never reads secret values; "
                        "create a Secret in the namespace (kubectl create secret generic NAME "
                        f"--from-literal={name}=... -n NAMESPACE) and write k8s:NAME/{name}"
                    )
        return value

    @model_validator(mode="after")
    def _the_router_can_express_the_steps(self) -> Self:
        if self.traffic_router == "nginx" and self.ingress is None:
            raise ValueError(
                'traffic_router = "nginx" splits traffic at the Ingress: it needs ingress = '
                '{ host = "..." }'
            )
        if self.traffic_router == "none" and self.strategy == "canary":
            if self.autoscaling is not None:
                raise ValueError(
                    'traffic_router = "none" weighs by replica count, which autoscaling '
                    'changes; allowed: traffic_router = "nginx", or no autoscaling'
                )
            for i, step in enumerate(self.steps):
                if step.weight * self.replicas % 100:
                    raise ValueError(
                        f'steps[{i}].weight = {step.weight}: with traffic_router = "none" a '
                        f"weight is a share of the {self.replicas} replicas, and {step.weight} % "
                        f"of {self.replicas} is not a whole pod; allowed: weights that are "
                        f"multiples of {100 // math.gcd(100, self.replicas)} %, more replicas, or "
                        'traffic_router = "nginx"'
                    )
        return self

    @model_validator(mode="after")
    def _a_variable_is_a_setting_or_a_secret(self) -> Self:
        both = sorted(set(self.settings) & set(self.secrets))
        if both:
            raise ValueError(
                f"{', '.join(both)}: both in settings and in secrets; allowed: each variable "
                "in one of them"
            )
        return self

    @model_validator(mode="after")
    def _manual_or_automatic_promotion(self) -> Self:
        if self.pause == "manual" and self.auto_promotion_seconds is not None:
            raise ValueError(
                'pause = "manual" waits for `inv promote`; auto_promotion_seconds promotes on '
                "its own: choose one"
            )
        return self

    @model_validator(mode="after")
    def _whole_seconds(self) -> Self:
        """Argo Rollouts counts pauses, the scale-down delay and the auto-promotion delay in
        whole seconds: a fraction would silently be cut."""
        timed: list[tuple[str, object]] = [
            (f"steps[{i}].pause", step.pause) for i, step in enumerate(self.steps)
        ]
        timed += [("scale_down_delay", self.scale_down_delay)]
        timed += [("auto_promotion_seconds", self.auto_promotion_seconds)]
        for key, seconds in timed:
            if isinstance(seconds, float) and not seconds.is_integer():
                raise ValueError(
                    f"{key} = {seconds:g} s: Argo Rollouts counts whole seconds; allowed: a "
                    "whole number of seconds ('30s', '2m')"
                )
        return self

    @property
    def min_replicas(self) -> int:
        return self.autoscaling.min_replicas if self.autoscaling else self.replicas
