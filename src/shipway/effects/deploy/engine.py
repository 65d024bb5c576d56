"""Carries out the steps of a deploy or rollback plan (decisions/deploy/flow.py) on the local
target. Each step is journaled in state.json before it runs, so that a command killed at any
instant is repaired by the next one (reconcile.py); anything that stops a run is reported as
a ``flow.Stop`` and undone here: traffic back on the old release, the new one stopped."""

import time
import uuid
from collections.abc import Callable, Mapping

from shipway.decisions.deploy import flow
from shipway.decisions.deploy.checks import smoke_problems
from shipway.decisions.deploy.flow import Plan, PlannedStep, Step, Stop
from shipway.decisions.deploy.server import ServerKind
from shipway.decisions.deploy.state import (
    EnvState,
    Operation,
    Slot,
    other,
    releases_to_prune,
    with_history,
)
from shipway.decisions.report.rollout import Timeline
from shipway.effects import probes
from shipway.effects.console import console
from shipway.effects.deploy import canary, hooks, releases
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state
from shipway.effects.deploy.router import set_router_weights
from shipway.effects.deploy.watch import Watch
from shipway.errors import ShipwayError

Executor = Callable[[EnvState], EnvState]


class Engine:
    """One deploy or rollback as it is carried out: its plan, what the analysis saw and what
    was measured, for the audit log."""

    def __init__(self, env: LocalEnvironment, plan: Plan, values: Mapping[str, str]) -> None:
        self.env = env
        self.plan = plan
        self.values = values
        self.server: ServerKind | None = None  # what the installed release's app is
        self.canary_seconds: float | None = None
        self.operation = uuid.uuid4().hex[:12]
        self.watch: Watch | None = None  # created by the first step that analyses traffic
        self.measured: dict[str, float] = {}
        self.done: list[Step] = []
        self.timeline = Timeline()  # for the report: the weights, every analysis window

    # -- running steps ---------------------------------------------------------------------

    def begin(self, state: EnvState, started: float, git_sha: str | None) -> EnvState:
        """Journal the operation: from here, a killed command is repaired by the next one."""
        plan = self.plan
        self.timeline.weight(started, 0, "start")
        operation = Operation(
            id=self.operation,
            action=plan.action,
            version=plan.version,
            from_version=plan.from_version,
            slot=plan.slot,
            step=plan.steps[0].step.value,
            started=started,
            who=self.env.who,
            git_sha=git_sha,
        )
        return self.env.save(state.model_copy(update={"operation": operation}))

    def attempt(self, state: EnvState, steps: tuple[PlannedStep, ...]) -> EnvState | Stop:
        """Run ``steps`` and end the journaled operation; on a stop, undo what they did."""
        try:
            state = self.run(state, steps)
        except flow.StoppedError as error:
            stop = error.stop
        except ShipwayError as error:
            stop = flow.step_failed(str(error))
        except KeyboardInterrupt:
            stop = flow.interrupted()
        else:
            return self.env.save(state.model_copy(update={"operation": None}))
        self.undo()
        self.close()
        return stop

    def run(self, state: EnvState, steps: tuple[PlannedStep, ...]) -> EnvState:
        for planned in steps:
            console.print(f"  {planned.says}")
            state = self.journal(state, planned.step)
            began = time.time()
            try:
                state = self.executor(planned.step)(state)
            except BaseException:
                self.timeline.step(planned.step.value, began, time.time(), ok=False)
                raise
            self.timeline.step(planned.step.value, began, time.time(), ok=True)
            self.done.append(planned.step)
        return state

    def run_tolerating(self, state: EnvState, steps: tuple[PlannedStep, ...]) -> list[str]:
        """Run every step; the failures of those the flow tolerates are returned, not raised."""
        problems = []
        for planned in steps:
            try:
                state = self.run(state, (planned,))
            except ShipwayError as failure:
                if not flow.tolerated(planned.step):
                    raise
                problems.append(str(failure))
        return problems

    def journal(self, state: EnvState, step: Step) -> EnvState:
        if state.operation is None:
            return state
        operation = state.operation.model_copy(update={"step": step.value})
        return self.env.save(state.model_copy(update={"operation": operation}))

    def executor(self, step: Step) -> Executor:
        executors: dict[Step, Executor] = {
            Step.PORTS: self.check_ports,
            Step.INSTALL: self.install,
            Step.PRE_DEPLOY: self.pre_deploy,
            Step.ROUTER: self.router,
            Step.START: self.start,
            Step.SMOKE: self.smoke,
            Step.CANARY: self.canary,
            Step.HOLD: self.hold,
            Step.SWITCH: self.switch,
            Step.CHECK: self.check,
            Step.SCALE_DOWN: self.scale_down,
            Step.POST_DEPLOY: self.post_deploy,
            Step.PRUNE: self.prune,
        }
        return executors[step]

    # -- the steps -------------------------------------------------------------------------

    def check_ports(self, state: EnvState) -> EnvState:
        """Refuse before anything is installed or started."""
        self.env.check_router_ports(state)
        if state.slot(self.plan.slot).phase == "empty":
            self.env.check_slot_port(self.plan.slot)
        return state

    def install(self, state: EnvState) -> EnvState:
        self.server = self.env.install(self.plan.version, self.values)
        return state

    def pre_deploy(self, state: EnvState) -> EnvState:
        hooks.run(self.env, self.env.config.hooks.pre_deploy, self.plan.version, self.values)
        return state

    def router(self, state: EnvState) -> EnvState:
        state = self.env.ensure_router(state)
        if state.slot(self.plan.slot).phase != "empty":
            reason = f"the slot is needed for {self.plan.version}"
            state = self.env.stop_slot(state, self.plan.slot, reason)
        return state

    def start(self, state: EnvState) -> EnvState:
        """Start the new release; once it is ready, a deploy's preview answers from it."""
        if self.server is None:
            raise ShipwayError(f"{self.plan.version} was started before it was installed")
        state = self.env.start_slot(
            state, self.plan.slot, self.plan.version, self.server, self.values
        )
        if self.plan.action == "deploy":
            state = self.env.preview(state, self.plan.slot)
        return state

    def smoke(self, state: EnvState) -> EnvState:
        port = self.env.slot_ports[self.plan.slot]
        results = releases.smoke_test(port, self.env.config.smoke_checks)
        if problems := smoke_problems(results, self.plan.version):
            raise ShipwayError(f"smoke tests of {self.plan.version} failed: {'; '.join(problems)}")
        return state

    def canary(self, state: EnvState) -> EnvState:
        watch = self.analysis("canary")
        started = time.monotonic()
        try:
            return canary.run_steps(self.env, watch, state, self.plan.slot)
        finally:
            self.canary_seconds = time.monotonic() - started
            watch.display.close()

    def hold(self, state: EnvState) -> EnvState:
        """A blue-green deploy's manual pause before its switch."""
        watch = self.analysis("blue-green")
        try:
            canary.hold_before_switch(self.env, watch)
        finally:
            watch.display.close()
        return state

    def switch(self, state: EnvState) -> EnvState:
        """All traffic to the new release; the old one stays warm when the plan says so. The
        preview has nothing left to show before users: it answers from nothing again."""
        slot, old = self.plan.slot, self.plan.from_slot
        switch_started = time.monotonic()
        set_router_weights(self.env.files, {slot: 100, other(slot): 0})
        self.measured["switch_seconds"] = time.monotonic() - switch_started
        self.timeline.weight(time.time(), 100, "switch")
        state = state.routed_to(slot).with_slot(slot, phase="serving").previewing(None)
        if old is not None and self.plan.keeps_warm:
            warm_until = time.time() + self.env.config.warm_window
            kept = self.env.config.keeps_previous
            state = state.with_slot(old, phase="warm", warm_until=warm_until, kept=kept)
        history = with_history(state.history, self.plan.version)
        state = self.env.save(state.model_copy(update={"history": history}))
        self.env.publish(state, [], wait=False)  # a preview a moment late harms no one
        return state

    def check(self, state: EnvState) -> EnvState:
        """After the switch, the router must say the environment's URL answers from the new
        release."""
        config = self.env.config
        probes.check_version(
            config.url,
            config.release_header,
            config.ready_path,
            self.plan.version,
            trust=self.env.trust,
        )
        return state

    def scale_down(self, state: EnvState) -> EnvState:
        old = self.plan.from_slot
        if old is None or state.slot(old).phase == "empty":
            return state
        reason = "rolled back" if self.plan.action == "rollback" else "scale-down delay over"
        return self.env.stop_slot(state, old, reason)

    def post_deploy(self, state: EnvState) -> EnvState:
        hooks.run(self.env, self.env.config.hooks.post_deploy, self.plan.version, self.values)
        return state

    def prune(self, state: EnvState) -> EnvState:
        installed = releases.installed_versions(self.env.files)
        for version in releases_to_prune(installed, state, self.env.config.keep_releases):
            releases.remove_release(self.env.files, version)
        return state

    # -- going back ------------------------------------------------------------------------

    def undo(self) -> EnvState:
        """Leave the environment as it was: traffic on the old release, the new one stopped."""
        env, slot, old = self.env, self.plan.slot, self.plan.from_slot
        state = load_state(env.files)
        took_traffic = Step.SWITCH in self.done or state.weights.get(slot, 0) > 0
        if took_traffic and old is not None:
            set_router_weights(env.files, {old: 100, slot: 0})
            self.timeline.weight(time.time(), 0, f"back on {self.plan.from_version}")
            state = state.routed_to(old).with_slot(
                old, phase="serving", warm_until=None, kept=False
            )
        state = state.previewing(None)  # published as the slot stops
        state = env.stop_slot(state, slot, f"{self.plan.action} failed")
        return env.save(state.model_copy(update={"operation": None}))

    def analysis(self, strategy: flow.Strategy) -> Watch:
        if self.watch is None:
            self.watch = Watch(
                self.env, self.plan.slot, self.operation, self.plan.version, strategy, self.timeline
            )
            if load_state(self.env.files).preview == self.plan.slot:
                self.watch.preview_url = self.env.config.preview_url
        return self.watch

    def analysis_record(self) -> dict[str, object]:
        """What the analysis saw, for the audit log: the failed rule, threshold and values."""
        if self.watch is None:
            return {}
        record: dict[str, object] = {
            "max_weight": self.watch.max_weight,
            "measurements": self.watch.run.counts(),
        }
        if self.watch.promotions:  # who released which manual pause (or skipped steps), when
            record["promotions"] = self.watch.promotions
        if self.canary_seconds is not None:  # from the first canary step to its verdict
            record["canary_seconds"] = round(self.canary_seconds, 2)
        return record

    def close(self) -> None:
        if self.watch is not None:
            self.watch.close()


def switch_back(
    env: LocalEnvironment, state: EnvState, to: Slot, leaving: Slot, reason: str
) -> EnvState:
    """Traffic back to a warm release, then the other one stops."""
    set_router_weights(env.files, {to: 100, leaving: 0})
    version = state.slot(to).version or ""
    state = state.routed_to(to).with_slot(to, phase="serving", warm_until=None, kept=False)
    state = env.save(state.model_copy(update={"history": with_history(state.history, version)}))
    return env.stop_slot(state, leaving, reason)
