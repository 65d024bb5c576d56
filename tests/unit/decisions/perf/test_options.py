"""nox -s perf's arguments."""

import re

import pytest

from shipway.config.perf import Perf
from shipway.decisions.perf.options import PerfOptions, parse_options
from shipway.errors import ShipwayError

PERF = Perf()


def test_no_arguments_run_the_configured_profile_against_a_deploy() -> None:
    assert parse_options([], PERF) == PerfOptions("load", None, update_baseline=False)
    assert parse_options([], Perf(profile="soak")).profile == "soak"


@pytest.mark.parametrize(
    "posargs",
    [
        ["--profile", "stress", "--host", "http://127.0.0.1:9000/", "--update-baseline"],
        ["--update-baseline", "--host=http://127.0.0.1:9000", "--profile=stress"],
    ],
)
def test_profile_host_and_update_baseline(posargs: list[str]) -> None:
    assert parse_options(posargs, PERF) == PerfOptions(
        "stress", "http://127.0.0.1:9000", update_baseline=True
    )


@pytest.mark.parametrize(
    ("posargs", "message"),
    [
        (["--profile", "bursty"], "--profile 'bursty' is not a profile; allowed: load, stress"),
        (["--profile"], "--profile needs a value; usage: nox -s perf --"),
        (["--host", "--update-baseline"], "--host needs a value"),
        (["--host", "127.0.0.1:8400"], "--host '127.0.0.1:8400' is not an http(s) URL"),
        (["--users", "5"], "unknown argument '--users'; usage: nox -s perf -- [--profile NAME]"),
    ],
)
def test_bad_arguments_are_refused_with_the_usage(posargs: list[str], message: str) -> None:
    with pytest.raises(ShipwayError, match="^" + re.escape(message)):
        parse_options(posargs, PERF)
