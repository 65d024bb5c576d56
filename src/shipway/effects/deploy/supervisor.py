"""The environment's supervisord, driven through its XML-RPC API on a Unix socket only the
environment's owner may open (``EnvFiles.control_socket``).

The supervisor is started by ``python -m shipway supervise --env NAME`` (as systemd starts it
at boot): that command resolves the secrets, writes the configuration and execs supervisord.
"""

import contextlib
import json
import secrets
import socket
import sys
import time
import xmlrpc.client
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from supervisor.xmlrpc import SupervisorTransport  # type: ignore[import-untyped]

from shipway.decisions.deploy.state import Process
from shipway.decisions.deploy.supervisor import (
    LaunchSpec,
    Program,
    ProgramInfo,
    ProgramState,
    launch_command,
    program_config,
    program_info,
    restarts,
    supervisord_config,
)
from shipway.effects import json_files
from shipway.effects.command import log_tail
from shipway.effects.deploy import processes
from shipway.effects.deploy.files import OWNER_ONLY, EnvFiles
from shipway.errors import ShipwayError

START_TIMEOUT = 15.0
# What a supervisor that is not running (or was killed) answers on its socket.
UNREACHABLE = (ConnectionRefusedError, FileNotFoundError, socket.timeout, OSError)


def new_token() -> str:
    return secrets.token_hex(3)


