"""The Kubernetes tasks against the real kubectl, where that needs no cluster: a missing
kubectl, a missing Argo Rollouts plugin and an unreachable cluster are clear errors and change
nothing; `inv deploy --dry-run` prints the manifests and every kubectl command; the Lease and
the manifests' kustomize directory go through kubectl's own parsers. What needs a cluster is
listed in the README (Kubernetes: Tasks on the cluster)."""

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.decisions.kubernetes import commands
from shipway.decisions.kubernetes import lease as leases
from shipway.decisions.kubernetes.commands import Cluster
from shipway.effects import command
from shipway.effects.deploy.files import read_audit
from shipway.effects.kubernetes.kubectl import Kubectl
from shipway.effects.kubernetes.target import KubernetesTarget, state_files
from shipway.entry.kubernetes import manifests
from shipway.errors import ShipwayError
from tests.support import tasks
from tests.support.kubernetes import unreachable_kubeconfig

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
KUBECTL = shutil.which("kubectl")
pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl is not installed")

PYPROJECT = """\
[project]
name = "demo"
version = "1.0.0"
requires-python = ">=3.11"

[tool.shipway]
app = "demo:app"
server = "asgi"

[tool.shipway.environments.dev]
port = 8190

[tool.shipway.environments.k8s-x]
target = "kubernetes"
namespace = "shop"
image = "registry.example.com/acme/demo"
rollout_timeout = "10m"
"""


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    shutil.copy(REPO / "tasks.py", root / "tasks.py")
    return root


def kubectl_only_path(tmp_path: Path, plugin: bool = False) -> str:
    """A PATH with kubectl (and, with ``plugin``, a stand-in Argo Rollouts plugin that only
    answers `version`) and nothing else of this machine's."""
    tools = tmp_path / "tools"
    tools.mkdir(exist_ok=True)
    assert KUBECTL is not None
    if not (tools / "kubectl").exists():
        (tools / "kubectl").symlink_to(Path(KUBECTL).resolve())
    if plugin:
        standin = tools / "kubectl-argo-rollouts"
        standin.write_text('#!/bin/sh\necho "kubectl-argo-rollouts: v1.8.3 (stand-in)"\n')
        standin.chmod(0o755)
    return str(tools)


def inv(
    root: Path, *arguments: str, path: str, kubeconfig: Path
) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": path,
        "HOME": str(root),
        "KUBECONFIG": str(kubeconfig),
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return tasks.inv(root, *arguments, environ=env)


def assert_nothing_changed(root: Path) -> None:
    project = load_project(root)
    assert read_audit(state_files(project, "k8s-x")) == []


