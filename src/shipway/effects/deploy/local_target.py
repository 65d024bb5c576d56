"""``inv deploy``, ``inv rollback`` and ``inv stop`` on the local target (blue-green, canary).

A deploy has three phases:

A. (deploy lock held) verify and install the artifact, run pre-deploy hooks, start the new
   release in the idle slot, wait for /ready, smoke-test it; with the canary strategy, run the
   canary steps (canary.py); then switch (promote) 100 % of traffic and check through the
   router. A failure, a failed analysis, ``inv abort`` or Ctrl-C sends all traffic back to the
   old release and stops the new one.
B. (no lock) the old release stays warm for the scale-down delay while the new one is
   analysed (watch.py): ``inv rollback`` or ``inv abort`` from anywhere switches back
   instantly; so do a failed analysis and Ctrl-C.
C. (lock) the old release is stopped, post-deploy hooks run, old releases are pruned.

Every step is journaled in state.json first; see reconcile.py for how an interrupted command
is repaired by the next one.
"""

import shlex
import subprocess  # nosec B404 - hooks are commands from the project's own configuration
import time
import uuid
from collections.abc import Callable, Mapping

import httpx

from shipway.decisions.deploy.analysis import Failure
from shipway.decisions.deploy.checks import Approval, approval, smoke_problems
from shipway.decisions.deploy.state import (
    SLOTS,
    EnvState,
    Operation,
    Slot,
    idle_slot,
    nothing_to_undo,
    other,
    previous_version,
    releases_to_prune,
    with_history,
)
from shipway.effects.console import console
from shipway.effects.deploy import canary, processes, releases, secrets
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import deploy_lock, load_state
from shipway.effects.deploy.notify import notify
from shipway.effects.deploy.router import set_router_weights
from shipway.effects.deploy.watch import Watch, sleep_until_next_tick
from shipway.effects.http_client import client
from shipway.errors import ShipwayError


