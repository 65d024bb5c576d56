"""supervisord for an environment: its configuration, its programs, and what its answers mean.

One supervisord per environment runs every long-lived process of it: the router and each
release's server. Each is a *program* whose configuration is a file of its own, included by
the supervisor's configuration, so adding or removing one is "write or delete the file, then
``reloadConfig`` and ``addProcessGroup`` / ``removeProcessGroup``" over the supervisor's
XML-RPC API — what ``supervisorctl update`` does.

A program is started through shipway's launcher (``python -m shipway.entry.launch SPEC``),
which reads its command, working directory and settings from a JSON file and execs it: the
settings never pass through supervisord's ``environment=`` syntax, which cannot carry every
value, and secrets are in no file at all (the launcher takes them from the supervisor's own
environment, where ``shipway supervise`` put them).

Each start of a program gets a new name (``blue-3f9a1c``), so the restarts the supervisor
made of it are the ``spawned:`` lines its log has for that name, less the first.
"""

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

# The control socket's permissions: its owner drives the supervisor, nobody else connects.
CONTROL_SOCKET_MODE = "0600"
# Environment variable of the supervisor naming the secrets it holds (names, never values):
# the launcher gives a program only the secrets its spec asks for.
SECRET_NAMES_VARIABLE = "SHIPWAY_SECRET_NAMES"  # noqa: S105 - a variable name, not a value
# A program must stay up this long to count as started; one that dies sooner is retried after
# 1, 2, 3 s and then given up (FATAL), so a release that cannot start does not spin.
START_SECONDS = 1
START_RETRIES = 3
LOG_BYTES = "5MB"


class ProgramState(StrEnum):
    """supervisord's process states (``statename`` of ``getProcessInfo``)."""

    STOPPED = "STOPPED"
    STARTING = "STARTING"
    RUNNING = "RUNNING"
    BACKOFF = "BACKOFF"
    STOPPING = "STOPPING"
    EXITED = "EXITED"
    FATAL = "FATAL"
    UNKNOWN = "UNKNOWN"
    ABSENT = "ABSENT"  # the supervisor has no such program (or is not running)

    @property
    def supervised(self) -> bool:
        """Running, or about to run again: the supervisor is (re)starting it."""
        return self in (ProgramState.STARTING, ProgramState.RUNNING, ProgramState.BACKOFF)

    @property
    def started(self) -> bool:
        """Running, or starting for the first time: it has not exited since it was started."""
        return self in (ProgramState.STARTING, ProgramState.RUNNING)


@dataclass(frozen=True)
class ProgramInfo:
    name: str
    state: ProgramState
    pid: int
    uptime: float  # seconds since its last start; 0 when not running
    exit_status: int


@dataclass(frozen=True)
class Program:
    """One long-lived process: what runs (``argv``, via the launcher), where it logs, and how
    long a graceful stop may take before the supervisor kills it."""

    name: str
    command: tuple[str, ...]
    log: Path
    stop_seconds: int


def program_info(raw: Mapping[str, Any]) -> ProgramInfo:
    """From one ``getProcessInfo`` / ``getAllProcessInfo`` answer."""
    try:
        state = ProgramState(str(raw.get("statename", "UNKNOWN")))
    except ValueError:
        state = ProgramState.UNKNOWN
    pid = int(raw.get("pid", 0))
    running = state is ProgramState.RUNNING and pid > 0
    uptime = float(raw.get("now", 0)) - float(raw.get("start", 0)) if running else 0.0
    return ProgramInfo(
        name=str(raw.get("name", "")),
        state=state,
        pid=pid,
        uptime=max(uptime, 0.0),
        exit_status=int(raw.get("exitstatus", 0)),
    )


def program_name(kind: str, token: str) -> str:
    """``router-3f9a1c``, ``blue-3f9a1c``: a name no earlier start of the program had."""
    return f"{kind}-{token}"


def launch_command(python: str, spec: Path) -> tuple[str, ...]:
    return (python, "-m", "shipway.entry.launch", str(spec))


