"""``inv deploy``, ``inv rollback``, ``inv maintenance`` and ``inv stop`` on the local target.

The flow (its phases, steps and outcomes) is decisions/deploy/flow.py's; engine.py carries
out the steps. This module holds the lock around each phase, watches the warm window, and
writes the audit log and the notifications.
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import NoReturn

from shipway.decisions.deploy import flow
from shipway.decisions.deploy.checks import Approval, approval
from shipway.decisions.deploy.flow import DeployOutcome, Meanwhile, Stop, Verdict
from shipway.decisions.deploy.state import (
    POST_PROMOTION,
    SLOTS,
    EnvState,
    nothing_to_undo,
    refused_for_maintenance,
    with_maintenance,
)
from shipway.decisions.report.rollout import Timeline
from shipway.effects.console import console
from shipway.effects.deploy import tls
from shipway.effects.deploy.engine import Engine, switch_back
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import deploy_lock, load_state
from shipway.effects.deploy.notify import notify, webhook_url
from shipway.effects.deploy.router import served_message
from shipway.effects.deploy.watch import sleep_until_next_tick
from shipway.effects.report import rollout
from shipway.errors import ShipwayError


@dataclass(frozen=True)
class Run:
    """What the audit log says of every deploy: the commit and when it started."""

    git_sha: str | None
    started: float


class Deployer:
    def __init__(self, environment: LocalEnvironment) -> None:
        self.env = environment
        self._webhook: str | None = None

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
        self.approve(version, yes=yes, interactive=interactive, confirm=confirm)
        values = env.secret_values()  # before anything changes
        env.load_tls()  # so is the router's certificate checked
        self.webhook()  # fails early too
        run = Run(env.git_sha(version), time.time())
        rollout.prepare()  # the report's template, while the deploy runs
        with deploy_lock(env.files, f"deploying {version}", lock_wait) as takeover:
            if takeover:
                console.print(f"[yellow]{takeover}[/]")
            state = env.repair(load_state(env.files), repair_processes=True, secrets=values)
            env.check_supervisor_secrets()
            if refused := refused_for_maintenance(state, f"deploy {version}", env.name):
                raise ShipwayError(refused)
            if state.serving_version == version:
                console.print(f"{version} is already serving in {env.name}; nothing to do")
                return
            plan = flow.deploy_plan(env.config, state, version, str(env.files.root / "releases"))
            engine = Engine(env, plan, values)
            switched = engine.attempt(engine.begin(state, run.started, run.git_sha), plan.switching)
            if isinstance(switched, Stop):
                self.stopped(engine, run, switched)
        engine.measured["serving_after_seconds"] = time.time() - run.started
        console.print(
            f"[green]serving[/] {version} in {env.name} after "
            f"{engine.measured['serving_after_seconds']:.1f}s"
        )
        try:
            stop = self.warm_window(engine, switched) if plan.keeps_warm else None
        finally:
            engine.close()
        self.finish(engine, run, switched.generation, stop)

    def approve(
        self, version: str, *, yes: bool, interactive: bool, confirm: Callable[[str], bool]
    ) -> None:
        """Say what the deploy changes; ask when the environment wants approval."""
        env = self.env
        current = load_state(env.files).serving_version
        change = f"{env.package} {current or '(nothing)'} → {version}"
        console.print(f"deploy {change} to {env.name} ({env.config.url}), {env.config.strategy}")
        decision = approval(env.config.approval, yes, interactive, change, env.name)
        if decision is Approval.ASK and not confirm(f"Deploy {change} to {env.name}?"):
            raise ShipwayError("deploy not approved; nothing changed")

    def stopped(self, engine: Engine, run: Run, stop: Stop) -> NoReturn:
        """Phase A went back to the old release: say so everywhere, and fail."""
        self.audit(engine, run, stop.outcome(served=False), stop.reason, stop)
        said = flow.stopped_before_serving(engine.plan, stop, self.env.name)
        notify(self.webhook(), f"{self.prefix()} {said.notification}")
        raise ShipwayError(said.error)

    def warm_window(self, engine: Engine, switched: EnvState) -> Stop | None:
        """Phase B: analyse the new release while the old one stays warm (no lock held)."""
        env, plan = self.env, engine.plan
        if plan.from_slot is None:
            return None
        old = load_state(env.files).slot(plan.from_slot)
        if old.phase != "warm" or old.warm_until is None:
            return None
        until = time.strftime("%H:%M:%S", time.localtime(old.warm_until))
        if old.kept:
            console.print(
                f"{old.version} stays warm until the next deploy: `inv rollback --env "
                f"{env.name}` switches back instantly at any time; analysing until {until}"
            )
        else:
            console.print(
                f"{old.version} stays warm until {until}: `inv rollback --env {env.name}` or "
                "Ctrl-C switches back instantly"
            )
        watch = engine.analysis(env.config.strategy)
        watch.restart_window(compare=False)  # the old release takes no traffic any more
        watch.preview_url = None  # the preview answers from nothing after the switch
        try:
            while time.time() < old.warm_until:
                tick_started = time.monotonic()
                superseded = load_state(env.files).generation != switched.generation
                control = None if superseded else watch.control(POST_PROMOTION)
                failure = None if superseded or control else watch.tick()
                reaction = flow.react(
                    superseded=superseded, control=control, failure=failure, where="after promotion"
                )
                if reaction.verdict is Verdict.PROMOTE:
                    console.print(f"  promoted by {reaction.who}: scaling down now")
                if reaction.verdict is not Verdict.CONTINUE:
                    return reaction.stop
                watch.publish(POST_PROMOTION, 100, old.warm_until, f"analysing; {old.version} warm")
                sleep_until_next_tick(tick_started)
        except KeyboardInterrupt:
            return flow.interrupted(" during the warm window")
        finally:
            watch.display.close()
        return None

    def finish(self, engine: Engine, run: Run, generation: int, stop: Stop | None) -> None:
        """Phase C: scale down (or switch back after the warm window), hooks, prune, audit."""
        env, plan = self.env, engine.plan
        with deploy_lock(env.files, f"finishing the deploy of {plan.version}", wait=600):
            state = load_state(env.files)
            happened = flow.meanwhile(state, generation, plan.from_version)
            if happened is not Meanwhile.NOTHING:
                console.print(
                    f"{plan.version} was {happened.value} while {plan.from_version} was warm"
                )
                if happened is Meanwhile.ROLLED_BACK:
                    raise ShipwayError(f"the deploy of {plan.version} was rolled back meanwhile")
                return
            if stop is not None and plan.from_slot is not None:
                switch_back(env, state, plan.from_slot, plan.slot, reason=stop.reason)
                engine.timeline.weight(time.time(), 0, f"back on {plan.from_version}")
                self.audit(engine, run, stop.outcome(served=True), stop.reason, stop)
                said = flow.rolled_back_after_serving(plan, stop)
                notify(self.webhook(), f"{self.prefix()} {said.notification}")
                raise ShipwayError(said.error)
            problems = engine.run_tolerating(state, plan.finishing)
            outcome = DeployOutcome.HOOK_FAILED if problems else DeployOutcome.SUCCEEDED
            self.audit(engine, run, outcome, "; ".join(problems), None, **engine.measured)
        was = plan.from_version or "nothing"
        status = "succeeded" if not problems else f"succeeded but {'; '.join(problems)}"
        notify(self.webhook(), f"{self.prefix()} deploy of {plan.version} {status} (was {was})")
        if problems:
            raise ShipwayError(f"{plan.version} serves, but {'; '.join(problems)}")
        took = time.time() - run.started
        console.print(f"[green]deployed[/] {plan.version} to {env.name} in {took:.1f}s")

    # -- rollback --------------------------------------------------------------------------

    def rollback(self, to: str | None, *, lock_wait: float, undo: str | None = None) -> None:
        """Back to ``to`` (default: the previous release). With ``undo``, only if that version
        serves: undoing a failed deploy never goes further back than before it."""
        env = self.env
        values = env.secret_values()
        env.load_tls()
        self.webhook()
        started = time.time()
        rollout.prepare()
        with deploy_lock(env.files, "rolling back", lock_wait):
            state = env.repair(load_state(env.files), repair_processes=True, secrets=values)
            env.check_supervisor_secrets()
            if refused := refused_for_maintenance(state, "roll back", env.name):
                raise ShipwayError(refused)
            if undo is not None and (reason := nothing_to_undo(state, undo, env.name)):
                console.print(reason)
                return
            choice = flow.choose_rollback(state, to, env.name)
            target, current = choice.target, choice.current
            console.print(
                f"rollback {env.package} {current or '(nothing)'} → {target} in {env.name}"
            )
            record = {"version": target, "from_version": current}
            timeline = Timeline()
            timeline.weight(started, 0, "start")
            try:
                switch = self.roll_back(state, choice, values, started, timeline)
            except (ShipwayError, KeyboardInterrupt) as failure:
                reason = "interrupted" if isinstance(failure, KeyboardInterrupt) else str(failure)
                env.conclude(
                    timeline,
                    action="rollback",
                    **record,
                    started=started,
                    ended=time.time(),
                    outcome="failed",
                    reason=reason,
                )
                notify(self.webhook(), f"{self.prefix()} rollback to {target} FAILED: {reason}")
                raise ShipwayError(
                    f"rollback to {target} failed: {reason}; {current} still serving"
                ) from None
            env.conclude(
                timeline,
                action="rollback",
                **record,
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

    def roll_back(
        self,
        state: EnvState,
        choice: flow.RollbackChoice,
        values: Mapping[str, str],
        started: float,
        timeline: Timeline,
    ) -> float:
        """Switch to the chosen release; how long the router took to move traffic. What
        happened is added to ``timeline``."""
        if choice.warm_slot is not None and choice.current_slot is not None:
            switch_started = time.monotonic()
            switch_back(self.env, state, choice.warm_slot, choice.current_slot, reason="rollback")
            timeline.weight(time.time(), 100, "switch")
            return time.monotonic() - switch_started
        plan = flow.cold_rollback_plan(self.env.config, state, choice.target)
        engine = Engine(self.env, plan, values)
        engine.timeline = timeline
        done = engine.attempt(engine.begin(state, started, None), plan.steps)
        if isinstance(done, Stop):
            raise ShipwayError(done.reason)
        return engine.measured["switch_seconds"]

    # -- maintenance -----------------------------------------------------------------------

    def maintenance(self, on: bool, message: str | None, *, lock_wait: float) -> None:
        """The router answers 503 and the maintenance page (on) or routes to the releases
        again (off); the releases keep running. Recorded in the state first, so a router
        started later serves the same."""
        env = self.env
        self.webhook()
        word = "on" if on else "off"
        with deploy_lock(env.files, f"turning maintenance {word}", lock_wait):
            state = env.repair(load_state(env.files), repair_processes=False)
            started = time.time()
            state = env.save(with_maintenance(state, on, message, env.who, started))
            if state.serving_slot is None:
                console.print(
                    f"nothing serves in {env.name}: maintenance is recorded {word}, and the "
                    "router follows it when it starts"
                )
            elif (
                env.running(state.router_program)
                and on
                and (served_message(env.files) != state.maintenance.message)
            ):
                state = env.restart_router(state, "the maintenance message changed")
            else:
                state = env.ensure_router(state)
            env.audit(
                action="maintenance",
                maintenance=word,
                message=state.maintenance.message if on else None,
                version=state.serving_version,
                started=started,
                ended=time.time(),
                outcome="succeeded",
                reason="",
            )
        serving = state.serving_version or "nothing"
        if on:
            said = f"maintenance ON in {env.name}: {state.maintenance.message}"
            console.print(
                f"[yellow]maintenance on[/] in {env.name}: {env.config.url} answers 503 with the "
                f"maintenance page; {serving} keeps running"
            )
        else:
            said = f"maintenance OFF in {env.name}: traffic back on {serving}"
            console.print(f"[green]maintenance off[/] in {env.name}: {serving} serves again")
        notify(self.webhook(), f"{self.prefix()} {said}")

    # -- stop ------------------------------------------------------------------------------

    def stop(self, *, lock_wait: float) -> None:
        env = self.env
        with deploy_lock(env.files, "stopping", lock_wait):
            state = load_state(env.files)
            serving = state.serving_version
            for slot in SLOTS:
                state = env.stop_slot(state, slot, "inv stop")
            env.supervisor.shutdown()  # the router with it
            env.stop_unsupervised()  # what a killed supervisor left
            tls.remove(env.files)
            env.files.admin_socket.unlink(missing_ok=True)  # Envoy leaves it behind
            # Maintenance is the operator's word, not a process: it outlives a stop.
            state = env.save(EnvState(history=state.history, maintenance=state.maintenance))
            now = time.time()
            env.audit(
                action="stop",
                version=serving,
                started=now,
                ended=now,
                outcome="succeeded",
                reason="",
            )
        console.print(f"stopped {env.name}: nothing of it is running")

    # -- helpers ---------------------------------------------------------------------------

    def audit(
        self,
        engine: Engine,
        run: Run,
        outcome: DeployOutcome,
        reason: str,
        stop: Stop | None,
        **measured: float,
    ) -> None:
        """One audit record per deploy, whatever its outcome, with what the analysis saw."""
        analysis = engine.analysis_record()
        if stop is not None and stop.failure is not None:
            analysis["breaches"] = [breach.record() for breach in stop.failure.breaches]
        self.env.conclude(
            engine.timeline,
            action="deploy",
            version=engine.plan.version,
            from_version=engine.plan.from_version,
            git_sha=run.git_sha,
            strategy=self.env.config.strategy,
            server=engine.server,
            started=run.started,
            ended=time.time(),
            outcome=outcome.value,
            reason=reason,
            **measured,
            **analysis,
        )

    def webhook(self) -> str | None:
        """The notification URL; a reference is resolved once (a missing one fails early)."""
        if self._webhook is None:
            self._webhook = webhook_url(self.env.config.notify, self.env.project.root)
        return self._webhook

    def prefix(self) -> str:
        return f"shipway [{self.env.name}] {self.env.package}:"
