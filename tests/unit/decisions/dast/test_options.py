import pytest

from shipway.config.dast import Dast
from shipway.decisions.dast.options import DastOptions, parse_options
from shipway.errors import ShipwayError


def test_defaults_scan_the_configured_environment_with_the_configured_profile() -> None:
    assert parse_options([], Dast()) == DastOptions("quick", "staging", None)


def test_host_or_environment_and_profile() -> None:
    assert parse_options(["--host", "http://h:1/"], Dast()) == DastOptions(
        "quick", None, "http://h:1"
    )
    options = parse_options(["--environment=prod", "--profile", "full"], Dast())
    assert options == DastOptions("full", "prod", None)


@pytest.mark.parametrize(
    "posargs",
    [
        ["--host", "h:1"],
        ["--host"],
        ["--profile", "slow"],
        ["--bogus"],
        ["--host", "http://h", "--environment", "staging"],
    ],
)
def test_bad_arguments_are_errors(posargs: list[str]) -> None:
    with pytest.raises(ShipwayError):
        parse_options(posargs, Dast())
