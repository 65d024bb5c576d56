"""An environment's Kubernetes objects, from its configuration alone (pure): the Argo Rollouts
``Rollout`` and ``AnalysisTemplate`` (rollout.py, analysis.py), its Services, ServiceAccount,
Ingress, HorizontalPodAutoscaler and PodDisruptionBudget; and the same objects as a
kustomize directory (``files``), which ``inv render`` writes for GitOps.

The pod runs the image ``<image>:<version>`` ('+' in a version becomes '-', as in
``inv build --image``'s tag) with the server shipway runs locally: gunicorn, uvicorn workers
for an ASGI app, threaded workers for a WSGI app. The kind must be configured
(``[tool.shipway] server = "wsgi"`` or ``"asgi"``): locally "auto" loads the app in the
release's venv to find out, and a render has no release to load. Secrets are references
(``valueFrom.secretKeyRef``); their values are never read.
"""

from typing import Any

import yaml

from shipway.config.app import ServerChoice
from shipway.config.deploy import ANY_ANSWER
from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions import Argv
from shipway.decisions.deploy.server import ServerKind, worker_options
from shipway.decisions.kubernetes import analysis, names, rollout
from shipway.decisions.kubernetes.progress import VERSION_ANNOTATION
from shipway.decisions.release.image import image_tag
from shipway.errors import ShipwayError

Json = dict[str, Any]

CONTAINER = "service"
PORT_NAME = "http"
SERVICE_PORT = 80
USER_ID = 10001  # the image's user (deploy/Dockerfile)
GRACEFUL_TIMEOUT = 20  # gunicorn's, as on the local target
PRE_STOP_SLEEP = 5  # seconds for the endpoints to drop a stopping pod before it drains
METRICS_PATH = "/metrics"
KUSTOMIZATION = "kustomization.yaml"

# The ready path "/" means "the app answers below 500" (config/deploy.py): an HTTP probe would
# count 4xx as not ready, so the image's Python asks instead.
ANSWERS_BELOW_500 = (
    "import sys, urllib.error, urllib.request\n"
    "try:\n"
    "    status = urllib.request.urlopen(sys.argv[1], timeout=2).status\n"
    "except urllib.error.HTTPError as answer:\n"
    "    status = answer.code\n"
    "sys.exit(status >= 500)\n"
)


def server_kind(server: ServerChoice) -> ServerKind:
    if server == "auto":
        raise ShipwayError(
            "[tool.shipway] server = 'auto' finds out whether the app is WSGI or ASGI by "
            "loading it in the release's venv, which a Kubernetes environment's manifests are "
            "rendered without; allowed: server = 'wsgi' or server = 'asgi' in [tool.shipway]"
        )
    return ServerKind(server)


def labels(environment_name: str, package: str) -> Json:
    return {
        "app.kubernetes.io/name": names.app_name(package),
        "app.kubernetes.io/instance": environment_name,
        "app.kubernetes.io/managed-by": "shipway",
    }


def selector(package: str) -> Json:
    return {"app.kubernetes.io/name": names.app_name(package)}


def metadata(name: str, environment: KubernetesEnvironment, common: Json) -> Json:
    return {"name": name, "namespace": environment.namespace, "labels": common}


def command(environment: KubernetesEnvironment, app: str, kind: ServerKind) -> Argv:
    """gunicorn as the local target runs it (decisions/deploy/commands.py), on every address."""
    return [
        "gunicorn",
        app,
        *worker_options(kind, environment.threads),
        "--bind",
        f"0.0.0.0:{environment.port}",
        "--workers",
        str(environment.workers),
        "--graceful-timeout",
        str(GRACEFUL_TIMEOUT),
        "--timeout",
        "60",
        "--keep-alive",
        "75",
    ]


def env(environment: KubernetesEnvironment) -> list[Json]:
    """Settings as values, secrets as references to a key of a Secret in the namespace."""
    variables: list[Json] = [
        {"name": name, "value": value} for name, value in sorted(environment.settings.items())
    ]
    for name, reference in sorted(environment.secrets.items()):
        secret, key = reference.removeprefix("k8s:").split("/", 1)
        variables.append(
            {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}
        )
    return variables


