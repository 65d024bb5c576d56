"""``inv deploy | promote | abort | rollback | status | logs`` on a Kubernetes environment.

Argo Rollouts does the rollout; shipway checks that everything is there, takes the deploy
lock (a Lease), applies the manifests server-side, follows the rollout to its end and records
it in the environment's audit log (``.shipway/state/<env>/audit.jsonl``, as the local target)
and its notifications.

The manifests come through one narrow interface, ``Manifests``: given a version and a scratch
directory, it writes the environment's kustomize directory and returns it.
"""

import getpass
import json
import os
import socket
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from shipway.config import Project
from shipway.config.kubernetes import KubernetesEnvironment
from shipway.decisions.deploy.checks import Approval, approval, who
from shipway.decisions.kubernetes import commands, names, plan
from shipway.decisions.kubernetes import lease as leases
from shipway.decisions.kubernetes import progress as rollouts
from shipway.decisions.kubernetes.commands import Cluster
from shipway.decisions.kubernetes.preflight import last_line, where
from shipway.decisions.kubernetes.progress import (
    Conclusion,
    Followed,
    Phase,
    Summary,
    Then,
    Watched,
)
from shipway.decisions.report.rollout import report_id
from shipway.effects.command import TIMED_OUT, become, shown
from shipway.effects.console import console
from shipway.effects.deploy.files import EnvFiles, append_audit
from shipway.effects.deploy.notify import notify, webhook_url
from shipway.effects.kubernetes import lock
from shipway.effects.kubernetes.kubectl import Kubectl
from shipway.effects.report import rollout
from shipway.errors import ShipwayError

# What `inv render` writes (decisions/kubernetes/manifests.py): the environment's kustomize
# directory at a version, in the scratch directory it is given; returns the directory holding
# kustomization.yaml.
Manifests = Callable[[str, Path], Path]
Say = Callable[[str], None]  # where a dry run prints (stdout)
WATCH_GRACE = 60.0  # seconds the watch may outlast the plugin's own --timeout
HELD = "held (waiting for promotion)"


class Held(Exception):  # noqa: N818 - a signal, not an error
    """The rollout waits for promotion, and the command returns then (--detach)."""


def state_files(project: Project, name: str) -> EnvFiles:
    """The environment's local directory: its audit log."""
    return EnvFiles(project.path(f".shipway/state/{name}"))


