"""Run Locust as a child process that never outlives the stage.

It runs in its own session (so a Ctrl-C reaches shipway, which stops it in order), its pid is
recorded while it runs, and on any exit — done, timed out, interrupted, or a crash of the
previous run found by its record — the whole process group (Locust's master and its forked
workers) is stopped by pid.
"""

import contextlib
import os
import signal
import subprocess  # nosec B404 - only its exception and process types: command.py starts it
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from shipway.decisions.deploy.state import Process
from shipway.effects import command
from shipway.effects.console import console
from shipway.effects.deploy import processes
from shipway.errors import ShipwayError

GRACE_S = 10
# The locustfile of a service without one: shipped inside the package, found next to this
# module wherever shipway is installed (a checkout, a wheel, a uv tool).
BUILTIN_USER = Path(__file__).with_name("builtin_user.py")


def run_locust(
    argv: Sequence[str],
    *,
    marker: str,
    record: Path,
    log: Path,
    cwd: Path,
    env: Mapping[str, str],
    time_limit: float,
    label: str,
) -> int:
    """Run ``argv`` (output to ``log``) and return its exit status; ShipwayError if it hangs.

    ``marker`` is an argument only this run has (its HTML report path): leftovers of a killed
    run are found by it. ``record`` holds the running process (pid, start time, marker).
    """
    stop_recorded(record)
    log.parent.mkdir(parents=True, exist_ok=True)
    record.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w", encoding="utf-8") as output:
        child = command.start(argv, env=env, cwd=cwd, output=output)
    if child is None:
        raise ShipwayError(
            f"{argv[0]} not found; install the 'perf' dependency group "
            "(nox -s perf does; by hand: uv sync --group perf)"
        )
    process = Process(
        pid=child.pid, start_ticks=processes.start_ticks(child.pid) or 0, marker=marker
    )
    record.write_text(process.model_dump_json(), encoding="utf-8")
    started = time.monotonic()
    try:
        with console.status(f"{label} (Locust pid {child.pid}, log {log})"):
            child.wait(timeout=time_limit)
    except subprocess.TimeoutExpired:
        raise ShipwayError(
            f"Locust ran {time.monotonic() - started:.0f}s, past its limit of {time_limit:.0f}s; "
            f"stopped it (see {log})"
        ) from None
    finally:
        stop_group(child, marker)
        record.unlink(missing_ok=True)
    return child.returncode


def stop_group(child: subprocess.Popen[bytes], marker: str) -> None:
    """SIGTERM to the process group Locust leads, SIGKILL after a grace; then any leftover."""
    for sig, wait in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=wait)
        if child.poll() is not None and not processes.with_marker(marker):
            return
    processes.stop_leftovers(marker, grace=5)


def stop_recorded(record: Path) -> None:
    """Stop a load generator a killed earlier run left behind (pid, start time and marker
    must all match, so a reused pid is never touched)."""
    try:
        process = Process.model_validate_json(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if processes.is_running(process):
        console.print(
            f"[yellow]stopping the load generator a killed run left: pid {process.pid}[/]"
        )
    processes.stop(process, grace=GRACE_S)
    processes.stop_leftovers(process.marker, grace=5)
    record.unlink(missing_ok=True)
