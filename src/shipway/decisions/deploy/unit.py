"""The systemd unit that brings a local environment back after a reboot (``inv service``):
its name, its text, and what installing or removing it does on this host.

The unit starts the environment's supervisor in the foreground (``commands.supervise``) in
the project's root, as the user who installed it. Pure: effects/deploy/unit.py gathers the
facts (who runs it, whether systemd runs, what is already there) and carries a plan out.
"""

import hashlib
import re
import shlex
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from shipway.config.deploy import Environment
from shipway.decisions import Argv
from shipway.decisions.deploy import commands
from shipway.errors import ShipwayError

Scope = Literal["system", "user"]  # root's units run under the system's manager, others' own
ACTIONS = ("install", "uninstall", "show")

SYSTEM_UNIT_DIR = Path("/etc/systemd/system")
USER_UNIT_DIR = Path(".config/systemd/user")  # in the user's home
BOOTED = Path("/run/systemd/system")  # exists while systemd is PID 1 (sd_booted's test)
LINGER_DIR = Path("/var/lib/systemd/linger")  # a file per user whose manager starts at boot
MARKER = "# Written by shipway"  # the first line of every unit shipway writes

# supervisord stops its programs one after another on SIGTERM: the router, then each release,
# which finishes its requests in flight within about 30 s (gunicorn's graceful timeout of
# 20 s, then the stop's grace). Two releases and the router fit in 90 s; only then does
# systemd kill what is left (KillMode=mixed: SIGTERM to supervisord alone, SIGKILL to all).
STOP_TIMEOUT_S = 90
RESTART_DELAY_S = 5
NAME_MAX = 255  # systemd's longest unit name
SUFFIX = ".service"
SAFE_WORD = re.compile(r"[A-Za-z0-9_@+=:,./-]+")  # an ExecStart word that needs no quotes
UNSAFE_PROGRAM = "\"'\\"  # systemd: "Executable name contains special characters"


@dataclass(frozen=True)
class Unit:
    """What the unit says, from the project and the host."""

    package: str
    environment: str
    command: tuple[str, ...]  # ExecStart: commands.supervise(...)
    root: str  # WorkingDirectory: the project's root, where pyproject.toml is
    scope: Scope
    user: str  # who installs it: User= of a system unit (a user unit runs as its user)
    env_file: str | None = None  # EnvironmentFile=: read by systemd, never by shipway
    stop_timeout: int = STOP_TIMEOUT_S

    @property
    def name(self) -> str:
        return unit_name(self.package, self.environment)


@dataclass(frozen=True)
class Host:
    """Facts of the machine and of the user running ``inv service``."""

    scope: Scope
    user: str
    home: Path
    booted: bool  # systemd runs as PID 1: systemctl can enable units
    lingering: bool  # the user's own manager starts at boot, without a login


@dataclass(frozen=True)
class Placement:
    directory: Path
    default: Path  # systemd's directory for units of the scope
    managed: bool  # the default: shipway runs systemctl for a unit there

    def path(self, unit: Unit) -> Path:
        return self.directory / unit.name


@dataclass(frozen=True)
class Write:
    path: Path
    text: str
    previous: str | None  # put back if a later step fails (None: remove the file)


@dataclass(frozen=True)
class Remove:
    path: Path
    previous: str


@dataclass(frozen=True)
class Run:
    argv: Argv


Action = Write | Remove | Run


@dataclass(frozen=True)
class Plan:
    actions: tuple[Action, ...] = ()
    notes: tuple[str, ...] = ()


# -- the request ---------------------------------------------------------------------------


def requested(action: str, environment: str | None, env_file: str | None) -> str:
    """The environment a valid ``inv service`` request names."""
    if action not in ACTIONS:
        raise ShipwayError(
            f"unknown action {action!r}: say install, uninstall or show "
            "(inv service --env E install)"
        )
    if not environment:
        raise ShipwayError("say which environment: inv service --env E install|uninstall|show")
    if env_file is not None and action == "uninstall":
        raise ShipwayError("--env-file goes into the unit: use it with install or show")
    return environment


