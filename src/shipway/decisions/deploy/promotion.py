"""Manual promotion: where ``inv promote`` moves a rollout, and when ``inv promote`` or
``inv abort`` has been acted on by the command that watches the rollout.

- At a manual pause (``pause = "manual"``) ``inv promote`` releases the hold: on to the next
  step, or to the switch after the last step or a blue-green deploy's hold.
- At an automatic step it skips the remaining steps up to the next manual pause, or all of
  them when none is left: a manual pause is a gate someone configured, and only a promote
  given while it holds opens it (Argo Rollouts' ``promote`` without ``--full``).
- In the post-promotion window it ends the window: the old release is scaled down now.
- A promote is addressed to the stage its sender saw. One that reaches the watcher at a later
  stage (the step ended on its own meanwhile) is spent without effect: the rollout is already
  past what it was meant to skip, and it never opens a manual pause it was not given at.
"""

from collections.abc import Sequence

from shipway.config.deploy import CanaryStep
from shipway.decisions.deploy.state import POST_PROMOTION, WAITING_FOR_PROMOTION, Control, Rollout


def after_promotion(steps: Sequence[CanaryStep], index: int) -> int | None:
    """The step (0-based) a promote given at step ``index`` moves to; None: the switch."""
    if steps[index].manual:
        following = index + 1
        return following if following < len(steps) else None
    return next((i for i in range(index + 1, len(steps)) if steps[i].manual), None)


def applies(control: Control, stage: str) -> bool:
    """Whether ``control`` acts at ``stage``: an abort always does, a promote only at the
    stage it was sent for."""
    return control.command == "abort" or control.stage in ("", stage)


def acted(sent: Rollout, now: Rollout | None) -> bool:
    """Whether the rollout moved on since ``sent`` was read: another stage, or it ended."""
    return now is None or now.operation != sent.operation or now.stage != sent.stage


def settled(sent: Rollout, now: Rollout | None) -> bool:
    """Whether a promoted rollout has come to rest: holding at the next manual pause, all
    traffic on the new release (the post-promotion window), or ended."""
    return (
        now is None
        or now.operation != sent.operation
        or now.status == WAITING_FOR_PROMOTION
        or now.stage == POST_PROMOTION
    )
