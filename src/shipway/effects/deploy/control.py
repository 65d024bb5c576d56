"""``inv promote`` and ``inv abort``: a request to the command watching the rollout.

The deploy that runs a canary holds the deploy lock, so these commands cannot act themselves;
they write ``control.json`` and wait for the watcher to act on it (within a second). If the
deploy was killed, nothing watches any more: abort then repairs the environment itself
(traffic back to the stable release, the new one stopped), and promote refuses.
"""

import time
from typing import Literal

from shipway.decisions.deploy.state import Control
from shipway.effects.console import console
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import deploy_lock, load_rollout, load_state, write_atomically
from shipway.errors import ShipwayError

ACKNOWLEDGE_TIMEOUT = 60.0  # an abort stops the new release gracefully before it is done


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
    request = Control(command=command, operation=rollout.operation, who=env.who, at=time.time())
    write_atomically(env.files, env.files.control, request)
    console.print(
        f"{command} {rollout.version} in {env.name} ({rollout.stage}, {rollout.weight}% of "
        "traffic): sent to the running deploy"
    )
    deadline = time.monotonic() + ACKNOWLEDGE_TIMEOUT
    while time.monotonic() < deadline:
        current = load_rollout(env.files)
        if current is None or current.operation != rollout.operation:
            break
        if command == "promote" and current.stage == "post-promotion":
            break
        time.sleep(0.2)
    else:
        env.files.control.unlink(missing_ok=True)
        raise ShipwayError(f"the running deploy did not act on {command} within 60s")
    state = load_state(env.files)
    done = {"promote": "promoted", "abort": "aborted"}[command]
    console.print(
        f"{done}: {state.serving_version or 'nothing'} serves {env.name} "
        f"(weights {', '.join(f'{s} {w}%' for s, w in state.weights.items())})"
    )