def check_target(environment: str, target: str) -> None:
    if target != "local":
        raise ShipwayError(
            f"{environment} deploys to target {target!r}: inv service installs the supervisor "
            "of a local environment (target = 'local') only"
        )


def scope_of(uid: int) -> Scope:
    return "system" if uid == 0 else "user"


def placement(host: Host, unit_dir: Path | None) -> Placement:
    """Root's units go to /etc/systemd/system, a user's to ~/.config/systemd/user; a unit
    written elsewhere (``--unit-dir``) is only written: its systemctl commands are the
    operator's."""
    default = SYSTEM_UNIT_DIR if host.scope == "system" else host.home / USER_UNIT_DIR
    directory = default if unit_dir is None else unit_dir
    return Placement(directory, default, managed=directory == default)


def directory_problem(where: Placement, user: str, *, is_dir: bool, writable: bool) -> str | None:
    """Why the unit cannot be written (or removed) there. systemd's own directory is created
    when missing; a directory given with --unit-dir must exist."""
    if not where.managed and not is_dir:
        return f"--unit-dir {where.directory} is not a directory"
    if not writable:
        hint = "" if where.managed else ", or choose another --unit-dir"
        return f"{user} cannot write to {where.directory}{hint}"
    return None


def boot_variables(config: Environment) -> dict[str, str]:
    """The environment's secrets taken from the environment ``inv`` runs in (``env:NAME``),
    by the variable the supervisor reads: at boot nothing sets them."""
    return {
        name: reference.removeprefix("env:")
        for name, reference in sorted(config.secrets.items())
        if reference.startswith("env:")
    }


def env_file_needed(environment: str, variables: Mapping[str, str]) -> str:
    listed = ", ".join(f"{name} (env:{variable})" for name, variable in variables.items())
    lines = " ".join(f"{variable}=…" for variable in variables.values())
    return (
        f"the secrets of {environment} {listed} come from the environment inv runs in, and at "
        f"boot nothing sets them: write {lines} into a file only you can read (chmod 600) and "
        "pass --env-file PATH; systemd reads it when it starts the supervisor"
    )


def env_file_problem(path: str, mode: int | None, *, readable: bool) -> str | None:
    """An --env-file that systemd could not use, or that others could read. ``mode`` is the
    file's st_mode (None: it does not exist); its contents are never read."""
    if mode is None:
        return f"--env-file {path} does not exist: create it (chmod 600) with NAME=value lines"
    if not stat.S_ISREG(mode):
        return f"--env-file {path} is not a regular file"
    if stat.S_IMODE(mode) & 0o077:
        return (
            f"--env-file {path} has mode {stat.S_IMODE(mode):04o}: it holds secrets, so only "
            f"its owner may read it (chmod 600 {path})"
        )
    if not readable:
        return f"--env-file {path} cannot be read by the user who installs the unit"
    return None


# -- the unit's name and text --------------------------------------------------------------


def unit_name(package: str, environment: str) -> str:
    """``shipway-<package>-<environment>.service`` in the characters every systemd accepts:
    lowercase letters, digits and ``-`` (``My_Svc`` → ``my-svc``); shortened with a hash
    past systemd's 255 characters."""
    stem = re.sub(r"[^a-z0-9]+", "-", f"shipway-{package}-{environment}".lower()).strip("-")
    if len(stem) + len(SUFFIX) > NAME_MAX:
        digest = hashlib.sha256(stem.encode()).hexdigest()[:8]
        stem = f"{stem[: NAME_MAX - len(SUFFIX) - len(digest) - 1]}-{digest}"
    return f"{stem}{SUFFIX}"


