"""One environment of the local target: its configuration, files, processes and repairs."""

import getpass
import os
import socket
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from shipway.config import Project
from shipway.config.deploy import Environment
from shipway.decisions.deploy.checks import who
from shipway.decisions.deploy.reconcile import (
    RestartSlot,
    Route,
    StartRouter,
    StopSlot,
    plan_repair,
)
from shipway.decisions.deploy.router import preview_target
from shipway.decisions.deploy.server import AppReport, ServerKind, serve_as, worker_options
from shipway.decisions.deploy.state import SLOTS, EnvState, Slot, SlotState
from shipway.decisions.deploy.supervisor import (
    SECRET_NAMES_VARIABLE,
    program_name,
    stale_secrets,
    supervisord_command,
)
from shipway.decisions.deploy.tls import TlsMaterial
from shipway.decisions.report.rollout import Timeline, report_id
from shipway.decisions.security.redact import redact
from shipway.effects.command import ToolRunner
from shipway.effects.console import console
from shipway.effects.deploy import processes, releases, tls
from shipway.effects.deploy.files import EnvFiles, append_audit, save_state
from shipway.effects.deploy.router import (
    publish_preview,
    publish_releases,
    router_maintenance,
    router_weights,
    set_router_maintenance,
    set_router_weights,
    start_router,
    wait_live,
)
from shipway.effects.deploy.secrets import resolve as resolve_secrets
from shipway.effects.deploy.supervisor import Supervisor, new_token
from shipway.effects.release.store import DirectoryStore, read_manifest, signature_policy
from shipway.effects.report import rollout
from shipway.errors import ShipwayError

# What a release inherits from the deployer's environment; everything else is explicit.
PORT_GRACE = 3.0  # seconds for the ports of a router that just died to be released
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "PYTHONDONTWRITEBYTECODE")


def environment_files(project: Project, name: str) -> EnvFiles:
    """The directory of environment ``name`` (configured)."""
    config = project.config.environments[name]
    return EnvFiles(project.path(config.state_dir or f".shipway/state/{name}"))