class KubernetesTarget:
    def __init__(
        self,
        project: Project,
        name: str,
        manifests: Manifests,
        kubectl: Kubectl | None = None,
    ) -> None:
        self.project = project
        self.name = name
        self.config: KubernetesEnvironment = project.config.kubernetes[name]
        self.cluster = Cluster.of(self.config)
        self.kubectl = kubectl or Kubectl(self.cluster)
        self.manifests = manifests
        self.package = project.service_package.name
        self.rollout = names.rollout(self.package)
        self.lease = names.lease(self.package)
        self.files = state_files(project, name)
        self.who = who(os.environ, getpass.getuser(), socket.gethostname())
        self.me = leases.Holder(getpass.getuser(), socket.gethostname(), os.getpid())
        self._webhook: str | None = None

    # -- deploy -----------------------------------------------------------------------------

    def deploy(
        self,
        version: str,
        *,
        yes: bool,
        interactive: bool,
        confirm: Callable[[str], bool],
        lock_wait: float,
        detach: bool = False,
    ) -> None:
        self.kubectl.preflight(self.name)
        self.webhook()  # a missing reference fails before anything changes
        current = self.summary()
        self.approve(current, version, yes=yes, interactive=interactive, confirm=confirm)
        started = time.time()
        timeout = self.config.rollout_timeout
        request = self.lock_request(f"deploying {version}", version, timeout)
        record: dict[str, Any] = {
            "action": "deploy",
            "version": version,
            "from_version": current.stable_version if current else None,
            "strategy": self.config.strategy,
            "target": "kubernetes",
            "namespace": self.cluster.namespace,
            "started": started,
        }
        with tempfile.TemporaryDirectory(prefix="shipway-manifests-") as scratch:
            directory = self.manifests(version, Path(scratch))
            self.build(directory)
            with lock.deploy_lease(self.kubectl, request, lock_wait) as note:
                if note:
                    console.print(f"[yellow]{note}[/]")
                applied = self.kubectl.run(commands.apply(self.cluster, directory))
                if applied.returncode != 0:
                    reason = f"kubectl apply failed: {last_line(applied.stderr)}"
                    self.finish(record, "failed", reason)
                    raise ShipwayError(
                        f"{reason}; the rollout of {version} did not start (objects applied "
                        "before the failure stay; `inv status` shows what serves)"
                    )
                watched = self.follow(timeout, detach=detach)
                then = self.conclude(record, watched, timeout, what=f"the deploy of {version}")
        if then is Then.LEAVE_HELD:
            return
        took = time.time() - started
        console.print(f"[green]deployed[/] {version} to {self.name} in {took:.1f}s")

    def approve(
        self,
        current: Summary | None,
        version: str,
        *,
        yes: bool,
        interactive: bool,
        confirm: Callable[[str], bool],
    ) -> None:
        serving = current.stable_version if current else None
        change = f"{self.package} {serving or '(nothing)'} → {version}"
        console.print(
            f"deploy {change} to {self.name} (Kubernetes, {where(self.cluster)}), "
            f"{self.config.strategy}"
        )
        decision = approval(self.config.approval, yes, interactive, change, self.name)
        if decision is Approval.ASK and not confirm(f"Deploy {change} to {self.name}?"):
            raise ShipwayError("deploy not approved; nothing changed")

    def build(self, directory: Path) -> list[plan.KubeObject]:
        """The objects of the manifests' kustomize directory, built with kubectl kustomize
        (offline), so that a broken one stops the deploy before the lock."""
        built = self.kubectl.run(commands.kustomize(directory), quiet=True)
        if built.returncode != 0:
            raise ShipwayError(
                f"the manifests do not build (kubectl kustomize {directory}): "
                f"{last_line(built.stderr)}"
            )
        found = plan.objects(built.stdout)
        if misplaced := plan.misplaced(found, self.cluster.namespace):
            raise ShipwayError(
                f"the manifests put objects outside namespace {self.cluster.namespace}: "
                + ", ".join(misplaced)
            )
        return found

    def follow(self, timeout: float, *, detach: bool = False) -> Watched:
        """Follow the rollout with the plugin's ``status --watch`` until it ends, times out,
        waits for promotion (with ``detach``), or Ctrl-C."""
        said: set[str] = set()

        def on_line(line: str) -> None:
            console.print(f"  {line}", markup=False)
            found = rollouts.progress(line)
            if found is None or found.phase is not Phase.PAUSED or line in said:
                return
            said.add(line)
            now = self.summary()
            if now is not None and now.waiting_for_promotion:
                if detach:
                    raise Held
                console.print(
                    f"  waiting for promotion: `inv promote --env {self.name}` goes on, "
                    f"`inv abort --env {self.name}` goes back"
                )

        argv = commands.rollout_status(self.cluster, self.rollout, timeout)
        try:
            done = self.kubectl.follow(argv, on_line, timeout + WATCH_GRACE)
        except Held:
            return Watched(Followed.HELD, "waiting for promotion")
        except KeyboardInterrupt:
            return Watched(Followed.INTERRUPTED, "interrupted")
        return rollouts.followed(
            done.returncode, done.stdout, timed_out_here=done.returncode == TIMED_OUT
        )

    def conclude(
        self, record: dict[str, Any], watched: Watched, timeout: float, *, what: str
    ) -> Then:
        """Act on how following the rollout ended; audit and notify; fail unless it is
        healthy (or held, with --detach)."""
        waiting = False
        if watched.followed is Followed.TIMED_OUT:
            after = self.summary()
            waiting = after is not None and after.waiting_for_promotion
        conclusion: Conclusion = rollouts.conclude(
            watched, waiting_for_promotion=waiting, timeout=timeout
        )
        reason = conclusion.reason
        if conclusion.then is Then.ABORT:
            aborted = self.kubectl.run(commands.abort(self.cluster, self.rollout))
            if aborted.returncode == 0:
                reason += "; aborted: all traffic back to the stable release"
            else:
                reason += f"; the abort failed too ({last_line(aborted.stderr)}): `inv abort`"
        outcome = conclusion.outcome.value if conclusion.outcome else HELD
        self.finish(record, outcome, reason)
        match conclusion.then:
            case Then.DONE:
                return conclusion.then
            case Then.LEAVE_HELD if watched.followed is Followed.HELD:
                console.print(
                    f"{what} waits for promotion: `inv promote --env {self.name}` goes on, "
                    f"`inv abort --env {self.name}` goes back, `inv status --env {self.name}` "
                    "shows where it is"
                )
                return conclusion.then
            case Then.LEAVE_HELD:
                raise ShipwayError(
                    f"{what} {reason}: `inv promote --env {self.name}` goes on, "
                    f"`inv abort --env {self.name}` goes back"
                )
            case _:
                raise ShipwayError(f"{what} failed: {reason}")

    def finish(self, record: dict[str, Any], outcome: str, reason: str) -> None:
        """One audit record, report and notification for a deploy or rollback, whatever its
        end."""
        self.audit_and_report(record | {"ended": time.time(), "outcome": outcome, "reason": reason})
        action, version = record["action"], record["version"]
        text = f"{action} of {version} {outcome}" + (f": {reason}" if reason else "")
        notify(self.webhook(), f"{self.prefix()} {text}")

    # -- the dry run ------------------------------------------------------------------------

    def dry_run(self, version: str, say: Say) -> None:
        """Print what ``inv deploy`` would apply and every kubectl command it would run; check
        all that can be checked without changing anything (the tools, the cluster, the
        manifests with ``kubectl apply --dry-run=server``); fail if anything would."""
        say(
            f"deploy {self.package} {version} to {self.name}: Kubernetes, {where(self.cluster)}, "
            f"{self.config.strategy}, Rollout {self.rollout}"
        )
        if self.config.approval:
            say("  (approval required: asked on a terminal, --yes otherwise)")
        with tempfile.TemporaryDirectory(prefix="shipway-manifests-") as scratch:
            problems = []
            directory = self.manifests(version, Path(scratch))
            selector = None
            try:
                objects = self.build(directory)
                say(f"  manifests, built with kubectl kustomize ({len(objects)}):")
                for found in objects:
                    say(f"    {found.describe()}")
                built = self.kubectl.run(commands.kustomize(directory), quiet=True).stdout
                selector = plan.rollout_selector(built, self.rollout)
            except ShipwayError as problem:
                problems.append(str(problem))
            say("  kubectl commands, in order:")
            for purpose, argv in plan.deploy_commands(
                self.cluster,
                self.rollout,
                self.lease,
                directory,
                self.config,
                *([selector] if selector else []),
            ):
                say(f"    $ {shown(argv, limit=40)}    # {purpose}")
            found_problems = self.kubectl.problems()
            problems += found_problems
            if not found_problems:
                check = commands.apply(self.cluster, directory, dry_run=True)
                say(f"  checking the manifests with the cluster: $ {shown(check, limit=40)}")
                checked = self.kubectl.run(check, quiet=True)
                if checked.returncode != 0:
                    problems.append(
                        f"the cluster refuses the manifests (kubectl apply --dry-run=server): "
                        f"{last_line(checked.stderr)}"
                    )
        if problems:
            listed = "\n".join(f"  - {problem}" for problem in problems)
            raise ShipwayError(f"dry run of {self.name}: nothing was changed, but:\n{listed}")
        say("dry run: nothing was changed")

    # -- promote, abort, rollback -------------------------------------------------------------

    def promote(self) -> None:
        self.kubectl.preflight(self.name)
        now = self.require_rollout()
        if now.canary_version is None and not now.waiting_for_promotion:
            raise ShipwayError(
                f"nothing to promote in {self.name}: {now.phase.value}, "
                f"{now.stable_version or 'nothing'} serving"
            )
        done = self.kubectl.run(commands.promote(self.cluster, self.rollout))
        self.control("promote", now, done.returncode, done.stderr)
        console.print(
            f"[green]promoted[/] {now.canary_version or now.desired_version} in {self.name}: "
            f"on to the next step; `inv status --env {self.name}` shows where it is"
        )

    def abort(self) -> None:
        self.kubectl.preflight(self.name)
        now = self.require_rollout()
        if now.canary_version is None or now.aborted:
            raise ShipwayError(
                f"nothing to abort in {self.name}: {now.phase.value}"
                + (" (already aborted)" if now.aborted else "")
                + f", {now.stable_version or 'nothing'} serving"
            )
        done = self.kubectl.run(commands.abort(self.cluster, self.rollout))
        self.control("abort", now, done.returncode, done.stderr)
        notify(
            self.webhook(),
            f"{self.prefix()} rollout of {now.canary_version} aborted: all traffic back to "
            f"{now.stable_version}",
        )
        console.print(
            f"[yellow]aborted[/] {now.canary_version} in {self.name}: all traffic back to "
            f"{now.stable_version}"
        )

    def control(self, action: str, now: Summary, returncode: int, stderr: str) -> None:
        at = time.time()
        reason = "" if returncode == 0 else last_line(stderr)
        record: dict[str, Any] = {
            "action": action,
            "version": now.canary_version or now.desired_version,
            "from_version": now.stable_version,
            "target": "kubernetes",
            "started": at,
            "ended": at,
            "outcome": "succeeded" if returncode == 0 else "failed",
            "reason": reason,
        }
        if action == "abort":  # an abort ends a rollout: it has a report
            self.audit_and_report(record)
        else:
            self.audit(**record)
        if returncode != 0:
            raise ShipwayError(f"kubectl argo rollouts {action} failed: {reason}")

    def rollback(self, to: str | None, *, lock_wait: float, undo: str | None = None) -> None:
        """Back to ``to`` (default: the previous release) with ``kubectl argo rollouts undo``;
        with ``undo``, only if that version serves or rolls out."""
        self.kubectl.preflight(self.name)
        self.webhook()
        now = self.require_rollout()
        if undo is not None:
            if undo not in (now.stable_version, now.canary_version):
                console.print(f"{undo} is not serving in {self.name}; nothing to undo")
                return
            if undo == now.canary_version and not now.aborted:
                self.abort()
                return
        sets = self.replica_sets()
        choice = rollouts.choose_revision(now, sets, to, self.name)
        timeout = self.config.rollout_timeout
        request = self.lock_request(f"rolling back to {choice.target}", choice.target, timeout)
        started = time.time()
        console.print(
            f"rollback {self.package} {choice.current or '(nothing)'} → {choice.target} in "
            f"{self.name} (revision {choice.revision})"
        )
        record: dict[str, Any] = {
            "action": "rollback",
            "version": choice.target,
            "from_version": choice.current,
            "revision": choice.revision,
            "target": "kubernetes",
            "started": started,
        }
        with lock.deploy_lease(self.kubectl, request, lock_wait) as note:
            if note:
                console.print(f"[yellow]{note}[/]")
            done = self.kubectl.run(commands.undo(self.cluster, self.rollout, choice.revision))
            if done.returncode != 0:
                reason = f"kubectl argo rollouts undo failed: {last_line(done.stderr)}"
                self.finish(record, "failed", reason)
                raise ShipwayError(f"{reason}; {choice.current} still serving")
            watched = self.follow(timeout)
            self.conclude(record, watched, timeout, what=f"the rollback to {choice.target}")
        console.print(f"[green]rolled back[/] to {choice.target} in {self.name}")

    # -- status, logs ------------------------------------------------------------------------

    def status(self, *, as_json: bool) -> None:
        """The Rollout's status and who holds the deploy lock: JSON on stdout, or lines."""
        self.kubectl.preflight(self.name)
        now = self.summary()
        holder = lock.read(self.kubectl, self.lease)
        locked = holder is not None and leases.state(
            holder, self.me, lock.now(), lock.holder_alive(holder, self.me)
        ) in (leases.LeaseState.HELD, leases.LeaseState.OURS)
        held_by = holder.describe() if holder is not None and locked else None
        if as_json:
            report = {
                "environment": self.name,
                "target": "kubernetes",
                "namespace": self.cluster.namespace,
                "context": self.cluster.context,
                "rollout": now.record() if now else None,
                "healthy": bool(now and now.healthy),
                "lock": held_by,
            }
            print(json.dumps(report, indent=2))
            return
        console.print(f"{self.name}: Kubernetes, {where(self.cluster)}", markup=False)
        if now is None:
            console.print(f"  nothing deployed (no Rollout {self.rollout})", markup=False)
        for line in rollouts.describe(now) if now else []:
            console.print(f"  {line}", markup=False)
        if held_by:
            console.print(f"  deploy lock held by {held_by}", markup=False)

    def logs(self, *, follow: bool) -> None:
        self.kubectl.preflight(self.name, cluster=False)
        found = self.kubectl.json(
            commands.get_rollout(self.cluster, self.rollout), f"the Rollout {self.rollout}"
        )
        if found is None:
            raise ShipwayError(self.nothing_deployed())
        argv = commands.logs(self.cluster, rollouts.selector(found), follow=follow)
        if follow:
            become(argv, self.kubectl.env)
        done = self.kubectl.run(argv, quiet=True)
        if done.returncode != 0:
            raise ShipwayError(f"kubectl logs failed: {last_line(done.stderr)}")
        print(done.stdout, end="")

    # -- helpers -----------------------------------------------------------------------------

    def summary(self) -> Summary | None:
        """The Rollout's status now; None when there is no Rollout yet."""
        found = self.kubectl.json(
            commands.get_rollout(self.cluster, self.rollout), f"the Rollout {self.rollout}"
        )
        if found is None:
            return None
        return rollouts.summarize(found, self.replica_sets(found))

    def replica_sets(self, found: dict[str, Any] | None = None) -> list[rollouts.ReplicaSet]:
        if found is None:
            found = self.kubectl.json(
                commands.get_rollout(self.cluster, self.rollout), f"the Rollout {self.rollout}"
            )
            if found is None:
                return []
        listed = self.kubectl.json(
            commands.replica_sets(self.cluster, rollouts.selector(found)), "the ReplicaSets"
        )
        return rollouts.replica_sets(listed or {}, self.rollout)

    def require_rollout(self) -> Summary:
        now = self.summary()
        if now is None:
            raise ShipwayError(self.nothing_deployed())
        return now

    def nothing_deployed(self) -> str:
        return (
            f"nothing is deployed in {self.name}: no Rollout {self.rollout} in "
            f"{where(self.cluster)}; `inv deploy --env {self.name}` first"
        )

    def lock_request(self, action: str, version: str | None, timeout: float) -> lock.LockRequest:
        return lock.LockRequest(
            name=self.lease,
            environment=self.name,
            me=self.me,
            who=self.who,
            action=action,
            version=version,
            seconds=leases.duration(timeout + WATCH_GRACE),
        )

    def audit(self, **record: object) -> None:
        append_audit(self.files, {"environment": self.name, "who": self.who, **record})

    def audit_and_report(self, record: dict[str, Any]) -> None:
        """The audit record of a rollout's end, and its report (the analysis ran in the
        cluster: the report has the outcome and reason Argo Rollouts gave, no windows)."""
        named = report_id(record["action"], record["version"], record["started"])
        record = record | {"report": named}
        self.audit(**record)
        full = {"environment": self.name, "who": self.who, **record}
        rollout.publish(
            self.files, self.project.root, full, None, self.config.analysis, (), "kubernetes"
        )

    def webhook(self) -> str | None:
        """The notification URL; a reference is resolved once (a missing one fails early)."""
        if self._webhook is None:
            self._webhook = webhook_url(self.config.notify, self.project.root)
        return self._webhook

    def prefix(self) -> str:
        return f"shipway [{self.name}] {self.package}:"
