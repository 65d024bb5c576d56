"""What /proc says of a process, and ending one by pid: no imports beyond the standard
library, so the launcher (``shipway.entry.launch``) that the supervisor runs before every
start of a program stays fast."""

import os
import signal
import time
from pathlib import Path

POLL = 0.05


def start_ticks(pid: int) -> int | None:
    """The process's start time in clock ticks since boot, or None if it is gone or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # the command name may contain spaces
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except OSError:
        return []


def with_marker(marker: str) -> list[int]:
    """Pids of the processes whose command line has ``marker`` as an argument.

    Only for what a dead parent left behind (gunicorn workers outlive a killed master): the
    marker is a path in the environment's own state directory, never a program name.
    """
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and marker in command_line(int(entry.name)):
            found.append(int(entry.name))
    return found


def end(pid: int, ticks: int, grace: float) -> bool:
    """SIGTERM the process that started at ``ticks`` (a graceful stop), then SIGKILL after
    ``grace``; whether it is gone."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return True
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if start_ticks(pid) != ticks:
                return True
            time.sleep(POLL)
    return False


def end_leftovers(marker: str, grace: float = 10) -> None:
    """End every process that carries ``marker``."""
    for pid in with_marker(marker):
        ticks = start_ticks(pid)
        if ticks is not None:
            end(pid, ticks, grace)
