"""Canary releases behind a real Envoy under continuous load, with the reference service's
fault knobs: every faulty canary is rolled back within a bound derived from its windows and
hurts at most its share of traffic; the healthy one is promoted without one failed request."""

import time
from pathlib import Path

import pytest

from shipway.config import Project
from shipway.effects.deploy import status as environment_status
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_rollout, load_state, read_audit
from shipway.effects.http_client import client
from shipway.entry import deploy as deploy_tasks
from shipway.errors import ShipwayError
from tests.support.canary import (
    CANARY,
    ENVIRONMENT,
    SCALED,
    STABLE,
    CaseResult,
    analysis_bound,
    canary_project,
    deploy_in_background,
    run_case,
)
from tests.support.deployments import steady_load, with_environment
from tests.support.processes import wait_until
from tests.support.reports import METRIC_CHARTS, assert_report_shows, report_page


def served_version(env: LocalEnvironment) -> str:
    version: str = client().get(f"{env.config.url}/health/detailed", timeout=5).json()["version"]
    return version


def assert_stable_serves_everything(project: Project, result: CaseResult) -> None:
    env = LocalEnvironment(project, ENVIRONMENT[result.fault])
    assert result.serving_after == STABLE, result
    assert result.weights_after[load_state(env.files).serving_slot or "blue"] == 100
    assert served_version(env) == STABLE
    assert all(slot.version != CANARY for slot in load_state(env.files).slots.values())


