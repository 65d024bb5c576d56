"""The engine's mechanics without processes: it runs the plan's steps in order, journals
each before it runs, and turns whatever stops it into a flow.Stop after undoing."""

from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest

from shipway.config.deploy import Environment
from shipway.decisions.deploy import flow
from shipway.decisions.deploy.flow import Cause, Step, Stop
from shipway.decisions.deploy.state import EnvState, Slot, SlotState
from shipway.effects.deploy import engine as engine_module
from shipway.effects.deploy.engine import Engine, Executor
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import EnvFiles, load_state, save_state
from shipway.errors import ShipwayError

PROGRAM = "blue-000001"


@dataclass
class FakeEnvironment:
    """What the engine asks of an environment, with every stop recorded."""

    files: EnvFiles
    config: Environment = field(default_factory=lambda: Environment(port=8000))
    who: str = "me@host"
    stopped: list[tuple[Slot, str]] = field(default_factory=list)

    def save(self, state: EnvState) -> EnvState:
        save_state(self.files, state)
        return state

    def stop_slot(self, state: EnvState, slot: Slot, reason: str) -> EnvState:
        self.stopped.append((slot, reason))
        return self.save(state.with_slot(slot, **SlotState().model_dump()))


class Recording(Engine):
    """Every step only records that it ran and which step state.json said was running."""

    def __init__(
        self, env: FakeEnvironment, plan: flow.Plan, fail: dict[Step, BaseException]
    ) -> None:
        super().__init__(cast(LocalEnvironment, env), plan, {})
        self.fail = fail
        self.ran: list[tuple[Step, str | None]] = []

    def executor(self, step: Step) -> Executor:
        def execute(state: EnvState) -> EnvState:
            journaled = load_state(self.env.files).operation
            self.ran.append((step, journaled.step if journaled else None))
            if step in self.fail:
                raise self.fail[step]
            if step is Step.SWITCH:
                return self.env.save(state.routed_to(self.plan.slot))
            return state

        return execute


def serving_blue() -> EnvState:
    state = EnvState(history=["1.0"]).routed_to("blue")
    return state.with_slot("blue", version="1.0", phase="serving", program=PROGRAM)


@pytest.fixture
def env(tmp_path: Path) -> FakeEnvironment:
    return FakeEnvironment(EnvFiles(tmp_path))


def start(env: FakeEnvironment, fail: dict[Step, BaseException] | None = None) -> Recording:
    plan = flow.deploy_plan(env.config, serving_blue(), "2.0", "/releases")
    return Recording(env, plan, fail or {})


def test_the_plans_steps_run_in_order_each_journaled_before_it_runs(env: FakeEnvironment) -> None:
    engine = start(env)
    state = engine.attempt(engine.begin(serving_blue(), 0, None), engine.plan.switching)
    expected = [p.step for p in engine.plan.switching]
    assert engine.ran == [(step, step.value) for step in expected]
    assert isinstance(state, EnvState)
    assert load_state(env.files).operation is None  # the operation ended
    assert env.stopped == []


def test_a_failed_step_stops_the_run_and_stops_the_new_release(env: FakeEnvironment) -> None:
    engine = start(env, {Step.SMOKE: ShipwayError("smoke tests of 2.0 failed")})
    stop = engine.attempt(engine.begin(serving_blue(), 0, None), engine.plan.switching)
    assert stop == Stop(Cause.STEP_FAILED, "smoke tests of 2.0 failed")
    assert [step for step, _ in engine.ran][-1] is Step.SMOKE  # nothing after it ran
    assert env.stopped == [("green", "deploy failed")]
    after = load_state(env.files)
    assert (after.operation, after.weights) == (None, {"blue": 100, "green": 0})


def test_a_stop_after_the_switch_sends_traffic_back_first(
    env: FakeEnvironment, monkeypatch: pytest.MonkeyPatch
) -> None:
    routed: list[dict[Slot, int]] = []
    monkeypatch.setattr(engine_module, "set_router_weights", lambda _, w: routed.append(w))
    engine = start(env, {Step.CHECK: ShipwayError("the router serves '1.0'")})
    stop = engine.attempt(engine.begin(serving_blue(), 0, None), engine.plan.switching)
    assert isinstance(stop, Stop)
    assert routed == [{"blue": 100, "green": 0}]
    assert load_state(env.files).serving_slot == "blue"


def test_ctrl_c_and_a_steps_own_stop_are_reported_as_such(env: FakeEnvironment) -> None:
    engine = start(env, {Step.INSTALL: KeyboardInterrupt()})
    stop = engine.attempt(engine.begin(serving_blue(), 0, None), engine.plan.switching)
    assert stop == flow.interrupted()
    aborted = flow.aborted("ann", "at step 1/3")
    engine = start(env, {Step.START: flow.StoppedError(aborted)})
    assert engine.attempt(engine.begin(serving_blue(), 0, None), engine.plan.switching) == aborted


def test_finishing_goes_on_past_a_failed_post_deploy_hook_only(env: FakeEnvironment) -> None:
    hook = ShipwayError("hook `migrate` exited with status 1")
    engine = start(env, {Step.POST_DEPLOY: hook})
    assert engine.run_tolerating(serving_blue(), engine.plan.finishing) == [str(hook)]
    assert [step for step, _ in engine.ran] == [Step.SCALE_DOWN, Step.POST_DEPLOY, Step.PRUNE]
    engine = start(env, {Step.SCALE_DOWN: ShipwayError("could not stop 1.0")})
    with pytest.raises(ShipwayError, match="could not stop"):
        engine.run_tolerating(serving_blue(), engine.plan.finishing)
