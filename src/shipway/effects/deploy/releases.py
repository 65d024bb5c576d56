"""Releases: installed once per version from the verified artifact, run under gunicorn."""

import json
import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import httpx

from shipway.config.deploy import SmokeCheck
from shipway.decisions.deploy import commands
from shipway.decisions.deploy.checks import SmokeResult
from shipway.decisions.deploy.server import AppReport, ServerKind
from shipway.decisions.deploy.state import Slot
from shipway.decisions.release.manifest import FileKind, Manifest
from shipway.effects import command, probes
from shipway.effects.command import ToolRunner, log_tail
from shipway.effects.deploy import app_probe, processes
from shipway.effects.deploy.files import EnvFiles
from shipway.effects.deploy.supervisor import Supervisor
from shipway.effects.http_client import client
from shipway.effects.release.application import unpack_archive
from shipway.effects.release.server import SERVER_REQUIREMENTS, write_server_requirements
from shipway.effects.release.store import DirectoryStore, SignaturePolicy, verify_directory
from shipway.errors import ShipwayError

INSTALLED = "installed"  # marker file: written last, so a half-done install is never used
LOAD_TIMEOUT = 120  # seconds an app may take to import
# gunicorn finishes in-flight requests within its graceful timeout (20 s); then it is killed.
STOP_SECONDS = 30


def install_release(
    files: EnvFiles,
    store: DirectoryStore,
    name: str,
    version: str,
    policy: SignaturePolicy,
    runner: ToolRunner,
    python: str,
) -> Manifest:
    """Fetch and verify the artifact, then build the release's venv (once per version).

    A package's wheel is installed into the venv and its working directory stays empty; an
    application is unpacked into its working directory, and only its requirements installed.
    """
    release = files.release(version)
    artifact = release / "artifact"
    if (release / INSTALLED).is_file():
        return verify_directory(artifact, policy, runner)  # re-check: a file may have changed
    shutil.rmtree(release, ignore_errors=True)
    manifest = store.fetch(name, version, artifact, policy, runner)
    try:
        install_artifact(files, manifest, artifact, runner, python)
    except BaseException:
        shutil.rmtree(release, ignore_errors=True)
        raise
    (release / INSTALLED).write_text(version)
    return manifest


def install_artifact(
    files: EnvFiles, manifest: Manifest, artifact: Path, runner: ToolRunner, python: str
) -> None:
    what = f"{manifest.name} {manifest.version}"
    wheel = manifest.file(FileKind.WHEEL)
    application = manifest.file(FileKind.APPLICATION)
    requirements = manifest.file(FileKind.REQUIREMENTS)
    if requirements is None or (wheel is None) == (application is None):
        raise ShipwayError(
            f"{what} is not deployable: it needs a requirements.txt and either a wheel or an "
            "application archive"
        )
    workdir = files.workdir(manifest.version)
    workdir.mkdir(parents=True, exist_ok=True)
    if application is not None:
        unpack_archive(artifact / application.path, workdir)
    venv = files.venv(manifest.version)
    locked = artifact / requirements.path
    server = artifact / built.path if (built := manifest.file(FileKind.SERVER)) else None
    if server is None:  # built before artifacts carried their server
        server = write_server_requirements(locked, artifact.parent / SERVER_REQUIREMENTS)
    steps = [
        commands.release_venv(python, venv),
        *commands.install_locked(venv, [locked, server], artifact / wheel.path if wheel else None),
    ]
    for argv in steps:
        done = runner.run(argv)
        if done.returncode != 0:
            last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ShipwayError(f"installing {what} failed: {last[0]}")


def load_app(files: EnvFiles, version: str, app: str, environment: Mapping[str, str]) -> AppReport:
    """Import the app in the release's venv, from its working directory, as gunicorn will."""
    probe = Path(app_probe.__file__).read_text(encoding="utf-8")
    argv = commands.load_app(files.venv(version), probe, app)
    done = command.run(argv, env=environment, cwd=files.workdir(version), timeout=LOAD_TIMEOUT)
    try:
        report = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return AppReport(error=f"loading it exited with status {done.returncode}: {done.last_line}")
    if "error" in report:
        return AppReport(error=str(report["error"]))
    return AppReport(kind=ServerKind(report["kind"]) if report.get("kind") else None)