def test_a_missing_kubectl_says_what_to_install_and_changes_nothing(
    demo: Path, tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = inv(
        demo,
        "deploy",
        "--env",
        "k8s-x",
        "--version",
        "1.0.0",
        path=str(empty),
        kubeconfig=unreachable_kubeconfig(tmp_path / "kc"),
    )
    assert done.returncode == 1, done.stderr
    assert (
        "kubectl is not installed (not on PATH): install it, see https://kubernetes.io/docs/tasks/tools/"
        in done.stderr
    )
    assert "Traceback" not in done.stderr
    assert_nothing_changed(demo)


def test_a_missing_plugin_and_an_unreachable_cluster_are_both_said(
    demo: Path, tmp_path: Path
) -> None:
    done = inv(
        demo,
        "deploy",
        "--env",
        "k8s-x",
        "--version",
        "1.0.0",
        path=kubectl_only_path(tmp_path),
        kubeconfig=unreachable_kubeconfig(tmp_path / "kc"),
    )
    assert done.returncode == 1, done.stderr
    said = " ".join(done.stderr.split())  # rich wraps long lines
    assert (
        "the Kubernetes environment k8s-x cannot be driven from here; nothing was changed" in said
    )
    assert "the Argo Rollouts kubectl plugin is missing" in said
    assert 'unknown command "argo" for "kubectl"' in said
    assert "install kubectl-argo-rollouts on PATH" in said
    assert "cannot reach the cluster (kubectl's current context, namespace shop)" in said
    assert "Traceback" not in done.stderr
    assert_nothing_changed(demo)


def test_an_unreachable_cluster_says_what_to_check(demo: Path, tmp_path: Path) -> None:
    for task in (
        ["deploy", "--env", "k8s-x", "--version", "1.0.0"],
        ["status", "--env", "k8s-x"],
        ["promote", "--env", "k8s-x"],
    ):
        done = inv(
            demo,
            *task,
            path=kubectl_only_path(tmp_path, plugin=True),
            kubeconfig=unreachable_kubeconfig(tmp_path / "kc"),
        )
        assert done.returncode == 1, done.stderr
        said = " ".join(done.stderr.split())
        assert "cannot reach the cluster (kubectl's current context, namespace shop)" in said
        assert "was refused" in said
        assert "check the kubeconfig" in said
        assert "plugin is missing" not in said
    assert_nothing_changed(demo)


def test_a_missing_context_is_named(tmp_path: Path, demo: Path) -> None:
    kubectl = Kubectl(
        Cluster(namespace="shop", context="prod-eu"),
        env={
            "PATH": kubectl_only_path(tmp_path, plugin=True),
            "KUBECONFIG": str(unreachable_kubeconfig(tmp_path / "kc")),
            "HOME": str(tmp_path),
        },
    )
    [problem] = kubectl.problems()
    assert 'context "prod-eu" does not exist' in problem
    assert "kubectl config get-contexts" in problem


def test_the_dry_run_prints_the_manifests_and_every_kubectl_command_and_changes_nothing(
    demo: Path, tmp_path: Path
) -> None:
    done = inv(
        demo,
        "deploy",
        "--env",
        "k8s-x",
        "--version",
        "1.0.0",
        "--dry-run",
        path=kubectl_only_path(tmp_path),
        kubeconfig=unreachable_kubeconfig(tmp_path / "kc"),
    )
    out = done.stdout
    assert (
        "deploy demo 1.0.0 to k8s-x: Kubernetes, kubectl's current context, namespace shop, blue-green, Rollout demo"
        in out
    )
    assert "manifests, built with kubectl kustomize (6):" in out  # what inv render writes
    for made in (
        "Rollout/demo",
        "AnalysisTemplate/demo-analysis",
        "Service/demo-stable",
        "Service/demo-canary",
        "ServiceAccount/demo",
        "PodDisruptionBudget/demo",
    ):
        assert f"    {made}" in out, made
    for line in (
        "$ kubectl version --client -o json",
        "$ kubectl argo rollouts version",
        "$ kubectl get leases.coordination.k8s.io demo-deploy-lock -o json --ignore-not-found --namespace shop",
        "$ kubectl create -f - -o json --namespace shop",
        "$ kubectl get replicasets -l app.kubernetes.io/name=demo -o json --namespace shop",
        "$ kubectl apply --server-side --field-manager=shipway --force-conflicts -k ",
        "$ kubectl argo rollouts status demo --watch --timeout 600s --namespace shop",
        "$ kubectl argo rollouts abort demo --namespace shop",
        "$ kubectl replace -f - -o json --namespace shop",
    ):
        assert line in out, line
    # Checked, not only printed: here the plugin and the cluster are missing.
    assert done.returncode == 1
    said = " ".join(done.stderr.split())
    assert "dry run of k8s-x: nothing was changed, but:" in said
    assert "plugin is missing" in said
    assert "cannot reach the cluster" in said
    assert "Traceback" not in done.stderr
    assert_nothing_changed(demo)


def test_local_only_tasks_and_unknown_environments(demo: Path, tmp_path: Path) -> None:
    path = f"{kubectl_only_path(tmp_path)}:{BIN}"
    kc = unreachable_kubeconfig(tmp_path / "kc")
    stop = inv(demo, "stop", "--env", "k8s-x", path=path, kubeconfig=kc)
    assert stop.returncode == 1
    assert "k8s-x is a Kubernetes environment: `inv stop` is for local ones" in " ".join(
        stop.stderr.split()
    )
    on = inv(demo, "maintenance", "--env", "k8s-x", "--on", path=path, kubeconfig=kc)
    assert "`inv maintenance` is for local ones" in " ".join(on.stderr.split())
    unit = inv(demo, "service", "--env", "k8s-x", "show", path=path, kubeconfig=kc)
    assert "`inv service` is for local ones" in " ".join(unit.stderr.split())
    unknown = inv(demo, "deploy", "--env", "nope", "--version", "1.0.0", path=path, kubeconfig=kc)
    assert unknown.returncode == 1
    assert "unknown environment 'nope'; configured: dev, k8s-x" in " ".join(unknown.stderr.split())


def test_the_manifests_directory_builds_with_kubectl_kustomize(demo: Path, tmp_path: Path) -> None:
    project: Project = load_project(demo)
    target = KubernetesTarget(project, "k8s-x", manifests(project, "k8s-x"))
    scratch = tmp_path / "manifests"
    scratch.mkdir()
    directory = target.manifests("2.0.0", scratch)
    built = {(item.kind, item.name, item.namespace) for item in target.build(directory)}
    assert ("Rollout", "demo", "shop") in built
    (directory / "kustomization.yaml").write_text("resources: [missing.yaml]\n")
    with pytest.raises(ShipwayError, match="the manifests do not build"):
        target.build(directory)


def test_the_end_of_a_rollout_on_the_cluster_is_audited_with_its_report(demo: Path) -> None:
    project: Project = load_project(demo)
    target = KubernetesTarget(project, "k8s-x", manifests(project, "k8s-x"))
    started = datetime(2026, 11, 23, 7, 0, tzinfo=UTC).timestamp()
    record = {"action": "deploy", "version": "2.0.0", "from_version": "1.0.0",
              "strategy": "canary", "target": "kubernetes", "started": started}  # fmt: skip
    target.finish(record, "rolled_back", "AnalysisRun demo-2 failed: error-rate")
    audited = read_audit(state_files(project, "k8s-x"))[-1]
    assert audited["report"] == "20261123T070000Z-deploy-2.0.0"
    page = state_files(project, "k8s-x").reports / "20261123T070000Z-deploy-2.0.0.html"
    text = page.read_text(encoding="utf-8")
    assert "AnalysisRun demo-2 failed: error-rate" in text
    assert "k8s-x (kubernetes target)" in text
    assert (demo / "reports/deploy/k8s-x/20261123T070000Z-deploy-2.0.0.md").is_file()


def test_the_lease_goes_through_kubectls_own_parser_unchanged(tmp_path: Path) -> None:
    """kubectl reads the Lease shipway writes and prints it back field for field. (`kubectl
    create --dry-run=client -f -` would be the closer check, but it needs the cluster's API
    discovery, even for a dry run: here it stops at 'unable to recognize'.)"""
    lease = leases.held_object(
        "demo-deploy-lock",
        "shop",
        leases.Holder("ana", "laptop", 4242),
        who="ana@laptop",
        action="deploying 2.0.0",
        version="2.0.0",
        now=datetime.now(UTC),
        seconds=1260,
    )
    done = subprocess.run(
        ["kubectl", "annotate", "--local", "-f", "-", "-o", "json", "shipway.dev/checked=yes"],
        input=json.dumps(lease),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    back = json.loads(done.stdout)
    assert back["metadata"]["annotations"].pop("shipway.dev/checked") == "yes"
    assert back == lease
    assert leases.parse(back).holder == "ana@laptop pid 4242"
    offline = subprocess.run(
        ["kubectl", "create", "--dry-run=client", "-o", "json", "-f", "-"],
        input=json.dumps(lease),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={
            "PATH": kubectl_only_path(tmp_path),
            "HOME": str(tmp_path),
            "KUBECONFIG": str(unreachable_kubeconfig(tmp_path / "kc")),
        },
    )
    assert offline.returncode != 0  # needs discovery: see the docstring
    assert commands.create_lease(Cluster(namespace="shop"))[1:5] == ["create", "-f", "-", "-o"]


def test_follow_streams_lines_times_out_and_ends_its_child_on_an_exception() -> None:
    env = {"PATH": "/usr/bin:/bin"}
    seen: list[str] = []
    done = command.follow(
        ["sh", "-c", "echo one; echo two >&2; exit 3"], env=env, on_line=seen.append, timeout=30
    )
    assert (done.returncode, seen) == (3, ["one", "two"])
    slow = command.follow(["sleep", "30"], env=env, on_line=seen.append, timeout=0.5)
    assert slow.returncode == command.TIMED_OUT

    def stop(line: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        command.follow(["sh", "-c", "echo go; sleep 30"], env=env, on_line=stop, timeout=30)
    assert (
        command.follow(["no-such-tool"], env=env, on_line=seen.append, timeout=1).returncode == 127
    )