class Deployer:
    def __init__(self, environment: LocalEnvironment) -> None:
        self.env = environment
        self._webhook: str | None = None
        self.serving_after: float | None = None  # seconds from the start to the switch
        self.switch_seconds: float | None = None  # how long the router took to move traffic
        self.watch: Watch | None = None  # the analysis of the new release, once it has traffic
        self.failure: Failure | None = None  # why the analysis failed, for the audit log
        self.operation_id = ""

    # -- deploy ----------------------------------------------------------------------------

    def deploy(
        self,
        version: str,
        *,
        yes: bool,
        interactive: bool,
        confirm: Callable[[str], bool],
        lock_wait: float,
    ) -> None:
        env = self.env
        git_sha = env.git_sha(version)
        current = load_state(env.files).serving_version
        change = f"{env.package} {current or '(nothing)'} → {version}"
        console.print(f"deploy {change} to {env.name} ({env.config.url}), {env.config.strategy}")
        decision = approval(env.config.approval, yes, interactive, change, env.name)
        if decision is Approval.ASK and not confirm(f"Deploy {change} to {env.name}?"):
            raise ShipwayError("deploy not approved; nothing changed")
        values = secrets.resolve(env.config.secrets, env.project.root)  # before anything changes
        notify_url = self.webhook()  # fails early too
        started = time.time()
        with deploy_lock(env.files, f"deploying {version}", lock_wait) as takeover:
            if takeover:
                console.print(f"[yellow]{takeover}[/]")
            state = env.repair(load_state(env.files), repair_processes=True, secrets=values)
            if state.serving_version == version:
                console.print(f"{version} is already serving in {env.name}; nothing to do")
                return
            state, generation, slot = self.switch_to(state, version, values, git_sha, started)
        self.serving_after = time.time() - started
        console.print(f"[green]serving[/] {version} in {env.name} after {self.serving_after:.1f}s")
        try:
            outcome = self.watch_warm_window(generation, slot, version)
        finally:
            if self.watch is not None:
                self.watch.close()
        self.finish(
            version,
            state.slot(other(slot)).version,
            generation,
            slot,
            values,
            started,
            git_sha,
            outcome,
            notify_url,
        )

    def switch_to(
        self,
        state: EnvState,
        version: str,
        values: Mapping[str, str],
        git_sha: str | None,
        started: float,
    ) -> tuple[EnvState, int, Slot]:
        """Phase A. Returns the state after the switch, its generation and the new slot."""
        env = self.env
        old_slot = state.serving_slot
        from_version = state.serving_version
        slot = idle_slot(state)
        operation = Operation(
            id=uuid.uuid4().hex[:12],
            action="deploy",
            version=version,
            from_version=from_version,
            slot=slot,
            step="install",
            started=started,
            who=env.who,
            git_sha=git_sha,
        )
        self.operation_id = operation.id
        state = env.save(state.model_copy(update={"operation": operation}))
        switched = False
        try:
            env.check_router_ports(state)  # refuse before anything is installed or started
            if state.slot(slot).phase == "empty":
                env.check_slot_port(slot)
            self.step(state, "install", f"verifying and installing {version}")
            env.install(version)
            state = self.step(state, "pre-deploy", "pre-deploy hooks")
            self.run_hooks(env.config.hooks.pre_deploy, version, values)
            state = self.step(state, "router", "router")
            state = env.ensure_router(state)
            if state.slot(slot).phase != "empty":
                state = env.stop_slot(state, slot, f"the slot is needed for {version}")
            state = self.step(state, "start", f"starting {version} in slot {slot}")
            state = env.start_slot(state, slot, version, values)
            state = self.step(state, "smoke", "smoke tests")
            problems = smoke_problems(
                releases.smoke_test(env.slot_ports[slot], env.config.smoke), version
            )
            if problems:
                raise ShipwayError(f"smoke tests of {version} failed: {'; '.join(problems)}")
            if env.config.strategy == "canary" and old_slot is None:
                console.print("  first release here: no stable release to canary against")
            elif env.config.strategy == "canary":
                state = self.step(state, "canary", "canary steps")
                self.watch = Watch(env, slot, operation.id, version, "canary")
                try:
                    state = canary.run_steps(env, self.watch, state, slot)
                finally:
                    self.watch.display.close()
            state = self.step(state, "switch", "switching traffic")
            switch_started = time.monotonic()
            set_router_weights(env.config, {slot: 100, other(slot): 0})
            self.switch_seconds = time.monotonic() - switch_started
            switched = True
            state = state.routed_to(slot).with_slot(slot, phase="serving")
            if old_slot is not None:
                warm_until = time.time() + env.config.scale_down_delay
                state = state.with_slot(old_slot, phase="warm", warm_until=warm_until)
            state = env.save(
                state.model_copy(update={"history": with_history(state.history, version)})
            )
            self.check_through_router(version)
        except (ShipwayError, KeyboardInterrupt) as failure:
            reason = (
                "interrupted (Ctrl-C)" if isinstance(failure, KeyboardInterrupt) else str(failure)
            )
            took_traffic = switched or load_state(env.files).weights.get(slot, 0) > 0
            self.undo(load_state(env.files), slot, old_slot, took_traffic)
            if self.watch is not None:
                self.watch.close()
            outcome = "failed"
            if isinstance(failure, canary.AnalysisFailedError):
                self.failure, outcome = failure.failure, "rolled_back"
            elif isinstance(failure, canary.AbortedError):
                outcome = "aborted"
            self.audit_deploy(version, from_version, git_sha, started, outcome, reason)
            verb = {"rolled_back": "ROLLED BACK", "aborted": "ABORTED"}.get(outcome, "FAILED")
            notify(
                self.webhook(),
                f"{self.prefix()} deploy of {version} {verb}: {reason}; "
                f"{from_version or 'nothing'} still serving",
            )
            raise ShipwayError(
                f"deploy of {version} to {env.name} {verb.lower()}: {reason}; "
                f"{from_version or 'nothing'} is still serving"
            ) from None
        state = env.save(state.model_copy(update={"operation": None}))
        return state, state.generation, slot

    def undo(self, state: EnvState, slot: Slot, old_slot: Slot | None, took_traffic: bool) -> None:
        """Leave the environment as it was: traffic on the old release, the new one stopped."""
        env = self.env
        if took_traffic and old_slot is not None:
            set_router_weights(env.config, {old_slot: 100, slot: 0})
            state = state.routed_to(old_slot).with_slot(old_slot, phase="serving", warm_until=None)
        state = env.stop_slot(state, slot, "deploy failed")
        env.save(state.model_copy(update={"operation": None}))

    def watch_warm_window(self, generation: int, slot: Slot, version: str) -> str:
        """Phase B: analyse the new release while the old one stays warm ("done" if it held)."""
        env = self.env
        state = load_state(env.files)
        old = state.slot(other(slot))
        if old.phase != "warm" or old.warm_until is None:
            return "done"
        until = time.strftime("%H:%M:%S", time.localtime(old.warm_until))
        console.print(
            f"{old.version} stays warm until {until}: `inv rollback --env {env.name}` or Ctrl-C "
            "switches back instantly"
        )
        if self.watch is None:
            self.watch = Watch(env, slot, self.operation_id, version, env.config.strategy)
        watch = self.watch
        watch.restart_window(compare=False)  # the old release takes no traffic any more
        try:
            while time.time() < old.warm_until:
                tick_started = time.monotonic()
                if load_state(env.files).generation != generation:
                    return "superseded"
                control = watch.control()
                if control is not None and control.command == "abort":
                    return f"aborted by {control.who} after promotion"
                if control is not None and control.command == "promote":
                    console.print(f"  promoted by {control.who}: scaling down now")
                    return "done"
                failure = watch.tick()
                if failure is not None:
                    self.failure = failure
                    return f"analysis failed after promotion: {failure.reason}"
                watch.publish(
                    "post-promotion", 100, old.warm_until, f"analysing; {old.version} warm"
                )
                sleep_until_next_tick(tick_started)
        except KeyboardInterrupt:
            return "interrupted (Ctrl-C) during the warm window"
        finally:
            watch.display.close()
        return "done"

    def finish(
        self,
        version: str,
        from_version: str | None,
        generation: int,
        slot: Slot,
        values: Mapping[str, str],
        started: float,
        git_sha: str | None,
        outcome: str,
        notify_url: str | None,
    ) -> None:
        """Phase C: scale down (or roll back after a failed warm window), hooks, prune, audit."""
        env = self.env
        with deploy_lock(env.files, f"finishing the deploy of {version}", wait=600):
            state = load_state(env.files)
            if state.generation != generation:
                by = "rolled back" if state.serving_version == from_version else "superseded"
                console.print(f"{version} was {by} while {from_version} was warm")
                if by == "rolled back":
                    raise ShipwayError(f"the deploy of {version} was rolled back meanwhile")
                return
            old_slot = other(slot)
            if outcome != "done":
                state = self.instant_rollback(state, old_slot, slot, reason=outcome)
                ended = "aborted" if outcome.startswith("aborted") else "rolled_back"
                self.audit_deploy(version, from_version, git_sha, started, ended, outcome)
                notify(notify_url, f"{self.prefix()} deploy of {version} ROLLED BACK: {outcome}")
                raise ShipwayError(f"{outcome}: rolled back to {from_version}")
            if state.slot(old_slot).phase != "empty":
                state = env.stop_slot(state, old_slot, "scale-down delay over")
            hook_failure = None
            try:
                self.run_hooks(env.config.hooks.post_deploy, version, values)
            except ShipwayError as failure:
                hook_failure = str(failure)
            self.prune(state)
            self.audit_deploy(
                version,
                from_version,
                git_sha,
                started,
                "succeeded" if hook_failure is None else "succeeded, post-deploy hook failed",
                hook_failure or "",
                serving_after_seconds=self.serving_after,
                switch_seconds=self.switch_seconds,
            )
        status = "succeeded" if hook_failure is None else f"succeeded but {hook_failure}"
        notify(
            notify_url,
            f"{self.prefix()} deploy of {version} {status} (was {from_version or 'nothing'})",
        )
        if hook_failure:
            raise ShipwayError(f"{version} serves, but {hook_failure}")
        console.print(f"[green]deployed[/] {version} to {env.name} in {time.time() - started:.1f}s")

    # -- rollback --------------------------------------------------------------------------

    def rollback(self, to: str | None, *, lock_wait: float, undo: str | None = None) -> None:
        """Back to ``to`` (default: the previous release). With ``undo``, only if that version
        serves: undoing a failed deploy never goes further back than before it."""
        env = self.env
        values = secrets.resolve(env.config.secrets, env.project.root)
        self.webhook()
        started = time.time()
        with deploy_lock(env.files, "rolling back", lock_wait):
            state = env.repair(load_state(env.files), repair_processes=True, secrets=values)
            if undo is not None and (reason := nothing_to_undo(state, undo, env.name)):
                console.print(reason)
                return
            current_slot, current = state.serving_slot, state.serving_version
            target = to or previous_version(state)
            if target is None:
                raise ShipwayError(
                    f"nothing to roll back to in {env.name}: no earlier release served"
                )
            if target == current:
                raise ShipwayError(f"{target} is already serving in {env.name}")
            console.print(
                f"rollback {env.package} {current or '(nothing)'} → {target} in {env.name}"
            )
            warm = [
                s
                for s, s_state in state.slots.items()
                if s_state.version == target and s_state.phase == "warm"
            ]
            try:
                if warm and current_slot is not None:
                    switch_started = time.monotonic()
                    state = self.instant_rollback(state, warm[0], current_slot, reason="rollback")
                    switch = time.monotonic() - switch_started
                else:
                    state, switch = self.cold_rollback(state, target, values)
            except (ShipwayError, KeyboardInterrupt) as failure:
                reason = "interrupted" if isinstance(failure, KeyboardInterrupt) else str(failure)
                env.audit(
                    action="rollback",
                    version=target,
                    from_version=current,
                    started=started,
                    ended=time.time(),
                    outcome="failed",
                    reason=reason,
                )
                notify(self.webhook(), f"{self.prefix()} rollback to {target} FAILED: {reason}")
                raise ShipwayError(
                    f"rollback to {target} failed: {reason}; {current} still serving"
                ) from None
            env.audit(
                action="rollback",
                version=target,
                from_version=current,
                started=started,
                ended=time.time(),
                outcome="succeeded",
                reason="",
                switch_seconds=switch,
            )
        notify(self.webhook(), f"{self.prefix()} rolled back to {target} (was {current})")
        console.print(
            f"[green]rolled back[/] to {target} in {env.name}: "
            f"traffic switched in {switch * 1000:.0f} ms"
        )

    def instant_rollback(
        self, state: EnvState, to_slot: Slot, from_slot: Slot, reason: str
    ) -> EnvState:
        """Traffic back to a warm release, then the other one stops."""
        env = self.env
        set_router_weights(env.config, {to_slot: 100, from_slot: 0})
        version = state.slot(to_slot).version or ""
        state = state.routed_to(to_slot).with_slot(to_slot, phase="serving", warm_until=None)
        state = env.save(state.model_copy(update={"history": with_history(state.history, version)}))
        return env.stop_slot(state, from_slot, reason)

    def cold_rollback(
        self, state: EnvState, target: str, values: Mapping[str, str]
    ) -> tuple[EnvState, float]:
        env = self.env
        current_slot = state.serving_slot
        slot = idle_slot(state)
        env.install(target)
        state = env.ensure_router(state)
        if state.slot(slot).phase != "empty":
            state = env.stop_slot(state, slot, f"the slot is needed for {target}")
        state = env.start_slot(state, slot, target, values)
        problems = smoke_problems(
            releases.smoke_test(env.slot_ports[slot], env.config.smoke), target
        )
        if problems:
            env.stop_slot(state, slot, "smoke tests failed")
            raise ShipwayError(f"smoke tests of {target} failed: {'; '.join(problems)}")
        switch_started = time.monotonic()
        set_router_weights(env.config, {slot: 100, other(slot): 0})
        switch = time.monotonic() - switch_started
        state = state.routed_to(slot).with_slot(slot, phase="serving")
        state = env.save(state.model_copy(update={"history": with_history(state.history, target)}))
        if current_slot is not None:
            state = env.stop_slot(state, current_slot, "rolled back")
        return state, switch

    # -- stop ------------------------------------------------------------------------------

    def stop(self, *, lock_wait: float) -> None:
        env = self.env
        with deploy_lock(env.files, "stopping", lock_wait):
            state = env.adopt_orphans(load_state(env.files))
            serving = state.serving_version
            for slot in SLOTS:
                state = env.stop_slot(state, slot, "inv stop")
            processes.stop(state.router)
            state = env.save(EnvState(history=state.history))
            env.audit(
                action="stop",
                version=serving,
                started=time.time(),
                ended=time.time(),
                outcome="succeeded",
                reason="",
            )
        console.print(f"stopped {env.name}: nothing of it is running")

    # -- helpers ---------------------------------------------------------------------------

    def audit_deploy(
        self,
        version: str,
        from_version: str | None,
        git_sha: str | None,
        started: float,
        outcome: str,
        reason: str,
        **measured: object,
    ) -> None:
        """One audit record per deploy, whatever its outcome, with what the analysis saw."""
        self.env.audit(
            action="deploy",
            version=version,
            from_version=from_version,
            git_sha=git_sha,
            strategy=self.env.config.strategy,
            started=started,
            ended=time.time(),
            outcome=outcome,
            reason=reason,
            **measured,
            **self.analysis_record(),
        )

    def analysis_record(self) -> dict[str, object]:
        """What the analysis saw, for the audit log: the failed rule, threshold and values."""
        if self.watch is None:
            return {}
        record: dict[str, object] = {
            "max_weight": self.watch.max_weight,
            "measurements": self.watch.run.counts(),
        }
        if self.failure is not None:
            record["breaches"] = [breach.record() for breach in self.failure.breaches]
        return record

    def step(self, state: EnvState, step: str, label: str) -> EnvState:
        console.print(f"  {label}")
        if state.operation is None:
            return state
        return self.env.save(
            state.model_copy(
                update={"operation": state.operation.model_copy(update={"step": step})}
            )
        )

    def run_hooks(self, commands: list[str], version: str, values: Mapping[str, str]) -> None:
        environment = self.env.release_environment(version, values)
        for command in commands:
            console.print(f"  hook: {command}")
            done = subprocess.run(  # nosec B603 - argv from the project's configuration, no shell
                shlex.split(command),
                cwd=self.env.project.root,
                env=environment,
                capture_output=True,
                text=True,
                check=False,
                timeout=3600,
            )
            output = (done.stdout + done.stderr).strip()
            for secret in values.values():
                output = output.replace(secret, "****") if secret else output
            if output:
                console.print(output, markup=False, highlight=False)
            if done.returncode != 0:
                raise ShipwayError(f"hook `{command}` exited with status {done.returncode}")

    def check_through_router(self, version: str, attempts: int = 5) -> None:
        """After the switch, the environment's own URL must answer with the new version."""
        seen = None
        for _ in range(attempts):
            try:
                seen = (
                    client()
                    .get(f"{self.env.config.url}/health/detailed", timeout=5)
                    .json()
                    .get("version")
                )
            except (httpx.HTTPError, ValueError) as error:
                seen = type(error).__name__
            if seen == version:
                return
        raise ShipwayError(f"after the switch the router serves {seen!r}, not {version!r}")

    def ready(self, port: int) -> bool:
        try:
            return (
                client().get(f"http://127.0.0.1:{port}/ready", timeout=2).status_code
                == httpx.codes.OK
            )
        except httpx.HTTPError:
            return False

    def prune(self, state: EnvState) -> None:
        installed = releases.installed_versions(self.env.files)
        for version in releases_to_prune(installed, state, self.env.config.keep_releases):
            releases.remove_release(self.env.files, version)

    def webhook(self) -> str | None:
        """The notification URL; a reference is resolved once (a missing one fails early)."""
        url = self.env.config.notify
        if url is None or url.startswith(("http://", "https://")):
            return url
        if self._webhook is None:
            self._webhook = secrets.resolve({"notify": url}, self.env.project.root)["notify"]
        return self._webhook

    def prefix(self) -> str:
        return f"shipway [{self.env.name}] {self.env.package}:"