def link_shared(files: EnvFiles, version: str, shared_paths: Sequence[str]) -> None:
    """Point each shared path of the release at its directory under ``files.shared``. What
    the release brings at such a path seeds that directory the first time, else is dropped."""
    files.shared.mkdir(parents=True, exist_ok=True)
    for path in shared_paths:
        link, target = files.workdir(version) / path, files.shared / path
        if link.is_symlink() and link.readlink() == target:
            continue
        if link.exists() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(link, target)
        elif link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        else:
            link.unlink(missing_ok=True)
        target.mkdir(parents=True, exist_ok=True)
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target, target_is_directory=True)


def installed_versions(files: EnvFiles) -> list[str]:
    releases = files.root / "releases"
    if not releases.is_dir():
        return []
    return [p.name for p in releases.iterdir() if (p / INSTALLED).is_file()]


def remove_release(files: EnvFiles, version: str) -> None:
    shutil.rmtree(files.release(version), ignore_errors=True)


def slot_pid_file(files: EnvFiles, slot: Slot) -> Path:
    return files.slot(slot) / "gunicorn.pid"


def start_release(
    files: EnvFiles,
    slot: Slot,
    version: str,
    app: str,
    *,
    worker_options: Sequence[str],
    workers: int,
    port: int,
    supervisor: Supervisor,
    program: str,
    settings: Mapping[str, str],
    secrets: Sequence[str],
    fixed: Mapping[str, str],
) -> None:
    """Have the supervisor run the release's gunicorn as ``program``: with the settings, the
    named secrets (from the supervisor's environment) and the release's own paths."""
    directory = files.slot(slot)
    directory.mkdir(parents=True, exist_ok=True)
    pid_file = slot_pid_file(files, slot)
    pid_file.unlink(missing_ok=True)  # left by a killed master; gunicorn refuses to start over it
    argv = commands.gunicorn(
        files.venv(version),
        app,
        worker_options=worker_options,
        workers=workers,
        port=port,
        chdir=files.workdir(version),
        pid_file=pid_file,
    )
    supervisor.run(
        program,
        argv,
        cwd=files.workdir(version),
        log=directory / "release.log",
        stop_seconds=STOP_SECONDS,
        settings=settings,
        secrets=secrets,
        fixed=fixed,
        leftovers=str(pid_file),
    )


def wait_ready(
    started: Callable[[], bool], port: int, path: str, timeout: float, log: Path
) -> None:
    """Poll the release's ``path`` on its private port until it is ready; fail fast if it
    exits."""
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if not started():
            raise ShipwayError(
                f"the release exited before it was ready; last log lines: {log_tail(log, 3)}"
            )
        problem = probes.not_ready(f"http://127.0.0.1:{port}", path)
        if problem is None:
            return
        last = problem
        time.sleep(processes.POLL)
    raise ShipwayError(f"the release was not ready within {timeout:.0f}s ({last})")


def smoke_test(port: int, checks: Sequence[SmokeCheck]) -> list[SmokeResult]:
    results = []
    for check in checks:
        try:
            response = client().get(f"http://127.0.0.1:{port}{check.path}", timeout=5)
        except httpx.HTTPError as error:
            results.append(SmokeResult(check, None, None, type(error).__name__))
            continue
        try:
            body = response.json()
            version = body.get("version") if isinstance(body, dict) else None
        except ValueError:
            version = None
        results.append(SmokeResult(check, response.status_code, version))
    return results


def release_environment(
    base: Mapping[str, str],
    settings: Mapping[str, str],
    secrets: Mapping[str, str],
    venv: Path,
    shared: Path,
) -> dict[str, str]:
    """The environment of a release, its hooks and its loading: settings and secrets over
    ours, the venv's bin first on PATH, and the environment's shared directory."""
    return {**base, **settings, **secrets, **release_paths(base, venv, shared)}


def release_paths(base: Mapping[str, str], venv: Path, shared: Path) -> dict[str, str]:
    """What a release's environment always has last: its venv first on PATH, the venv, and
    the environment's shared directory."""
    path = os.pathsep.join([str(venv / "bin"), base.get("PATH", "")])
    return {"PATH": path, "VIRTUAL_ENV": str(venv), "SHIPWAY_SHARED_DIR": str(shared)}
