from shipway.decisions.deploy.reconcile import (
    RestartSlot,
    Route,
    StartRouter,
    StopSlot,
    plan_repair,
)
from shipway.decisions.deploy.state import (
    EnvState,
    Operation,
    Process,
    idle_slot,
    nothing_to_undo,
    other,
    previous_version,
    releases_to_prune,
    split,
    with_history,
)

NOW = 1000.0
PROC = Process(pid=1, start_ticks=1, marker="m")


def serving(version: str = "1.0", slot: str = "blue") -> EnvState:
    state = EnvState(history=[version]).routed_to(slot)  # type: ignore[arg-type]
    return state.with_slot(slot, version=version, phase="serving", process=PROC)  # type: ignore[arg-type]


def deploying(state: EnvState, version: str = "2.0", step: str = "ready") -> EnvState:
    slot = idle_slot(state)
    op = Operation(
        id="x",
        action="deploy",
        version=version,
        from_version=state.serving_version,
        slot=slot,
        step=step,
        started=0,
        who="me@host",
    )
    return state.with_slot(slot, version=version, phase="starting", process=PROC).model_copy(
        update={"operation": op}
    )


def test_slots_and_history() -> None:
    state = serving("1.0", "blue")
    assert (state.serving_slot, state.serving_version, idle_slot(state)) == ("blue", "1.0", "green")
    assert idle_slot(EnvState()) == "blue"
    assert other("green") == "blue"
    switched = state.routed_to("green")
    assert switched.weights == {"blue": 0, "green": 100}
    assert switched.generation == state.generation + 1
    assert with_history(["1.0", "2.0", "1.0"], "2.0") == ["1.0", "1.0", "2.0"]
    assert previous_version(serving("2.0").model_copy(update={"history": ["1.0", "2.0"]})) == "1.0"
    assert previous_version(serving("1.0")) is None


def test_undoing_a_failed_deploy_rolls_back_only_the_release_it_left_serving() -> None:
    after_switch = serving("2.0").model_copy(update={"history": ["1.0", "2.0"]})
    assert nothing_to_undo(after_switch, "2.0", "staging") is None
    untouched = serving("1.0")  # failed before traffic moved, or already rolled itself back
    assert nothing_to_undo(untouched, "2.0", "staging") == (
        "nothing to undo in staging: 2.0 is not serving (1.0 is); "
        "the failed deploy left traffic where it was"
    )
    assert "(nothing is)" in (nothing_to_undo(EnvState(), "2.0", "dev") or "")


def test_pruning_keeps_the_newest_and_never_the_serving_or_previous() -> None:
    state = serving("4.0").model_copy(update={"history": ["1.0", "2.0", "3.0", "4.0"]})
    assert releases_to_prune(["1.0", "2.0", "3.0", "4.0", "0.9"], state, keep=2) == [
        "2.0",
        "1.0",
        "0.9",
    ]
    assert releases_to_prune(["1.0", "2.0", "3.0", "4.0"], state, keep=1) == ["2.0", "1.0"]


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
        "blue", version="1.0", phase="warm", process=PROC, warm_until=NOW + 5
    )
    assert (
        plan_repair(state, {"blue": True, "green": True}, True, NOW, repair_processes=True).actions
        == ()
    )
    later = plan_repair(state, {"blue": True, "green": True}, True, NOW + 6, repair_processes=True)
    assert later.actions == (StopSlot("blue", "scale-down delay over"),)


def test_leftover_releases_are_stopped() -> None:
    state = serving().with_slot("green", version="2.0", phase="ready", process=PROC)
    repair = plan_repair(state, {"blue": True, "green": True}, True, NOW, repair_processes=False)
    assert repair.actions == (StopSlot("green", "left ready"),)


def test_dead_serving_release_and_router_are_restarted_only_by_deploys() -> None:
    state = serving()
    status = plan_repair(state, {"blue": False, "green": False}, False, NOW, repair_processes=False)
    assert status.actions == ()
    deploy = plan_repair(state, {"blue": False, "green": False}, False, NOW, repair_processes=True)
    assert [type(a) for a in deploy.actions] == [RestartSlot, StartRouter]
