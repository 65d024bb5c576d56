"""An environment's state on disk: the router, two release slots, weights and the operation
in progress. Written atomically after every step, so a command killed at any instant leaves a
state the next command can read and repair.

Blue-green uses two slots with fixed loopback ports ("blue" and "green"). The router sends
each slot a weight; the serving slot has weight 100. A deploy starts the new release in the
idle slot, checks it, and moves the weight. From the moment the new release is ready until the
switch, ``preview`` names its slot: the router's preview port answers from it.
"""

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from shipway.decisions.deploy.server import ServerKind

Slot = Literal["blue", "green"]
SLOTS: tuple[Slot, Slot] = ("blue", "green")
Phase = Literal["empty", "starting", "ready", "canary", "serving", "warm", "failed"]
# The router's cluster behind the preview port: the release being deployed, or nothing.
PREVIEW: Final = "preview"
# A rollout's status while a manual pause holds it, and the stages that are not a step.
WAITING_FOR_PROMOTION: Final = "waiting for promotion"
BEFORE_THE_SWITCH: Final = "before the switch"  # a blue-green deploy's manual pause
POST_PROMOTION: Final = "post-promotion"  # all traffic on the new release, the old one warm


class Process(BaseModel):
    """A process we started, identified beyond its pid: pids are reused, start times are not."""

    model_config = ConfigDict(frozen=True)

    pid: int
    start_ticks: int  # /proc/<pid>/stat field 22
    marker: str  # an argument only this process has (its pid file or config path)


class SlotState(BaseModel):
    model_config = ConfigDict(frozen=True)

    version: str | None = None
    phase: Phase = "empty"
    program: str | None = None  # the supervisor's program that runs it
    warm_until: float | None = None  # epoch seconds; a warm slot is stopped after this
    kept: bool = False  # warm until the next deploy (scale_down_delay = "never")
    server: ServerKind | None = None


class Operation(BaseModel):
    """A deploy or rollback in progress; present only while one runs (or after it was killed)."""

    model_config = ConfigDict(frozen=True)

    id: str
    action: Literal["deploy", "rollback"]
    version: str
    from_version: str | None
    slot: Slot  # where the new release runs
    step: str
    started: float
    who: str
    git_sha: str | None = None


class Control(BaseModel):
    """``inv promote`` or ``inv abort``, addressed to the command watching one deploy."""

    model_config = ConfigDict(frozen=True)

    command: Literal["promote", "abort"]
    operation: str
    who: str
    at: float
    stage: str = ""  # the rollout's stage the sender saw ("": whichever it is at)


class Rollout(BaseModel):
    """A release under analysis (canary steps or the post-promotion window), for ``inv status``
    and for ``inv promote`` / ``inv abort``, which talk to the command that watches it.

    Kept in its own file, written only by that command, so it never races a state change."""

    model_config = ConfigDict(frozen=True)

    operation: str  # the id of the deploy it belongs to
    version: str
    strategy: Literal["blue-green", "canary"]
    stage: str  # "step 2/3", "before the switch" or "post-promotion"
    weight: int  # percent of traffic on the new release now
    max_weight: int
    ends_at: float | None  # epoch seconds the stage's pause ends
    status: str  # WAITING_FOR_PROMOTION while a manual pause holds
    held_since: float | None = None  # epoch seconds a manual pause began to hold
    preview_url: str | None = None  # where the new release answers before the switch
    canary: dict[str, float | int | None] = {}  # metrics of the new release's last window
    stable: dict[str, float | int | None] = {}
    measurements: dict[str, int] = {}
    watcher: Process | None = None  # the command running the analysis
    updated: float = 0


DEFAULT_MAINTENANCE_MESSAGE = "The service is down for maintenance. Please try again shortly."


class Maintenance(BaseModel):
    """``inv maintenance``: whether the router answers every request with the maintenance page,
    and the page's message. Kept in the state so that a restarted router serves it too."""

    model_config = ConfigDict(frozen=True)

    on: bool = False
    message: str = DEFAULT_MAINTENANCE_MESSAGE
    since: float | None = None  # epoch seconds it was turned on
    who: str | None = None


