"""Runs the Kubernetes target's kubectl commands (decisions/kubernetes/commands.py) through
effects/command.py: steps are echoed, queries are not; JSON answers are parsed here."""

import json
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from shipway.decisions.kubernetes import commands, preflight
from shipway.decisions.kubernetes.commands import Cluster
from shipway.decisions.kubernetes.preflight import Check
from shipway.effects import command
from shipway.effects.command import Completed, shown
from shipway.effects.console import console
from shipway.errors import ShipwayError


class Kubectl:
    """kubectl with this process's environment (its KUBECONFIG, PATH and credentials)."""

    def __init__(self, cluster: Cluster, env: Mapping[str, str] | None = None) -> None:
        self.cluster = cluster
        self.env = dict(os.environ if env is None else env)

    def run(
        self, argv: Sequence[str], *, stdin: str | None = None, quiet: bool = False
    ) -> Completed:
        """Run one command, its output kept; ``quiet`` (a query, not a step): not echoed."""
        if not quiet:
            console.print(f"[dim]$ {shown(argv)}[/]", soft_wrap=True, highlight=False)
        return command.run(argv, env=self.env, stdin=stdin, timeout=120)

    def follow(
        self, argv: Sequence[str], on_line: Callable[[str], None], timeout: float
    ) -> Completed:
        console.print(f"[dim]$ {shown(argv)}[/]", soft_wrap=True, highlight=False)
        return command.follow(argv, env=self.env, on_line=on_line, timeout=timeout)

    def json(self, argv: Sequence[str], what: str) -> dict[str, Any] | None:
        """The object a ``get … -o json --ignore-not-found`` prints; None when there is none."""
        done = self.run(argv, quiet=True)
        if done.returncode != 0:
            raise ShipwayError(f"cannot read {what}: {preflight.last_line(done.stderr)}")
        if not done.stdout.strip():
            return None
        try:
            loaded = json.loads(done.stdout)
        except ValueError:
            raise ShipwayError(f"kubectl printed no JSON for {what}") from None
        if not isinstance(loaded, dict):
            raise ShipwayError(f"kubectl printed no JSON object for {what}")
        return loaded

    def problems(self, *, cluster: bool = True) -> list[str]:
        """What keeps this machine from driving the environment: kubectl missing (then
        nothing else is checked), the Argo Rollouts plugin missing, the cluster unreachable,
        Argo Rollouts not installed in it. Empty: everything is there."""
        done = self.run(commands.client_version(), quiet=True)
        if found := preflight.problem(Check.KUBECTL, done.returncode, _said(done), self.cluster):
            return [found]
        found_all = []
        done = self.run(commands.plugin_version(), quiet=True)
        if found := preflight.problem(Check.PLUGIN, done.returncode, _said(done), self.cluster):
            found_all.append(found)
        if not cluster:
            return found_all
        done = self.run(commands.server_version(self.cluster), quiet=True)
        if found := preflight.problem(Check.CLUSTER, done.returncode, _said(done), self.cluster):
            return [*found_all, found]
        done = self.run(commands.argo_resources(self.cluster), quiet=True)
        output = done.stdout if done.returncode == 0 else _said(done)
        if found := preflight.problem(Check.ARGO, done.returncode, output, self.cluster):
            found_all.append(found)
        return found_all

    def preflight(self, environment: str, *, cluster: bool = True) -> None:
        """Refuse, naming every problem, unless everything is there."""
        if found := self.problems(cluster=cluster):
            listed = "\n".join(f"  - {problem}" for problem in found)
            raise ShipwayError(
                f"the Kubernetes environment {environment} cannot be driven from here; "
                f"nothing was changed:\n{listed}"
            )


def _said(done: Completed) -> str:
    return f"{done.stdout}\n{done.stderr}"
