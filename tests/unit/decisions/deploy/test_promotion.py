"""Manual promotion, transition by transition: where `inv promote` moves a rollout from each
kind of step, which stage a promote acts at, and when promote and abort count as acted on and
as come to rest."""

import pytest

from shipway.config.deploy import CanaryStep
from shipway.decisions.deploy.promotion import acted, after_promotion, applies, settled
from shipway.decisions.deploy.state import Control, Rollout

pytestmark = pytest.mark.unit

AUTO, MANUAL = CanaryStep(weight=1, pause="30s"), CanaryStep(weight=1, pause="manual")


def steps(*kinds: CanaryStep) -> list[CanaryStep]:
    return [kind.model_copy(update={"weight": 10 * (i + 1)}) for i, kind in enumerate(kinds)]


# -- where a promote moves the rollout ----------------------------------------------------


def test_a_promote_at_a_manual_pause_goes_on_to_the_next_step() -> None:
    assert after_promotion(steps(MANUAL, AUTO, AUTO), 0) == 1
    assert after_promotion(steps(MANUAL, MANUAL), 0) == 1


def test_a_promote_at_the_last_manual_pause_goes_on_to_the_switch() -> None:
    assert after_promotion(steps(AUTO, MANUAL), 1) is None
    assert after_promotion(steps(MANUAL), 0) is None


def test_a_promote_at_an_automatic_step_skips_the_steps_up_to_the_next_manual_pause() -> None:
    assert after_promotion(steps(AUTO, AUTO, MANUAL, AUTO), 0) == 2
    assert after_promotion(steps(AUTO, AUTO, MANUAL, AUTO), 1) == 2


def test_a_promote_at_an_automatic_step_with_no_manual_pause_left_skips_to_the_switch() -> None:
    assert after_promotion(steps(AUTO, AUTO, AUTO), 0) is None  # as before manual pauses
    assert after_promotion(steps(MANUAL, AUTO, AUTO), 1) is None


# -- which stage a promote acts at ----------------------------------------------------------


def control(command: str, stage: str) -> Control:
    return Control.model_validate(
        {"command": command, "operation": "op", "who": "ann@host", "at": 0, "stage": stage}
    )


def test_a_promote_acts_at_the_stage_its_sender_saw() -> None:
    assert applies(control("promote", "step 1/3"), "step 1/3")


def test_a_promote_that_arrives_at_a_later_stage_is_spent_without_effect() -> None:
    """Step 1 ended on its own meanwhile: the rollout is past what the promote would skip, and
    it must not open the manual pause of step 2 it was never given at."""
    assert not applies(control("promote", "step 1/3"), "step 2/3")
    assert not applies(control("promote", "step 3/3"), "post-promotion")


def test_an_abort_acts_wherever_the_rollout_is() -> None:
    assert applies(control("abort", "step 1/3"), "post-promotion")


def test_a_control_without_a_stage_acts_wherever_the_rollout_is() -> None:
    assert applies(control("promote", ""), "step 2/3")


# -- acted on, and come to rest -------------------------------------------------------------


def rollout(stage: str, status: str = "analysing", operation: str = "op") -> Rollout:
    return Rollout(
        operation=operation,
        version="2.0",
        strategy="canary",
        stage=stage,
        weight=20,
        max_weight=20,
        ends_at=None,
        status=status,
    )


def test_the_watcher_acted_once_the_rollout_moved_to_another_stage_or_ended() -> None:
    sent = rollout("step 1/3", "waiting for promotion")
    assert not acted(sent, rollout("step 1/3", "waiting for promotion"))
    assert acted(sent, rollout("step 2/3"))
    assert acted(sent, None)
    assert acted(sent, rollout("step 1/3", operation="another deploy"))


def test_a_promoted_rollout_rests_at_the_next_manual_pause_at_100_percent_or_its_end() -> None:
    sent = rollout("step 1/3", "waiting for promotion")
    assert not settled(sent, rollout("step 2/3", "analysing"))
    assert settled(sent, rollout("step 3/3", "waiting for promotion"))
    assert settled(sent, rollout("post-promotion", "analysing; 1.0 warm"))
    assert settled(sent, None)
