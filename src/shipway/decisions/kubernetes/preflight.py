"""Is everything a Kubernetes deploy needs there, before anything changes? ``kubectl``, the
Argo Rollouts plugin, a cluster that answers, and Argo Rollouts in it. Each problem says what
to install or check."""

import enum
import re

from shipway.decisions.kubernetes.commands import ARGO_GROUP, Cluster

KUBECTL_INSTALL = "https://kubernetes.io/docs/tasks/tools/"
PLUGIN_INSTALL = (
    "https://argo-rollouts.readthedocs.io/en/stable/installation/#kubectl-plugin-installation"
)
CONTROLLER_INSTALL = (
    "kubectl create namespace argo-rollouts && kubectl apply -n argo-rollouts -f "
    "https://github.com/argoproj/argo-rollouts/releases/latest/download/install.yaml"
)
NEEDED_KINDS = (f"rollouts.{ARGO_GROUP}", f"analysistemplates.{ARGO_GROUP}")


class Check(enum.Enum):
    KUBECTL = "kubectl"
    PLUGIN = "the Argo Rollouts kubectl plugin"
    CLUSTER = "the cluster"
    ARGO = "Argo Rollouts in the cluster"


def last_line(output: str) -> str:
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    # kubectl logs its retries as klog lines ("E1123 04:52:38.067016 …") before the error.
    said = [line for line in lines if not re.match(r"^[EWI]\d{4} ", line)]
    return (said or lines or ["no output"])[-1][:300]


def where(cluster: Cluster) -> str:
    context = f"context {cluster.context!r}" if cluster.context else "kubectl's current context"
    return f"{context}, namespace {cluster.namespace}"


def problem(check: Check, returncode: int, output: str, cluster: Cluster) -> str | None:
    """What is wrong, from one check's exit status and output (stdout and stderr); None when
    nothing is."""
    if check is Check.ARGO:
        return argo_problem(returncode, output, cluster)
    if returncode == 0:
        return None
    said = last_line(output)
    match check:
        case Check.KUBECTL:
            if returncode == 127:
                return f"kubectl is not installed (not on PATH): install it, see {KUBECTL_INSTALL}"
            return f"kubectl does not run ({said}): reinstall it, see {KUBECTL_INSTALL}"
        case Check.PLUGIN:
            return (
                "the Argo Rollouts kubectl plugin is missing (`kubectl argo rollouts version`: "
                f"{said}): install kubectl-argo-rollouts on PATH, see {PLUGIN_INSTALL}"
            )
        case Check.CLUSTER:
            if "context" in said and "does not exist" in said:
                return (
                    f"{said}: set context in the environment to one of `kubectl config "
                    "get-contexts`, or leave it out to use the current one"
                )
            return (
                f"cannot reach the cluster ({where(cluster)}): {said}; check the kubeconfig "
                "(`kubectl config current-context`, KUBECONFIG), the network or VPN to the API "
                "server, and your credentials"
            )


def argo_problem(returncode: int, output: str, cluster: Cluster) -> str | None:
    """From ``kubectl api-resources --api-group=argoproj.io -o name``."""
    if returncode != 0:
        return f"cannot list the cluster's API resources ({where(cluster)}): {last_line(output)}"
    served = set(output.split())
    missing = [kind for kind in NEEDED_KINDS if kind not in served]
    if not missing:
        return None
    return (
        f"Argo Rollouts is not installed in the cluster ({where(cluster)}: no "
        f"{', '.join(missing)}): install its controller and CRDs, e.g. {CONTROLLER_INSTALL}"
    )
