"""Body of ``inv render``: a Kubernetes environment's manifests, written as a kustomize
directory (for GitOps: commit it, and point an Argo CD Application at it)."""

from pathlib import Path

from rich.console import Console
from rich.markup import escape

from shipway.config import Project
from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions.kubernetes import manifests
from shipway.decisions.release.image import image_tag
from shipway.effects.command import ToolRunner
from shipway.effects.kubernetes import render as files
from shipway.entry import release
from shipway.errors import ShipwayError

out = Console(highlight=False, soft_wrap=True)


def default_directory(project: Project, environment: str) -> Path:
    return project.root / "deploy" / "kubernetes" / environment


def kubernetes_environment(project: Project, name: str) -> KubernetesEnvironment:
    """The Kubernetes environment ``name``; a local or unknown one is refused by name."""
    config = project.config
    found = config.kubernetes.get(name)
    if found is not None:
        return found
    kubernetes = ", ".join(sorted(config.kubernetes)) or "none"
    if name in config.environments:
        raise ShipwayError(
            f'{name} is a local environment (target = "local"): it has no Kubernetes '
            f"manifests; allowed: a Kubernetes environment ({kubernetes})"
        )
    raise ShipwayError(
        f"unknown environment {name!r}; Kubernetes environments: {kubernetes} "
        '([tool.shipway.environments.<name>] with target = "kubernetes" in pyproject.toml)'
    )


def write_manifests(
    project: Project, environment: str, version: str, directory: Path
) -> files.Written:
    """Environment ``environment``'s objects at ``version``, as a kustomize directory: what
    `inv render` writes and what `inv deploy` applies on Kubernetes."""
    config = kubernetes_environment(project, environment)
    objects = manifests.render(
        environment,
        config,
        project.service_package.name,
        project.config.app,
        project.config.server,
        version,
    )
    return files.write(directory, manifests.files(environment, config, objects))


def render(project: Project, environment: str, *, version: str | None, out_dir: str | None) -> None:
    config = kubernetes_environment(project, environment)
    if version is None:
        version = release.current_version(project, ToolRunner(project.root))
    directory = Path(out_dir) if out_dir else default_directory(project, environment)
    result = write_manifests(project, environment, version, directory)
    image = f"{config.image}:{image_tag(version)}"
    out.print(
        f"rendered {escape(environment)} ({project.service_package.name} {version}, "
        f"{image}) into {escape(str(directory))}:"
    )
    for name in result.written:
        out.print(f"  {name}")
    for name in result.removed:
        out.print(f"  removed {name} (rendered before, no longer part of the environment)")
    out.print(
        f"apply: kubectl apply -k {escape(str(directory))} (Argo Rollouts' CRDs installed), or "
        "commit the directory and point an Argo CD Application at it"
    )
