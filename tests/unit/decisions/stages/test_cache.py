"""The stage cache's decision, rule by rule (decisions/stages/cache.py)."""

import datetime

from shipway.decisions.stages.cache import (
    MISSING,
    CacheDecision,
    CacheOutcome,
    Fingerprint,
    PassRecord,
    StageInputs,
    bypass_requested,
    decide,
    describe,
    split_no_cache,
)

UTC = datetime.UTC


NOW = datetime.datetime(2026, 11, 22, 12, 30, 0, tzinfo=UTC)


CURRENT = Fingerprint(
    files={"src/a.py": "aaa", "uv.lock": "lll"}, values={"python": "3.12.1", "arguments": "[]"}
)


OUTPUT = "reports/coverage/.coverage.tests-3.12"


def record(fingerprint: Fingerprint = CURRENT, **changes: object) -> PassRecord:
    fields: dict[str, object] = {
        "stage": "tests-3.12",
        "key": fingerprint.key,
        "passed_at": datetime.datetime(2026, 11, 22, 12, 3, 44, tzinfo=UTC),
        "seconds": 41.25,
        "files": dict(fingerprint.files),
        "values": dict(fingerprint.values),
        "outputs": {OUTPUT: "ddd"},
    }
    return PassRecord.model_validate({**fields, **changes})


def test_same_inputs_and_outputs_intact_is_a_hit() -> None:
    assert decide(CURRENT, record(), {OUTPUT: "ddd"}, bypass=False) == CacheDecision(
        CacheOutcome.HIT
    )


def test_no_record_runs() -> None:
    assert decide(CURRENT, None, {}, bypass=False).outcome is CacheOutcome.NO_RECORD


def test_an_edited_file_runs_and_is_named() -> None:
    edited = Fingerprint({**CURRENT.files, "src/a.py": "bbb"}, CURRENT.values)
    decision = decide(edited, record(), {OUTPUT: "ddd"}, bypass=False)
    assert decision == CacheDecision(CacheOutcome.INPUTS_CHANGED, ("src/a.py",))


def test_an_added_and_a_removed_file_both_count_as_changes() -> None:
    moved = Fingerprint({"src/b.py": "aaa", "uv.lock": "lll"}, CURRENT.values)
    decision = decide(moved, record(), {OUTPUT: "ddd"}, bypass=False)
    assert decision.changed == ("src/a.py", "src/b.py")


def test_a_changed_value_runs_and_is_named_after_the_files() -> None:
    upgraded = Fingerprint(CURRENT.files, {**CURRENT.values, "python": "3.12.2"})
    decision = decide(upgraded, record(), {OUTPUT: "ddd"}, bypass=False)
    assert decision == CacheDecision(CacheOutcome.INPUTS_CHANGED, ("python",))


def test_other_arguments_are_other_inputs() -> None:
    narrowed = Fingerprint(CURRENT.files, {**CURRENT.values, "arguments": '["-x"]'})
    assert narrowed.key != CURRENT.key


def test_a_missing_output_runs_the_stage_again() -> None:
    decision = decide(CURRENT, record(), {OUTPUT: MISSING}, bypass=False)
    assert decision == CacheDecision(CacheOutcome.OUTPUTS_CHANGED, (f"{OUTPUT} (missing)",))


def test_an_output_changed_since_the_pass_runs_the_stage_again() -> None:
    decision = decide(CURRENT, record(), {OUTPUT: "other"}, bypass=False)
    assert decision.changed == (f"{OUTPUT} (changed)",)


def test_bypass_runs_even_with_a_matching_record() -> None:
    assert decide(CURRENT, record(), {OUTPUT: "ddd"}, bypass=True).outcome is (
        CacheOutcome.BYPASSED
    )


def test_without_a_fingerprint_the_cache_is_off() -> None:
    decision = decide(None, record(), {OUTPUT: "ddd"}, bypass=False)
    assert decision.outcome is CacheOutcome.UNAVAILABLE
    assert not decision.hit


def test_the_key_does_not_depend_on_order() -> None:
    reordered = Fingerprint(dict(reversed(list(CURRENT.files.items()))), CURRENT.values)
    assert reordered.key == CURRENT.key


def test_no_cache_is_taken_out_of_the_arguments() -> None:
    assert split_no_cache(["-x", "--no-cache", "-k", "a"]) == (["-x", "-k", "a"], True)
    assert split_no_cache(["-x"]) == (["-x"], False)


def test_the_environment_variable_bypasses_unless_off() -> None:
    assert bypass_requested(flag=True, env_value=None)
    assert bypass_requested(flag=False, env_value="1")
    assert bypass_requested(flag=False, env_value="yes")
    for off in (None, "", "0", "false", "No"):
        assert not bypass_requested(flag=False, env_value=off), off


def test_a_hit_says_when_it_passed_its_key_and_what_it_saved() -> None:
    line = describe("lint", CacheDecision(CacheOutcome.HIT), record(), NOW)
    assert line == f"lint: cached PASS from 12:03:44 (inputs {CURRENT.key[:8]}…; it took 41.2 s)"


def test_a_pass_from_another_day_shows_the_date() -> None:
    tomorrow = NOW + datetime.timedelta(days=1)
    line = describe("lint", CacheDecision(CacheOutcome.HIT), record(), tomorrow)
    assert "cached PASS from 2026-11-22 12:03:44" in line


def test_times_are_shown_in_the_time_zone_of_now() -> None:
    berlin = datetime.timezone(datetime.timedelta(hours=1))
    line = describe("lint", CacheDecision(CacheOutcome.HIT), record(), NOW.astimezone(berlin))
    assert "from 13:03:44" in line


def test_a_rerun_names_at_most_three_changes() -> None:
    changed = ("a.py", "b.py", "c.py", "d.py", "python")
    line = describe("lint", CacheDecision(CacheOutcome.INPUTS_CHANGED, changed), record(), NOW)
    assert line == (
        "lint: running — changed since the PASS from 12:03:44: a.py, b.py, c.py (+2 more)"
    )


def test_every_other_outcome_says_why_it_runs() -> None:
    lines = {
        outcome: describe("lint", CacheDecision(outcome), None, NOW, why_off="no git")
        for outcome in (CacheOutcome.NO_RECORD, CacheOutcome.BYPASSED, CacheOutcome.UNAVAILABLE)
    }
    assert lines == {
        CacheOutcome.NO_RECORD: "lint: running — no cached PASS yet",
        CacheOutcome.BYPASSED: "lint: running — cache bypassed (--no-cache or SHIPWAY_NO_CACHE)",
        CacheOutcome.UNAVAILABLE: "lint: running — stage cache off (no git)",
    }


def test_pathspecs_exclude_what_the_pipeline_and_its_tools_write() -> None:
    specs = StageInputs(sources=("**",), exclude=("tests/integration",)).pathspecs()
    assert specs[:5] == [
        ":(glob)**",
        ":(glob,exclude)tests/integration",
        ":(glob,exclude)reports",
        ":(glob,exclude).shipway",
        ":(glob,exclude).nox",
    ]
    for cache in ("**/__pycache__", "**/*.pyc", ".pytest_cache", ".mypy_cache", ".coverage.*"):
        assert f":(glob,exclude){cache}" in specs
