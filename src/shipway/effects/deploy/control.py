"""``inv promote`` and ``inv abort``: a request to the command watching the rollout.

The deploy that runs a canary (or holds before a blue-green switch) holds the deploy lock, so
these commands cannot act themselves; they write ``control.json`` and wait for the watcher to
act on it (within a second). A promote then follows the rollout until it comes to rest: at the
next manual pause, with all traffic on the new release, or ended; a deploy that ended any other
way than serving fails the promote, so a CI job that promotes sees the outcome. If the deploy
was killed, nothing watches any more: abort then repairs the environment itself (traffic back
to the stable release, the new one stopped), and promote refuses.
"""

import time
from collections.abc import Callable
from typing import Literal

from shipway.decisions.deploy.flow import ended
from shipway.decisions.deploy.promotion import acted, settled
from shipway.decisions.deploy.state import Control, Rollout
from shipway.effects.console import console
from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import (
    deploy_lock,
    load_rollout,
    load_state,
    read_audit,
    write_atomically,
)
from shipway.errors import ShipwayError

ACKNOWLEDGE_TIMEOUT = 60.0  # an abort stops the new release gracefully before it is done
FINISH_TIMEOUT = 900.0  # for a promoted deploy to scale down, run its hooks and say how it ended
POLL = 0.2


def send(env: LocalEnvironment, command: Literal["promote", "abort"]) -> None:
    rollout = load_rollout(env.files)
    if rollout is None:
        if command == "abort" and load_state(env.files).operation is not None:
            with deploy_lock(env.files, "aborting an interrupted deploy", wait=0):
                state = env.repair(load_state(env.files), repair_processes=False)
            console.print(f"aborted: {state.serving_version or 'nothing'} serves {env.name}")
            return
        raise ShipwayError(
            f"no canary or post-promotion analysis is running in {env.name}; nothing to {command}"
        )
    audited = len(read_audit(env.files))
    request = Control(
        command=command,
        operation=rollout.operation,
        who=env.who,
        at=time.time(),
        stage=rollout.stage,
    )
    write_atomically(env.files, env.files.control, request)
    console.print(
        f"{command} {rollout.version} in {env.name} ({rollout.stage}, {rollout.weight}% of "
        "traffic): sent to the running deploy"
    )
    moved, now = _follow(env, rollout, acted, ACKNOWLEDGE_TIMEOUT)
    if not moved:
        env.files.control.unlink(missing_ok=True)
        raise ShipwayError(f"the running deploy did not act on {command} within 60s")
    if command == "promote":
        _, now = _follow(env, rollout, settled, None)
    if now is not None and now.operation == rollout.operation:
        console.print(
            f"promoted: {rollout.version} in {env.name} is at {now.stage}, {now.weight}% of "
            f"traffic, {now.status}"
        )
        return
    if command == "promote":
        _ended_serving(env, rollout, audited)
    state = load_state(env.files)
    done = {"promote": "promoted", "abort": "aborted"}[command]
    console.print(
        f"{done}: {state.serving_version or 'nothing'} serves {env.name} "
        f"(weights {', '.join(f'{s} {w}%' for s, w in state.weights.items())})"
    )


Check = Callable[[Rollout, Rollout | None], bool]


def _follow(
    env: LocalEnvironment, sent: Rollout, done: Check, timeout: float | None
) -> tuple[bool, Rollout | None]:
    """Wait until ``done(sent, now)``, showing the rollout's stages on the way; whether it came
    (False after ``timeout``), and the rollout then (None once it ended)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    shown = f"{sent.stage} {sent.status}"
    while True:
        now = load_rollout(env.files)
        if done(sent, now):
            return True, now
        if deadline is not None and time.monotonic() > deadline:
            return False, now
        if now is not None and f"{now.stage} {now.status}" != shown:
            shown = f"{now.stage} {now.status}"
            console.print(f"  {now.stage}: {now.weight}% of traffic, {now.status}")
        time.sleep(POLL)


def _ended_serving(env: LocalEnvironment, rollout: Rollout, audited: int) -> None:
    """A promoted rollout ended: fine if its deploy serves, an error saying why if it went
    back. Its audit record comes once the deploy has finished (scale-down, hooks)."""
    deadline = time.monotonic() + FINISH_TIMEOUT
    while time.monotonic() < deadline:
        alive = processes.is_running(rollout.watcher)  # before reading: it audits, then exits
        end = ended(read_audit(env.files)[audited:], rollout.version)
        if end is not None and not end.serving:
            raise ShipwayError(
                f"promoted, but the deploy of {rollout.version} then ended {end.outcome}: "
                f"{end.reason}"
            )
        if end is not None:
            return
        if not alive:
            raise ShipwayError(
                f"the command deploying {rollout.version} ended without saying how the deploy "
                f"ended; `inv status --env {env.name}` shows (and repairs) the environment"
            )
        time.sleep(POLL)
    raise ShipwayError(
        f"the deploy of {rollout.version} has not finished within {FINISH_TIMEOUT:.0f}s of "
        f"its promotion; `inv status --env {env.name}` shows where it is"
    )
