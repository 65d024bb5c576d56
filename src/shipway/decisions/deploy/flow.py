"""The deploy flow as data: the steps of a deploy or a rollback, and what each way of ending
means. The engine (effects/deploy/engine.py) executes the steps of a ``Plan`` in order and
reports what it observed; ``inv deploy --dry-run`` prints the same plan (``describe``).

A deploy has three phases:

A. Under the deploy lock, ``Plan.switching``: PORTS free (before anything is installed or
   started), INSTALL (verify the artifact, install it into its own venv, load its app: WSGI
   or ASGI?), PRE_DEPLOY hooks, ROUTER (running; the idle slot freed), START the new
   release in the idle slot and wait until it is ready (from then until the switch, the
   preview port answers from it), SMOKE tests, CANARY steps (canary strategy, when a stable
   release serves to compare with; a step with ``pause = "manual"`` holds until ``inv
   promote``), or HOLD (blue-green with ``pause = "manual"``: before the switch, until ``inv
   promote``), SWITCH all traffic, CHECK the version through the router. Anything that goes
   wrong here *stops* the deploy: traffic goes back to the old release and the new one is
   stopped.
B. Without the lock, WARM: the old release stays warm for the scale-down delay while the new
   one is analysed (only when an old release served). ``inv abort`` or ``inv rollback``, a
   failed analysis and Ctrl-C switch back instantly; ``inv promote`` ends the window early.
C. Under the lock again, ``Plan.finishing``: SCALE_DOWN the old release, POST_DEPLOY hooks,
   PRUNE old releases. A failed post-deploy hook leaves the new release serving.

A *cold* rollback, to a release that is no longer warm, is phase A's PORTS, INSTALL, ROUTER, START,
SMOKE and SWITCH, then SCALE_DOWN of the release it replaced; a *warm* one only switches.

How a deploy ends (``DeployOutcome``, the audit log's ``outcome``), by cause:

| cause                          | before the switch | during the warm window |
|--------------------------------|-------------------|------------------------|
| a step failed                  | failed            | -                      |
| Ctrl-C                         | failed            | rolled_back            |
| the analysis failed            | rolled_back       | rolled_back            |
| ``inv abort`` / ``inv rollback`` | aborted         | aborted                |
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Literal

from shipway.config.deploy import MANUAL, Environment
from shipway.decisions.deploy.analysis import Failure, rules_summary
from shipway.decisions.deploy.checks import expected_status
from shipway.decisions.deploy.state import (
    SLOTS,
    Control,
    EnvState,
    Slot,
    idle_slot,
    previous_version,
)
from shipway.errors import ShipwayError

Strategy = Literal["blue-green", "canary"]


class Step(StrEnum):
    """A step of a deploy or rollback; the value is what state.json journals."""

    PORTS = "ports"
    INSTALL = "install"
    PRE_DEPLOY = "pre-deploy"
    ROUTER = "router"
    START = "start"
    SMOKE = "smoke"
    CANARY = "canary"
    HOLD = "hold"
    SWITCH = "switch"
    CHECK = "check"
    WARM = "warm"
    SCALE_DOWN = "scale-down"
    POST_DEPLOY = "post-deploy"
    PRUNE = "prune"


@dataclass(frozen=True)
class PlannedStep:
    step: Step
    says: str  # printed as the engine begins the step
    detail: str  # the dry run's line: what the step will do, with this environment's values


@dataclass(frozen=True)
class Plan:
    action: Literal["deploy", "rollback"]
    version: str
    from_version: str | None
    slot: Slot  # where the new release runs
    from_slot: Slot | None  # where the release it replaces serves
    steps: tuple[PlannedStep, ...]

    @property
    def switching(self) -> tuple[PlannedStep, ...]:
        """Phase A: up to and including the check after the switch."""
        return self.steps[: self._switched]

    @property
    def keeps_warm(self) -> bool:
        return any(planned.step is Step.WARM for planned in self.steps)

    @property
    def finishing(self) -> tuple[PlannedStep, ...]:
        """Phase C: after the warm window (or right after the switch when there is none)."""
        return tuple(p for p in self.steps[self._switched :] if p.step is not Step.WARM)

    @property
    def _switched(self) -> int:
        after = [i for i, p in enumerate(self.steps) if p.step in AFTER_THE_SWITCH]
        return after[0] if after else len(self.steps)


AFTER_THE_SWITCH = frozenset({Step.WARM, Step.SCALE_DOWN, Step.POST_DEPLOY, Step.PRUNE})


def deploy_plan(config: Environment, state: EnvState, version: str, releases: str) -> Plan:
    """The steps of deploying ``version`` from ``state``; ``releases`` is where venvs go."""
    slot = idle_slot(state)
    first = state.serving_version is None
    hooks = config.hooks
    smoke = ", ".join(
        f"GET {check.path} → {expected_status(check)}" for check in config.smoke_checks
    )
    steps = [
        _ports(config, slot),
        PlannedStep(
            Step.INSTALL,
            f"verifying and installing {version}",
            "fetch the artifact from the store, verify every checksum (and the signature), "
            f"install it and shipway's server into its own venv under {releases}, link the "
            "shared paths, load the app (WSGI or ASGI?)",
        ),
        PlannedStep(
            Step.PRE_DEPLOY, "pre-deploy hooks", f"pre-deploy hooks: {_listed(hooks.pre_deploy)}"
        ),
        PlannedStep(Step.ROUTER, "router", f"the router on {config.url}, started if it is not"),
        PlannedStep(
            Step.START,
            f"starting {version} in slot {slot}",
            f"start it in slot {slot} beside the serving release (gunicorn, {config.workers} "
            f"workers), wait until {config.ready_path} is ready "
            f"(at most {config.ready_timeout:.0f}s)" + _previewed(config),
        ),
        PlannedStep(Step.SMOKE, "smoke tests", f"smoke tests: {smoke}"),
    ]
    if config.strategy == "canary" and not first:
        steps.append(PlannedStep(Step.CANARY, "canary steps", _canary_detail(config)))
    if config.pause == MANUAL and not first:
        steps.append(
            PlannedStep(
                Step.HOLD,
                "holding before the switch",
                f"hold before the switch until `inv promote` (manual pause; `inv abort` stops "
                f"{version}), analysing its health and what it answers on the preview port "
                f"({rules_summary(config.analysis)})",
            )
        )
    steps += [
        PlannedStep(Step.SWITCH, "switching traffic", "switch 100 % of traffic in the router"),
        PlannedStep(
            Step.CHECK,
            f"checking {version} through {config.url}",
            f"check the version through {config.url}",
        ),
    ]
    steps += _after_the_switch(config, state.serving_version)
    return Plan("deploy", version, state.serving_version, slot, state.serving_slot, tuple(steps))


def _after_the_switch(config: Environment, serving: str | None) -> list[PlannedStep]:
    """The warm window and the scale-down when a release served before; hooks, pruning."""
    steps = []
    if serving is not None and config.keeps_previous:
        steps.append(
            PlannedStep(
                Step.WARM,
                "warm window",
                f"keep {serving} warm at 0 % until the next deploy (`inv rollback` switches "
                f"back at any time); analyse the new release for {config.warm_window:.0f}s "
                f"({rules_summary(config.analysis)})",
            )
        )
    elif serving is not None:
        steps += [
            PlannedStep(
                Step.WARM,
                "warm window",
                f"keep the old release warm {config.warm_window:.0f}s (instant rollback) "
                f"while the analysis goes on ({rules_summary(config.analysis)}), then stop it",
            ),
            PlannedStep(Step.SCALE_DOWN, f"stopping {serving}", ""),
        ]
    steps += [
        PlannedStep(
            Step.POST_DEPLOY,
            "post-deploy hooks",
            f"post-deploy hooks: {_listed(config.hooks.post_deploy)}",
        ),
        PlannedStep(
            Step.PRUNE, "pruning", f"keep {config.keep_releases} releases, remove older ones"
        ),
    ]
    return steps


def cold_rollback_plan(config: Environment, state: EnvState, target: str) -> Plan:
    """A release no longer warm is installed, started and checked like a new one."""
    slot = idle_slot(state)
    current = state.serving_version
    steps = (
        _ports(config, slot),
        PlannedStep(Step.INSTALL, f"verifying and installing {target}", f"install {target}"),
        PlannedStep(Step.ROUTER, "router", f"the router on {config.url}, started if it is not"),
        PlannedStep(Step.START, f"starting {target} in slot {slot}", f"start it in slot {slot}"),
        PlannedStep(Step.SMOKE, "smoke tests", "smoke tests"),
        PlannedStep(Step.SWITCH, "switching traffic", "switch 100 % of traffic in the router"),
        PlannedStep(Step.SCALE_DOWN, f"stopping {current}", f"stop {current}"),
    )
    return Plan("rollback", target, current, slot, state.serving_slot, steps)


def describe(plan: Plan) -> list[str]:
    """The dry run's lines; a step without a detail is told by the line before it."""
    return [line for planned in plan.steps for line in planned.detail.splitlines()]


