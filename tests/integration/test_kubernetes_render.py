"""``inv render``'s manifests, checked here without a cluster by the tools that know them:
``kubectl kustomize`` builds every rendered directory, ``kubernetes-validate --strict``
validates every core object (and each Rollout's pod template as a core PodTemplate) against
each Kubernetes version shipway claims, and Argo Rollouts' own schemas
(``@kubernetes-models/argo-rollouts``, tests/support/argo/validate.mjs) validate every
Rollout and AnalysisTemplate, unknown fields included. A validator that cannot run fails the
test; each validator is also shown a broken object, so "valid" means it looked."""

import fcntl
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from shipway.config import Project, load_project
from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions.kubernetes import manifests
from shipway.effects.kubernetes import render as render_files

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ARGO = REPO / "tests" / "support" / "argo"
# The Kubernetes versions shipway's manifests are validated against (README, Kubernetes).
KUBERNETES_VERSIONS = [f"1.{minor}.0" for minor in range(25, 38)]
VERSION = "1.4.0+g1a2b3c4"  # a local version label: the image tag becomes 1.4.0-g1a2b3c4
ROLLOUTS = {"Rollout", "AnalysisTemplate"}


def variants(project: Project) -> dict[str, KubernetesEnvironment]:
    """This repository's k8s-prod, and variants that reach every other branch of the render."""
    prod = project.config.kubernetes["k8s-prod"]
    base = prod.model_dump()

    def variant(**changes: Any) -> KubernetesEnvironment:
        return KubernetesEnvironment.model_validate({**base, **changes})

    return {
        "k8s-prod": prod,
        "blue-green": variant(
            strategy="blue-green",
            pause="manual",
            traffic_router="none",
            ingress=None,  # in-cluster only
            steps=[{"weight": 50}],
            ready_path="/",  # the "answers below 500" exec probe
            secrets={"DATABASE_URL": "k8s:chatbot-db/url"},
            analysis={"p99_ms": 3000, "inconclusive": "fail", "window": "90s"},
            threads=8,
        ),
        "autoscaled-tls": variant(
            autoscaling={"min_replicas": 2, "max_replicas": 6, "cpu_percent": 60},
            ingress={"host": "chat.example.com", "class_name": "nginx", "tls_secret": "chat-tls"},
            resources={"cpu": "250m", "memory": "512Mi", "cpu_limit": "1", "memory_limit": "1Gi"},
            disruption_budget={"max_unavailable": 2},
        ),
        "canary-by-replicas": variant(
            traffic_router="none",
            replicas=4,
            steps=[{"weight": 25, "pause": "manual"}, {"weight": 50}, {"weight": 75, "pause": 0}],
            auto_promotion_seconds=None,
        ),
    }