def render(unit: Unit) -> str:
    """The unit file. A system unit runs as ``unit.user`` once the network is up, for
    multi-user.target; a user unit under the user's manager, for its default.target (a
    user's manager cannot order itself after the system's network-online.target)."""
    system = unit.scope == "system"
    env = unit.environment
    lines = [
        f"{MARKER} (inv service --env {env} install): starts the supervisor of the",
        f"# {env} environment of {unit.package} at boot and again when it fails.",
        f"# inv service --env {env} uninstall removes it.",
        "",
        "[Unit]",
        f"Description={value('Description', f'shipway: {unit.package} {env} supervisor')}",
    ]
    if system:
        lines += ["Wants=network-online.target", "After=network-online.target"]
    lines += ["", "[Service]", "Type=simple"]
    if system:
        lines.append(f"User={value('User', unit.user)}")
    lines.append(f"WorkingDirectory={path_value('WorkingDirectory', unit.root)}")
    if unit.env_file is not None:
        lines.append(f"EnvironmentFile={path_value('EnvironmentFile', unit.env_file)}")
    lines += [
        f"ExecStart={exec_line(unit.command)}",
        "Restart=on-failure",
        f"RestartSec={RESTART_DELAY_S}",
        "KillMode=mixed",
        f"TimeoutStopSec={unit.stop_timeout}",
        "",
        "[Install]",
        f"WantedBy={'multi-user.target' if system else 'default.target'}",
    ]
    return "\n".join(lines) + "\n"


def value(setting: str, text: str) -> str:
    """A one-line setting: systemd expands ``%`` specifiers in it, so ``%`` is written ``%%``.
    It strips the ends of a line and joins a line ending in ``\\`` to the next: refused."""
    if not text.isprintable():
        raise ShipwayError(
            f"{setting}={text!r}: a unit file's settings are one line of printable text"
        )
    if text != text.strip() or text.endswith("\\"):
        raise ShipwayError(
            f"{setting}={text!r}: systemd would cut its blanks or a trailing backslash"
        )
    return text.replace("%", "%%")


def path_value(setting: str, path: str) -> str:
    if not path.startswith("/"):
        raise ShipwayError(f"{setting}={path}: systemd needs an absolute path")
    return value(setting, path)


def exec_line(argv: Sequence[str]) -> str:
    """``argv`` as systemd splits ExecStart= back into it: a word with anything but
    ``[A-Za-z0-9_@+=:,./-]`` in double quotes (``\\`` and ``"`` escaped C-style), ``%``
    (specifiers) doubled; ``$`` (variables) doubled in the arguments, where systemd expands
    it, not in the program's path, where it does not."""
    if not argv or not argv[0].startswith("/"):
        program = argv[0] if argv else "(nothing)"
        raise ShipwayError(f"ExecStart: {program} is not an absolute path")
    program, *arguments = argv
    if any(character in program for character in UNSAFE_PROGRAM):
        raise ShipwayError(
            f"systemd refuses to start a program whose path holds a quote or a backslash: "
            f"{program}; run shipway from a virtual environment at another path"
        )
    return " ".join([quote_word(program, variables=False)] + [quote_word(a) for a in arguments])


def quote_word(word: str, *, variables: bool = True) -> str:
    if not word.isprintable():
        raise ShipwayError(f"ExecStart: {word!r} is not one line of printable text")
    text = word.replace("%", "%%")
    if variables:
        text = text.replace("$", "$$")
    if SAFE_WORD.fullmatch(word):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def working_directory(text: str) -> str | None:
    """The project a unit shipway wrote belongs to (its WorkingDirectory)."""
    for line in text.splitlines():
        if line.startswith("WorkingDirectory="):
            return line.removeprefix("WorkingDirectory=").replace("%%", "%")
    return None


def crontab_line(unit: Unit) -> str:
    """The same start at boot, for a host without systemd (cron's shell is sh; ``%`` ends a
    crontab command, so it is escaped)."""
    steps = [f"cd {shlex.quote(unit.root)}"]
    if unit.env_file is not None:
        steps.append(f"set -a && . {shlex.quote(unit.env_file)} && set +a")
    steps.append(f"exec {shlex.join(unit.command)}")
    return "@reboot " + " && ".join(steps).replace("%", "\\%")


