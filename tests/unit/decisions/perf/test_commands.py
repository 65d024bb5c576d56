"""The Locust command line nox -s perf runs."""

from pathlib import Path

from shipway.config.perf import LoadProfile
from shipway.decisions.perf.commands import PerfPaths, locust_argv, time_limit, worker_processes


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
