from shipway.decisions.deploy.reconcile import (
    RestartSlot,
    Route,
    StartRouter,
    StopSlot,
    plan_repair,
)
from shipway.decisions.deploy.state import split
from tests.unit.decisions.deploy.states import PROGRAM, deploying, serving

NOW = 1000.0


def test_nothing_to_repair_when_all_is_well() -> None:
    repair = plan_repair(
        serving(), {"blue": True, "green": False}, True, NOW, repair_processes=True
    )
    assert repair.actions == ()
    assert repair.interrupted is None


def test_interrupted_before_the_switch_stops_the_new_release() -> None:
    state = deploying(serving("1.0"))
    repair = plan_repair(state, {"blue": True, "green": True}, True, NOW, repair_processes=True)
    assert repair.actions == (StopSlot("green", repair.actions[0].reason),)
    assert repair.interrupted == (
        "deploy of 2.0 by me@host (interrupted at step 'ready'): stopped 2.0; 1.0 kept serving"
    )


def test_interrupted_canary_sends_traffic_back_then_stops_the_canary() -> None:
    state = deploying(serving("1.0"), step="canary")
    state = state.with_weights(split("green", 25)).with_slot("green", phase="canary")
    assert state.weights == {"green": 25, "blue": 75}
    assert state.serving_version == "1.0"  # the stable release serves until promotion
    repair = plan_repair(state, {"blue": True, "green": True}, True, NOW, repair_processes=False)
    assert [type(a) for a in repair.actions] == [Route, StopSlot]  # traffic off first
    assert (repair.actions[0].slot, repair.actions[1].slot) == ("blue", "green")  # type: ignore[union-attr]
    assert repair.interrupted is not None
    assert "stopped 2.0; 1.0 kept serving" in repair.interrupted


def test_interrupted_after_the_switch_completes_the_scale_down() -> None:
    state = deploying(serving("1.0")).routed_to("green")
    state = state.with_slot("green", phase="serving").with_slot(
        "blue", phase="warm", warm_until=NOW + 60
    )
    repair = plan_repair(state, {"blue": True, "green": True}, True, NOW, repair_processes=True)
    assert [type(a) for a in repair.actions] == [StopSlot]
    assert repair.actions[0].slot == "blue"  # type: ignore[union-attr]
    assert repair.interrupted is not None
    assert "post-deploy hooks not run" in repair.interrupted


def test_interrupted_after_the_switch_with_a_dead_new_release_goes_back() -> None:
    state = deploying(serving("1.0")).routed_to("green")
    state = state.with_slot("green", phase="serving").with_slot(
        "blue", phase="warm", warm_until=NOW + 60
    )
    repair = plan_repair(state, {"blue": True, "green": False}, True, NOW, repair_processes=True)
    assert [(type(a), a.slot) for a in repair.actions] == [(Route, "blue"), (StopSlot, "green")]  # type: ignore[union-attr]
    assert repair.interrupted is not None
    assert "traffic back on 1.0" in repair.interrupted


def test_interrupted_with_nothing_alive_is_reported() -> None:
    state = deploying(serving("1.0")).routed_to("green").with_slot("green", phase="serving")
    repair = plan_repair(state, {"blue": False, "green": False}, True, NOW, repair_processes=False)
    assert repair.interrupted is not None
    assert "neither 2.0 nor 1.0 is running" in repair.interrupted


def test_warm_release_is_kept_until_its_time_then_stopped() -> None:
    state = serving("2.0", "green").with_slot(
        "blue", version="1.0", phase="warm", program=PROGRAM, warm_until=NOW + 5
    )
    assert (
        plan_repair(state, {"blue": True, "green": True}, True, NOW, repair_processes=True).actions
        == ()
    )
    later = plan_repair(state, {"blue": True, "green": True}, True, NOW + 6, repair_processes=True)
    assert later.actions == (StopSlot("blue", "scale-down delay over"),)


def test_a_release_kept_until_the_next_deploy_outlives_its_window_but_not_its_death() -> None:
    state = serving("2.0", "green").with_slot(
        "blue", version="1.0", phase="warm", program=PROGRAM, warm_until=NOW + 5, kept=True
    )
    much_later = NOW + 86_400
    alive = plan_repair(
        state, {"blue": True, "green": True}, True, much_later, repair_processes=True
    )
    assert alive.actions == ()
    dead = plan_repair(
        state, {"blue": False, "green": True}, True, much_later, repair_processes=True
    )
    assert dead.actions == (StopSlot("blue", "scale-down delay over"),)


def test_leftover_releases_are_stopped() -> None:
    state = serving().with_slot("green", version="2.0", phase="ready", program=PROGRAM)
    repair = plan_repair(state, {"blue": True, "green": True}, True, NOW, repair_processes=False)
    assert repair.actions == (StopSlot("green", "left ready"),)


def test_dead_serving_release_and_router_are_restarted_only_by_deploys() -> None:
    state = serving()
    status = plan_repair(state, {"blue": False, "green": False}, False, NOW, repair_processes=False)
    assert status.actions == ()
    deploy = plan_repair(state, {"blue": False, "green": False}, False, NOW, repair_processes=True)
    assert [type(a) for a in deploy.actions] == [RestartSlot, StartRouter]


def test_an_interrupted_manual_pause_is_rolled_back_like_any_interrupted_canary() -> None:
    """A hold nobody watches any more (its command killed, attached or detached) never keeps
    taking traffic: back to the stable release, the canary stopped, nothing previewed."""
    state = deploying(serving("1.0"), step="canary").previewing("green")
    state = state.with_weights(split("green", 20)).with_slot("green", phase="canary")
    repair = plan_repair(state, {"blue": True, "green": True}, True, NOW, repair_processes=False)
    assert [type(a) for a in repair.actions] == [Route, StopSlot]
    assert repair.clear_preview


def test_a_repair_leaves_nothing_previewed_and_says_so_only_when_something_was() -> None:
    held = deploying(serving("1.0"), step="hold").previewing("green")
    assert plan_repair(
        held, {"blue": True, "green": True}, True, NOW, repair_processes=False
    ).clear_preview
    calm = serving("1.0")
    assert not plan_repair(
        calm, {"blue": True, "green": False}, True, NOW, repair_processes=False
    ).clear_preview
