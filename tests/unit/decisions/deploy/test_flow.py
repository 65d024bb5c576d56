"""The deploy flow, one rule per test: which steps a plan has, how a watch tick reacts, how a
deploy ends and where a rollback goes."""

import pytest

from shipway.config.deploy import Environment
from shipway.decisions.deploy import flow
from shipway.decisions.deploy.analysis import Breach, Failure
from shipway.decisions.deploy.flow import (
    Cause,
    DeployOutcome,
    Meanwhile,
    Step,
    Stop,
    Verdict,
)
from shipway.decisions.deploy.state import Control, EnvState
from shipway.errors import ShipwayError
from tests.unit.decisions.deploy.states import PROGRAM, serving

BLUE_GREEN = Environment(port=8000)
CANARY = Environment(port=8000, strategy="canary")
FAILURE = Failure("error_rate 50.0% > 5% threshold", (Breach("error_rate", 0.05, 0.5, "%"),))


def steps(plan: flow.Plan) -> list[Step]:
    return [planned.step for planned in plan.steps]


def control(command: str) -> Control:
    return Control(command=command, operation="op", who="ann@host", at=0)


# -- plans --------------------------------------------------------------------------------


def test_a_first_deploy_has_no_canary_no_warm_window_and_nothing_to_scale_down() -> None:
    plan = flow.deploy_plan(CANARY, EnvState(), "1.0", "/releases")
    assert steps(plan) == [
        Step.PORTS,
        Step.INSTALL,
        Step.PRE_DEPLOY,
        Step.ROUTER,
        Step.START,
        Step.SMOKE,
        Step.SWITCH,
        Step.CHECK,
        Step.POST_DEPLOY,
        Step.PRUNE,
    ]
    assert (plan.slot, plan.from_slot, plan.from_version) == ("blue", None, None)
    assert not plan.keeps_warm


def test_a_blue_green_deploy_keeps_the_old_release_warm_then_scales_it_down() -> None:
    plan = flow.deploy_plan(BLUE_GREEN, serving("1.0"), "2.0", "/releases")
    assert Step.CANARY not in steps(plan)
    assert steps(plan)[-4:] == [Step.WARM, Step.SCALE_DOWN, Step.POST_DEPLOY, Step.PRUNE]
    assert (plan.slot, plan.from_slot, plan.from_version) == ("green", "blue", "1.0")
    assert plan.keeps_warm


def test_never_scaling_down_keeps_the_old_release_until_the_next_deploy() -> None:
    never = Environment(port=8000, scale_down_delay="never", analysis={"window": "45s"})
    plan = flow.deploy_plan(never, serving("1.0"), "2.0", "/releases")
    assert steps(plan)[-3:] == [Step.WARM, Step.POST_DEPLOY, Step.PRUNE]
    assert plan.keeps_warm
    [warm] = [p for p in plan.steps if p.step is Step.WARM]
    assert "keep 1.0 warm at 0 % until the next deploy" in warm.detail
    assert "analyse the new release for 45s" in warm.detail


def test_a_canary_deploy_runs_its_steps_between_the_smoke_tests_and_the_switch() -> None:
    found = steps(flow.deploy_plan(CANARY, serving("1.0"), "2.0", "/releases"))
    assert found.index(Step.SMOKE) + 1 == found.index(Step.CANARY) == found.index(Step.SWITCH) - 1


def test_the_lock_is_held_up_to_the_check_and_again_after_the_warm_window() -> None:
    plan = flow.deploy_plan(BLUE_GREEN, serving("1.0"), "2.0", "/releases")
    assert [p.step for p in plan.switching][-2:] == [Step.SWITCH, Step.CHECK]
    assert [p.step for p in plan.finishing] == [Step.SCALE_DOWN, Step.POST_DEPLOY, Step.PRUNE]
    first = flow.deploy_plan(BLUE_GREEN, EnvState(), "1.0", "/releases")
    assert [p.step for p in first.finishing] == [Step.POST_DEPLOY, Step.PRUNE]


def test_a_cold_rollback_starts_and_checks_the_target_like_a_deploy_then_stops_the_current() -> (
    None
):
    plan = flow.cold_rollback_plan(BLUE_GREEN, serving("2.0", "green"), "1.0")
    assert steps(plan) == [
        Step.PORTS,
        Step.INSTALL,
        Step.ROUTER,
        Step.START,
        Step.SMOKE,
        Step.SWITCH,
        Step.SCALE_DOWN,
    ]
    assert (plan.action, plan.version, plan.slot, plan.from_slot) == (
        "rollback",
        "1.0",
        "blue",
        "green",
    )
    assert not plan.keeps_warm


