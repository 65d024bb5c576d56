"""Judgements a deploy makes: smoke-test results, approval, who is deploying."""

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shipway.config.deploy import ANY_ANSWER, SmokeCheck
from shipway.errors import ShipwayError


@dataclass(frozen=True)
class SmokeResult:
    check: SmokeCheck
    status: int | None  # None when the request failed
    version: str | None  # the JSON body's "version", if any
    error: str = ""


def is_ready(path: str, status: int) -> bool:
    """The readiness rule: on ``/`` (the default) any answer below 500; elsewhere a 2xx."""
    return status < 500 if path == ANY_ANSWER else 200 <= status < 300


def expected_status(check: SmokeCheck) -> str:
    return "below 500" if check.status is None else str(check.status)


def answered_as_expected(check: SmokeCheck, status: int) -> bool:
    return status < 500 if check.status is None else status == check.status


def smoke_problems(results: Sequence[SmokeResult], version: str) -> list[str]:
    problems = []
    for result in results:
        where, check = f"GET {result.check.path}", result.check
        if result.status is None:
            problems.append(f"{where} failed: {result.error}")
        elif not answered_as_expected(check, result.status):
            problems.append(f"{where} answered {result.status}, expected {expected_status(check)}")
        elif result.check.expect_version and result.version != version:
            problems.append(f"{where} reports version {result.version!r}, expected {version!r}")
    return problems


class Approval(enum.Enum):
    NOT_NEEDED = "not needed"
    GIVEN = "given with --yes"
    ASK = "ask on the terminal"


def approval(
    required: bool, yes: bool, interactive: bool, change: str, environment: str
) -> Approval:
    if not required:
        return Approval.NOT_NEEDED
    if yes:
        return Approval.GIVEN
    if interactive:
        return Approval.ASK
    raise ShipwayError(
        f"environment {environment} requires approval for {change}: pass --yes (in CI, put the "
        "job behind a protected GitHub environment with required reviewers and pass --yes)"
    )


def who(environ: Mapping[str, str], user: str, host: str) -> str:
    """The actor for the audit log: the CI run when there is one, else user@host."""
    if environ.get("GITHUB_ACTIONS") == "true":
        actor = environ.get("GITHUB_ACTOR", "unknown")
        run, workflow = environ.get("GITHUB_RUN_ID", "?"), environ.get("GITHUB_WORKFLOW", "?")
        return f"github:{actor} (run {run}, {workflow})"
    return f"{user}@{host}"