class Supervisor:
    def __init__(self, files: EnvFiles) -> None:
        self.files = files

    @property
    def pid_file(self) -> Path:
        return self.files.supervisor / "supervisord.pid"

    @property
    def log(self) -> Path:
        return self.files.supervisor / "supervisord.log"

    @contextlib.contextmanager
    def api(self) -> Iterator[Any]:
        transport = SupervisorTransport(None, None, f"unix://{self.files.control_socket}")
        proxy = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)
        try:
            yield proxy.supervisor
        finally:
            transport.close()

    # -- the supervisor itself ---------------------------------------------------------------

    def running(self) -> bool:
        try:
            with self.api() as api:
                return bool(api.getState()["statename"] == "RUNNING")
        except (*UNREACHABLE, xmlrpc.client.Error):
            return False

    def process(self) -> Process | None:
        """supervisord's own process, identified by its pid file and its configuration."""
        return processes.adopt(self.pid_file, str(self.files.supervisor_config))

    @staticmethod
    def environment(pid: int) -> dict[str, str]:
        """The environment supervisord was started with (readable by its owner alone)."""
        try:
            raw = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            return {}
        pairs = (entry.partition(b"=") for entry in raw.split(b"\0") if entry)
        return {k.decode(errors="replace"): v.decode(errors="replace") for k, _, v in pairs}

    def write_config(self) -> Path:
        """Its configuration, before it starts: the programs are the files in ``programs/``."""
        socket_path = self.files.prepare_control_socket()
        self.files.programs.mkdir(parents=True, exist_ok=True)
        text = supervisord_config(
            socket=socket_path,
            log=self.log,
            pid_file=self.pid_file,
            programs=self.files.programs.absolute(),
            directory=self.files.root.absolute(),
        )
        json_files.write_atomically(self.files.supervisor_config, text, mode=OWNER_ONLY)
        return self.files.supervisor_config

    def start(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> None:
        """Start the supervisor with ``argv`` (``shipway supervise``), detached; it counts as
        started once its API answers. Its programs start with it."""
        self.files.make_root()
        self.files.supervisor.mkdir(parents=True, exist_ok=True)
        log = self.files.supervisor / "supervise.log"
        process = processes.spawn(
            argv,
            pid_file=self.pid_file,
            log_file=log,
            marker=str(self.files.supervisor_config),
            env=env,
            cwd=cwd,
            timeout=START_TIMEOUT,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.running():
                return
            if not processes.is_running(process):
                break
            time.sleep(processes.POLL)
        processes.stop(process)
        raise ShipwayError(f"the supervisor did not start: {log_tail(log, 3)}")

    def shutdown(self) -> None:
        """Stop every program gracefully, then the supervisor."""
        process = self.process()
        with contextlib.suppress(*UNREACHABLE, xmlrpc.client.Error), self.api() as api:
            api.shutdown()
        # shutdown stops each program within its stop_seconds; then SIGKILL is the fallback.
        processes.stop(process, grace=60)
        self.files.control_socket.unlink(missing_ok=True)

    # -- programs --------------------------------------------------------------------------

    def programs(self) -> dict[str, ProgramInfo]:
        """Every program the supervisor runs; empty when it is not running."""
        try:
            with self.api() as api:
                return {i.name: i for i in map(program_info, api.getAllProcessInfo())}
        except (*UNREACHABLE, xmlrpc.client.Error):
            return {}

    def state(self, name: str | None) -> ProgramState:
        if name is None:
            return ProgramState.ABSENT
        info = self.programs().get(name)
        return info.state if info is not None else ProgramState.ABSENT

    def add(self, program: Program, spec: LaunchSpec) -> None:
        """Write the program's files and have the supervisor start it."""
        self.files.programs.mkdir(parents=True, exist_ok=True)
        json_files.write_atomically(
            self.spec_file(program.name), json.dumps(spec.document(), indent=2), mode=OWNER_ONLY
        )
        json_files.write_atomically(
            self.files.programs / f"{program.name}.conf", program_config(program), mode=OWNER_ONLY
        )
        self._call("add", program.name, lambda api: api.reloadConfig())
        self._call("add", program.name, lambda api: api.addProcessGroup(program.name))

    def run(
        self,
        name: str,
        argv: Sequence[str],
        *,
        cwd: Path,
        log: Path,
        stop_seconds: int,
        settings: Mapping[str, str],
        secrets: Sequence[str],
        fixed: Mapping[str, str],
        leftovers: str | None = None,
    ) -> None:
        """Run ``argv`` as program ``name`` through the launcher."""
        spec = LaunchSpec(argv, str(cwd), settings, secrets, fixed, leftovers)
        command = launch_command(sys.executable, self.spec_file(name))
        self.add(Program(name, command, log, stop_seconds), spec)

    def spec_file(self, name: str) -> Path:
        return self.files.programs / f"{name}.json"

    def remove(self, name: str) -> None:
        """Stop the program gracefully (the supervisor kills it after its stop time) and forget
        it. Nothing to do for a program the supervisor does not have."""
        with contextlib.suppress(*UNREACHABLE, xmlrpc.client.Error), self.api() as api:
            with contextlib.suppress(xmlrpc.client.Fault):  # NOT_RUNNING, BAD_NAME
                api.stopProcess(name, True)
            with contextlib.suppress(xmlrpc.client.Fault):
                api.removeProcessGroup(name)
        for suffix in (".conf", ".json"):
            (self.files.programs / f"{name}{suffix}").unlink(missing_ok=True)

    def restarts(self, name: str) -> int:
        text = ""
        for log in (self.log.with_name(self.log.name + ".1"), self.log):
            with contextlib.suppress(OSError):
                text += log.read_text(encoding="utf-8", errors="replace")
        return restarts(text, name)

    def configured(self) -> list[str]:
        """The programs whose files are in ``programs/``: what a starting supervisor starts."""
        if not self.files.programs.is_dir():
            return []
        return sorted(p.stem for p in self.files.programs.glob("*.conf"))

    def _call(self, what: str, name: str, call: Callable[[Any], object]) -> None:
        try:
            with self.api() as api:
                call(api)
        except xmlrpc.client.Fault as fault:
            raise ShipwayError(
                f"the supervisor refused to {what} {name}: {fault.faultString}"
            ) from None
        except UNREACHABLE as error:
            raise ShipwayError(
                f"the supervisor of {self.files.root} does not answer ({error}); "
                "the next deploy or rollback starts it again"
            ) from None