def _ports(config: Environment, slot: Slot) -> PlannedStep:
    slot_port = config.slot_ports[SLOTS.index(slot)]
    ports = f"{config.port} and {slot_port}"
    return PlannedStep(Step.PORTS, "checking ports", f"check that ports {ports} are ours or free")


def _previewed(config: Environment) -> str:
    if config.preview_url is None:
        return ""
    return f"; from then until the switch {config.preview_url} answers from it (preview)"


def _canary_detail(config: Environment) -> str:
    return "\n".join(
        f"canary step {number}: {step.weight} % of traffic "
        + ("until `inv promote` (manual pause)" if step.manual else f"for {step.seconds:g}s")
        + ", under analysis"
        for number, step in enumerate(config.steps, 1)
    )


def _listed(commands: list[str]) -> str:
    return ", ".join(commands) or "none"


# -- while a release is watched (canary steps, warm window) -------------------------------


class Verdict(Enum):
    """What one tick of watching a release decides."""

    CONTINUE = "continue"
    PROMOTE = "promote"  # inv promote: skip the remaining steps, or end the warm window
    ABORT = "abort"  # inv abort: back to the stable release
    FAIL = "fail"  # the analysis failed
    SUPERSEDED = "superseded"  # another command changed the routing (warm window only)


@dataclass(frozen=True)
class Reaction:
    verdict: Verdict
    stop: "Stop | None" = None  # why to go back, for ABORT and FAIL
    who: str = ""  # who promoted or aborted