def test_the_dry_run_tells_every_step_with_this_environments_values() -> None:
    lines = flow.describe(flow.deploy_plan(CANARY, serving("1.0"), "2.0", "/releases"))
    assert "check that ports 8000 and 8003 are ours or free" in lines
    assert "smoke tests: GET / → below 500" in lines  # the default: the app answers at all
    assert any("wait until / is ready (at most 30s)" in line for line in lines)
    assert "canary step 1: 5 % of traffic for 30s, under analysis" in lines
    assert "canary step 3: 50 % of traffic for 30s, under analysis" in lines
    assert "post-deploy hooks: none" in lines
    assert all(lines)  # the scale-down is told by the warm window's line


# -- manual pauses and the preview in the plan --------------------------------------------

HELD = Environment(port=8000, pause="manual", preview_port=8005)
MANUAL_CANARY = Environment.model_validate(
    {"port": 8000, "strategy": "canary", "steps": [{"weight": 20, "pause": "manual"}]}
)


def test_a_blue_green_deploy_with_a_manual_pause_holds_after_its_checks_before_its_switch() -> None:
    found = steps(flow.deploy_plan(HELD, serving("1.0"), "2.0", "/releases"))
    assert found.index(Step.SMOKE) + 1 == found.index(Step.HOLD) == found.index(Step.SWITCH) - 1
    plan = flow.deploy_plan(HELD, serving("1.0"), "2.0", "/releases")
    assert Step.HOLD in [p.step for p in plan.switching]  # under the lock, like canary steps


def test_a_first_deploy_has_nothing_to_hold_for() -> None:
    """As a canary's first release is switched at once: nothing serves to keep serving."""
    assert Step.HOLD not in steps(flow.deploy_plan(HELD, EnvState(), "1.0", "/releases"))


def test_without_a_manual_pause_a_blue_green_deploy_does_not_hold() -> None:
    assert Step.HOLD not in steps(flow.deploy_plan(BLUE_GREEN, serving("1.0"), "2.0", "/r"))
    assert Step.HOLD not in steps(flow.deploy_plan(MANUAL_CANARY, serving("1.0"), "2.0", "/r"))


def test_the_dry_run_tells_the_manual_pauses_and_the_preview() -> None:
    lines = flow.describe(flow.deploy_plan(HELD, serving("1.0"), "2.0", "/releases"))
    assert any(
        line.endswith("from then until the switch http://127.0.0.1:8005 answers from it (preview)")
        for line in lines
    ), lines
    assert any(line.startswith("hold before the switch until `inv promote`") for line in lines)
    lines = flow.describe(flow.deploy_plan(MANUAL_CANARY, serving("1.0"), "2.0", "/releases"))
    assert "canary step 1: 20 % of traffic until `inv promote` (manual pause), under analysis" in (
        lines
    )
    assert not any("preview" in line for line in lines)  # no preview port configured


# -- watching a release -------------------------------------------------------------------


def test_nothing_observed_continues() -> None:
    reaction = flow.react(superseded=False, control=None, failure=None, where="at step 1/3")
    assert (reaction.verdict, reaction.stop) == (Verdict.CONTINUE, None)


def test_a_failed_analysis_stops_with_its_failure() -> None:
    reaction = flow.react(superseded=False, control=None, failure=FAILURE, where="at step 1/3")
    assert reaction.verdict is Verdict.FAIL
    assert reaction.stop == Stop(
        Cause.ANALYSIS_FAILED,
        "analysis failed at step 1/3: error_rate 50.0% > 5% threshold",
        FAILURE,
    )


def test_an_abort_stops_naming_who_and_where() -> None:
    reaction = flow.react(
        superseded=False, control=control("abort"), failure=None, where="after promotion"
    )
    assert reaction.verdict is Verdict.ABORT
    assert reaction.stop == Stop(Cause.ABORTED, "aborted by ann@host after promotion")


def test_a_promotion_goes_on_without_a_stop() -> None:
    reaction = flow.react(superseded=False, control=control("promote"), failure=None, where="")
    assert (reaction.verdict, reaction.stop, reaction.who) == (Verdict.PROMOTE, None, "ann@host")


def test_a_persons_word_wins_over_the_analysis() -> None:
    reaction = flow.react(superseded=False, control=control("promote"), failure=FAILURE, where="")
    assert reaction.verdict is Verdict.PROMOTE


def test_another_commands_routing_wins_over_everything() -> None:
    reaction = flow.react(superseded=True, control=control("abort"), failure=FAILURE, where="")
    assert (reaction.verdict, reaction.stop) == (Verdict.SUPERSEDED, None)