def test_healthy_canary_is_promoted_without_one_failed_request(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    cleanup.append(ENVIRONMENT["healthy"])
    result = run_case(project, "healthy", tmp_path)
    assert (result.outcome, result.error) == ("promoted", ""), result
    assert result.failed_requests == 0, result
    assert result.total_requests > 500, result
    assert result.max_weight == 100
    assert result.audit["strategy"] == "canary"
    assert result.audit["measurements"]["failed"] == 0
    assert result.audit["measurements"]["successful"] >= 2  # each step passed on data
    env = LocalEnvironment(project, ENVIRONMENT["healthy"])
    assert served_version(env) == CANARY
    assert_report_shows(
        report_page(env.files, result.audit),
        "report-canary-promoted",
        outcome="succeeded",
        reason=f"{CANARY} serves in {ENVIRONMENT['healthy']}",
        charts=("weights", *METRIC_CHARTS),
    )


@pytest.mark.parametrize(
    ("fault", "rule"),
    [
        ("errors_20pct", "error_rate"),
        ("latency_3s", "p95"),
        ("crash_after_start", None),  # 503s from the router, or failed health checks
        ("flapping_health", "health_failures"),
    ],
)
def test_faulty_canary_is_rolled_back_with_a_bounded_blast_radius(
    project: Project, cleanup: list[str], tmp_path: Path, fault: str, rule: str | None
) -> None:
    name = ENVIRONMENT[fault]
    cleanup.append(name)
    result = run_case(project, fault, tmp_path)
    assert result.outcome == "rolled_back", result
    assert f"deploy of {CANARY} to {name} rolled back: analysis failed" in result.error
    # Measured from the first canary step: installing and starting take what the machine's
    # load makes them take, and are bounded by ready_timeout elsewhere.
    bound = analysis_bound(canary_project(project, name, fault), name)
    assert result.audit["canary_seconds"] <= bound, result
    assert 0 < result.max_weight < 100, result
    blast_radius = result.failed_requests / result.total_requests
    assert blast_radius <= result.max_weight / 100 + 0.02, result
    assert result.audit["outcome"] == "rolled_back"
    if rule is not None:  # the audit names the rule, its threshold and what was measured
        breach = result.audit["breaches"][0]
        assert breach["rule"] == rule
        reached = breach["measured"] >= breach["threshold"]  # n failures in a row reach n
        assert reached if rule == "health_failures" else breach["measured"] > breach["threshold"]
    assert_stable_serves_everything(project, result)
    if fault == "errors_20pct":  # its report, as a person opens it
        assert_report_shows(
            report_page(LocalEnvironment(project, name).files, result.audit),
            "report-canary-rolled-back",
            outcome="rolled_back",
            reason="analysis failed at step 1/",
            charts=("weights", *METRIC_CHARTS),
            failed_rules=("error_rate",),
        )


def test_canary_that_never_gets_ready_never_takes_traffic(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    name = ENVIRONMENT["never_ready"]
    cleanup.append(name)
    result = run_case(project, "never_ready", tmp_path)
    assert result.outcome == "rolled_back", result
    assert "was not ready within 5s" in result.error, result.error
    assert (result.max_weight, result.failed_requests) == (0, 0), result
    assert_stable_serves_everything(project, result)


def test_abort_and_promote_mid_canary_under_load_lose_no_request(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    name = "canary-control"
    cleanup.append(name)
    deploy_tasks.deploy(project, name, version=STABLE, yes=True, dry_run=False, lock_wait=0)
    slow = canary_project(
        project,
        name,
        "healthy",
        steps=[{"weight": 20, "pause": "120s"}, {"weight": 50, "pause": "120s"}],
    )
    env = LocalEnvironment(slow, name)

    def at_first_step() -> bool:
        rollout = load_rollout(env.files)
        return rollout is not None and rollout.stage == "step 1/2" and rollout.weight == 20

    with pytest.raises(ShipwayError, match="no canary or post-promotion analysis is running"):
        deploy_tasks.promote(slow, name)
    with steady_load(env.config.url, tmp_path / "control.json", 150, threads=8) as finish:
        thread, outcome = deploy_in_background(slow, name)
        wait_until(at_first_step, timeout=60, what="the canary's first step")
        report = environment_status.report(env)
        assert report["rollout"]["weight"] == 20
        assert {r["version"]: r["weight"] for r in report["releases"] if r["weight"]} == {
            STABLE: 80,
            CANARY: 20,
        }
        deploy_tasks.abort(slow, name)
        thread.join(timeout=60)
        assert len(outcome) == 1, outcome
        assert "aborted by" in outcome[0], outcome
        assert served_version(env) == STABLE

        thread, outcome = deploy_in_background(slow, name)
        wait_until(at_first_step, timeout=60, what="the second canary's first step")
        deploy_tasks.promote(slow, name)
        thread.join(timeout=60)
        assert outcome == ["succeeded"], outcome
        assert served_version(env) == CANARY
        time.sleep(1)  # a second of load on the promoted release: measurement, not a sync
        load = finish()
    assert load["failed"] == 0, load
    assert load["outcomes"].get(f"version {CANARY}", 0) > 0
    outcomes = [(a["version"], a["outcome"]) for a in read_audit(env.files)[-2:]]
    assert outcomes == [(CANARY, "aborted"), (CANARY, "succeeded")]


def test_blue_green_rolls_back_when_the_post_promotion_analysis_fails(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    name = "blue-green-analysis"
    cleanup.append(name)
    deploy_tasks.deploy(project, name, version=STABLE, yes=True, dry_run=False, lock_wait=0)
    # Smoke tests pass (they do not chat); half the chats fail once users arrive.
    faulty = with_environment(
        project,
        name,
        settings={"CHATBOT_FAULT_ERROR_RATE": "0.5"},
        scale_down_delay="30s",
        analysis=SCALED["analysis"],
    )
    env = LocalEnvironment(faulty, name)
    with steady_load(env.config.url, tmp_path / "load.json", 150, threads=8) as finish:
        started = time.monotonic()
        with pytest.raises(ShipwayError, match="analysis failed after promotion: error_rate"):
            deploy_tasks.deploy(faulty, name, version=CANARY, yes=True, dry_run=False, lock_wait=0)
        elapsed = time.monotonic() - started
        load = finish()
    assert elapsed < 30  # rolled back by the analysis, not at the end of the warm window
    assert served_version(env) == STABLE
    audit = read_audit(env.files)[-1]
    assert (audit["strategy"], audit["outcome"]) == ("blue-green", "rolled_back")
    assert audit["breaches"][0]["rule"] == "error_rate"  # type: ignore[index]
    assert load["outcomes"].get(f"version {CANARY}", 0) > 0  # it did serve before it was pulled
