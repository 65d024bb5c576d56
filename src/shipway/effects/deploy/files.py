"""An environment's directory: state (written atomically), audit log (append-only), the deploy
lock, installed releases, slots and the router's files.

    <state_dir>/state.json       the EnvState, replaced atomically after every step
    <state_dir>/audit.jsonl      one JSON object per deploy, rollback, stop or repair
    <state_dir>/deploy.lock      flock'ed by the command that deploys; names its holder
    <state_dir>/rollout.json     progress of the release under analysis (its watcher writes it)
    <state_dir>/control.json     `inv promote` / `inv abort` for that watcher
    <state_dir>/releases/<v>/    artifact/ (verified), app/ (its working directory) with app/.venv
    <state_dir>/shared/          what shared_paths of every release point to
    <state_dir>/slots/<slot>/    gunicorn's pid file and the release's log
    <state_dir>/router/          envoy.json (with the weights and maintenance state the router
                                 starts with, kept current), logs
    <state_dir>/router/admin.sock  the router's admin API (a Unix socket, 0600); when that path
                                 is too long for a socket, /tmp/
                                 shipway-<uid>/<hash of state_dir>-admin.sock, in a 0700 directory
    <state_dir>/supervisor/      supervisord.conf, its pid file and log; control.sock (its
                                 XML-RPC API, 0600; same fallback); programs/<name>.conf and
                                 <name>.json, one per supervised process (no secrets)
    <state_dir>/router/endpoints/<slot>.json   the release a slot runs, read live by Envoy
    <state_dir>/router/endpoints/preview.json  with preview_port: the release being deployed
                                 (no endpoint when none is), read live by Envoy
    <state_dir>/deploy.log       the output of a deploy run with --detach (and its pid file,
                                 deploy.pid)
    <state_dir>/router/tls/secret.json  with tls: the certificate and key Envoy serves (0600,
                                 the one place the key is written; removed by `inv stop`)
    <state_dir>/router/tls/trust.pem    what shipway's probes trust the router by
    <state_dir>/reports/<id>.html|.md|.json  the report of each deploy and rollback (its id:
                                 UTC start time, action, version); copied to reports/deploy/

The directory is 0700 and the files shipway writes there 0600: only the environment's owner
reads its state or drives its router.
"""

import contextlib
import fcntl
import getpass
import hashlib
import json
import os
import socket
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from shipway.decisions.deploy.state import PREVIEW, Control, EnvState, Rollout, Slot
from shipway.effects import json_files
from shipway.effects.deploy import processes
from shipway.errors import ShipwayError