class EnvState(BaseModel):
    model_config = ConfigDict(frozen=True)

    generation: int = 0  # incremented on every routing change
    router_program: str | None = None  # the supervisor's program that runs the router
    slots: dict[Slot, SlotState] = Field(default_factory=lambda: _empty_slots())
    weights: dict[Slot, int] = Field(default_factory=lambda: _initial_weights())
    history: list[str] = []  # versions that served, oldest first
    operation: Operation | None = None
    maintenance: Maintenance = Maintenance()
    preview: Slot | None = None  # the slot the preview port answers from, until the switch

    def slot(self, name: Slot) -> SlotState:
        return self.slots[name]

    @property
    def serving_slot(self) -> Slot | None:
        serving = [s for s in SLOTS if self.slots[s].phase == "serving"]
        return serving[0] if serving else None

    @property
    def serving_version(self) -> str | None:
        slot = self.serving_slot
        return self.slots[slot].version if slot else None

    def with_slot(self, name: Slot, **changes: object) -> "EnvState":
        slots = dict(self.slots)
        slots[name] = slots[name].model_copy(update=changes)
        return self.model_copy(update={"slots": slots})

    def routed_to(self, name: Slot) -> "EnvState":
        """All traffic to ``name``: the routing change a blue-green switch makes."""
        return self.with_weights({s: (100 if s == name else 0) for s in SLOTS})

    def with_weights(self, weights: dict[Slot, int]) -> "EnvState":
        return self.model_copy(update={"weights": weights, "generation": self.generation + 1})

    def previewing(self, slot: Slot | None) -> "EnvState":
        """The preview port answers from ``slot`` (None: from nothing)."""
        return self.model_copy(update={"preview": slot})

    @property
    def previewed_version(self) -> str | None:
        """The release the preview port answers from; None when it answers from nothing."""
        return None if self.preview is None else self.slots[self.preview].version


def split(canary: Slot, weight: int) -> dict[Slot, int]:
    """Weights that give the canary slot ``weight`` percent and the other slot the rest."""
    return {canary: weight, other(canary): 100 - weight}


def _empty_slots() -> dict[Slot, SlotState]:
    return {slot: SlotState() for slot in SLOTS}


def _initial_weights() -> dict[Slot, int]:
    return {"blue": 100, "green": 0}


def other(slot: Slot) -> Slot:
    return "green" if slot == "blue" else "blue"


def idle_slot(state: EnvState) -> Slot:
    """Where a new release goes: the slot that does not serve (blue when nothing serves)."""
    serving = state.serving_slot
    return other(serving) if serving else "blue"


def previous_version(state: EnvState) -> str | None:
    """The version that served before the current one."""
    current = state.serving_version
    earlier = [v for v in state.history if v != current]
    return earlier[-1] if earlier else None


def nothing_to_undo(state: EnvState, attempted: str, environment: str) -> str | None:
    """Why undoing a failed deploy of ``attempted`` must not roll back; None when it should.

    Only a release that still serves is undone. A deploy that failed before traffic moved,
    or that already rolled itself back, left the old release serving: rolling back then
    would go one release further back, leaving the environment worse.
    """
    serving = state.serving_version
    if serving == attempted:
        return None
    return (
        f"nothing to undo in {environment}: {attempted} is not serving "
        f"({serving or 'nothing'} is); the failed deploy left traffic where it was"
    )


def with_maintenance(
    state: EnvState, on: bool, message: str | None, who: str, now: float
) -> EnvState:
    """Maintenance turned on (with ``message``, else the default page) or off. Turning it off
    keeps the message, so the router's page does not change; on again keeps ``since``."""
    current = state.maintenance
    if not on:
        maintenance = current.model_copy(update={"on": False, "since": None, "who": None})
    else:
        since = current.since if current.on and current.since is not None else now
        text = message if message is not None else DEFAULT_MAINTENANCE_MESSAGE
        maintenance = Maintenance(on=True, message=text, since=since, who=who)
    return state.model_copy(update={"maintenance": maintenance})


def refused_for_maintenance(state: EnvState, action: str, environment: str) -> str | None:
    """Why a deploy or rollback must wait; None when maintenance is off.

    A release change behind the maintenance page could not be checked through the router
    (every answer there is the page), so it is refused rather than done half-checked.
    """
    if not state.maintenance.on:
        return None
    return (
        f"maintenance is on in {environment}: `inv maintenance --env {environment} --off` "
        f"first, then {action}"
    )


def with_history(history: list[str], version: str, limit: int = 50) -> list[str]:
    return [*[v for v in history if v != version], version][-limit:]


def releases_to_prune(installed: list[str], state: EnvState, keep: int) -> list[str]:
    """Installed releases beyond the newest ``keep``, never the serving or the previous one."""
    protected = {state.serving_version, previous_version(state)}
    protected |= {s.version for s in state.slots.values() if s.phase != "empty"}
    order = {version: i for i, version in enumerate(state.history)}
    newest_first = sorted(installed, key=lambda v: order.get(v, -1), reverse=True)
    return [v for v in newest_first[keep:] if v not in protected]
