"""The Kubernetes tasks' flow against a scripted kubectl (a cluster is not to be had here; the
real kubectl's own answers are in tests/integration/test_kubernetes_tasks.py): the order of the
commands, the lock around the apply, what a failed rollout is answered with, the audit log."""

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from shipway.config import Project, load_project
from shipway.decisions.kubernetes.commands import Cluster
from shipway.effects.command import Completed
from shipway.effects.deploy.files import read_audit
from shipway.effects.kubernetes.kubectl import Kubectl
from shipway.effects.kubernetes.target import KubernetesTarget, state_files
from shipway.errors import ShipwayError
from tests.unit.config.test_load import VALID, make_project

K8S = """
[tool.shipway.environments.k8s]
target = "kubernetes"
namespace = "shop"
image = "ghcr.io/acme/svc"
rollout_timeout = "60s"
"""
ARGO = "rollouts.argoproj.io\nanalysistemplates.argoproj.io\n"


def rollout_json(phase: str, stable: str = "aaa", current: str = "aaa") -> str:
    return json.dumps(
        {
            "metadata": {"name": "svc"},
            "spec": {
                "selector": {"matchLabels": {"app": "svc"}},
                "template": {"spec": {"containers": [{"image": "ghcr.io/acme/svc:2.0.0"}]}},
                "strategy": {"canary": {"steps": [{"setWeight": 50}, {"pause": {}}]}},
            },
            "status": {"phase": phase, "stableRS": stable, "currentPodHash": current},
        }
    )


def sets_json() -> str:
    def rs(revision: int, version: str, pod_hash: str) -> dict[str, Any]:
        return {
            "metadata": {
                "name": f"svc-{pod_hash}",
                "labels": {"rollouts-pod-template-hash": pod_hash},
                "annotations": {"rollout.argoproj.io/revision": str(revision)},
                "ownerReferences": [{"kind": "Rollout", "name": "svc"}],
            },
            "spec": {
                "template": {"spec": {"containers": [{"image": f"ghcr.io/acme/svc:{version}"}]}}
            },
        }

    return json.dumps({"items": [rs(1, "1.0.0", "aaa"), rs(2, "2.0.0", "bbb")]})


class Scripted(Kubectl):
    """Answers each kubectl command from ``answer``; records every command it was given."""

    def __init__(
        self, answer: Callable[[list[str], str | None], Completed], watch: Completed
    ) -> None:
        super().__init__(Cluster(namespace="shop"), env={"PATH": "/nowhere"})
        self.answer = answer
        self.watch = watch
        self.ran: list[list[str]] = []

    def run(
        self, argv: Sequence[str], *, stdin: str | None = None, quiet: bool = False
    ) -> Completed:
        self.ran.append(list(argv))
        return self.answer(list(argv), stdin)

    def follow(
        self, argv: Sequence[str], on_line: Callable[[str], None], timeout: float
    ) -> Completed:
        self.ran.append(list(argv))
        for line in self.watch.stdout.splitlines():
            on_line(line)
        return self.watch


def ok(argv: list[str], stdout: str = "") -> Completed:
    return Completed(argv, 0, stdout, "")


def cluster(
    rollout: str = rollout_json("Healthy"), lease: str = "", apply_fails: bool = False
) -> Callable[[list[str], str | None], Completed]:
    held = {"lease": lease}

    def answer(argv: list[str], stdin: str | None) -> Completed:
        verb = argv[1:4]
        if verb[0] in ("create", "replace") and stdin is not None:  # the Lease, kept
            written = json.loads(stdin)
            written["metadata"]["resourceVersion"] = "6"
            held["lease"] = json.dumps(written)
            return ok(argv, held["lease"])
        if verb[:2] == ["api-resources", "--api-group=argoproj.io"]:
            return ok(argv, ARGO)
        if verb[:2] == ["get", "rollouts.argoproj.io"]:
            return ok(argv, rollout)
        if verb[:2] == ["get", "replicasets"]:
            return ok(argv, sets_json())
        if verb[:2] == ["get", "leases.coordination.k8s.io"]:
            return ok(argv, held["lease"])
        if verb[0] == "kustomize":
            return ok(argv, "kind: Rollout\nmetadata:\n  name: svc\n")
        if verb[0] == "apply" and apply_fails:
            return Completed(argv, 1, "", 'error: Rollout.argoproj.io "svc" is invalid')
        return ok(argv)

    return answer


def watched(returncode: int, output: str) -> Completed:
    return Completed([], returncode, output, "")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return load_project(make_project(tmp_path, VALID + K8S))


def write_manifests(version: str, scratch: Path) -> Path:
    (scratch / "kustomization.yaml").write_text("resources: []\n")
    return scratch


def deploy(target: KubernetesTarget, version: str = "2.0.0") -> None:
    target.deploy(version, yes=True, interactive=False, confirm=lambda _: False, lock_wait=0)


def verbs(kubectl: Scripted) -> list[str]:
    return [" ".join(argv[1:3]) for argv in kubectl.ran if argv[1:2] != ["get"]]


def test_a_healthy_rollout_locks_applies_follows_releases_and_audits(project: Project) -> None:
    kubectl = Scripted(cluster(), watched(0, "Progressing - updating\nHealthy\n"))
    deploy(KubernetesTarget(project, "k8s", write_manifests, kubectl))
    assert verbs(kubectl) == [
        "version --client",
        "argo rollouts",
        "version -o",
        "api-resources --api-group=argoproj.io",
        "kustomize " + kubectl.ran[6][2],
        "create -f",
        "apply --server-side",
        "argo rollouts",
        "replace -f",
    ]
    [record] = read_audit(state_files(project, "k8s"))
    assert (record["action"], record["version"], record["outcome"]) == (
        "deploy",
        "2.0.0",
        "succeeded",
    )
    assert record["from_version"] == "1.0.0"
    assert record["environment"] == "k8s"