def react(
    *, superseded: bool, control: Control | None, failure: Failure | None, where: str
) -> Reaction:
    """Another command's routing wins, then a person's word, then the analysis.
    ``where`` names the stage in reasons: "at step 2/3", "after promotion"."""
    if superseded:
        return Reaction(Verdict.SUPERSEDED)
    if control is not None and control.command == "abort":
        return Reaction(Verdict.ABORT, aborted(control.who, where), control.who)
    if control is not None:
        return Reaction(Verdict.PROMOTE, who=control.who)
    if failure is not None:
        return Reaction(Verdict.FAIL, analysis_failed(failure, where))
    return Reaction(Verdict.CONTINUE)


# -- how a deploy ends --------------------------------------------------------------------


class Cause(Enum):
    STEP_FAILED = "step failed"
    INTERRUPTED = "interrupted"
    ANALYSIS_FAILED = "analysis failed"
    ABORTED = "aborted"


class DeployOutcome(StrEnum):
    """The audit log's ``outcome`` of a deploy."""

    SUCCEEDED = "succeeded"
    HOOK_FAILED = "succeeded, post-deploy hook failed"
    FAILED = "failed"
    ROLLED_BACK = "rolled_back"
    ABORTED = "aborted"


@dataclass(frozen=True)
class Ended:
    """How a deploy ended, as its audit record says."""

    outcome: str
    reason: str

    @property
    def serving(self) -> bool:
        """The new release serves (even if a post-deploy hook failed)."""
        return self.outcome in (DeployOutcome.SUCCEEDED, DeployOutcome.HOOK_FAILED)


def ended(records: Sequence[Mapping[str, object]], version: str) -> Ended | None:
    """The end of the newest deploy of ``version`` among audit ``records``; None if none."""
    found = [r for r in records if r.get("action") == "deploy" and r.get("version") == version]
    if not found:
        return None
    return Ended(str(found[-1].get("outcome")), str(found[-1].get("reason") or ""))