def ready_check(environment: KubernetesEnvironment) -> Json:
    """The local readiness rule: on "/" any answer below 500, elsewhere an HTTP success."""
    if environment.ready_path == ANY_ANSWER:
        url = f"http://127.0.0.1:{environment.port}{ANY_ANSWER}"
        return {"exec": {"command": ["python", "-c", ANSWERS_BELOW_500, url]}}
    return {"httpGet": {"path": environment.ready_path, "port": PORT_NAME}}


def probes(environment: KubernetesEnvironment) -> Json:
    """Startup: up to 60 s to answer; readiness: ``analysis.health_failures`` failed checks in
    a row take the pod out of its Services (and so hold the rollout); liveness: the server
    still accepts connections (gunicorn replaces a hung worker itself, after --timeout)."""
    check = ready_check(environment)
    return {
        "startupProbe": {**check, "periodSeconds": 2, "timeoutSeconds": 2, "failureThreshold": 30},
        "readinessProbe": {
            **check,
            "periodSeconds": 5,
            "timeoutSeconds": 2,
            "failureThreshold": environment.analysis.health_failures,
        },
        "livenessProbe": {
            "tcpSocket": {"port": PORT_NAME},
            "periodSeconds": 10,
            "timeoutSeconds": 3,
            "failureThreshold": 3,
        },
    }


def resources(environment: KubernetesEnvironment) -> Json:
    wanted = environment.resources
    limits = {
        name: value
        for name, value in (("cpu", wanted.cpu_limit), ("memory", wanted.memory_limit))
        if value is not None
    }
    requests = {"cpu": wanted.cpu, "memory": wanted.memory}
    return {"requests": requests, **({"limits": limits} if limits else {})}


def container(environment: KubernetesEnvironment, image: str, app: str, kind: ServerKind) -> Json:
    variables = env(environment)
    return {
        "name": CONTAINER,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "command": command(environment, app, kind),
        "ports": [{"name": PORT_NAME, "containerPort": environment.port, "protocol": "TCP"}],
        **({"env": variables} if variables else {}),
        **probes(environment),
        "lifecycle": {"preStop": {"exec": {"command": ["sleep", str(PRE_STOP_SLEEP)]}}},
        "resources": resources(environment),
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        },
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108 - the pod's own
    }


def pod_template(
    environment: KubernetesEnvironment,
    package: str,
    common: Json,
    image: str,
    app: str,
    kind: ServerKind,
) -> Json:
    return {
        "metadata": {
            "labels": common,
            "annotations": {
                "prometheus.io/scrape": "true",
                "prometheus.io/port": str(environment.port),
                "prometheus.io/path": METRICS_PATH,
            },
        },
        "spec": {
            "serviceAccountName": names.service_account(package),
            "automountServiceAccountToken": False,
            "terminationGracePeriodSeconds": PRE_STOP_SLEEP + GRACEFUL_TIMEOUT + 5,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": USER_ID,
                "runAsGroup": USER_ID,
                "fsGroup": USER_ID,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [container(environment, image, app, kind)],
            "volumes": [{"name": "tmp", "emptyDir": {}}],
        },
    }


def rollout_object(
    environment: KubernetesEnvironment, package: str, common: Json, template: Json
) -> Json:
    spec: Json = {}
    if environment.autoscaling is None:  # else the HorizontalPodAutoscaler sets it
        spec["replicas"] = environment.replicas
    spec |= {
        "revisionHistoryLimit": 3,
        "progressDeadlineSeconds": 600,
        "progressDeadlineAbort": True,
        "selector": {"matchLabels": selector(package)},
        "template": template,
        "strategy": rollout.strategy(environment, package),
    }
    return {
        "apiVersion": analysis.ROLLOUTS_API,
        "kind": "Rollout",
        "metadata": metadata(names.rollout(package), environment, common),
        "spec": spec,
    }


def service(name: str, environment: KubernetesEnvironment, package: str, common: Json) -> Json:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata(name, environment, common),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(package),
            "ports": [
                {
                    "name": PORT_NAME,
                    "port": SERVICE_PORT,
                    "targetPort": PORT_NAME,
                    "protocol": "TCP",
                }
            ],
        },
    }


def entry_service(environment: KubernetesEnvironment, package: str) -> str:
    """The Service the Ingress routes to: the stable (active) pods', or every pod's for a
    canary weighed by replica count."""
    if environment.strategy == "canary" and environment.traffic_router == "none":
        return names.service(package)
    return names.stable_service(package)


