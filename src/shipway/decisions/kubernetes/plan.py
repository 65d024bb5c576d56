"""A Kubernetes deploy as data: the objects it applies, and every kubectl command it runs, in
order (``inv deploy --dry-run`` prints them; the deploy runs the same builders)."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions import Argv
from shipway.decisions.kubernetes import commands
from shipway.decisions.kubernetes.commands import Cluster
from shipway.errors import ShipwayError


@dataclass(frozen=True)
class KubeObject:
    kind: str
    name: str
    namespace: str | None

    def describe(self) -> str:
        return f"{self.kind}/{self.name}"


def objects(built: str) -> list[KubeObject]:
    """The objects of ``kubectl kustomize DIR``'s output (a YAML stream)."""
    try:
        documents = [d for d in yaml.safe_load_all(built) if d is not None]
    except yaml.YAMLError as error:
        raise ShipwayError(f"kubectl kustomize printed no valid YAML: {error}") from None
    found = []
    for document in documents:
        if not isinstance(document, Mapping):
            raise ShipwayError(
                f"kubectl kustomize printed a {type(document).__name__}, not an object"
            )
        metadata: Mapping[str, Any] = document.get("metadata") or {}
        found.append(
            KubeObject(
                kind=str(document.get("kind", "?")),
                name=str(metadata.get("name", "?")),
                namespace=metadata.get("namespace"),
            )
        )
    return found


def rollout_selector(built: str, rollout: str) -> str | None:
    """The ``-l`` selector of the Rollout among the built objects, if it is there."""
    for document in yaml.safe_load_all(built):
        if not isinstance(document, Mapping) or document.get("kind") != "Rollout":
            continue
        if (document.get("metadata") or {}).get("name") == rollout:
            labels = ((document.get("spec") or {}).get("selector") or {}).get("matchLabels")
            if isinstance(labels, Mapping) and labels:
                return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    return None


def misplaced(found: list[KubeObject], namespace: str) -> list[str]:
    """Objects the manifests put in another namespace than the environment's."""
    return [
        f"{o.describe()} (namespace {o.namespace})"
        for o in found
        if o.namespace is not None and o.namespace != namespace
    ]


def deploy_commands(
    cluster: Cluster,
    rollout: str,
    lease: str,
    directory: Path,
    config: KubernetesEnvironment,
    selector: str = "<the Rollout's selector>",
) -> list[tuple[str, Argv]]:
    """Every kubectl command of ``inv deploy`` on a Kubernetes environment, with what it is
    for, in the order it runs them."""
    return [
        ("kubectl is there", commands.client_version()),
        ("the Argo Rollouts plugin is there", commands.plugin_version()),
        ("the cluster answers", commands.server_version(cluster)),
        ("Argo Rollouts runs in it", commands.argo_resources(cluster)),
        ("the manifests build", commands.kustomize(directory)),
        ("what serves now", commands.get_rollout(cluster, rollout)),
        ("its releases", commands.replica_sets(cluster, selector)),
        ("the deploy lock: read", commands.get_lease(cluster, lease)),
        (
            "the deploy lock: take (create, or replace a free or stale one)",
            commands.create_lease(cluster),
        ),
        ("apply", commands.apply(cluster, directory)),
        ("follow the rollout", commands.rollout_status(cluster, rollout, config.rollout_timeout)),
        ("on failure, timeout or Ctrl-C: traffic back to stable", commands.abort(cluster, rollout)),
        ("the deploy lock: release (replace, if still ours)", commands.replace_lease(cluster)),
    ]
