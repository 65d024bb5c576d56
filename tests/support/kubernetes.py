"""A kubeconfig whose cluster never answers."""

import textwrap
from pathlib import Path

from tests.support.processes import free_ports


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
