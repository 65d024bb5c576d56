"""Canary fault cases: v1.0.0 serves, v2.0.0 is deployed as a canary with one of the reference
service's fault knobs, under continuous load through the router. Shared by the fault-injection
tests and benchmarks/canary_faults.py."""

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipway.config import Project
from shipway.decisions.deploy.state import Slot
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state, read_audit
from shipway.entry import deploy as deploy_tasks
from shipway.errors import ShipwayError
from tests.support.deployments import steady_load, with_environment

STABLE, CANARY = "1.0.0", "2.0.0"

# Windows scaled down from the defaults (30 s pauses, 60 s window, 10 s interval) so the suite
# takes seconds: the semantics are the same, only the clock is faster.
SCALED: dict[str, Any] = {
    "strategy": "canary",
    "ready_timeout": "5s",
    "scale_down_delay": "2s",
    "steps": [{"weight": 10, "pause": "5s"}, {"weight": 50, "pause": "5s"}],
    "analysis": {"window": "4s", "interval": "1s", "min_requests": 10, "health_failures": 3},
}

FAULTS: dict[str, dict[str, str]] = {
    "healthy": {},
    "errors_20pct": {"CHATBOT_FAULT_ERROR_RATE": "0.2"},
    "latency_3s": {"CHATBOT_FAULT_LATENCY_MS": "3000"},
    "crash_after_start": {"CHATBOT_FAULT_CRASH_AFTER_S": "3"},
    "never_ready": {"CHATBOT_FAULT_NEVER_READY": "true"},
    "flapping_health": {"CHATBOT_FAULT_FLAP_S": "3"},
}
# A release whose health flaps every 3 s is ready only in its "up" windows: how late its first
# one starts after the process does depends on the machine's load, so it gets the time of two
# windows of each kind to be found ready (what the test is about is the analysis after that).
SETTINGS: dict[str, dict[str, Any]] = {"flapping_health": {"ready_timeout": "15s"}}
ENVIRONMENT = {
    "healthy": "canary-healthy",
    "errors_20pct": "canary-errors",
    "latency_3s": "canary-latency",
    "crash_after_start": "canary-crash",
    "never_ready": "canary-never-ready",
    "flapping_health": "canary-flapping",
}


@dataclass(frozen=True)
class CaseResult:
    fault: str
    outcome: str  # "promoted" or "rolled_back" (a release that never took traffic counts too)
    seconds: float  # from the deploy's start to its promotion or rollback
    failed_requests: int
    total_requests: int
    max_weight: int
    error: str
    serving_after: str | None
    weights_after: dict[Slot, int]
    audit: dict[str, Any]

    def record(self) -> dict[str, Any]:
        return {
            "fault": self.fault,
            "outcome": self.outcome,
            "seconds": round(self.seconds, 2),
            "failed_requests": self.failed_requests,
            "total_requests": self.total_requests,
            "max_weight": self.max_weight,
        }


def canary_project(project: Project, name: str, fault: str, **overrides: Any) -> Project:
    settings = {**FAULTS[fault]}
    own = SETTINGS.get(fault, {})
    return with_environment(project, name, settings=settings, **{**SCALED, **own, **overrides})


def analysis_bound(project: Project, name: str) -> float:
    """How long a faulty canary's analysis may take from its first step to its verdict: one
    step's pause, a full window and its measurement intervals, the health checks that fail
    it, and a second of allowance for the router's stats flush."""
    config = project.config.environments[name]
    rules = config.analysis
    return (
        1
        + config.steps[0].seconds
        + rules.window
        + (rules.failure_limit + 1) * rules.interval
        + rules.health_failures
    )


def run_case(project: Project, fault: str, scratch: Path, rps: int = 150) -> CaseResult:
    """Deploy v1 (no fault), then v2 as a canary with ``fault`` under load; return what happened."""
    name = ENVIRONMENT[fault]
    deploy_tasks.deploy(project, name, version=STABLE, yes=True, dry_run=False, lock_wait=0)
    faulty = canary_project(project, name, fault)
    env = LocalEnvironment(faulty, name)
    error = ""
    with steady_load(env.config.url, scratch / f"{fault}.json", rps, threads=16) as finish:
        time.sleep(1)  # a second of load on v1 alone: part of the measurement, not a sync
        started = time.monotonic()
        try:
            deploy_tasks.deploy(faulty, name, version=CANARY, yes=True, dry_run=False, lock_wait=0)
        except ShipwayError as failure:
            error = str(failure)
        seconds = time.monotonic() - started
        time.sleep(1)
        load = finish()
    audit: dict[str, Any] = read_audit(env.files)[-1]
    state = load_state(env.files)
    promoted = audit["outcome"] == "succeeded"
    if promoted:
        seconds = float(audit.get("serving_after_seconds") or seconds)
    return CaseResult(
        fault=fault,
        outcome="promoted" if promoted else "rolled_back",
        seconds=seconds,
        failed_requests=load["failed"],
        total_requests=load["total"],
        max_weight=int(audit.get("max_weight", 0)),
        error=error,
        serving_after=state.serving_version,
        weights_after=dict(state.weights),
        audit=audit,
    )


def deploy_in_background(
    project: Project, name: str, version: str = CANARY
) -> tuple[threading.Thread, list[str]]:
    """``inv deploy`` of ``version`` in a thread; the list gets "succeeded" or its error."""
    outcome: list[str] = []

    def deploy() -> None:
        try:
            deploy_tasks.deploy(
                project, name, version=version, yes=True, dry_run=False, lock_wait=0
            )
            outcome.append("succeeded")
        except ShipwayError as error:
            outcome.append(str(error))

    thread = threading.Thread(target=deploy)
    thread.start()
    return thread, outcome
