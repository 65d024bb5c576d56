"""What the cluster says of an environment's Rollout, and what shipway makes of it: a typed
summary of its status, the outcome of following it, and which revision a rollback goes to.

Every function here reads parsed ``kubectl … -o json`` output (or the Argo Rollouts plugin's
``status`` lines) and decides; none runs anything.
"""

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from shipway.decisions.deploy.flow import DeployOutcome
from shipway.errors import ShipwayError

VERSION_ANNOTATION = "shipway.dev/version"  # on the pod template, when the manifests set it
REVISION_ANNOTATION = "rollout.argoproj.io/revision"
POD_HASH_LABEL = "rollouts-pod-template-hash"
ABORTED = "RolloutAborted"
MANUAL_PAUSES = ("CanaryPauseStep", "BlueGreenPause")


class Phase(enum.StrEnum):
    """``status.phase`` of a Rollout (what ``kubectl argo rollouts status`` prints)."""

    HEALTHY = "Healthy"
    PROGRESSING = "Progressing"
    PAUSED = "Paused"
    DEGRADED = "Degraded"
    UNKNOWN = "Unknown"  # not yet observed by the controller

    @classmethod
    def of(cls, value: object) -> "Phase":
        try:
            return cls(str(value))
        except ValueError:
            return cls.UNKNOWN


@dataclass(frozen=True)
class ReplicaSet:
    """One revision of the Rollout: what ``kubectl get replicasets -o json`` says of it."""

    name: str
    revision: int
    pod_hash: str
    version: str | None
    replicas: int
    ready: int


@dataclass(frozen=True)
class Summary:
    """A Rollout's status, as ``inv status`` shows it."""

    name: str
    phase: Phase
    message: str
    strategy: str  # "canary" or "blue-green"
    desired_version: str | None  # the Rollout's pod template
    stable_version: str | None  # what serves (the stable / active ReplicaSet)
    canary_version: str | None  # under rollout, when it is not the stable one
    step: int | None  # canary: the index of the current step
    steps: int
    canary_weight: int | None  # canary: the share of traffic the new release gets
    waiting_for_promotion: bool  # held at a pause only `inv promote` releases
    aborted: bool
    replicas: int
    ready: int
    revision: int | None  # the current revision

    @property
    def healthy(self) -> bool:
        return self.phase is Phase.HEALTHY and not self.aborted

    def record(self) -> dict[str, Any]:
        return {**asdict(self), "phase": self.phase.value, "healthy": self.healthy}


def image_version(image: str) -> str | None:
    """``registry:5000/acme/chatbot:2.0.0`` → ``2.0.0`` (a digest names no version)."""
    if "@" in image:
        return None
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def template_version(template: Mapping[str, Any]) -> str | None:
    """The release a pod template runs: its ``shipway.dev/version`` annotation, else the tag of
    its first container's image."""
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    if VERSION_ANNOTATION in annotations:
        return str(annotations[VERSION_ANNOTATION])
    containers = (template.get("spec") or {}).get("containers") or []
    if not containers:
        return None
    return image_version(str(containers[0].get("image", "")))


