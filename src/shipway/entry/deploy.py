"""Bodies of ``inv deploy``, ``inv rollback``, ``inv status``, ``inv logs``,
``inv maintenance`` and ``inv stop``. A Kubernetes environment's go to entry/kubernetes.py."""

import json
import sys

from rich.console import Console
from rich.prompt import Confirm

from shipway.config import Project
from shipway.decisions.deploy import flow
from shipway.decisions.deploy.router import message_problem
from shipway.effects.command import ToolRunner
from shipway.effects.console import console
from shipway.effects.deploy import control, detached
from shipway.effects.deploy import status as environment_status
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state
from shipway.effects.deploy.local_target import Deployer
from shipway.effects.release.store import DirectoryStore
from shipway.entry import kubernetes, release
from shipway.errors import ShipwayError

out = Console(highlight=False, soft_wrap=True)


def deploy(
    project: Project,
    environment: str,
    *,
    version: str | None,
    yes: bool,
    dry_run: bool,
    lock_wait: float,
    detach: bool = False,
) -> None:
    """With ``detach``, the deploy goes on in the background once it holds at a manual pause
    (effects/deploy/detached.py); this returns then, or when it ended."""
    if environment in project.config.kubernetes:
        kubernetes.deploy(
            project,
            environment,
            version=version,
            yes=yes,
            dry_run=dry_run,
            lock_wait=lock_wait,
            detach=detach,
        )
        return
    env = LocalEnvironment(project, environment)
    store = DirectoryStore(project.path(project.config.artifacts.store))
    name = project.service_package.name
    if version is None:
        version = release.version_of_this_commit(project, store, dry_run=dry_run)
    elif version not in store.versions(name):
        available = ", ".join(store.versions(name)) or "none"
        raise ShipwayError(f"{name} {version} is not in the artifact store (versions: {available})")
    if dry_run:
        env.load_tls()  # a certificate the deploy would refuse fails the dry run too
        state = load_state(env.files)
        plan = flow.deploy_plan(env.config, state, version, str(env.files.root / "releases"))
        out.print(
            f"deploy {name} {state.serving_version or '(nothing)'} → {version} "
            f"to {environment} ({env.config.url})"
        )
        for line in flow.describe(plan):
            out.print(f"  {line}")
        if env.config.approval:
            out.print("  (approval required: asked on a terminal, --yes otherwise)")
        out.print("[yellow]dry run:[/] nothing was changed")
        return
    deployer = Deployer(env)
    if detach:
        deployer.approve(version, yes=yes, interactive=sys.stdin.isatty(), confirm=confirm)
        if not env.config.holds:
            console.print(
                f"{environment} has no manual pause: --detach returns when the deploy ends"
            )
        detached.deploy(env, version, lock_wait=lock_wait)
        return
    deployer.deploy(
        version,
        yes=yes,
        interactive=sys.stdin.isatty(),
        confirm=confirm,
        lock_wait=lock_wait,
    )


def confirm(question: str) -> bool:
    return Confirm.ask(question, default=False)


def rollback(
    project: Project,
    environment: str,
    *,
    to: str | None,
    lock_wait: float,
    undo_deploy: bool = False,
    version: str | None = None,
) -> None:
    """Roll back; with ``undo_deploy``, only if ``version`` (default: this commit's) serves."""
    undo = None
    if undo_deploy:
        undo = version or release.current_version(project, ToolRunner(project.root))
    elif version:
        raise ShipwayError("--version names the deploy to undo: use it with --undo-deploy")
    if environment in project.config.kubernetes:
        kubernetes.rollback(project, environment, to=to, lock_wait=lock_wait, undo=undo)
        return
    Deployer(LocalEnvironment(project, environment)).rollback(to, lock_wait=lock_wait, undo=undo)


def promote(project: Project, environment: str) -> None:
    if environment in project.config.kubernetes:
        kubernetes.promote(project, environment)
        return
    control.send(LocalEnvironment(project, environment), "promote")


def abort(project: Project, environment: str) -> None:
    if environment in project.config.kubernetes:
        kubernetes.abort(project, environment)
        return
    control.send(LocalEnvironment(project, environment), "abort")


def status(project: Project, environment: str, *, as_json: bool) -> None:
    if environment in project.config.kubernetes:
        kubernetes.status(project, environment, as_json=as_json)
        return
    report = environment_status.report(LocalEnvironment(project, environment))
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        environment_status.show(report)


def logs(project: Project, environment: str, *, follow: bool) -> None:
    if environment in project.config.kubernetes:
        kubernetes.logs(project, environment, follow=follow)
        return
    environment_status.logs(LocalEnvironment(project, environment), follow)


def stop(project: Project, environment: str, *, lock_wait: float) -> None:
    kubernetes.refuse_local_only(project, environment, "stop")
    Deployer(LocalEnvironment(project, environment)).stop(lock_wait=lock_wait)


def maintenance(
    project: Project,
    environment: str,
    *,
    on: bool,
    off: bool,
    message: str | None,
    lock_wait: float,
) -> None:
    kubernetes.refuse_local_only(project, environment, "maintenance")
    if on == off:
        raise ShipwayError("say --on or --off")
    if message is not None and off:
        raise ShipwayError("--message is the page's text: use it with --on")
    if message is not None and (problem := message_problem(message)):
        raise ShipwayError(problem)
    Deployer(LocalEnvironment(project, environment)).maintenance(on, message, lock_wait=lock_wait)
