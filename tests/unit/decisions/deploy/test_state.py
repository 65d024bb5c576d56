from shipway.decisions.deploy.state import (
    EnvState,
    idle_slot,
    nothing_to_undo,
    other,
    previous_version,
    releases_to_prune,
    with_history,
)
from tests.unit.decisions.deploy.states import serving


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
