from shipway.decisions.deploy.state import (
    DEFAULT_MAINTENANCE_MESSAGE,
    EnvState,
    idle_slot,
    nothing_to_undo,
    other,
    previous_version,
    refused_for_maintenance,
    releases_to_prune,
    with_history,
    with_maintenance,
)
from tests.unit.decisions.deploy.states import deploying, serving


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


def test_maintenance_on_records_the_message_who_and_since_and_keeps_the_releases() -> None:
    state = with_maintenance(serving("1.0"), True, "back at 5", "ana@host", 100.0)
    assert state.maintenance.model_dump() == {
        "on": True,
        "message": "back at 5",
        "since": 100.0,
        "who": "ana@host",
    }
    assert (state.serving_version, state.weights) == ("1.0", serving("1.0").weights)


def test_maintenance_on_without_a_message_serves_the_default_page() -> None:
    state = with_maintenance(EnvState(), True, None, "ana", 1.0)
    assert state.maintenance.message == DEFAULT_MAINTENANCE_MESSAGE


def test_maintenance_on_again_keeps_when_it_started() -> None:
    state = with_maintenance(EnvState(), True, "a", "ana", 1.0)
    assert with_maintenance(state, True, "b", "bob", 5.0).maintenance.since == 1.0


def test_maintenance_off_keeps_the_message_so_the_page_need_not_change() -> None:
    on = with_maintenance(EnvState(), True, "back at 5", "ana", 1.0)
    off = with_maintenance(on, False, None, "bob", 2.0).maintenance
    assert (off.on, off.message, off.since, off.who) == (False, "back at 5", None, None)


def test_deploys_and_rollbacks_are_refused_while_maintenance_is_on() -> None:
    on = with_maintenance(serving("1.0"), True, None, "ana", 1.0)
    assert refused_for_maintenance(on, "deploy 2.0", "prod") == (
        "maintenance is on in prod: `inv maintenance --env prod --off` first, then deploy 2.0"
    )
    assert refused_for_maintenance(serving("1.0"), "deploy 2.0", "prod") is None


def test_the_preview_names_a_slot_and_answers_from_the_release_there() -> None:
    state = deploying(serving("1.0"), "2.0")
    assert (state.preview, state.previewed_version) == (None, None)
    previewing = state.previewing("green")
    assert (previewing.preview, previewing.previewed_version) == ("green", "2.0")
    assert previewing.generation == state.generation  # no routing changed
    assert previewing.previewing(None).preview is None
