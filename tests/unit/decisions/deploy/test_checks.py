import pytest

from shipway.config.deploy import SmokeCheck
from shipway.decisions.deploy.checks import Approval, SmokeResult, approval, smoke_problems, who
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