def ingress_object(environment: KubernetesEnvironment, package: str, common: Json) -> Json:
    assert environment.ingress is not None  # noqa: S101 - called with one only
    wanted = environment.ingress
    backend = {
        "service": {"name": entry_service(environment, package), "port": {"name": PORT_NAME}}
    }
    spec: Json = {
        "ingressClassName": wanted.class_name,
        "rules": [
            {
                "host": wanted.host,
                "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]},
            }
        ],
    }
    if wanted.tls_secret is not None:
        spec["tls"] = [{"hosts": [wanted.host], "secretName": wanted.tls_secret}]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": metadata(names.ingress(package), environment, common),
        "spec": spec,
    }


def autoscaler_object(environment: KubernetesEnvironment, package: str, common: Json) -> Json:
    assert environment.autoscaling is not None  # noqa: S101 - called with autoscaling only
    scaling = environment.autoscaling
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": metadata(names.autoscaler(package), environment, common),
        "spec": {
            "scaleTargetRef": {
                "apiVersion": analysis.ROLLOUTS_API,
                "kind": "Rollout",
                "name": names.rollout(package),
            },
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {
                            "type": "Utilization",
                            "averageUtilization": scaling.cpu_percent,
                        },
                    },
                }
            ],
        },
    }


def disruption_budget_object(
    environment: KubernetesEnvironment, package: str, common: Json
) -> Json:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": metadata(names.disruption_budget(package), environment, common),
        "spec": {
            "maxUnavailable": environment.disruption_budget.max_unavailable,
            "selector": {"matchLabels": selector(package)},
        },
    }


def render(
    name: str,
    environment: KubernetesEnvironment,
    package: str,
    app: str | None,
    server: ServerChoice,
    version: str,
) -> list[Json]:
    """Every object of environment ``name`` running ``version`` of ``package``; raises
    ShipwayError naming what cannot be rendered."""
    if app is None:
        raise ShipwayError(
            "a Kubernetes environment runs [tool.shipway] app = 'module:attribute' (the WSGI or "
            "ASGI entry point), which is not set"
        )
    kind = server_kind(server)
    image = f"{environment.image}:{image_tag(version)}"
    common = labels(name, package)
    template = pod_template(environment, package, common, image, app, kind)
    # The exact release (a PEP 440 local version is not a valid image tag): what `inv rollback
    # --to V` finds among the Rollout's ReplicaSets.
    template["metadata"]["annotations"][VERSION_ANNOTATION] = version
    objects = [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": metadata(names.service_account(package), environment, common),
            "automountServiceAccountToken": False,
        },
        service(names.stable_service(package), environment, package, common),
        service(names.canary_service(package), environment, package, common),
    ]
    if entry_service(environment, package) == names.service(package):
        objects.append(service(names.service(package), environment, package, common))
    objects.append(analysis.analysis_template(environment, package, common))
    objects.append(rollout_object(environment, package, common, template))
    if environment.ingress is not None:
        objects.append(ingress_object(environment, package, common))
    if environment.autoscaling is not None:
        objects.append(autoscaler_object(environment, package, common))
    objects.append(disruption_budget_object(environment, package, common))
    return objects


def file_name(item: Json) -> str:
    """``rollout-chatbot.yaml``, ``service-chatbot-stable.yaml``: one file per object."""
    return f"{str(item['kind']).lower()}-{item['metadata']['name']}.yaml"


MARKER = "# Rendered by shipway"


def rendered_by_shipway(first_line: str) -> bool:
    """A file an earlier render wrote (and a later one may replace or remove)."""
    return first_line.startswith(MARKER)


def header(name: str) -> str:
    return (
        f"{MARKER} from [tool.shipway.environments.{name}] (inv render --env "
        f"{name}).\n# Change pyproject.toml and render again; edits here are overwritten.\n"
    )


class _Dumper(yaml.SafeDumper):
    """Every value written out where it stands: no '&id001' anchors for shared dicts."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def to_yaml(document: Json) -> str:
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=4096
    )


def files(name: str, environment: KubernetesEnvironment, objects: list[Json]) -> dict[str, str]:
    """The kustomize directory: one file per object and ``kustomization.yaml`` listing them,
    with the namespace; every file starts with the same header (``header``)."""
    documents = {file_name(item): item for item in objects}
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "namespace": environment.namespace,
        "resources": list(documents),
    }
    rendered = {path: header(name) + to_yaml(item) for path, item in documents.items()}
    return {**rendered, KUSTOMIZATION: header(name) + to_yaml(kustomization)}
