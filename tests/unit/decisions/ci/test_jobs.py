"""The aggregate CI check: green only when every needed job succeeded."""

import json

import pytest

from shipway.decisions.ci.jobs import JobResult, jobs_markdown, parse_needs, verdict_line
from shipway.errors import ShipwayError


def needs(**results: str) -> str:
    return json.dumps({job: {"result": r, "outputs": {}} for job, r in results.items()})


def test_all_jobs_succeeded_is_a_pass_with_the_count() -> None:
    results = parse_needs(needs(lint="success", tests="success"))
    assert verdict_line(results) == "ci: PASS — 2/2 jobs succeeded"


def test_a_failed_cancelled_or_skipped_job_is_not_green() -> None:
    results = parse_needs(needs(lint="success", tests="failure", coverage="skipped", x="cancelled"))
    assert verdict_line(results) == (
        "ci: FAIL — 1/4 jobs succeeded; not green: tests (failure), coverage (skipped), "
        "x (cancelled)"
    )
    assert [r.passed for r in results] == [True, False, False, False]


def test_markdown_lists_every_job_under_the_verdict() -> None:
    text = jobs_markdown([JobResult("lint", "success"), JobResult("tests", "failure")])
    assert text.startswith("### ci: FAIL — 1/2 jobs succeeded; not green: tests (failure)\n")
    assert "| lint | ✅ success |\n| tests | ❌ failure |" in text


@pytest.mark.parametrize("text", ["", "{}", "[]", "  "])
def test_no_results_is_an_error_not_a_pass(text: str) -> None:
    with pytest.raises(ShipwayError, match=r"no job results: set NEEDS to \$\{\{ toJSON\(needs\)"):
        parse_needs(text)


def test_results_that_are_not_json_say_so() -> None:
    with pytest.raises(ShipwayError, match="the jobs' results are not JSON"):
        parse_needs("{lint: success}")
