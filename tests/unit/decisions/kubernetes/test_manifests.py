"""The objects of a Kubernetes environment: golden files of whole renders, and one test per
rule mapping a setting to its fields."""

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from shipway.config.app import ServerChoice
from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions.kubernetes import manifests
from shipway.errors import ShipwayError
from tests.unit.decisions.kubernetes.environments import APP, GOLDEN, PACKAGE, environment

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE = "SHIPWAY_UPDATE_GOLDEN"  # =1 rewrites the golden files (review the diff)


def render(
    config: KubernetesEnvironment, server: ServerChoice = "asgi", version: str = "1.2.3"
) -> list[dict[str, Any]]:
    return manifests.render("k8s-prod", config, PACKAGE, APP, server, version)


def the(kind: str, objects: list[dict[str, Any]]) -> dict[str, Any]:
    [found] = [item for item in objects if item["kind"] == kind]
    return found


def pod(objects: list[dict[str, Any]]) -> dict[str, Any]:
    spec: dict[str, Any] = the("Rollout", objects)["spec"]["template"]["spec"]
    return spec


def container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = pod(objects)["containers"][0]
    return found


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_a_render_matches_its_golden_files(name: str) -> None:
    config = environment(**GOLDEN[name])
    files = manifests.files(name, config, render(config, version="1.2.3+g1a2b3c4"))
    directory = GOLDEN_DIR / name
    if os.environ.get(UPDATE) == "1":
        directory.mkdir(parents=True, exist_ok=True)
        for stale in {p.name for p in directory.iterdir()} - set(files):
            (directory / stale).unlink()
        for file, text in files.items():
            (directory / file).write_text(text, encoding="utf-8")
    golden = {p.name: p.read_text(encoding="utf-8") for p in directory.glob("*.yaml")}
    assert sorted(golden) == sorted(files), f"{UPDATE}=1 rewrites the golden files"
    for file, text in files.items():
        assert text == golden[file], f"{name}/{file} differs; {UPDATE}=1 rewrites it"


def test_the_image_is_the_repository_tagged_with_the_version() -> None:
    objects = render(environment(), version="1.2.3+g1a2b3c4")
    assert container(objects)["image"] == "ghcr.io/acme/chatbot:1.2.3-g1a2b3c4"


def test_a_version_that_cannot_be_a_tag_is_refused() -> None:
    with pytest.raises(ShipwayError, match=r"version '-rc1' cannot be an image tag; allowed"):
        render(environment(), version="-rc1")


def test_server_auto_must_be_said_for_kubernetes() -> None:
    with pytest.raises(ShipwayError, match="server = 'wsgi' or server = 'asgi'"):
        render(environment(), server="auto")


def test_no_app_is_refused() -> None:
    with pytest.raises(ShipwayError, match=r"app = 'module:attribute'"):
        manifests.render("k8s-prod", environment(), PACKAGE, None, "asgi", "1.2.3")


def test_an_asgi_app_runs_on_uvicorn_workers_bound_to_every_address() -> None:
    command = container(render(environment(port=9000, workers=3)))["command"]
    assert command[:4] == ["gunicorn", APP, "--worker-class", "uvicorn_worker.UvicornWorker"]
    assert command[command.index("--bind") + 1] == "0.0.0.0:9000"
    assert command[command.index("--workers") + 1] == "3"


def test_a_wsgi_app_runs_on_threaded_workers() -> None:
    command = container(render(environment(threads=8), server="wsgi"))["command"]
    assert command[2:6] == ["--worker-class", "gthread", "--threads", "8"]


def test_the_container_port_is_named_and_the_services_target_it() -> None:
    objects = render(environment(port=9000))
    assert container(objects)["ports"] == [
        {"name": "http", "containerPort": 9000, "protocol": "TCP"}
    ]
    for service in (item for item in objects if item["kind"] == "Service"):
        assert service["spec"]["ports"][0]["targetPort"] == "http"


def test_settings_are_values_and_secrets_references_never_values() -> None:
    objects = render(
        environment(settings={"B": "2", "A": "1"}, secrets={"TOKEN": "k8s:api-keys/token.v1"})
    )
    assert container(objects)["env"] == [
        {"name": "A", "value": "1"},
        {"name": "B", "value": "2"},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "api-keys", "key": "token.v1"}}},
    ]
    assert "env" not in container(render(environment()))


