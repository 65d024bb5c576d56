"""The delivery stages of this pipeline, as invoke tasks, written by `shipway init`. Logic lives
in shipway.

Each task imports the part of shipway it runs, so that `inv --list` loads invoke alone.
"""

from typing import TYPE_CHECKING

from invoke.context import Context
from invoke.tasks import task
from shipway.entry.tasks import prepare, reported

if TYPE_CHECKING:
    from shipway.config import Project


def project() -> "Project":
    return prepare(__file__)  # validated once: a bad [tool.shipway] stops the task here


@task(help={"json": "print JSON on stdout instead of a table"})
def config(c: Context, json: bool = False) -> None:
    """Show the validated [tool.shipway] configuration, defaults included."""
    from shipway.entry.tasks import show_config

    show_config(project(), as_json=json)


@task(
    help={
        "select": "nox sessions to run as CI jobs: a tag or a session name",
        "output": "name of the step output in $GITHUB_OUTPUT (default: matrix)",
    }
)
def ci_matrix(c: Context, select: str = "tests", output: str = "matrix") -> None:
    """The CI test matrix from `nox --list --json` (written to $GITHUB_OUTPUT in Actions)."""
    from shipway.entry import ci

    with reported():
        ci.ci_matrix(project(), select, name=output)


@task
def ci_verdict(c: Context) -> None:
    """The single required CI check: fails unless every job in $NEEDS (toJSON(needs)) passed."""
    from shipway.entry import ci

    with reported():
        ci.ci_verdict()


@task(
    help={
        "allow-dirty": "build a release from a tree with uncommitted changes (marked +dirty)",
        "image": "also build the container image (needs docker buildx, podman or buildah)",
        "dry-run": "print what would be built and change nothing",
    }
)
def build(
    c: Context, allow_dirty: bool = False, image: bool = False, dry_run: bool = False
) -> None:
    """Build the service: wheel, sdist, locked requirements, SBOM, signed manifest."""
    from shipway.entry import release

    with reported():
        release.build(project(), allow_dirty=allow_dirty, image=image, dry_run=dry_run)


@task(
    help={
        "version": "version to push (default: the build of the current commit)",
        "env": "push the image only to this Kubernetes environment's registry",
        "dry-run": "check everything, print every command and change nothing",
    }
)
def push(
    c: Context,
    version: str | None = None,
    env: str | None = None,
    dry_run: bool = False,
) -> None:
    """Push a verified build to the artifact store (and the package index, if
    configured), and its image to the Kubernetes environments' registries."""
    from shipway.entry import release

    with reported():
        release.push(project(), version=version, dry_run=dry_run, env=env)


@task(
    help={
        "version": "version to verify",
        "from-index": "also fetch and check the index's copy",
    }
)
def verify(c: Context, version: str, from_index: bool = False) -> None:
    """Fetch a version from the artifact store and check every byte against its manifest."""
    from shipway.entry import release

    with reported():
        release.verify(project(), version=version, from_index=from_index)


@task(
    help={
        "env": 'a Kubernetes environment (target = "kubernetes")',
        "version": "version the image tag names (default: this commit's)",
        "out": "directory to write (default: deploy/kubernetes/<env>)",
    }
)
def render(
    c: Context,
    env: str,
    version: str | None = None,
    out: str | None = None,
) -> None:
    """Write a Kubernetes environment's manifests as a kustomize directory (GitOps)."""
    from shipway.entry import render as entry

    with reported():
        entry.render(project(), env, version=version or None, out_dir=out or None)


@task(
    help={
        "env": "environment to deploy to (from [tool.shipway.environments])",
        "version": "version from the artifact store (default: this commit, built if needed)",
        "yes": "approve without asking (required for approval environments when not interactive)",
        "dry-run": "print what would happen and change nothing",
        "lock-wait": "seconds to wait for another deploy's lock (default: fail at once)",
        "detach": "return once the deploy waits for `inv promote` (it goes on in the background)",
    }
)
def deploy(
    c: Context,
    env: str,
    version: str | None = None,
    yes: bool = False,
    dry_run: bool = False,
    lock_wait: float = 0,
    detach: bool = False,
) -> None:
    """Blue-green deploy behind the environment's router; rolls back on failure."""
    from shipway.entry import deploy as entry

    with reported():
        entry.deploy(
            project(),
            env,
            version=version or None,  # CI passes "" for an empty workflow input
            yes=yes,
            dry_run=dry_run,
            lock_wait=lock_wait,
            detach=detach,
        )