def selector(rollout: Mapping[str, Any]) -> str:
    """The Rollout's pod selector as ``kubectl -l`` takes it (its matchLabels)."""
    match = ((rollout.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if not match:
        name = (rollout.get("metadata") or {}).get("name", "?")
        raise ShipwayError(f"the Rollout {name} has no spec.selector.matchLabels")
    return ",".join(f"{key}={value}" for key, value in sorted(match.items()))


def replica_sets(document: Mapping[str, Any], rollout: str) -> list[ReplicaSet]:
    """The ReplicaSets the Rollout ``rollout`` owns, newest revision first."""
    found = []
    for item in document.get("items") or []:
        metadata = item.get("metadata") or {}
        owners = metadata.get("ownerReferences") or []
        if not any(o.get("kind") == "Rollout" and o.get("name") == rollout for o in owners):
            continue
        annotations = metadata.get("annotations") or {}
        try:
            revision = int(annotations.get(REVISION_ANNOTATION, ""))
        except ValueError:
            continue
        spec, status = item.get("spec") or {}, item.get("status") or {}
        found.append(
            ReplicaSet(
                name=str(metadata.get("name", "")),
                revision=revision,
                pod_hash=str((metadata.get("labels") or {}).get(POD_HASH_LABEL, "")),
                version=template_version(spec.get("template") or {}),
                replicas=int(status.get("replicas") or 0),
                ready=int(status.get("readyReplicas") or 0),
            )
        )
    return sorted(found, key=lambda rs: rs.revision, reverse=True)


def _by_hash(sets: Sequence[ReplicaSet], pod_hash: object) -> ReplicaSet | None:
    return next((rs for rs in sets if pod_hash and rs.pod_hash == pod_hash), None)


def _canary_weight(spec: Mapping[str, Any], status: Mapping[str, Any], step: int | None) -> int:
    weights = (status.get("canary") or {}).get("weights") or {}
    if "canary" in weights:  # with a traffic router: the weight it was told
        return int(weights["canary"].get("weight") or 0)
    steps = ((spec.get("strategy") or {}).get("canary") or {}).get("steps") or []
    reached = steps[: (step if step is not None else len(steps)) + 1]
    weights_set = [s["setWeight"] for s in reached if "setWeight" in s]
    return int(weights_set[-1]) if weights_set else 0


def _waiting_for_promotion(
    spec: Mapping[str, Any], status: Mapping[str, Any], step: int | None
) -> bool:
    """Held where only a promotion goes on: a pause step without a duration, a blue-green
    rollout without auto-promotion, or a Rollout paused by hand (``spec.paused``)."""
    if spec.get("paused"):
        return True
    reasons = {c.get("reason") for c in status.get("pauseConditions") or []}
    strategy = spec.get("strategy") or {}
    if "BlueGreenPause" in reasons:
        blue_green = strategy.get("blueGreen") or {}
        return blue_green.get("autoPromotionEnabled") is False
    if "CanaryPauseStep" in reasons and step is not None:
        steps = (strategy.get("canary") or {}).get("steps") or []
        if step < len(steps):
            pause = steps[step].get("pause")
            return isinstance(pause, dict) and "duration" not in pause
    return False


def summarize(rollout: Mapping[str, Any], sets: Sequence[ReplicaSet]) -> Summary:
    """The Rollout's status from ``kubectl get rollout -o json`` and its ReplicaSets."""
    spec, status = rollout.get("spec") or {}, rollout.get("status") or {}
    strategy = "blue-green" if "blueGreen" in (spec.get("strategy") or {}) else "canary"
    steps = ((spec.get("strategy") or {}).get("canary") or {}).get("steps") or []
    step = status.get("currentStepIndex") if strategy == "canary" else None
    stable = _by_hash(sets, status.get("stableRS"))
    current = _by_hash(sets, status.get("currentPodHash"))
    desired = template_version(spec.get("template") or {})
    under_rollout = bool(status.get("currentPodHash")) and (
        status.get("currentPodHash") != status.get("stableRS")
    )
    phase = Phase.of(status.get("phase"))
    return Summary(
        name=str((rollout.get("metadata") or {}).get("name", "")),
        phase=phase,
        message=str(status.get("message") or ""),
        strategy=strategy,
        desired_version=desired,
        stable_version=stable.version if stable else None,
        canary_version=(current.version if current else desired) if under_rollout else None,
        step=int(step) if isinstance(step, int) else None,
        steps=len(steps),
        canary_weight=(
            _canary_weight(spec, status, step if isinstance(step, int) else None)
            if strategy == "canary" and under_rollout
            else None
        ),
        waiting_for_promotion=_waiting_for_promotion(
            spec, status, step if isinstance(step, int) else None
        ),
        aborted=bool(status.get("abort")),
        replicas=int(status.get("replicas") or 0),
        ready=int(status.get("readyReplicas") or 0),
        revision=current.revision if current else None,
    )


def describe(summary: Summary) -> list[str]:
    """The lines ``inv status`` prints."""
    lines = [f"{summary.name}: {summary.phase.value}" + (" (aborted)" if summary.aborted else "")]
    if summary.message:
        lines.append(f"  message: {summary.message}")
    lines.append(f"  serving (stable): {summary.stable_version or 'nothing'}")
    if summary.canary_version is not None:
        role = "canary" if summary.strategy == "canary" else "preview"
        where = ""
        if summary.step is not None:
            where = f", step {summary.step + 1} of {summary.steps}"
        if summary.canary_weight is not None:
            where += f", {summary.canary_weight} % of traffic"
        lines.append(f"  {role}: {summary.canary_version}{where}")
    if summary.waiting_for_promotion:
        lines.append("  waiting for promotion: `inv promote` goes on, `inv abort` goes back")
    lines.append(f"  pods: {summary.ready} of {summary.replicas} ready")
    return lines


# -- following a rollout -------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """One line of ``kubectl argo rollouts status --watch``: ``Paused - CanaryPauseStep``."""

    phase: Phase
    message: str


def progress(line: str) -> Progress | None:
    phase, _, message = line.strip().partition(" - ")
    found = Phase.of(phase)
    return Progress(found, message) if found is not Phase.UNKNOWN else None


class Followed(enum.Enum):
    """How following the rollout ended."""

    HEALTHY = "healthy"
    ABORTED = "aborted"  # Degraded, aborted: Argo Rollouts sent traffic back to stable
    DEGRADED = "degraded"  # Degraded, not aborted (e.g. its pods never became ready)
    TIMED_OUT = "timed out"
    HELD = "held"  # waits for promotion, and the command returns then (--detach)
    INTERRUPTED = "interrupted"  # Ctrl-C
    LOST = "lost"  # kubectl failed: the cluster went away, the Rollout was deleted…


DEGRADED_SAYS = re.compile(r"degraded state with message: ?(?P<message>.*)")


@dataclass(frozen=True)
class Watched:
    followed: Followed
    message: str


def followed(returncode: int, output: str, *, timed_out_here: bool = False) -> Watched:
    """What the plugin's ``status --watch`` exit status and output (its stdout and stderr)
    say: exit 0 only when Healthy; otherwise a degraded state or the watch's timeout."""
    if returncode == 0:
        return Watched(Followed.HEALTHY, "")
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    for line in reversed(lines):
        if found := DEGRADED_SAYS.search(line):
            message = found["message"]
            kind = Followed.ABORTED if ABORTED in message else Followed.DEGRADED
            return Watched(kind, message)
    if timed_out_here or any("exceeded timeout" in line for line in lines):
        last = next((p for line in reversed(lines) if (p := progress(line))), None)
        return Watched(Followed.TIMED_OUT, f"{last.phase} - {last.message}" if last else "")
    return Watched(Followed.LOST, lines[-1] if lines else f"exit status {returncode}")


class Then(enum.Enum):
    """What shipway does after following a rollout."""

    DONE = "done"  # it is healthy
    ABORT = "abort"  # send traffic back to stable (kubectl argo rollouts abort), then fail
    FAIL = "fail"  # Argo Rollouts already went back, or the cluster cannot be told: fail
    LEAVE_HELD = "leave held"  # waits for a person: leave it so, and say how to go on


@dataclass(frozen=True)
class Conclusion:
    then: Then
    outcome: DeployOutcome | None  # the audit log's; None while it is held
    reason: str


def conclude(watched: Watched, *, waiting_for_promotion: bool, timeout: float) -> Conclusion:
    """What a deploy (or rollback) that followed its rollout does next, and records.

    Deploys never leave an environment worse: a rollout that degraded or ran out of time is
    aborted (traffic back to the stable release) unless Argo Rollouts already did; one held
    at a manual pause is left for `inv promote` or `inv abort`."""
    match watched.followed:
        case Followed.HEALTHY:
            return Conclusion(Then.DONE, DeployOutcome.SUCCEEDED, "")
        case Followed.ABORTED:
            return Conclusion(Then.FAIL, DeployOutcome.ROLLED_BACK, watched.message)
        case Followed.DEGRADED:
            return Conclusion(Then.ABORT, DeployOutcome.ROLLED_BACK, watched.message)
        case Followed.HELD:
            return Conclusion(Then.LEAVE_HELD, None, "waiting for promotion")
        case Followed.TIMED_OUT if waiting_for_promotion:
            return Conclusion(
                Then.LEAVE_HELD, None, f"still waiting for promotion after {timeout:.0f}s"
            )
        case Followed.TIMED_OUT:
            where = f" ({watched.message})" if watched.message else ""
            return Conclusion(
                Then.ABORT, DeployOutcome.ROLLED_BACK, f"not healthy after {timeout:.0f}s{where}"
            )
        case Followed.INTERRUPTED:
            return Conclusion(Then.ABORT, DeployOutcome.ABORTED, "interrupted")
        case Followed.LOST:
            return Conclusion(Then.FAIL, DeployOutcome.FAILED, watched.message)


# -- rollback: which revision ---------------------------------------------------------------


@dataclass(frozen=True)
class RollbackChoice:
    revision: int
    target: str
    current: str | None


def choose_revision(
    summary: Summary, sets: Sequence[ReplicaSet], to: str | None, environment: str
) -> RollbackChoice:
    """The revision ``kubectl argo rollouts undo --to-revision`` goes back to: the newest
    ReplicaSet running ``to``, or (without ``to``) the newest one older than the current
    revision that runs another version. Argo Rollouts keeps ``revisionHistoryLimit`` (10)
    old ReplicaSets: a version older than those is deployed again with ``inv deploy``."""
    if summary.canary_version is not None and not summary.aborted:
        raise ShipwayError(
            f"a rollout of {summary.canary_version} is in progress in {environment} "
            f"({summary.phase.value}): `inv abort --env {environment}` sends all traffic back "
            f"to {summary.stable_version or 'the stable release'}"
        )
    current = summary.stable_version
    kept = ", ".join(dict.fromkeys(rs.version or "?" for rs in sets)) or "none"
    if to is not None and to == current:
        raise ShipwayError(f"{to} is already serving in {environment}; nothing to roll back")
    newest = summary.revision or max((rs.revision for rs in sets), default=0)
    for rs in sets:  # newest first
        if rs.version is None or rs.version == current:
            continue
        if (to is None and rs.revision < newest) or rs.version == to:
            return RollbackChoice(rs.revision, rs.version, current)
    if to is None:
        raise ShipwayError(
            f"no earlier release to roll back to in {environment}: the Rollout's ReplicaSets "
            f"run {kept}"
        )
    raise ShipwayError(
        f"{to} is not among the releases the Rollout keeps in {environment} ({kept}); deploy "
        f"it again: inv deploy --env {environment} --version {to}"
    )
