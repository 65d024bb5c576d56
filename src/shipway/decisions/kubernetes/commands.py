"""Every ``kubectl`` command of the Kubernetes target, as argv lists: built here, run by
effects/kubernetes/. Each names its cluster (``--context``, when configured) and namespace.

kubectl refuses flags placed before a plugin's name (``kubectl --context c argo …``), so the
scope goes after the verb, for kubectl's own commands and the Argo Rollouts plugin's alike.
"""

import math
from dataclasses import dataclass
from pathlib import Path

from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions import Argv

KUBECTL = "kubectl"
FIELD_MANAGER = "shipway"
REQUEST_TIMEOUT = "20s"  # one API request; the rollout's own timeout bounds the watch
ARGO_GROUP = "argoproj.io"
ROLLOUTS = f"rollouts.{ARGO_GROUP}"  # the resource, spelled so no other "rollout" matches
LEASES = "leases.coordination.k8s.io"
LOG_TAIL = 200  # lines per container without --follow
MAX_LOG_REQUESTS = 20  # pods kubectl logs -l reads at once


@dataclass(frozen=True)
class Cluster:
    """Where the commands go: a kubectl context (None: kubectl's current one) and a
    namespace."""

    namespace: str
    context: str | None = None

    @classmethod
    def of(cls, config: KubernetesEnvironment) -> "Cluster":
        return cls(namespace=config.namespace, context=config.context)

    @property
    def scope(self) -> Argv:
        context = ["--context", self.context] if self.context else []
        return [*context, "--namespace", self.namespace]

    def kubectl(self, *arguments: str) -> Argv:
        return [KUBECTL, *arguments, *self.scope]

    def rollouts(self, *arguments: str) -> Argv:
        """A command of the Argo Rollouts plugin (``kubectl-argo-rollouts`` on PATH)."""
        return [KUBECTL, "argo", "rollouts", *arguments, *self.scope]


# -- what must be there before anything changes ---------------------------------------------


def client_version() -> Argv:
    return [KUBECTL, "version", "--client", "-o", "json"]


def plugin_version() -> Argv:
    return [KUBECTL, "argo", "rollouts", "version"]


def server_version(cluster: Cluster) -> Argv:
    """Reaches the cluster: /version answers every authenticated user."""
    return cluster.kubectl("version", "-o", "json", f"--request-timeout={REQUEST_TIMEOUT}")


def argo_resources(cluster: Cluster) -> Argv:
    """The argoproj.io kinds the cluster serves (discovery: no RBAC on CRDs needed)."""
    return cluster.kubectl("api-resources", f"--api-group={ARGO_GROUP}", "-o", "name")


# -- manifests ----------------------------------------------------------------------------


def kustomize(directory: Path) -> Argv:
    """The objects a kustomize directory builds into (offline)."""
    return [KUBECTL, "kustomize", str(directory)]


def apply(cluster: Cluster, directory: Path, *, dry_run: bool = False) -> Argv:
    """Server-side apply as the field manager ``shipway``. ``--force-conflicts``: the
    configuration is the truth, so a field someone changed by hand is taken back (the
    controllers' own fields, a Rollout's status or an HPA's replicas, are never shipway's)."""
    check = ["--dry-run=server"] if dry_run else []
    return cluster.kubectl(
        "apply",
        "--server-side",
        f"--field-manager={FIELD_MANAGER}",
        "--force-conflicts",
        "-k",
        str(directory),
        *check,
    )


# -- the rollout ---------------------------------------------------------------------------


def seconds(timeout: float) -> str:
    return f"{max(1, math.ceil(timeout))}s"


def rollout_status(cluster: Cluster, rollout: str, timeout: float) -> Argv:
    """Follows the rollout until it is Healthy (exit 0), Degraded or the timeout (exit 1)."""
    return cluster.rollouts("status", rollout, "--watch", "--timeout", seconds(timeout))


def get_rollout(cluster: Cluster, rollout: str) -> Argv:
    """The Rollout with its status, as JSON; nothing on stdout when there is none."""
    return cluster.kubectl("get", ROLLOUTS, rollout, "-o", "json", "--ignore-not-found")


def replica_sets(cluster: Cluster, selector: str) -> Argv:
    """The rollout's ReplicaSets (their revisions and pod templates), by its selector."""
    return cluster.kubectl("get", "replicasets", "-l", selector, "-o", "json")


def promote(cluster: Cluster, rollout: str, *, full: bool = False) -> Argv:
    """On to the next step (a pause released); ``full``: skip every remaining step."""
    return cluster.rollouts("promote", rollout, *(["--full"] if full else []))


def abort(cluster: Cluster, rollout: str) -> Argv:
    """All traffic back to the stable ReplicaSet; the canary (or preview) scaled down."""
    return cluster.rollouts("abort", rollout)


def undo(cluster: Cluster, rollout: str, revision: int) -> Argv:
    """The pod template of ``revision`` becomes the Rollout's again: a new rollout of it."""
    return cluster.rollouts("undo", rollout, f"--to-revision={revision}")


def logs(cluster: Cluster, selector: str, *, follow: bool) -> Argv:
    """Every pod of the rollout, each line prefixed with its pod and container."""
    more = ["--follow"] if follow else [f"--tail={LOG_TAIL}"]
    return cluster.kubectl(
        "logs",
        "-l",
        selector,
        "--all-containers",
        "--prefix",
        f"--max-log-requests={MAX_LOG_REQUESTS}",
        *more,
    )


# -- the deploy lock -----------------------------------------------------------------------


def get_lease(cluster: Cluster, lease: str) -> Argv:
    return cluster.kubectl("get", LEASES, lease, "-o", "json", "--ignore-not-found")


def create_lease(cluster: Cluster) -> Argv:
    """Creates the Lease given on stdin; fails (AlreadyExists) when it exists."""
    return cluster.kubectl("create", "-f", "-", "-o", "json")


def replace_lease(cluster: Cluster) -> Argv:
    """Replaces the Lease given on stdin, whose resourceVersion guards it: fails (Conflict)
    when anyone changed it since it was read."""
    return cluster.kubectl("replace", "-f", "-", "-o", "json")