class LocalEnvironment:
    def __init__(self, project: Project, name: str) -> None:
        if name not in project.config.environments:
            known = ", ".join(project.config.environment_names) or "none"
            raise ShipwayError(
                f"unknown environment {name!r}; configured: {known} "
                "([tool.shipway.environments.<name>] in pyproject.toml)"
            )
        if project.config.app is None:
            raise ShipwayError(
                "deploys need [tool.shipway] app = 'module:attribute' (the ASGI app)"
            )
        self.project = project
        self.name = name
        self.config: Environment = project.config.environments[name]
        self.app: str = project.config.app
        self.files = environment_files(project, name)
        self.store = DirectoryStore(project.path(project.config.artifacts.store))
        self.policy = signature_policy(project)
        self.package = project.service_package.name
        self.python = self.config.python or sys.executable
        # Envoy and uv come from the environment shipway runs in, whatever PATH says.
        here = str(Path(sys.executable).parent)
        self.path = os.pathsep.join([here, os.environ.get("PATH", "")])
        self.runner = ToolRunner(project.root, [here])
        self.who = who(os.environ, getpass.getuser(), socket.gethostname())
        self.tls: TlsMaterial | None = None  # once load_tls has read and checked it
        self.supervisor = Supervisor(self.files)
        self.resolved_secrets: dict[str, str] | None = None  # once secret_values has run

    def load_tls(self) -> None:
        """Read and check the router's certificate and key (before anything changes)."""
        where = f"tool.shipway.environments.{self.name}"
        self.tls = tls.load(self.config, self.project.root, self.path, where)

    @property
    def trust(self) -> Path | None:
        """What shipway's probes verify the environment's URL by, when it is HTTPS."""
        return self.files.tls_trust if self.config.tls else None

    @property
    def slot_ports(self) -> dict[Slot, int]:
        return dict(zip(SLOTS, self.config.slot_ports, strict=True))

    def save(self, state: EnvState) -> EnvState:
        save_state(self.files, state)
        return state

    def audit(self, **record: object) -> None:
        append_audit(self.files, {"environment": self.name, "who": self.who, **record})

    def conclude(
        self,
        timeline: Timeline | None,
        *,
        action: str,
        version: str | None,
        started: float,
        **record: object,
    ) -> None:
        """The end of a deploy or rollback, whatever its outcome: its audit record, and its
        report (named in the record) with what ``timeline`` saw."""
        named = {"action": action, "version": version, "started": started}
        record = {**named, **record, "report": report_id(action, version, started)}
        self.audit(**record)
        full = {"environment": self.name, "who": self.who, **record}
        secrets = self.resolved_secrets or {}
        rollout.publish(
            self.files, self.project.root, full, timeline, self.config.analysis, secrets.values()
        )

    def base_environment(self) -> dict[str, str]:
        base = {key: os.environ[key] for key in INHERITED if key in os.environ}
        base["PATH"] = self.path
        return base

    def release_environment(self, version: str, secrets: Mapping[str, str]) -> dict[str, str]:
        return releases.release_environment(
            self.base_environment(),
            self.config.settings,
            secrets,
            self.files.venv(version),
            self.files.shared,
        )

    # -- processes -------------------------------------------------------------------------

    def supervisor_environment(self, secrets: Mapping[str, str]) -> dict[str, str]:
        """The supervisor's environment: ours, and the secrets its programs restart with
        (in its memory only, never in a file); the launcher gives each program its own."""
        names = ",".join(secrets)
        return {**self.base_environment(), **secrets, SECRET_NAMES_VARIABLE: names}

    def secret_values(self) -> dict[str, str]:
        """The environment's secrets, resolved once per command (before anything changes)."""
        if self.resolved_secrets is None:
            self.resolved_secrets = resolve_secrets(self.config.secrets, self.project.root)
        return self.resolved_secrets

    def prepare_supervisor(self) -> tuple[list[str], dict[str, str]]:
        """How to start the environment's supervisor, with what environment: what a killed
        one left running is stopped first, and its configuration is written."""
        values = self.secret_values()
        self.stop_unsupervised()
        config = self.supervisor.write_config()
        return supervisord_command(sys.executable, config), self.supervisor_environment(values)

    def check_supervisor_secrets(self) -> None:
        """A running supervisor gives every program it (re)starts the secrets it was started
        with: a release started now must not get values that have changed since."""
        process = self.supervisor.process()
        if process is None:
            return
        held = self.supervisor.environment(process.pid)
        changed = stale_secrets(held, self.secret_values())
        if changed:
            raise ShipwayError(
                f"the secret{'s' if len(changed) > 1 else ''} {', '.join(changed)} changed since "
                f"the supervisor of {self.name} started, and it gives the values it started with "
                "to every release it runs; nothing was changed. Restart it with `inv stop --env "
                f"{self.name}` (the service is down until the next deploy), then deploy again"
            )

    def ensure_supervisor(self) -> None:
        """The environment's supervisor running, with every program it had (a killed one
        left them running unsupervised: they are stopped, then started again by it)."""
        if self.supervisor.running():
            return
        argv, environment = self.prepare_supervisor()
        self.supervisor.start(argv, environment, self.files.root)

    def stop_unsupervised(self) -> None:
        """What a killed supervisor left running (found by the paths on their command lines)."""
        processes.stop_leftovers(str(self.files.router / "envoy.json"))
        for slot in SLOTS:
            processes.stop_leftovers(str(releases.slot_pid_file(self.files, slot)))

    def running(self, program: str | None) -> bool:
        """The supervisor runs ``program`` (or is restarting it)."""
        return self.supervisor.state(program).supervised

    def remove_strays(self, state: EnvState) -> None:
        """Programs the state does not know (a command was killed between starting one and
        recording it) are stopped."""
        known = {state.router_program, *(state.slot(s).program for s in SLOTS)}
        for name in self.supervisor.programs().keys() | set(self.supervisor.configured()):
            if name not in known:
                self.supervisor.remove(name)

    def stop_slot(self, state: EnvState, slot: Slot, reason: str) -> EnvState:
        current = state.slot(slot)
        if current.program is not None:
            if self.running(current.program):
                console.print(f"  stopping {current.version} ({slot}): {reason}")
            self.supervisor.remove(current.program)
        processes.stop_leftovers(str(releases.slot_pid_file(self.files, slot)))
        state = self.save(state.with_slot(slot, **SlotState().model_dump()))
        self.publish(state, [slot], wait=False)  # nothing is left there to answer
        return state

    def check_router_ports(self, state: EnvState) -> None:
        """A router we do not run yet needs its ports free (once our own leftovers are gone)."""
        if self.running(state.router_program):
            return
        processes.stop_leftovers(str(self.files.router / "envoy.json"))
        listen = [(self.config.host, self.config.port)]
        if self.config.http_redirect_port is not None:
            listen.append((self.config.host, self.config.http_redirect_port))
        # A router that just died reads as gone (its main thread is a zombie) while its other
        # threads still hold its sockets for a moment: give them that moment.
        deadline = time.monotonic() + PORT_GRACE
        while any(processes.port_in_use(h, p) for h, p in listen):
            if time.monotonic() > deadline:
                break
            time.sleep(processes.POLL)
        for host, port in listen:
            if processes.port_in_use(host, port):
                raise ShipwayError(
                    f"port {port} of environment {self.name} is in use by another process; "
                    f"free it or change [tool.shipway.environments.{self.name}]"
                )

    def check_slot_port(self, slot: Slot) -> None:
        """The slot's port must be free once our own leftovers there are gone."""
        processes.stop_leftovers(str(releases.slot_pid_file(self.files, slot)))
        port = self.slot_ports[slot]
        if processes.port_in_use("127.0.0.1", port):
            raise ShipwayError(
                f"port {port} (release slot {slot} of {self.name}) is in use by another process"
            )

    def publish(self, state: EnvState, slots: Sequence[Slot] = SLOTS, *, wait: bool) -> None:
        """The router names the release each of ``slots`` runs, and previews the release being
        deployed, as the state records them; with ``wait``, a running router has loaded them
        when this returns."""
        versions = {slot: state.slot(slot).version for slot in slots}
        waits = wait and self.running(state.router_program)
        publish_releases(self.files, self.config, versions, wait=waits)
        target = preview_target(state, self.slot_ports)
        publish_preview(self.files, self.config, target, wait=waits)

    def preview(self, state: EnvState, slot: Slot | None) -> EnvState:
        """The preview port answers from ``slot`` (None: from nothing), once this returns."""
        state = self.save(state.previewing(slot))
        self.publish(state, [], wait=True)
        return state

    def ensure_router(self, state: EnvState) -> EnvState:
        """The router running and routing as the state says: releases, weights, maintenance."""
        if self.running(state.router_program) and wait_live(self.files):
            if self.tls is not None:  # the certificate checked for this command, maybe new
                tls.publish(self.files, self.config, self.tls)
            self.publish(state, wait=True)
            if router_weights(self.files) != state.weights:
                set_router_weights(self.files, state.weights)
            if router_maintenance(self.files) is not state.maintenance.on:
                set_router_maintenance(self.files, state.maintenance.on)
            return state
        self.ensure_supervisor()
        if state.router_program is not None:
            self.supervisor.remove(state.router_program)
            state = self.save(state.model_copy(update={"router_program": None}))
        self.check_router_ports(state)
        console.print(f"  starting the router on {self.config.url}")
        if self.config.tls is not None:
            if self.tls is None:
                raise ShipwayError(f"the router of {self.name} needs its TLS certificate loaded")
            tls.write(self.files, self.tls)
        name = program_name("router", new_token())
        state = self.save(state.model_copy(update={"router_program": name}))
        versions = {slot: state.slot(slot).version for slot in SLOTS}
        start_router(
            self.files,
            self.config,
            state.weights,
            versions,
            self.path,
            self.supervisor,
            name,
            maintenance=state.maintenance,
        )
        return state

    def restart_router(self, state: EnvState, reason: str) -> EnvState:
        """A new router from the state (its configuration is fixed while it runs)."""
        console.print(f"  restarting the router: {reason}")
        if state.router_program is not None:
            self.supervisor.remove(state.router_program)
        return self.ensure_router(self.save(state.model_copy(update={"router_program": None})))

    def start_slot(
        self,
        state: EnvState,
        slot: Slot,
        version: str,
        server: ServerKind,
        secrets: Mapping[str, str],
    ) -> EnvState:
        """Start ``version`` in ``slot`` and wait until it is ready; journaled before it starts."""
        port = self.slot_ports[slot]
        self.ensure_supervisor()
        self.check_slot_port(slot)
        program = program_name(slot, new_token())
        state = self.save(
            state.with_slot(
                slot,
                version=version,
                phase="starting",
                program=program,
                warm_until=None,
                kept=False,
                server=server,
            )
        )
        self.publish(state, [slot], wait=True)  # before the release can answer anything
        releases.start_release(
            self.files,
            slot,
            version,
            self.app,
            worker_options=worker_options(server, self.config.threads),
            workers=self.config.workers,
            port=port,
            supervisor=self.supervisor,
            program=program,
            settings=self.config.settings,
            secrets=list(secrets),
            fixed=releases.release_paths(
                self.base_environment(), self.files.venv(version), self.files.shared
            ),
        )
        log = self.files.slot(slot) / "release.log"
        releases.wait_ready(
            self.started(program),
            port,
            self.config.ready_path,
            self.config.ready_timeout,
            log,
        )
        return self.save(state.with_slot(slot, phase="ready"))

    def git_sha(self, version: str) -> str | None:
        """The commit a version was built from, for the audit log."""
        try:
            return read_manifest(self.store.location(self.package, version)).git_sha
        except ShipwayError:
            return None

    def install(self, version: str, secrets: Mapping[str, str]) -> ServerKind:
        """Install the release, link its shared paths and load its app: WSGI or ASGI?"""
        releases.install_release(
            self.files, self.store, self.package, version, self.policy, self.runner, self.python
        )
        releases.link_shared(self.files, version, self.config.shared_paths)
        report = releases.load_app(
            self.files, version, self.app, self.release_environment(version, secrets)
        )
        if report.error is not None:
            report = AppReport(error=redact(report.error, [s for s in secrets.values() if s]))
        server = serve_as(self.project.config.server, report, self.app, version)
        how = (
            "uvicorn workers"
            if server is ServerKind.ASGI
            else f"threaded workers ({self.config.threads} threads each)"
        )
        console.print(f"  {self.app} is a {server.upper()} app: gunicorn with {how}")
        return server

    def started(self, program: str) -> Callable[[], bool]:
        """Whether ``program`` has not exited since it was started (asked when called)."""
        return lambda: self.supervisor.state(program).started

    def wait_back(self, state: EnvState) -> None:
        """Until what a restarted supervisor started again serves: each release ready on its
        port, the router live. A release that does not get ready is stopped, so that the
        repair sees it dead (and restarts the serving one)."""
        for slot in SLOTS:
            program = state.slot(slot).program
            if program is None or not self.running(program):
                continue
            log = self.files.slot(slot) / "release.log"
            try:
                releases.wait_ready(
                    self.started(program),
                    self.slot_ports[slot],
                    self.config.ready_path,
                    self.config.ready_timeout,
                    log,
                )
            except ShipwayError as problem:
                console.print(
                    f"[yellow]repairing:[/] {state.slot(slot).version} ({slot}): {problem}"
                )
                self.supervisor.remove(program)
        if self.running(state.router_program):
            wait_live(self.files, self.config.ready_timeout)

    # -- repair ----------------------------------------------------------------------------

    def repair(
        self, state: EnvState, *, repair_processes: bool, secrets: Mapping[str, str] | None = None
    ) -> EnvState:
        """Bring state and reality together after whatever happened since the last command."""
        anything = state.router_program is not None or any(
            state.slot(s).phase != "empty" for s in SLOTS
        )
        if repair_processes and anything and not self.supervisor.running():
            console.print("[yellow]repairing:[/] the environment's supervisor is not running")
            self.ensure_supervisor()
            self.wait_back(state)
        if self.supervisor.running():
            self.remove_strays(state)
        alive = {slot: self.running(state.slot(slot).program) for slot in SLOTS}
        router_alive = self.running(state.router_program)
        plan = plan_repair(
            state, alive, router_alive, time.time(), repair_processes=repair_processes
        )
        if plan.interrupted:
            console.print(f"[yellow]repairing:[/] {plan.interrupted}")
        if plan.clear_preview:  # before a slot stops: the preview never points at nothing
            state = self.save(state.previewing(None))
        for action in plan.actions:
            if isinstance(action, StopSlot):
                state = self.stop_slot(state, action.slot, action.reason)
            elif isinstance(action, Route):
                state = state.routed_to(action.slot).with_slot(
                    action.slot, phase="serving", warm_until=None, kept=False
                )
                if router_alive:
                    set_router_weights(self.files, state.weights)
                state = self.save(state)
            elif isinstance(action, StartRouter):
                console.print(f"[yellow]repairing:[/] {action.reason}")
                state = self.ensure_router(state)
            elif isinstance(action, RestartSlot):
                console.print(f"[yellow]repairing:[/] {action.reason}; restarting it")
                version = state.slot(action.slot).version
                if version is None or secrets is None:
                    continue
                server = self.install(version, secrets)
                state = self.start_slot(state, action.slot, version, server, secrets)
                state = self.save(state.with_slot(action.slot, phase="serving"))
        if plan.interrupted and state.operation is not None:
            op = state.operation
            self.conclude(
                None,
                action=op.action,
                version=op.version,
                from_version=op.from_version,
                git_sha=op.git_sha,
                started=op.started,
                ended=time.time(),
                outcome="interrupted",
                reason=plan.interrupted,
            )
        state = self.save(state.model_copy(update={"operation": None}))
        if self.running(state.router_program):  # the router follows the journal
            self.publish(state, wait=True)
            if router_weights(self.files) not in (None, state.weights):
                set_router_weights(self.files, state.weights)
            if router_maintenance(self.files) not in (None, state.maintenance.on):
                set_router_maintenance(self.files, state.maintenance.on)
        return state
