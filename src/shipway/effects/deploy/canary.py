"""Steps held under analysis on the local target: a canary's weights, and a blue-green
deploy's manual pause before its switch. The router holds each weight while the new release is
analysed; a manual pause holds until ``inv promote`` (promotion.py says where that moves the
rollout), ``inv abort`` ends it now, and a failed analysis rolls back at any step."""

import time
from enum import Enum

from shipway.config.deploy import CanaryStep
from shipway.decisions.deploy import flow
from shipway.decisions.deploy.analysis import StepDecision, pause_exceeded, step_decision
from shipway.decisions.deploy.flow import StoppedError, Verdict
from shipway.decisions.deploy.promotion import after_promotion
from shipway.decisions.deploy.state import BEFORE_THE_SWITCH, PREVIEW, EnvState, Slot, split
from shipway.effects.console import console
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.router import set_router_weights
from shipway.effects.deploy.watch import Watch, sleep_until_next_tick


class Passed(Enum):
    """How a held step ended, when it did not stop the deploy."""

    ANALYSED = "analysed"  # its pause was over and its analysis let it pass
    PROMOTED = "promoted"  # inv promote


def run_steps(env: LocalEnvironment, watch: Watch, state: EnvState, slot: Slot) -> EnvState:
    """Each step's weight, held until the analysis lets it pass or a person promotes it.
    Raises ``StoppedError`` on a failed analysis or an abort."""
    steps = env.config.steps
    index: int | None = 0
    while index is not None:
        step = steps[index]
        stage = f"step {index + 1}/{len(steps)}"
        weights = split(slot, step.weight)
        set_router_weights(env.files, weights)
        state = env.save(state.with_weights(weights).with_slot(slot, phase="canary"))
        pause = "until `inv promote`" if step.manual else f"{step.seconds:g}s"
        console.print(f"  {stage}: {step.weight}% of traffic to {watch.version}, {pause}")
        passed, who = watch_step(env, watch, stage, step)
        if passed is Passed.ANALYSED:
            index = index + 1 if index + 1 < len(steps) else None
            continue
        index = after_promotion(steps, index)
        onward = "the switch" if index is None else f"step {index + 1}/{len(steps)}"
        console.print(f"  promoted by {who} at {stage}: on to {onward}")
    return state


def hold_before_switch(env: LocalEnvironment, watch: Watch) -> None:
    """A blue-green deploy's manual pause: the new release checked, on the preview port, no
    users' traffic yet; what it answers there is analysed until a person decides."""
    watch.restart_window(compare=True, cluster=PREVIEW)
    manual = CanaryStep(weight=1, pause="manual")
    _, who = watch_step(env, watch, BEFORE_THE_SWITCH, manual, weight=0)
    console.print(f"  promoted by {who}: switching")


def watch_step(
    env: LocalEnvironment, watch: Watch, stage: str, step: CanaryStep, weight: int | None = None
) -> tuple[Passed, str]:
    """Hold ``step`` (at ``weight``, default the step's) until it passes or is promoted (by
    whom, the second value)."""
    weight = step.weight if weight is None else weight
    started, ends_at = time.monotonic(), None if step.manual else time.time() + step.seconds
    held_since: float | None = None  # an automatic step held by inconclusive data
    waiting_since = time.time() if step.manual else None
    if step.manual:
        console.print(
            f"  {stage}: waiting for promotion: `inv promote --env {env.name}` goes on, "
            f"`inv abort --env {env.name}` rolls back"
            + (f"; preview: {watch.preview_url}" if watch.preview_url else ""),
            soft_wrap=True,
        )
    while True:
        tick_started = time.monotonic()
        control = watch.control(stage)
        failure = None
        if control is None:
            failure = watch.tick(manual=step.manual) or pause_exceeded(
                held_since, time.monotonic(), watch.rules
            )
        reaction = flow.react(
            superseded=False, control=control, failure=failure, where=f"at {stage}"
        )
        if reaction.verdict is Verdict.PROMOTE:
            watch.promotions.append({"stage": stage, "who": reaction.who, "at": time.time()})
            return Passed.PROMOTED, reaction.who
        if reaction.stop is not None:
            if failure is not None:
                watch.publish(stage, weight, ends_at, f"failed: {failure.reason}", waiting_since)
            raise StoppedError(reaction.stop)
        decision, status = step_decision(watch.run, started, step.pause, time.monotonic())
        if decision is StepDecision.ADVANCE:
            return Passed.ANALYSED, ""
        if decision is StepDecision.HOLD and held_since is None:
            held_since = time.monotonic()
            console.print(
                f"  {stage} {status}: `inv promote --env {env.name}` or "
                f"`inv abort --env {env.name}` decides, or it fails after "
                f"{watch.rules.max_pause:g}s"
            )
        watch.publish(stage, weight, ends_at, status, waiting_since)
        sleep_until_next_tick(tick_started)
