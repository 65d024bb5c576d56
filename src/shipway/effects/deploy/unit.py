"""The host around ``inv service``'s systemd unit: who runs it, whether systemd does, what is
already written; and carrying out the plan decisions/deploy/unit.py makes (a step that fails
puts the files back as they were)."""

import os
import pwd
import shlex
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from shipway.decisions.deploy import commands
from shipway.decisions.deploy import unit as decide
from shipway.decisions.deploy.unit import Host, Plan, Remove, Run, Write
from shipway.effects.command import run
from shipway.effects.json_files import write_atomically
from shipway.errors import ShipwayError

UNIT_MODE = 0o644  # a unit file holds no secret; systemd and the operator read it


def host() -> Host:
    account = pwd.getpwuid(os.geteuid())
    return Host(
        scope=decide.scope_of(os.geteuid()),
        user=account.pw_name,
        home=Path(account.pw_dir),
        booted=decide.BOOTED.is_dir(),
        lingering=(decide.LINGER_DIR / account.pw_name).exists(),
    )


def read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise ShipwayError(f"cannot read {path}: {error}") from None


def env_file_mode(path: str) -> int | None:
    """The --env-file's st_mode (None: missing). Its contents are systemd's to read."""
    try:
        return Path(path).stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        raise ShipwayError(f"--env-file {path}: {error.strerror}") from None


def readable(path: str) -> bool:
    return os.access(path, os.R_OK)


def writable(directory: Path) -> bool:
    """Whether files can be made in ``directory``, or in the nearest folder that exists
    above it (the directories in between are created)."""
    here = directory
    while not here.exists() and here != here.parent:
        here = here.parent
    return here.is_dir() and os.access(here, os.W_OK | os.X_OK)


def verify(unit: decide.Unit, text: str) -> str:
    """``systemd-analyze verify`` on the text, in a scratch file named as the unit (systemd
    infers the unit's type from it); a note, or ShipwayError when it rejects the unit."""
    if shutil.which("systemd-analyze") is None:
        return "not verified: systemd-analyze is not installed here"
    with tempfile.TemporaryDirectory(prefix="shipway-unit-") as scratch:
        path = Path(scratch) / unit.name
        path.write_text(text, encoding="utf-8")
        done = run(commands.verify_unit(path), env=os.environ, timeout=120)
    return decide.verdict(unit, done.returncode, done.stdout + done.stderr)


def carry_out(plan: Plan, say: Callable[[str], None]) -> None:
    """Each step in order. When one fails, the unit files changed so far are put back (and
    systemd reloaded again if it was), and the error names what had run."""
    changed: list[Write | Remove] = []
    ran: list[Run] = []
    for action in plan.actions:
        match action:
            case Write(path=path, text=text):
                _do(changed, ran, action, lambda: write_atomically(path, text, UNIT_MODE))
                say(f"wrote {path}")
            case Remove(path=path):
                _do(changed, ran, action, path.unlink)
                say(f"removed {path}")
            case Run(argv=argv):
                done = run(argv, env=os.environ, timeout=120)
                if done.returncode != 0:
                    _undo(changed, ran)
                    _fail(f"`{shlex.join(argv)}` failed: {done.last_line}", changed, ran)
                ran.append(action)
                say(f"ran {shlex.join(argv)}")


def _do(
    changed: list[Write | Remove], ran: list[Run], action: Write | Remove, step: Callable[[], None]
) -> None:
    try:
        step()
    except OSError as error:
        _undo(changed, ran)
        _fail(f"cannot change {action.path}: {error.strerror or error}", changed, ran)
    changed.append(action)


def _undo(changed: list[Write | Remove], ran: list[Run]) -> None:
    for action in reversed(changed):
        with_previous = action.previous
        try:
            if with_previous is None:
                action.path.unlink(missing_ok=True)
            else:
                write_atomically(action.path, with_previous, UNIT_MODE)
        except OSError:
            pass  # the error names the file; nothing better to do here
    for step in ran:
        if step.argv[-1] == "daemon-reload" and changed:
            run(step.argv, env=os.environ, timeout=120)  # systemd sees the files as they were


def _fail(problem: str, changed: list[Write | Remove], ran: list[Run]) -> NoReturn:
    files = f"; {', '.join(str(a.path) for a in changed)} put back as it was" if changed else ""
    commands_run = ", ".join(f"`{shlex.join(step.argv)}`" for step in ran)
    before = f" (after {commands_run})" if commands_run else ""
    raise ShipwayError(f"{problem}{before}{files}")