@task(
    help={
        "env": "environment",
        "to": "version to go back to (default: the previous one)",
        "lock-wait": "seconds to wait for another deploy's lock",
        "undo-deploy": "only if the deployed version serves (after a failed deploy job in CI)",
        "version": "with --undo-deploy: the version that was deployed (default: this commit's)",
    }
)
def rollback(
    c: Context,
    env: str,
    to: str | None = None,
    lock_wait: float = 0,
    undo_deploy: bool = False,
    version: str | None = None,
) -> None:
    """Switch traffic back to the previous release (instant while it is still warm)."""
    from shipway.entry import deploy as entry

    with reported():
        entry.rollback(
            project(),
            env,
            to=to or None,
            lock_wait=lock_wait,
            undo_deploy=undo_deploy,
            version=version or None,  # CI passes "" for an empty workflow input
        )


@task(help={"env": "environment"})
def promote(c: Context, env: str) -> None:
    """Release a manual pause, or skip the canary steps up to the next (or the warm window)."""
    from shipway.entry import deploy as entry

    with reported():
        entry.promote(project(), env)


@task(help={"env": "environment"})
def abort(c: Context, env: str) -> None:
    """Send all traffic back to the stable release now and stop the new one."""
    from shipway.entry import deploy as entry

    with reported():
        entry.abort(project(), env)


@task(help={"env": "environment", "json": "print JSON on stdout"})
def status(c: Context, env: str, json: bool = False) -> None:
    """What runs in the environment, which version serves, and whether it is healthy."""
    from shipway.entry import deploy as entry

    with reported():
        entry.status(project(), env, as_json=json)


@task(
    help={
        "env": "environment",
        "deploy": "a report's id (or its start), or a version: its latest report",
        "open": "open the report in a web browser",
    }
)
def report(c: Context, env: str, deploy: str | None = None, open: bool = False) -> None:
    """The path of the latest (or a given) rollout report of an environment."""
    from shipway.entry import report as entry

    with reported():
        entry.report(project(), env, deploy, open)


@task(
    help={
        "env": "environment",
        "since": "the window: 7d, 30d, 12h",
        "json": "print JSON on stdout",
    }
)
def dora(c: Context, env: str, since: str = "30d", json: bool = False) -> None:
    """The DORA four keys of an environment, from its audit log and git."""
    from shipway.entry import report

    with reported():
        report.show(project(), env, since=since, as_json=json)


@task(
    help={
        "env": "environment (default: every configured one)",
        "out": "the page to write (default: reports/dashboard.html)",
    }
)
def dashboard(c: Context, env: str | None = None, out: str | None = None) -> None:
    """One static HTML page: deploy history, DORA keys, perf trend, stage durations."""
    from shipway.entry import report

    with reported():
        report.dashboard(project(), env or None, out or None)


@task(help={"env": "environment", "follow": "keep printing new lines (Ctrl-C to stop)"})
def logs(c: Context, env: str, follow: bool = False) -> None:
    """The serving release's log."""
    from shipway.entry import deploy as entry

    with reported():
        entry.logs(project(), env, follow=follow)


@task(
    help={
        "env": "environment",
        "lock-wait": "seconds to wait for another deploy's lock",
    }
)
def stop(c: Context, env: str, lock_wait: float = 0) -> None:
    """Stop the environment's releases and router; nothing of it keeps running."""
    from shipway.entry import deploy as entry

    with reported():
        entry.stop(project(), env, lock_wait=lock_wait)


@task(
    help={
        "env": "environment",
        "on": "the router answers 503 and a maintenance page; releases keep running",
        "off": "traffic to the serving release again, at once",
        "message": "with --on: the page's text (default: a generic one)",
        "lock-wait": "seconds to wait for another deploy's lock",
    }
)
def maintenance(
    c: Context,
    env: str,
    on: bool = False,
    off: bool = False,
    message: str | None = None,
    lock_wait: float = 0,
) -> None:
    """Maintenance mode: 503 with Retry-After from the router, or traffic back."""
    from shipway.entry import deploy as entry

    with reported():
        entry.maintenance(
            project(), env, on=on, off=off, message=message or None, lock_wait=lock_wait
        )


@task(
    positional=["action"],
    help={
        "action": "install, uninstall or show",
        "env": "environment whose supervisor the unit starts at boot",
        "env-file": "a 0600 file of NAME=value lines systemd reads: the env: secrets",
        "unit-dir": "write the unit here instead, and run no systemctl command",
        "dry-run": "print what would be written and run, and change nothing",
    },
)
def service(
    c: Context,
    action: str,
    env: str | None = None,
    env_file: str | None = None,
    unit_dir: str | None = None,
    dry_run: bool = False,
) -> None:
    """Install, uninstall or show the systemd unit starting its supervisor at boot."""
    from shipway.entry import unit

    with reported():
        unit.service(
            project(),
            action,
            env or None,
            env_file=env_file or None,
            unit_dir=unit_dir or None,
            dry_run=dry_run,
        )
