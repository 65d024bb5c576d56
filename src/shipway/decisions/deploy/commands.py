"""Commands of the local target, as argv lists: release environments, gunicorn, Envoy, the
supervisor and the systemd commands around its unit."""

from collections.abc import Sequence
from pathlib import Path

from shipway.decisions import Argv

# `setsid -f` detaches the process from the command that starts it (it outlives `inv`, and
# init reaps it); the shell records its pid and becomes the process with `exec`.
DETACH_SCRIPT = 'echo $$ > "$1"; log="$2"; shift 2; exec "$@" >>"$log" 2>&1 </dev/null'


def detached(argv: Sequence[str], pid_file: Path, log_file: Path) -> Argv:
    return ["setsid", "-f", "sh", "-c", DETACH_SCRIPT, "sh", str(pid_file), str(log_file), *argv]


def release_venv(python: str, venv: Path) -> Argv:
    return ["uv", "venv", "--quiet", "--python", python, str(venv)]


def install_locked(
    venv: Path, requirements: Sequence[Path], wheel: Path | None = None
) -> list[Argv]:
    """The locked requirements (hashes required, all files in one resolution), then the
    service's wheel without dependencies; an application has no wheel."""
    pip = [
        "uv",
        "pip",
        "install",
        "--quiet",
        "--python",
        str(venv / "bin" / "python"),
        "--compile-bytecode",
    ]
    files = [argument for path in requirements for argument in ("-r", str(path))]
    steps = [[*pip, "--require-hashes", *files]]
    return steps + ([[*pip, "--no-deps", str(wheel)]] if wheel else [])


def load_app(venv: Path, probe: str, app: str) -> Argv:
    """Run the app probe (its source) in the release's venv: is the app WSGI or ASGI?"""
    return [str(venv / "bin" / "python"), "-c", probe, app]


def gunicorn(
    venv: Path,
    app: str,
    *,
    worker_options: Sequence[str],
    workers: int,
    port: int,
    chdir: Path,
    pid_file: Path,
) -> Argv:
    """gunicorn supervises the workers (``server.worker_options``): one that dies is replaced."""
    return [
        str(venv / "bin" / "gunicorn"),
        app,
        *worker_options,
        "--chdir",
        str(chdir),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--pid",
        str(pid_file),
        "--graceful-timeout",
        "20",
        "--timeout",
        "60",
        "--keep-alive",
        "75",
    ]


def envoy(config: Path) -> Argv:
    return [
        "envoy",
        "-c",
        str(config),
        "--disable-hot-restart",
        "--concurrency",
        "1",
        "--log-level",
        "warning",
    ]


def supervise(python: str, environment: str) -> Argv:
    """The environment's supervisor in the foreground (run in the project's root): what the
    systemd unit of `inv service` starts at boot (decisions/deploy/unit.py)."""
    return [python, "-m", "shipway", "supervise", "--env", environment]


def systemctl(*arguments: str, user: bool) -> Argv:
    """systemctl for the system's manager, or (``user``) the user's own manager."""
    return ["systemctl", *(["--user"] if user else []), *arguments]


def verify_unit(path: Path) -> Argv:
    """systemd's own check of a unit file: syntax, settings, the executable it starts."""
    return ["systemd-analyze", "verify", str(path)]


def detached_deploy(
    python: str, root: Path, environment: str, version: str, lock_wait: float, log: Path
) -> Argv:
    """The background deploy of ``inv deploy --detach``: shipway's own entry point, run by the
    interpreter shipway runs in (no invoke, no tasks.py). ``--log`` is its marker argument."""
    return [
        python,
        "-m",
        "shipway.entry.detached",
        "--root",
        str(root),
        "--env",
        environment,
        "--version",
        version,
        "--lock-wait",
        f"{lock_wait:g}",
        "--log",
        str(log),
    ]
