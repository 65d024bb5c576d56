"""What to repair, from the state on disk and what is actually running.

Run by every command that holds the deploy lock, so no operation can be in progress: a
recorded operation was interrupted (killed, crashed, powered off). The rules keep the
environment no worse than before the interrupted command:

- interrupted before the switch (or during canary steps, a manual pause included, whether
  the deploy ran attached or with ``--detach``: a hold nobody watches any more is never left
  taking traffic): traffic goes back to the old release and the new one is stopped;
- interrupted after the switch, new release alive: the deploy is complete but for its
  scale-down, which is done now (post-deploy hooks are not run; the audit says so);
- interrupted after the switch, new release dead: traffic goes back to the old release if it
  is alive;
- warm releases past their scale-down time, and releases that neither serve nor are warm, are
  stopped;
- nothing is being deployed once a repair is done, so the preview port answers from nothing;
- the router always gets the weights the state records;
- ``repair_processes`` (deploys do it, status does not) restarts a dead router and a dead
  serving release.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from shipway.decisions.deploy.state import SLOTS, EnvState, Slot, other


@dataclass(frozen=True)
class StopSlot:
    slot: Slot
    reason: str


@dataclass(frozen=True)
class Route:
    slot: Slot
    reason: str


@dataclass(frozen=True)
class StartRouter:
    reason: str


@dataclass(frozen=True)
class RestartSlot:
    slot: Slot
    reason: str


Action = StopSlot | Route | StartRouter | RestartSlot


@dataclass(frozen=True)
class Repair:
    actions: tuple[Action, ...]
    interrupted: str | None  # what the interrupted operation was and how it was resolved
    clear_preview: bool = False  # the preview still names a release: it answers from nothing


def plan_repair(
    state: EnvState,
    alive: Mapping[Slot, bool],
    router_alive: bool,
    now: float,
    *,
    repair_processes: bool,
) -> Repair:
    actions: list[Action] = []
    interrupted = None
    stopping: set[Slot] = set()
    routed = state.serving_slot
    if (op := state.operation) is not None:
        new, old = op.slot, other(op.slot)
        what = f"{op.action} of {op.version} by {op.who} (interrupted at step {op.step!r})"
        if state.slot(new).phase != "serving":  # the switch records the new slot as serving
            if state.weights.get(new, 0) > 0 and state.slot(old).phase == "serving":
                actions.append(Route(old, f"{what}: canary of {op.version} not promoted"))
                routed = old
            actions.append(StopSlot(new, f"{what}: never promoted"))
            stopping.add(new)
            interrupted = (
                f"{what}: stopped {op.version}; {op.from_version or 'nothing'} kept serving"
            )
        elif alive.get(new):
            if state.slot(old).phase != "empty":
                actions.append(StopSlot(old, f"{what}: scale-down of {op.from_version}"))
                stopping.add(old)
            interrupted = f"{what}: {op.version} serves; scale-down done, post-deploy hooks not run"
        elif alive.get(old):
            actions += [Route(old, f"{what}: {op.version} died"), StopSlot(new, "died")]
            stopping.add(new)
            routed = old
            interrupted = f"{what}: {op.version} died; traffic back on {op.from_version}"
        else:
            interrupted = f"{what}: neither {op.version} nor {op.from_version} is running"
    for slot in SLOTS:
        current = state.slot(slot)
        if slot in stopping or slot == routed or current.phase == "empty":
            continue
        warm = current.kept or (current.warm_until or 0) > now
        if current.phase == "warm" and warm and alive.get(slot):
            continue
        reason = "scale-down delay over" if current.phase == "warm" else f"left {current.phase}"
        actions.append(StopSlot(slot, reason))
    if repair_processes and routed is not None and not alive.get(routed):
        actions.append(
            RestartSlot(routed, f"the serving release {state.slot(routed).version} is not running")
        )
    if repair_processes and routed is not None and not router_alive:
        actions.append(StartRouter("the router is not running"))
    return Repair(tuple(actions), interrupted, clear_preview=state.preview is not None)