def verdict(unit: Unit, returncode: int, output: str) -> str:
    """What ``systemd-analyze verify`` said of the unit: a complaint about it refuses the
    install; a failure to run at all, or a warning, is a note."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    about = [line for line in lines if unit.name in line]
    if returncode != 0 and about:
        raise ShipwayError(f"systemd-analyze verify rejects {unit.name}: " + "; ".join(about))
    if returncode != 0:
        said = lines[-1] if lines else f"exit status {returncode}"
        return f"systemd-analyze verify could not check {unit.name} here: {said}"
    if lines:
        return f"systemd-analyze verify warns about {unit.name}: " + "; ".join(lines)
    return f"systemd-analyze verify: {unit.name} is valid"


# -- what install and uninstall do ---------------------------------------------------------


def install_plan(unit: Unit, text: str, where: Placement, host: Host, existing: str | None) -> Plan:
    """Write the unit (unless it is there already), then where systemd runs: reload and
    enable it for the next boot — not start it now, since a supervisor shipway started may
    be running."""
    path = where.path(unit)
    if existing is not None:
        claim(unit, path, existing)
    user = host.scope == "user"
    flag = " --user" if user else ""
    actions: list[Action] = []
    notes: list[str] = []
    if existing == text:
        notes.append(f"{path} already says this: unchanged")
    else:
        actions.append(Write(path, text, existing))
    if not host.booted:
        notes.append(without_systemd(unit, path))
    elif not where.managed:
        notes.append(
            f"shipway runs no systemctl command for a unit outside {where.default}: "
            f"`systemctl{flag} enable {path}` links and enables it"
        )
    else:
        if existing != text:
            actions.append(Run(commands.systemctl("daemon-reload", user=user)))
        actions.append(Run(commands.systemctl("enable", unit.name, user=user)))
        notes.append(
            f"systemd starts {unit.name} at the next boot. It was not started now: a "
            f"supervisor of {unit.environment} may be running already "
            f"(`systemctl{flag} start {unit.name}` once none is)"
        )
        if user and not host.lingering:
            notes.append(
                f"a user's units start at boot only if the user lingers: run "
                f"`sudo loginctl enable-linger {host.user}` once"
            )
    return Plan(tuple(actions), tuple(notes))


def uninstall_plan(unit: Unit, where: Placement, host: Host, existing: str | None) -> Plan:
    """Where systemd runs: disable the unit, remove it, reload. A supervisor systemd started
    keeps running (as install does not start one, uninstall does not stop one)."""
    path = where.path(unit)
    if existing is None:
        return Plan(notes=(f"no unit at {path}: nothing to remove",))
    claim(unit, path, existing)
    user = host.scope == "user"
    flag = " --user" if user else ""
    if host.booted and where.managed:
        return Plan(
            (
                Run(commands.systemctl("disable", unit.name, user=user)),
                Remove(path, existing),
                Run(commands.systemctl("daemon-reload", user=user)),
            ),
            (
                f"a supervisor systemd started keeps running: `systemctl{flag} stop "
                f"{unit.name}` stops it",
            ),
        )
    notes: tuple[str, ...] = ()
    if host.booted:
        notes = (
            f"shipway runs no systemctl command for a unit outside {where.default}: if you "
            f"enabled it, `systemctl{flag} disable {unit.name}` too",
        )
    return Plan((Remove(path, existing),), notes)


def claim(unit: Unit, path: Path, existing: str) -> None:
    """Refuse to replace or remove a unit file shipway did not write for this project."""
    if not existing.startswith(MARKER):
        raise ShipwayError(
            f"{path} exists and shipway did not write it: move it away, or choose --unit-dir"
        )
    owner = working_directory(existing)
    if owner != unit.root:
        raise ShipwayError(
            f"{path} starts the {unit.environment} environment of the project in {owner}: "
            f"run `inv service --env {unit.environment} uninstall` there first"
        )


def without_systemd(unit: Unit, path: Path) -> str:
    return (
        f"systemd is not running on this host (no {BOOTED}): nothing will start {path} at "
        "boot. Start the supervisor at boot another way (README: Back after a reboot), "
        f"e.g. with this line in your crontab (crontab -e):\n  {crontab_line(unit)}"
    )
