"""Canary steps on the local target: the router holds each weight while the new release is
analysed; ``inv promote`` skips the remaining steps, ``inv abort`` ends the canary now."""

import time

from shipway.decisions.deploy import flow
from shipway.decisions.deploy.analysis import StepDecision, pause_exceeded, step_decision
from shipway.decisions.deploy.flow import StoppedError, Verdict
from shipway.decisions.deploy.state import EnvState, Slot, split
from shipway.effects.console import console
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.router import set_router_weights
from shipway.effects.deploy.watch import Watch, sleep_until_next_tick


def run_steps(env: LocalEnvironment, watch: Watch, state: EnvState, slot: Slot) -> EnvState:
    """Each step's weight, held until the analysis lets it pass. Raises ``StoppedError`` on a
    failed analysis or an abort."""
    steps = env.config.steps
    for number, step in enumerate(steps, 1):
        stage = f"step {number}/{len(steps)}"
        weights = split(slot, step.weight)
        set_router_weights(env.files, weights)
        state = env.save(state.with_weights(weights).with_slot(slot, phase="canary"))
        console.print(f"  {stage}: {step.weight}% of traffic to {watch.version}, {step.pause:g}s")
        started, ends_at = time.monotonic(), time.time() + step.pause
        held_since: float | None = None
        while True:
            tick_started = time.monotonic()
            control = watch.control()
            failure = None
            if control is None:
                failure = watch.tick() or pause_exceeded(held_since, time.monotonic(), watch.rules)
            reaction = flow.react(
                superseded=False, control=control, failure=failure, where=f"at {stage}"
            )
            if reaction.verdict is Verdict.PROMOTE:
                console.print(f"  promoted by {reaction.who} at {stage}: skipping the other steps")
                return state
            if reaction.stop is not None:
                if failure is not None:
                    watch.publish(stage, step.weight, ends_at, f"failed: {failure.reason}")
                raise StoppedError(reaction.stop)
            decision, status = step_decision(watch.run, started, step.pause, time.monotonic())
            if decision is StepDecision.ADVANCE:
                break
            if decision is StepDecision.HOLD and held_since is None:
                held_since = time.monotonic()
                console.print(
                    f"  {stage} {status}: `inv promote --env {env.name}` or "
                    f"`inv abort --env {env.name}` decides, or it fails after "
                    f"{watch.rules.max_pause:g}s"
                )
            watch.publish(stage, step.weight, ends_at, status)
            sleep_until_next_tick(tick_started)
    return state