def test_a_ready_path_is_an_http_probe_with_health_failures_as_threshold() -> None:
    probes = container(render(environment(ready_path="/ready", analysis={"health_failures": 5})))
    assert probes["readinessProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert probes["readinessProbe"]["failureThreshold"] == 5
    assert probes["startupProbe"]["httpGet"] == {"path": "/ready", "port": "http"}
    assert probes["livenessProbe"]["tcpSocket"] == {"port": "http"}


def test_the_root_ready_path_accepts_any_answer_below_500() -> None:
    probe = container(render(environment(ready_path="/", port=9000)))["readinessProbe"]
    python, flag, script, url = probe["exec"]["command"]
    assert (python, flag, url) == ("python", "-c", "http://127.0.0.1:9000/")
    assert "sys.exit(status >= 500)" in script
    compile(script, "probe", "exec")  # the image's Python runs it


def test_resources_are_requests_and_the_configured_limits() -> None:
    limited = render(environment(resources={"cpu": "250m", "cpu_limit": "1"}))
    assert container(limited)["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "512Mi"},
    }
    unlimited = render(environment(resources={"memory_limit": None}))
    assert "limits" not in container(unlimited)["resources"]


def test_the_pod_runs_as_the_images_user_without_privileges() -> None:
    objects = render(environment())
    assert pod(objects)["securityContext"]["runAsUser"] == 10001
    assert pod(objects)["securityContext"]["runAsNonRoot"] is True
    assert pod(objects)["serviceAccountName"] == "chatbot"
    assert container(objects)["securityContext"]["allowPrivilegeEscalation"] is False
    assert the("ServiceAccount", objects)["automountServiceAccountToken"] is False


def test_replicas_without_autoscaling_and_an_hpa_on_the_rollout_with_it() -> None:
    fixed = render(environment(replicas=4))
    assert the("Rollout", fixed)["spec"]["replicas"] == 4
    assert not [item for item in fixed if item["kind"] == "HorizontalPodAutoscaler"]
    scaled = render(
        environment(
            traffic_router="nginx",
            ingress={"host": "a.example.com"},
            autoscaling={"min_replicas": 2, "max_replicas": 5, "cpu_percent": 60},
        )
    )
    assert "replicas" not in the("Rollout", scaled)["spec"]
    hpa = the("HorizontalPodAutoscaler", scaled)["spec"]
    assert hpa["scaleTargetRef"] == {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "name": "chatbot",
    }
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (2, 5)
    assert hpa["metrics"][0]["resource"]["target"]["averageUtilization"] == 60


def test_the_ingress_has_host_class_and_tls() -> None:
    certificate = "a-tls"  # the name of a kubernetes.io/tls Secret
    wanted = {"host": "a.example.com", "class_name": "public", "tls_secret": certificate}
    ingress = the("Ingress", render(environment(ingress=wanted)))["spec"]
    assert ingress["ingressClassName"] == "public"
    assert ingress["rules"][0]["host"] == "a.example.com"
    assert ingress["tls"] == [{"hosts": ["a.example.com"], "secretName": "a-tls"}]
    assert (
        "tls" not in the("Ingress", render(environment(ingress={"host": "a.example.com"})))["spec"]
    )
    assert not [item for item in render(environment()) if item["kind"] == "Ingress"]


@pytest.mark.parametrize(
    ("keys", "backend", "services"),
    [
        ({"strategy": "canary", "traffic_router": "nginx"}, "chatbot-stable", 2),
        ({"strategy": "blue-green"}, "chatbot-stable", 2),
        ({"strategy": "canary", "steps": [{"weight": 50}]}, "chatbot", 3),
    ],
)
def test_the_ingress_routes_to_the_stable_pods_or_to_all_when_replicas_weigh(
    keys: dict[str, Any], backend: str, services: int
) -> None:
    objects = render(environment(ingress={"host": "a.example.com"}, **keys))
    route = the("Ingress", objects)["spec"]["rules"][0]["http"]["paths"][0]["backend"]
    assert route == {"service": {"name": backend, "port": {"name": "http"}}}
    assert len([item for item in objects if item["kind"] == "Service"]) == services


def test_the_disruption_budget_limits_unavailable_pods() -> None:
    budget = the(
        "PodDisruptionBudget", render(environment(disruption_budget={"max_unavailable": 2}))
    )
    assert budget["spec"] == {
        "maxUnavailable": 2,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "chatbot"}},
    }


def test_every_object_is_in_the_namespace_and_labelled() -> None:
    for item in render(environment(namespace="shop")):
        assert item["metadata"]["namespace"] == "shop"
        assert item["metadata"]["labels"]["app.kubernetes.io/instance"] == "k8s-prod"
        assert item["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "shipway"


def test_files_are_one_per_object_and_a_kustomization_with_the_namespace() -> None:
    config = environment(namespace="shop")
    files = manifests.files("k8s-prod", config, render(config))
    kustomization = yaml.safe_load(files.pop(manifests.KUSTOMIZATION))
    assert kustomization["namespace"] == "shop"
    assert kustomization["resources"] == list(files)
    assert "rollout-chatbot.yaml" in files
    for text in files.values():
        assert manifests.rendered_by_shipway(text.splitlines()[0])
        assert "&id" not in text  # no YAML anchors: every value where it stands


def test_a_file_without_the_header_is_not_shipways() -> None:
    assert not manifests.rendered_by_shipway("apiVersion: v1\n")
    assert manifests.rendered_by_shipway(manifests.header("k8s-prod"))
