"""Bodies of ``inv deploy``, ``inv rollback``, ``inv status``, ``inv logs`` and ``inv stop``."""

import json
import sys

from rich.console import Console
from rich.prompt import Confirm

from shipway.config import Project
from shipway.effects import release_tasks
from shipway.effects.artifact_store import DirectoryStore
from shipway.effects.deploy import control, inspect
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state
from shipway.effects.deploy.local_target import Deployer
from shipway.effects.tool_runner import ToolRunner
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
) -> None:
    env = LocalEnvironment(project, environment)
    store = DirectoryStore(project.path(project.config.artifacts.store))
    name = project.service_package.name
    if version is None:
        version = release_tasks.current_version(project, ToolRunner(project.root))
        if version not in store.versions(name) and not dry_run:
            out.print(
                f"{name} {version} (this commit) is not in the store: building and pushing it"
            )
            release_tasks.build(project, allow_dirty=True, image=False, dry_run=False)
            release_tasks.push(project, version=version, dry_run=False)
    elif version not in store.versions(name):
        available = ", ".join(store.versions(name)) or "none"
        raise ShipwayError(f"{name} {version} is not in the artifact store (versions: {available})")
    if dry_run:
        current = load_state(env.files).serving_version
        out.print(
            f"deploy {name} {current or '(nothing)'} → {version} "
            f"to {environment} ({env.config.url})"
        )
        for step in plan_steps(env):
            out.print(f"  {step}")
        if env.config.approval:
            out.print("  (approval required: asked on a terminal, --yes otherwise)")
        out.print("[yellow]dry run:[/] nothing was changed")
        return
    Deployer(env).deploy(
        version,
        yes=yes,
        interactive=sys.stdin.isatty(),
        confirm=confirm,
        lock_wait=lock_wait,
    )


def plan_steps(env: LocalEnvironment) -> list[str]:
    config = env.config
    hooks = config.hooks
    return [
        "fetch the artifact from the store and verify every checksum (and the signature)",
        "install it into its own venv under " + str(env.files.root / "releases"),
        f"pre-deploy hooks: {', '.join(hooks.pre_deploy) or 'none'}",
        f"start it beside the serving release (gunicorn, {config.workers} workers), "
        "wait for /ready "
        f"(at most {config.ready_timeout:.0f}s)",
        f"smoke tests: {', '.join(f'GET {c.path} → {c.status}' for c in config.smoke)}",
        *canary_steps(env),
        "switch 100 % of traffic in the router; check the version through " + config.url,
        f"keep the old release warm {config.scale_down_delay:.0f}s (instant rollback) while "
        f"the analysis goes on ({rules_summary(env)}), then stop it",
        f"post-deploy hooks: {', '.join(hooks.post_deploy) or 'none'}; "
        f"keep {config.keep_releases} releases",
    ]


def canary_steps(env: LocalEnvironment) -> list[str]:
    if env.config.strategy != "canary":
        return []
    return [
        f"canary step {number}: {step.weight} % of traffic for {step.pause:g}s, under analysis"
        for number, step in enumerate(env.config.steps, 1)
    ]


def rules_summary(env: LocalEnvironment) -> str:
    rules = env.config.analysis
    latency = [
        f"{name} ≤ {value:g} ms"
        for name, value in (("p95", rules.p95_ms), ("p99", rules.p99_ms))
        if value
    ]
    return ", ".join(
        [
            f"5xx ≤ {rules.error_rate * 100:g} %",
            *latency,
            f"{rules.health_failures} failed health checks in a row",
            f"window {rules.window:g}s every {rules.interval:g}s",
        ]
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
        undo = version or release_tasks.current_version(project, ToolRunner(project.root))
    elif version:
        raise ShipwayError("--version names the deploy to undo: use it with --undo-deploy")
    Deployer(LocalEnvironment(project, environment)).rollback(to, lock_wait=lock_wait, undo=undo)


def promote(project: Project, environment: str) -> None:
    control.send(LocalEnvironment(project, environment), "promote")


def abort(project: Project, environment: str) -> None:
    control.send(LocalEnvironment(project, environment), "abort")


def status(project: Project, environment: str, *, as_json: bool) -> None:
    report = inspect.status(LocalEnvironment(project, environment))
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        inspect.show(report)


def logs(project: Project, environment: str, *, follow: bool) -> None:
    inspect.logs(LocalEnvironment(project, environment), follow)


def stop(project: Project, environment: str, *, lock_wait: float) -> None:
    Deployer(LocalEnvironment(project, environment)).stop(lock_wait=lock_wait)