def supervisord_command(python: str, config: Path) -> list[str]:
    """In the foreground: whoever starts it (shipway, or ``shipway supervise`` from a systemd
    unit, ``commands.supervise``) sees it as one process."""
    return [python, "-m", "supervisor.supervisord", "--nodaemon", "--configuration", str(config)]


def _value(text: str) -> str:
    """A value in supervisord's configuration: ``%`` starts an expansion there."""
    return text.replace("%", "%%")


def supervisord_config(
    *, socket: Path, log: Path, pid_file: Path, programs: Path, directory: Path
) -> str:
    """The supervisor's own configuration: its control socket (0600), its log, and every
    program file of the environment (``programs/*.conf``)."""
    return "\n".join(
        [
            "[unix_http_server]",
            f"file={_value(str(socket))}",
            f"chmod={CONTROL_SOCKET_MODE}",
            "",
            "[supervisord]",
            f"logfile={_value(str(log))}",
            f"logfile_maxbytes={LOG_BYTES}",
            "logfile_backups=1",
            "loglevel=info",
            f"pidfile={_value(str(pid_file))}",
            f"directory={_value(str(directory))}",
            "nodaemon=true",
            "silent=true",
            "umask=077",
            "",
            "[rpcinterface:supervisor]",
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
            "",
            "[include]",
            f"files={_value(str(programs))}/*.conf",
            "",
        ]
    )


def program_config(program: Program) -> str:
    """A program that starts with the supervisor, is restarted whenever it exits, and is
    stopped with its whole process group (gunicorn's workers too)."""
    return "\n".join(
        [
            f"[program:{program.name}]",
            f"command={_value(shlex.join(program.command))}",
            "autostart=true",
            "autorestart=true",
            f"startsecs={START_SECONDS}",
            f"startretries={START_RETRIES}",
            "stopsignal=TERM",
            f"stopwaitsecs={program.stop_seconds}",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={_value(str(program.log))}",
            f"stdout_logfile_maxbytes={LOG_BYTES}",
            "stdout_logfile_backups=1",
            "",
        ]
    )


def restarts(log: str, name: str) -> int:
    """How often the supervisor restarted program ``name``: its starts in the log, less the
    first."""
    spawned = re.findall(rf"spawned: '{re.escape(name)}' with pid \d+", log)
    return max(len(spawned) - 1, 0)


@dataclass(frozen=True)
class LaunchSpec:
    """What the launcher execs: ``argv`` in ``cwd``, with ``settings`` over the supervisor's
    environment, the named ``secrets`` from it (over the settings), and ``fixed`` last.

    ``leftovers`` is an argument only this program's processes have (gunicorn's pid file):
    processes that still carry it when the program starts are what its killed predecessor
    left (gunicorn's workers outlive a killed master, and uvicorn's hold its port), and are
    stopped first."""

    argv: Sequence[str]
    cwd: str
    settings: Mapping[str, str]
    secrets: Sequence[str]
    fixed: Mapping[str, str]
    leftovers: str | None = None

    def document(self) -> dict[str, Any]:
        return {
            "argv": list(self.argv),
            "cwd": self.cwd,
            "settings": dict(self.settings),
            "secrets": list(self.secrets),
            "fixed": dict(self.fixed),
            "leftovers": self.leftovers,
        }


def launch_environment(
    inherited: Mapping[str, str],
    settings: Mapping[str, str],
    secrets: Sequence[str],
    fixed: Mapping[str, str],
) -> dict[str, str]:
    """A program's environment: the supervisor's, less the secrets it holds for others, then
    the settings, the program's own secrets, and the fixed values (its PATH, its venv)."""
    held = {name for name in inherited.get(SECRET_NAMES_VARIABLE, "").split(",") if name}
    base = {k: v for k, v in inherited.items() if k not in held and k != SECRET_NAMES_VARIABLE}
    own = {name: inherited[name] for name in secrets if name in inherited}
    return {**base, **settings, **own, **fixed}


def stale_secrets(held: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """Names of the secrets whose value in a supervisor's environment (``held``) is not the
    one resolved now (``current``): values are compared, never shown."""
    return sorted(name for name, value in current.items() if held.get(name) != value)
