"""Bodies of ``inv deploy | promote | abort | rollback | status | logs`` on a Kubernetes
environment (``target = "kubernetes"``); entry/deploy.py sends them here.

``manifests`` renders what ``inv render`` writes: given a version and a scratch directory, the
environment's kustomize directory (kustomization.yaml and the objects it lists).
"""

import sys
from pathlib import Path

from rich.console import Console

from shipway.config import Project
from shipway.effects.command import ToolRunner
from shipway.effects.kubernetes.target import KubernetesTarget, Manifests
from shipway.entry import release
from shipway.entry.render import write_manifests
from shipway.errors import ShipwayError

out = Console(highlight=False, soft_wrap=True)

LOCAL_ONLY = {
    "stop": "scale or delete its objects with kubectl (e.g. kubectl argo rollouts abort, "
    "kubectl delete -k)",
    "maintenance": "a maintenance page is the Ingress controller's on Kubernetes",
    "service": "the cluster restarts its pods itself; there is no supervisor to install",
}


def manifests(project: Project, environment: str) -> Manifests:
    """The environment's manifests at a version, as a kustomize directory."""

    def write(version: str, scratch: Path) -> Path:
        directory = scratch / environment
        write_manifests(project, environment, version, directory)
        return directory

    return write


def target(project: Project, environment: str) -> KubernetesTarget:
    return KubernetesTarget(project, environment, manifests(project, environment))


def refuse_local_only(project: Project, environment: str, task: str) -> None:
    """``inv stop``, ``inv maintenance`` and ``inv service`` are the local target's."""
    if environment in project.config.kubernetes:
        raise ShipwayError(
            f"{environment} is a Kubernetes environment: `inv {task}` is for local ones; "
            f"{LOCAL_ONLY[task]}"
        )


def deploy(
    project: Project,
    environment: str,
    *,
    version: str | None,
    yes: bool,
    dry_run: bool,
    lock_wait: float,
    detach: bool,
) -> None:
    """Without ``version``, this commit's (its image is pushed by CI, not by this task)."""
    on = target(project, environment)
    if version is None:
        version = release.current_version(project, ToolRunner(project.root))
    if dry_run:
        on.dry_run(version, lambda line: out.print(line, markup=False))
        return
    on.deploy(
        version,
        yes=yes,
        interactive=sys.stdin.isatty(),
        confirm=confirm,
        lock_wait=lock_wait,
        detach=detach,
    )


def confirm(question: str) -> bool:
    from rich.prompt import Confirm

    return Confirm.ask(question, default=False)


def rollback(
    project: Project, environment: str, *, to: str | None, lock_wait: float, undo: str | None
) -> None:
    target(project, environment).rollback(to, lock_wait=lock_wait, undo=undo)


def promote(project: Project, environment: str) -> None:
    target(project, environment).promote()


def abort(project: Project, environment: str) -> None:
    target(project, environment).abort()


def status(project: Project, environment: str, *, as_json: bool) -> None:
    target(project, environment).status(as_json=as_json)


def logs(project: Project, environment: str, *, follow: bool) -> None:
    target(project, environment).logs(follow=follow)