POLL = 0.2
# The longest path a Unix socket may have (sun_path is 108 bytes, with its terminating NUL).
MAX_SOCKET_PATH = 107
SOCKET_BASE = Path("/tmp")  # noqa: S108  # nosec B108 - in a 0700 directory of ours, checked
PID_SUFFIX = len(".4194304")  # "." and the largest pid Linux gives (pid_max)
OWNER_ONLY = 0o600
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class EnvFiles:
    root: Path

    @property
    def state(self) -> Path:
        return self.root / "state.json"

    @property
    def audit(self) -> Path:
        return self.root / "audit.jsonl"

    @property
    def lock(self) -> Path:
        return self.root / "deploy.lock"

    @property
    def rollout(self) -> Path:
        return self.root / "rollout.json"

    @property
    def control(self) -> Path:
        return self.root / "control.json"

    def release(self, version: str) -> Path:
        return self.root / "releases" / version

    def workdir(self, version: str) -> Path:
        """Where the release runs: its unpacked application, or empty for a package."""
        return self.release(version) / "app"

    def venv(self, version: str) -> Path:
        return self.workdir(version) / ".venv"

    @property
    def shared(self) -> Path:
        return self.root / "shared"

    def slot(self, slot: Slot) -> Path:
        return self.root / "slots" / slot

    @property
    def router(self) -> Path:
        return self.root / "router"

    def endpoints(self, slot: Slot) -> Path:
        return self.router / "endpoints" / f"{slot}.json"

    @property
    def preview_endpoints(self) -> Path:
        return self.router / "endpoints" / f"{PREVIEW}.json"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @property
    def detached_log(self) -> Path:
        return self.root / "deploy.log"

    @property
    def detached_pid(self) -> Path:
        return self.root / "deploy.pid"

    @property
    def admin_socket(self) -> Path:
        """Where the router's admin API listens."""
        return self._socket(self.router, "admin")

    @property
    def supervisor(self) -> Path:
        return self.root / "supervisor"

    @property
    def supervisor_config(self) -> Path:
        return self.supervisor / "supervisord.conf"

    @property
    def programs(self) -> Path:
        """One ``<name>.conf`` (and its launch spec ``<name>.json``) per supervised program."""
        return self.supervisor / "programs"

    @property
    def control_socket(self) -> Path:
        """Where the supervisor's XML-RPC API listens. supervisord binds it as
        ``<path>.<its pid>`` first, then renames it: the path leaves room for that."""
        return self._socket(self.supervisor, "control", spare=PID_SUFFIX)

    def _socket(self, directory: Path, name: str, spare: int = 0) -> Path:
        """``<directory>/<name>.sock``, or, when that path is too long for a Unix socket (deep
        state directories, pytest's), a name derived from it in the user's own runtime
        directory."""
        preferred = directory.absolute() / f"{name}.sock"
        if len(os.fsencode(preferred)) + spare <= MAX_SOCKET_PATH:
            return preferred
        digest = hashlib.sha256(os.fsencode(self.root.absolute())).hexdigest()[:16]
        return _runtime_dir() / f"{digest}-{name}.sock"

    def make_root(self) -> None:
        """The environment's directory, open to its owner alone."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        if stat.S_IMODE(self.root.stat().st_mode) != 0o700:
            self.root.chmod(0o700)

    def prepare_admin_socket(self) -> Path:
        return self._prepare_socket(self.admin_socket, self.router)

    def prepare_control_socket(self) -> Path:
        return self._prepare_socket(self.control_socket, self.supervisor, spare=PID_SUFFIX)

    def _prepare_socket(self, path: Path, home: Path, spare: int = 0) -> Path:
        """The socket's directory exists, is ours and 0700; returns the socket's path."""
        if path.parent == home.absolute():
            self.make_root()
            home.mkdir(parents=True, exist_ok=True)
            return path
        if len(os.fsencode(path)) + spare > MAX_SOCKET_PATH:
            raise ShipwayError(
                f"the socket {path} is longer than a Unix socket path may be "
                f"({MAX_SOCKET_PATH} bytes); use a shorter state_dir"
            )
        path.parent.mkdir(mode=0o700, exist_ok=True)
        info = path.parent.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
            raise ShipwayError(f"{path.parent} is not a directory of this user's; remove it")
        if stat.S_IMODE(info.st_mode) != 0o700:
            path.parent.chmod(0o700)
        return path

    @property
    def tls(self) -> Path:
        return self.router / "tls"

    @property
    def tls_secret(self) -> Path:
        return self.tls / "secret.json"

    @property
    def tls_trust(self) -> Path:
        return self.tls / "trust.pem"


def load_state(files: EnvFiles) -> EnvState:
    try:
        return EnvState.model_validate_json(files.state.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return EnvState()
    except (OSError, ValidationError) as error:
        raise ShipwayError(
            f"{files.state} cannot be read ({type(error).__name__}); it was not written by this "
            "version of shipway, or was edited by hand"
        ) from None


def save_state(files: EnvFiles, state: EnvState) -> None:
    """Write-then-rename, with fsync: after a crash the file holds the old or the new state."""
    write_atomically(files, files.state, state)


def write_atomically(files: EnvFiles, path: Path, model: BaseModel) -> None:
    files.make_root()
    json_files.write_atomically(path, model.model_dump_json(indent=2), mode=OWNER_ONLY)


def load_rollout(files: EnvFiles) -> Rollout | None:
    """The rollout under analysis, if the command watching it still runs."""
    rollout = _read_model(files.rollout, Rollout)
    return rollout if rollout is not None and processes.is_running(rollout.watcher) else None


def load_control(files: EnvFiles, operation: str) -> Control | None:
    control = _read_model(files.control, Control)
    return control if control is not None and control.operation == operation else None


def _read_model(path: Path, model: type[M]) -> M | None:
    try:
        return model.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValidationError):
        return None  # absent, or being replaced: the next poll reads it


def append_audit(files: EnvFiles, record: dict[str, object]) -> None:
    files.make_root()
    line = json.dumps(record, sort_keys=True) + "\n"
    descriptor = os.open(files.audit, os.O_WRONLY | os.O_APPEND | os.O_CREAT, OWNER_ONLY)
    try:
        os.fchmod(descriptor, OWNER_ONLY)  # also a log an earlier version left 0644
        os.write(descriptor, line.encode())
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def read_audit(files: EnvFiles) -> list[dict[str, object]]:
    if not files.audit.is_file():
        return []
    records = []
    for line in files.audit.read_text(encoding="utf-8").splitlines():
        with contextlib.suppress(ValueError):
            records.append(json.loads(line))
    return records


@dataclass(frozen=True)
class LockHolder:
    user: str
    host: str
    pid: int
    started: float
    action: str

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        return f"{self.user}@{self.host} (pid {self.pid}, since {when}, {self.action})"


@contextlib.contextmanager
def deploy_lock(files: EnvFiles, action: str, wait: float = 0) -> Iterator[str | None]:
    """Hold the environment's deploy lock; yields a note when a dead holder's lock was taken over.

    flock is released by the kernel when its holder dies, even by kill -9, so a lock is never
    stuck: a file that still names a holder while the lock is free names a dead one.
    """
    files.make_root()
    descriptor = os.open(files.lock, os.O_RDWR | os.O_CREAT, OWNER_ONLY)
    try:
        os.fchmod(descriptor, OWNER_ONLY)
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = read_holder(files)
                    who = holder.describe() if holder else "another command"
                    waited = f" after waiting {wait:.0f}s" if wait else ""
                    raise ShipwayError(
                        f"the deploy lock of {files.root.name} is held by {who}{waited}; "
                        "wait for it, or pass --lock-wait SECONDS"
                    ) from None
                time.sleep(POLL)
        stale = read_holder(files)
        me = LockHolder(getpass.getuser(), socket.gethostname(), os.getpid(), time.time(), action)
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(me.__dict__).encode(), 0)
        try:
            yield (
                f"took over the lock left by {stale.describe()}, which is no longer running"
                if stale
                else None
            )
        finally:
            os.ftruncate(descriptor, 0)  # also when the command failed: it is not a dead holder
    finally:
        os.close(descriptor)  # closing releases the flock


def _runtime_dir() -> Path:
    """A directory of this user's alone for sockets, named by uid (``_prepare_socket`` checks
    its owner and mode). Fixed, not read from XDG_RUNTIME_DIR or TMPDIR: a supervisor started
    by systemd and a command typed in a shell must find the same sockets."""
    return SOCKET_BASE / f"shipway-{os.getuid()}"


def read_holder(files: EnvFiles) -> LockHolder | None:
    try:
        return LockHolder(**json.loads(files.lock.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
