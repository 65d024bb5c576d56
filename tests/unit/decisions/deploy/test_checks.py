import pytest

from shipway.config.deploy import SmokeCheck
from shipway.decisions.deploy.checks import (
    Approval,
    SmokeResult,
    approval,
    is_ready,
    smoke_problems,
    who,
)
from shipway.errors import ShipwayError


def test_smoke_problems_name_path_and_expectation() -> None:
    health = SmokeCheck()
    results = [
        SmokeResult(health, 200, "2.0"),
        SmokeResult(SmokeCheck(path="/ready"), 503, None),
        SmokeResult(SmokeCheck(path="/x", expect_version=False), None, None, "ConnectError"),
        SmokeResult(health, 200, "1.0"),
    ]
    assert smoke_problems(results, "2.0") == [
        "GET /ready answered 503, expected 200",
        "GET /x failed: ConnectError",
        "GET /health/detailed reports version '1.0', expected '2.0'",
    ]


def test_on_the_default_path_any_answer_below_500_is_ready_elsewhere_only_2xx() -> None:
    assert [is_ready("/", status) for status in (200, 302, 404, 499, 500, 503)] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]
    assert [is_ready("/ready", status) for status in (200, 204, 302, 404, 503)] == [
        True,
        True,
        False,
        False,
        False,
    ]


def test_a_smoke_check_without_a_status_accepts_any_answer_below_500() -> None:
    home = SmokeCheck(path="/", status=None, expect_version=False)
    results = [SmokeResult(home, 404, None), SmokeResult(home, 502, None)]
    assert smoke_problems(results, "2.0") == ["GET / answered 502, expected below 500"]


def test_approval() -> None:
    assert approval(False, False, False, "a → b", "dev") is Approval.NOT_NEEDED
    assert approval(True, True, False, "a → b", "prod") is Approval.GIVEN
    assert approval(True, False, True, "a → b", "prod") is Approval.ASK
    with pytest.raises(
        ShipwayError,
        match=r"environment prod requires approval for a → b: pass --yes .*protected GitHub environment",
    ):
        approval(True, False, False, "a → b", "prod")


def test_who() -> None:
    assert who({}, "ana", "laptop") == "ana@laptop"
    ci = {
        "GITHUB_ACTIONS": "true",
        "GITHUB_ACTOR": "bot",
        "GITHUB_RUN_ID": "42",
        "GITHUB_WORKFLOW": "deploy",
    }
    assert who(ci, "runner", "vm") == "github:bot (run 42, deploy)"
