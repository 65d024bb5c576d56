"""A stand-in for the manifests side (until it is merged): a real kustomize directory with one
Rollout, written the way ``Manifests`` promises (a version and a scratch directory in, the
directory holding kustomization.yaml out); a kubeconfig whose cluster never answers."""

import textwrap
from collections.abc import Callable
from pathlib import Path

from shipway.config import Project
from tests.support.processes import free_ports

ROLLOUT = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: {name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
      annotations:
        shipway.dev/version: "{version}"
    spec:
      containers:
        - name: app
          image: {image}:{version}
  strategy:
    canary:
      steps:
        - setWeight: 50
        - pause: {{}}
"""


def standin_manifests(project: Project, environment: str) -> Callable[[str, Path], Path]:
    config = project.config.kubernetes[environment]
    name = project.service_package.name

    def write(version: str, scratch: Path) -> Path:
        rollout = ROLLOUT.format(name=name, version=version, image=config.image)
        (scratch / "rollout.yaml").write_text(rollout, encoding="utf-8")
        (scratch / "kustomization.yaml").write_text(
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
            f"namespace: {config.namespace}\nresources:\n  - rollout.yaml\n",
            encoding="utf-8",
        )
        return scratch

    return write


def unreachable_kubeconfig(path: Path) -> Path:
    """A kubeconfig whose one context points at a port on 127.0.0.1 nothing listens on."""
    [port] = free_ports(1)
    path.write_text(
        textwrap.dedent(
            f"""\
            apiVersion: v1
            kind: Config
            clusters:
              - name: nowhere
                cluster: {{server: "https://127.0.0.1:{port}"}}
            contexts:
              - name: nowhere
                context: {{cluster: nowhere, user: nobody, namespace: default}}
            users:
              - name: nobody
                user: {{token: not-a-secret}}
            current-context: nowhere
            """
        ),
        encoding="utf-8",
    )
    return path