@dataclass(frozen=True)
class Stop:
    """Why a deploy goes back to the old release, as the engine observed it."""

    cause: Cause
    reason: str
    failure: Failure | None = None  # the analysis' failure, for the audit log

    def outcome(self, *, served: bool) -> DeployOutcome:
        """``served``: the new release had all traffic (the warm window)."""
        if self.cause is Cause.ABORTED:
            return DeployOutcome.ABORTED
        if self.cause is Cause.ANALYSIS_FAILED or served:
            return DeployOutcome.ROLLED_BACK
        return DeployOutcome.FAILED


def step_failed(message: str) -> Stop:
    return Stop(Cause.STEP_FAILED, message)


def interrupted(where: str = "") -> Stop:
    return Stop(Cause.INTERRUPTED, f"interrupted (Ctrl-C){where}")


def aborted(who: str, where: str) -> Stop:
    return Stop(Cause.ABORTED, f"aborted by {who} {where}")


def analysis_failed(failure: Failure, where: str) -> Stop:
    return Stop(Cause.ANALYSIS_FAILED, f"analysis failed {where}: {failure.reason}", failure)


class StoppedError(ShipwayError):
    """Raised by a step that observed a reason to stop (an abort, a failed analysis)."""

    def __init__(self, stop: Stop) -> None:
        super().__init__(stop.reason)
        self.stop = stop


VERB = {
    DeployOutcome.FAILED: "FAILED",
    DeployOutcome.ROLLED_BACK: "ROLLED BACK",
    DeployOutcome.ABORTED: "ABORTED",
}


@dataclass(frozen=True)
class Stopped:
    """What a stopped deploy says: to the webhook, and as the command's error."""

    notification: str
    error: str


def stopped_before_serving(plan: Plan, stop: Stop, environment: str) -> Stopped:
    verb = VERB[stop.outcome(served=False)]
    kept = plan.from_version or "nothing"
    return Stopped(
        notification=f"deploy of {plan.version} {verb}: {stop.reason}; {kept} still serving",
        error=f"deploy of {plan.version} to {environment} {verb.lower()}: {stop.reason}; "
        f"{kept} is still serving",
    )


def rolled_back_after_serving(plan: Plan, stop: Stop) -> Stopped:
    return Stopped(
        notification=f"deploy of {plan.version} ROLLED BACK: {stop.reason}",
        error=f"{stop.reason}: rolled back to {plan.from_version}",
    )


def tolerated(step: Step) -> bool:
    """Whether a deploy goes on when ``step`` fails: a failed post-deploy hook leaves the
    new release serving, and the deploy reports it (``DeployOutcome.HOOK_FAILED``)."""
    return step is Step.POST_DEPLOY


class Meanwhile(Enum):
    """What other commands did while the warm window ran without the lock."""

    NOTHING = "nothing"
    ROLLED_BACK = "rolled back"  # inv rollback switched to the old release
    SUPERSEDED = "superseded"  # another deploy moved the routing on


def meanwhile(state: EnvState, generation: int, from_version: str | None) -> Meanwhile:
    if state.generation == generation:
        return Meanwhile.NOTHING
    if state.serving_version == from_version:
        return Meanwhile.ROLLED_BACK
    return Meanwhile.SUPERSEDED


# -- rollback -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RollbackChoice:
    target: str
    current: str | None
    current_slot: Slot | None
    warm_slot: Slot | None  # the target, still warm: an instant switch, nothing to start


def choose_rollback(state: EnvState, to: str | None, environment: str) -> RollbackChoice:
    """Back to ``to``, by default the release that served before the current one."""
    current = state.serving_version
    target = to or previous_version(state)
    if target is None:
        raise ShipwayError(f"nothing to roll back to in {environment}: no earlier release served")
    if target == current:
        raise ShipwayError(f"{target} is already serving in {environment}")
    warm = [s for s, slot in state.slots.items() if slot.version == target and slot.phase == "warm"]
    return RollbackChoice(target, current, state.serving_slot, warm[0] if warm else None)