def test_a_degraded_rollout_is_aborted_and_the_deploy_fails(project: Project) -> None:
    output = "Error: The rollout is in a degraded state with message: ProgressDeadlineExceeded: x\n"
    kubectl = Scripted(cluster(), watched(1, output))
    with pytest.raises(
        ShipwayError,
        match=re.escape("the deploy of 2.0.0 failed: ProgressDeadlineExceeded: x; aborted"),
    ):
        deploy(KubernetesTarget(project, "k8s", write_manifests, kubectl))
    assert ["kubectl", "argo", "rollouts", "abort", "svc", "--namespace", "shop"] in kubectl.ran
    assert kubectl.ran[-1][1:3] == ["replace", "-f"]  # the lock given back
    [record] = read_audit(state_files(project, "k8s"))
    assert record["outcome"] == "rolled_back"


def test_an_argo_abort_is_not_aborted_again(project: Project) -> None:
    output = "Error: The rollout is in a degraded state with message: RolloutAborted: analysis\n"
    kubectl = Scripted(cluster(), watched(1, output))
    with pytest.raises(ShipwayError, match="RolloutAborted"):
        deploy(KubernetesTarget(project, "k8s", write_manifests, kubectl))
    assert not any(argv[3:4] == ["abort"] for argv in kubectl.ran)


def test_a_lock_held_elsewhere_refuses_before_anything_is_applied(project: Project) -> None:
    lease = json.dumps(
        {
            "metadata": {
                "name": "svc-deploy-lock",
                "resourceVersion": "5",
                "annotations": {"shipway.dev/action": "deploying 3.0.0"},
            },
            "spec": {
                "holderIdentity": "bob@ci pid 7",
                "renewTime": "2999-01-01T00:00:00.000000Z",
                "leaseDurationSeconds": 60,
            },
        }
    )
    kubectl = Scripted(cluster(lease=lease), watched(0, "Healthy\n"))
    with pytest.raises(ShipwayError, match=r"held by bob@ci pid 7.*deploying 3.0.0.*--lock-wait"):
        deploy(KubernetesTarget(project, "k8s", write_manifests, kubectl))
    assert not any(argv[1] in ("apply", "create", "replace") for argv in kubectl.ran)
    assert read_audit(state_files(project, "k8s")) == []


def test_a_failed_apply_is_audited_and_nothing_is_followed(project: Project) -> None:
    kubectl = Scripted(cluster(apply_fails=True), watched(0, "Healthy\n"))
    with pytest.raises(
        ShipwayError,
        match=re.escape('kubectl apply failed: error: Rollout.argoproj.io "svc" is invalid'),
    ):
        deploy(KubernetesTarget(project, "k8s", write_manifests, kubectl))
    assert not any(
        argv[1:3] == ["argo", "rollouts"] and argv[3] == "status" for argv in kubectl.ran
    )
    assert read_audit(state_files(project, "k8s"))[0]["outcome"] == "failed"


def test_rollback_undoes_to_the_chosen_revision(project: Project) -> None:
    healthy = rollout_json("Healthy", stable="bbb", current="bbb")
    kubectl = Scripted(cluster(rollout=healthy), watched(0, "Healthy\n"))
    KubernetesTarget(project, "k8s", write_manifests, kubectl).rollback(None, lock_wait=0)
    assert [
        "kubectl",
        "argo",
        "rollouts",
        "undo",
        "svc",
        "--to-revision=1",
        "--namespace",
        "shop",
    ] in kubectl.ran
    [record] = read_audit(state_files(project, "k8s"))
    assert (record["action"], record["version"], record["from_version"], record["outcome"]) == (
        "rollback",
        "1.0.0",
        "2.0.0",
        "succeeded",
    )


def test_promote_and_abort_act_only_on_a_rollout_in_progress(project: Project) -> None:
    healthy = Scripted(cluster(), watched(0, ""))
    with pytest.raises(
        ShipwayError, match=re.escape("nothing to promote in k8s: Healthy, 1.0.0 serving")
    ):
        KubernetesTarget(project, "k8s", write_manifests, healthy).promote()
    with pytest.raises(ShipwayError, match="nothing to abort in k8s"):
        KubernetesTarget(project, "k8s", write_manifests, healthy).abort()
    paused = Scripted(cluster(rollout=rollout_json("Paused", "aaa", "bbb")), watched(0, ""))
    KubernetesTarget(project, "k8s", write_manifests, paused).promote()
    assert paused.ran[-1] == [
        "kubectl",
        "argo",
        "rollouts",
        "promote",
        "svc",
        "--namespace",
        "shop",
    ]
    KubernetesTarget(project, "k8s", write_manifests, paused).abort()
    assert paused.ran[-1] == ["kubectl", "argo", "rollouts", "abort", "svc", "--namespace", "shop"]
    assert [r["action"] for r in read_audit(state_files(project, "k8s"))] == ["promote", "abort"]


def test_status_json(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    kubectl = Scripted(cluster(rollout=rollout_json("Paused", "aaa", "bbb")), watched(0, ""))
    KubernetesTarget(project, "k8s", write_manifests, kubectl).status(as_json=True)
    report = json.loads(capsys.readouterr().out)
    assert report["rollout"]["stable_version"] == "1.0.0"
    assert report["rollout"]["canary_version"] == "2.0.0"
    assert (report["healthy"], report["lock"], report["target"]) == (False, None, "kubernetes")