# -- how a deploy ends --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stop", "served", "outcome"),
    [
        (flow.step_failed("smoke tests failed"), False, DeployOutcome.FAILED),
        (flow.interrupted(), False, DeployOutcome.FAILED),
        (flow.interrupted(" during the warm window"), True, DeployOutcome.ROLLED_BACK),
        (flow.analysis_failed(FAILURE, "at step 1/3"), False, DeployOutcome.ROLLED_BACK),
        (flow.analysis_failed(FAILURE, "after promotion"), True, DeployOutcome.ROLLED_BACK),
        (flow.aborted("ann", "at step 1/3"), False, DeployOutcome.ABORTED),
        (flow.aborted("ann", "after promotion"), True, DeployOutcome.ABORTED),
    ],
)
def test_the_outcome_of_a_stop_depends_on_its_cause_and_whether_the_release_served(
    stop: Stop, served: bool, outcome: DeployOutcome
) -> None:
    assert stop.outcome(served=served) is outcome


def test_a_stop_before_serving_says_the_old_release_still_serves() -> None:
    plan = flow.deploy_plan(BLUE_GREEN, serving("1.0"), "2.0", "/releases")
    said = flow.stopped_before_serving(plan, flow.aborted("ann", "at step 1/3"), "prod")
    assert (
        said.notification == "deploy of 2.0 ABORTED: aborted by ann at step 1/3; 1.0 still serving"
    )
    assert said.error == (
        "deploy of 2.0 to prod aborted: aborted by ann at step 1/3; 1.0 is still serving"
    )
    first = flow.deploy_plan(BLUE_GREEN, EnvState(), "1.0", "/releases")
    said = flow.stopped_before_serving(first, flow.step_failed("boom"), "prod")
    assert said.error == "deploy of 1.0 to prod failed: boom; nothing is still serving"


def test_a_stop_after_serving_says_it_rolled_back() -> None:
    plan = flow.deploy_plan(BLUE_GREEN, serving("1.0"), "2.0", "/releases")
    said = flow.rolled_back_after_serving(plan, flow.analysis_failed(FAILURE, "after promotion"))
    assert said.error.endswith(": rolled back to 1.0")
    assert said.notification.startswith("deploy of 2.0 ROLLED BACK: analysis failed")


def test_only_a_failed_post_deploy_hook_lets_a_deploy_go_on() -> None:
    assert [step for step in Step if flow.tolerated(step)] == [Step.POST_DEPLOY]


def test_what_happened_during_the_warm_window() -> None:
    switched = serving("2.0", "green")
    assert flow.meanwhile(switched, switched.generation, "1.0") is Meanwhile.NOTHING
    rolled_back = serving("1.0", "blue").model_copy(update={"generation": 5})
    assert flow.meanwhile(rolled_back, switched.generation, "1.0") is Meanwhile.ROLLED_BACK
    superseded = serving("3.0", "blue").model_copy(update={"generation": 5})
    assert flow.meanwhile(superseded, switched.generation, "1.0") is Meanwhile.SUPERSEDED


# -- rollback -----------------------------------------------------------------------------


def test_a_rollback_goes_to_the_previous_release_by_default() -> None:
    state = serving("2.0", "green").model_copy(update={"history": ["1.0", "2.0"]})
    choice = flow.choose_rollback(state, None, "prod")
    assert (choice.target, choice.current, choice.current_slot) == ("1.0", "2.0", "green")
    assert choice.warm_slot is None  # cold: installed and started again


def test_a_rollback_to_a_warm_release_only_switches() -> None:
    state = serving("2.0", "green").with_slot("blue", version="1.0", phase="warm", program=PROGRAM)
    assert flow.choose_rollback(state, "1.0", "prod").warm_slot == "blue"


def test_a_rollback_needs_an_earlier_release_that_is_not_serving() -> None:
    with pytest.raises(ShipwayError, match="nothing to roll back to in prod"):
        flow.choose_rollback(serving("1.0"), None, "prod")
    with pytest.raises(ShipwayError, match=r"1\.0 is already serving in prod"):
        flow.choose_rollback(serving("1.0"), "1.0", "prod")


def test_how_a_deploy_ended_is_its_newest_audit_record() -> None:
    records = [
        {"action": "deploy", "version": "2.0", "outcome": "aborted", "reason": "by ann"},
        {"action": "rollback", "version": "2.0", "outcome": "succeeded"},
        {"action": "deploy", "version": "1.0", "outcome": "succeeded", "reason": ""},
    ]
    assert flow.ended(records, "2.0") == flow.Ended("aborted", "by ann")
    assert not flow.Ended("aborted", "by ann").serving
    assert flow.ended(records, "1.0") == flow.Ended("succeeded", "")
    assert flow.Ended("succeeded, post-deploy hook failed", "").serving
    assert flow.ended(records, "3.0") is None