def run(argv: list[str], cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def tool(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    assert found, f"{name} is not installed: this test cannot validate without it"
    return found


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each variant rendered into a kustomize directory of its own."""
    project = load_project(REPO)
    root = tmp_path_factory.mktemp("rendered")
    directories: dict[str, Path] = {}
    for name, environment in variants(project).items():
        objects = manifests.render(
            name,
            environment,
            project.service_package.name,
            project.config.app,
            "wsgi" if name == "blue-green" else project.config.server,
            VERSION,
        )
        directories[name] = render_files.write(
            root / name, manifests.files(name, environment, objects)
        ).directory
    return directories


def objects_of(directory: Path) -> list[dict[str, Any]]:
    return [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(directory.glob("*.yaml"))
        if path.name != manifests.KUSTOMIZATION
    ]


@pytest.fixture(scope="session")
def argo_validator(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """validate.mjs with its pinned packages: ``npm ci`` (package-lock.json) when they are
    missing; one installer at a time under pytest-xdist."""
    node, npm = tool("node"), tool("npm")
    assert node
    lock_file = tmp_path_factory.getbasetemp().parent / "argo-npm.lock"
    with lock_file.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (ARGO / "node_modules" / "@kubernetes-models" / "argo-rollouts").is_dir():
            installed = run([npm, "ci", "--prefix", str(ARGO), "--no-audit", "--no-fund"])
            assert installed.returncode == 0, f"npm ci failed:\n{installed.stderr}"
    return ARGO / "validate.mjs"


def validate_argo(script: Path, items: list[dict[str, Any]], scratch: Path) -> str:
    document = scratch / "argo.json"
    document.write_text(json.dumps(items), encoding="utf-8")
    result = run([tool("node"), str(script), str(document)])
    assert result.returncode in (0, 1), f"the validator could not run:\n{result.stderr}"
    assert result.stdout.count("VALID") >= len(items), result.stdout  # every object judged
    return result.stdout if result.returncode == 0 else "FAILED\n" + result.stdout


def test_kubectl_kustomize_builds_every_rendered_directory(rendered: dict[str, Path]) -> None:
    kubectl = tool("kubectl")
    for name, directory in rendered.items():
        built = run([kubectl, "kustomize", str(directory)])
        assert built.returncode == 0, f"{name}: {built.stderr}"
        documents = list(yaml.safe_load_all(built.stdout))
        kinds = sorted(item["kind"] for item in documents)
        assert kinds == sorted(item["kind"] for item in objects_of(directory)), name
        assert {item["metadata"]["namespace"] for item in documents} == {"chatbot"}


def test_every_variant_reaches_its_objects(rendered: dict[str, Path]) -> None:
    kinds = {name: {o["kind"] for o in objects_of(d)} for name, d in rendered.items()}
    assert "HorizontalPodAutoscaler" in kinds["autoscaled-tls"]
    assert "Ingress" not in kinds["blue-green"]
    services = [o for o in objects_of(rendered["canary-by-replicas"]) if o["kind"] == "Service"]
    assert len(services) == 3  # stable, canary and every pod's


def core_files(rendered: dict[str, Path], scratch: Path) -> list[Path]:
    """Every core object's file, and each Rollout's pod template as a v1 PodTemplate."""
    files: list[Path] = []
    for name, directory in rendered.items():
        for path in sorted(directory.glob("*.yaml")):
            item = yaml.safe_load(path.read_text(encoding="utf-8"))
            if path.name == manifests.KUSTOMIZATION or item["kind"] in ROLLOUTS:
                if item["kind"] == "Rollout":
                    template = {
                        "apiVersion": "v1",
                        "kind": "PodTemplate",
                        "metadata": {"name": f"{name}-pods", "namespace": "chatbot"},
                        "template": item["spec"]["template"],
                    }
                    wrapped = scratch / f"{name}-podtemplate.yaml"
                    wrapped.write_text(yaml.safe_dump(template), encoding="utf-8")
                    files.append(wrapped)
                continue
            files.append(path)
    return files


def kubernetes_validate(files: list[Path], version: str) -> subprocess.CompletedProcess[str]:
    argv = [tool("kubernetes-validate"), "--strict", "-k", version, *map(str, files)]
    return run(argv)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_core_objects_are_valid_for_each_kubernetes_version(
    rendered: dict[str, Path], tmp_path: Path, version: str
) -> None:
    files = core_files(rendered, tmp_path)
    assert len(files) >= 4 * 5
    result = kubernetes_validate(files, version)
    assert result.returncode == 0, result.stdout + result.stderr
    minor = version.rsplit(".", 1)[0]
    assert result.stdout.count("passed for resource") == len(files), result.stdout
    assert f"against version {minor}" in result.stdout


def test_kubernetes_validate_rejects_an_unknown_field(
    rendered: dict[str, Path], tmp_path: Path
) -> None:
    service = yaml.safe_load((rendered["k8s-prod"] / "service-chatbot-stable.yaml").read_text())
    service["spec"]["portz"] = service["spec"].pop("ports")
    broken = tmp_path / "service.yaml"
    broken.write_text(yaml.safe_dump(service), encoding="utf-8")
    result = kubernetes_validate([broken], KUBERNETES_VERSIONS[-1])
    assert result.returncode != 0
    assert "portz" in result.stdout + result.stderr


def test_rollouts_and_analysis_templates_are_valid_for_argo_rollouts(
    rendered: dict[str, Path], argo_validator: Path, tmp_path: Path
) -> None:
    items = [o for d in rendered.values() for o in objects_of(d) if o["kind"] in ROLLOUTS]
    assert len(items) == 2 * len(rendered)
    verdict = validate_argo(argo_validator, items, tmp_path)
    assert not verdict.startswith("FAILED"), verdict
    assert verdict.count("VALID Rollout/") == len(rendered)


@pytest.mark.parametrize(
    ("where", "change", "expected"),
    [
        ("Rollout", lambda o: o["spec"].update(stratgy={}), "/spec/stratgy: unknown field"),
        (
            "Rollout",
            lambda o: o["spec"]["strategy"]["canary"]["steps"][0].update(setWeight="5%"),
            "/spec/strategy/canary/steps/0/setWeight",
        ),
        (
            "AnalysisTemplate",
            lambda o: o["spec"]["metrics"][0]["provider"].update(promethues={}),
            "/spec/metrics/0/provider/promethues: unknown field",
        ),
    ],
)
def test_the_argo_validator_rejects_a_broken_object(
    rendered: dict[str, Path],
    argo_validator: Path,
    tmp_path: Path,
    where: str,
    change: Any,
    expected: str,
) -> None:
    [item] = [o for o in objects_of(rendered["k8s-prod"]) if o["kind"] == where]
    change(item)
    verdict = validate_argo(argo_validator, [item], tmp_path)
    assert verdict.startswith("FAILED"), verdict
    assert expected in verdict


def inv(*args: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "invoke", "--search-root", str(REPO), *args])


def test_inv_render_writes_a_kustomize_directory_and_replaces_only_its_own(
    tmp_path: Path,
) -> None:
    out = tmp_path / "k8s-prod"
    out.mkdir()
    (out / "service-chatbot-old.yaml").write_text(manifests.header("k8s-prod") + "{}\n")
    (out / "notes.yaml").write_text("# mine\n")
    result = inv("render", "--env", "k8s-prod", "--version", "2.0.0", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "removed service-chatbot-old.yaml" in result.stdout
    assert (out / "notes.yaml").read_text() == "# mine\n"  # not shipway's: left alone
    kustomization = yaml.safe_load((out / manifests.KUSTOMIZATION).read_text())
    assert kustomization["namespace"] == "chatbot"
    assert sorted([*kustomization["resources"], manifests.KUSTOMIZATION, "notes.yaml"]) == sorted(
        path.name for path in out.glob("*.yaml")
    )
    rollout = yaml.safe_load((out / "rollout-chatbot.yaml").read_text())
    image = rollout["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "ghcr.io/shipway-example/chatbot:2.0.0"


def test_inv_render_refuses_a_file_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / manifests.KUSTOMIZATION).write_text("resources: [mine.yaml]\n")
    result = inv("render", "--env", "k8s-prod", "--version", "2.0.0", "--out", str(tmp_path))
    assert result.returncode == 1
    assert "kustomization.yaml, which shipway did not render" in result.stderr
    assert (tmp_path / manifests.KUSTOMIZATION).read_text() == "resources: [mine.yaml]\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == [manifests.KUSTOMIZATION]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ("prod", 'prod is a local environment (target = "local"): it has no Kubernetes'),
        ("nowhere", "unknown environment 'nowhere'; Kubernetes environments: k8s-prod"),
    ],
)
def test_inv_render_refuses_an_environment_that_is_not_kubernetes(
    tmp_path: Path, env: str, message: str
) -> None:
    result = inv("render", "--env", env, "--version", "2.0.0", "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert message in " ".join(result.stderr.split())
    assert not (tmp_path / "out").exists()


def test_the_root_ready_probe_passes_any_answer_below_500() -> None:
    """The exec probe of ready_path = "/" (any answer below 500), run by a real Python
    against a real HTTP server on 127.0.0.1."""
    import http.server
    import threading

    class Answer(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(int(self.path.strip("/")))
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        exits = {
            status: run(
                [
                    sys.executable,
                    "-c",
                    manifests.ANSWERS_BELOW_500,
                    f"http://127.0.0.1:{port}/{status}",
                ]
            ).returncode
            for status in (200, 302, 404, 500, 503)
        }
    finally:
        server.shutdown()
        server.server_close()
    assert exits == {200: 0, 302: 0, 404: 0, 500: 1, 503: 1}
    refused = run([sys.executable, "-c", manifests.ANSWERS_BELOW_500, f"http://127.0.0.1:{port}/"])
    assert refused.returncode == 1
