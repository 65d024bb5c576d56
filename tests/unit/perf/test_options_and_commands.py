"""nox -s perf's arguments, and the Locust command line it runs."""

import re
from pathlib import Path

import pytest

from shipway.config.model import LoadProfile, Perf
from shipway.decisions.perf.commands import (
    PerfPaths,
    locust_argv,
    time_limit,
    worker_processes,
)
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


def test_locust_runs_headless_bounded_and_writes_every_report(tmp_path: Path) -> None:
    paths = PerfPaths(tmp_path)
    profile = LoadProfile(users=20, spawn_rate=2.5, duration=19.2)
    argv = locust_argv(Path("locust/locustfile.py"), "http://h:1", profile, 1, paths)
    assert argv == [
        "locust",
        "--locustfile",
        "locust/locustfile.py",
        "--headless",
        "--host",
        "http://h:1",
        "--users",
        "20",
        "--spawn-rate",
        "2.5",
        "--run-time",
        "20s",
        "--stop-timeout",
        "5",
        "--csv",
        f"{tmp_path}/locust",
        "--html",
        f"{tmp_path}/locust.html",
        "--json-file",
        f"{tmp_path}/locust",
        "--only-summary",
        "--exit-code-on-error",
        "0",
    ]
    assert paths.stats_csv == tmp_path / "locust_stats.csv"
    assert paths.json == tmp_path / "locust.json"
    assert time_limit(profile) == 20 + 5 + 60


def test_several_processes_are_forked_only_when_asked_or_cores_allow(tmp_path: Path) -> None:
    profile = LoadProfile(users=200, spawn_rate=20, duration=60)
    argv = locust_argv(Path("f.py"), "http://h:1", profile, 3, PerfPaths(tmp_path))
    assert argv[-2:] == ["--processes", "3"]
    assert worker_processes("auto", 2) == 1  # the service under test needs the other core
    assert worker_processes("auto", 1) == 1
    assert worker_processes("auto", 8) == 4
    assert worker_processes(2, 2) == 2
