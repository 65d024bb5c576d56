"""nox -s perf's stage with a real Locust against a real service on a free port.

Each test starts the reference service with a fault knob (or, for the built-in user, a tiny
service with no health endpoint and no root route), runs the stage against it with a tiny
profile (a few users for 6 s), and stops the service by pid. The stage stops Locust itself; the
tests check that nothing with its marker is left.
"""

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.config.perf import LoadProfile, PerfGates
from shipway.decisions.deploy.state import Process
from shipway.decisions.perf.baseline import BaselineEntry, baseline_document
from shipway.decisions.perf.options import PerfOptions
from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import read_audit
from shipway.effects.perf.load_generator import run_locust, stop_recorded
from shipway.entry.perf import run_perf_stage
from shipway.errors import ShipwayError
from tests.support.processes import REPO, answers, env_with, free_port, running, wait_until
from tests.support.supervised import assert_nothing_running

BIN = [str(Path(sys.executable).parent)]
# Long enough for Locust to get going on a loaded 2-core machine (it took over 2 s there
# before its first request) and still send requests for a few seconds.
TINY = {"users": 4, "spawn_rate": 4, "duration": 6, "processes": 1}


@contextmanager
def chatbot(**faults: str) -> Iterator[str]:
    """The reference service under uvicorn on a free port, with ``CHATBOT_FAULT_*`` set."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "chatbot.app:app", "--port", str(port)]
    env = env_with({f"CHATBOT_FAULT_{name.upper()}": value for name, value in faults.items()})
    url = f"http://127.0.0.1:{port}"
    with running([*argv, "--no-access-log"], env):
        wait_until(answers(f"{url}/ready"), timeout=30, what="the reference service")
        yield url


@contextmanager
def tiny_service() -> Iterator[str]:
    """tests/support/tiny_service.py under uvicorn on a free port: /hello 200, /boom 500, else
    404 (no /health, no root route)."""
    port = free_port()
    app = "tests.support.tiny_service:app"
    argv = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--lifespan", "off"]
    url = f"http://127.0.0.1:{port}"
    with running([*argv, "--no-access-log"], env_with()):
        wait_until(answers(f"{url}/hello"), timeout=30, what="the tiny service")
        yield url


def builtin_user_project(tmp_path: Path, paths: list[str]) -> Project:
    """As ``perf_project``, with no locustfile: the built-in user on ``paths``."""
    project = perf_project(tmp_path)
    perf = project.config.perf.model_copy(update={"locustfile": None, "paths": paths})
    return dataclasses.replace(project, config=project.config.model_copy(update={"perf": perf}))


def perf_project(tmp_path: Path, **gates: float) -> Project:
    """This repository's configuration with reports, state and baseline under ``tmp_path``."""
    project = load_project(REPO)
    perf = project.config.perf.model_copy(
        update={
            "locustfile": str(REPO / "locust" / "locustfile.py"),
            "profiles": {"load": LoadProfile.model_validate(TINY)},
        }
    )
    config = project.config.model_copy(
        update={
            "perf": perf,
            "gates": project.config.gates.model_copy(
                update={"perf": PerfGates(min_rps=1, **gates)}
            ),
        }
    )
    return dataclasses.replace(project, root=tmp_path, config=config)


def summary(tmp_path: Path) -> dict[str, object]:
    document: dict[str, object] = json.loads(
        (tmp_path / "reports" / "perf" / "summary.json").read_text()
    )
    return document


def assert_locust_is_gone(tmp_path: Path) -> None:
    assert not (tmp_path / ".shipway" / "perf" / "loadgen.json").exists()
    assert processes.with_marker(str(tmp_path / "reports" / "perf" / "locust.html")) == []


def test_latency_fault_fails_the_p95_gate_with_threshold_and_measured_value(
    tmp_path: Path,
) -> None:
    project = perf_project(tmp_path, p95_ms=50)
    with chatbot(latency_ms="120") as url:
        verdict = run_perf_stage(project, PerfOptions("load", url), BIN)
    assert_locust_is_gone(tmp_path)
    assert not verdict.passed
    [reason] = verdict.reasons
    assert reason.startswith("perf.p95_ms gate: FAIL — measured "), reason
    assert "required <= 50 ms" in reason
    p95 = summary(tmp_path)["p95_ms"]
    assert isinstance(p95, float)
    assert p95 >= 120
    assert f"measured {p95:g} ms" in reason
    reports = tmp_path / "reports" / "perf"
    for name in ("locust.html", "locust_stats.csv", "locust.json", "summary.md"):
        assert (reports / name).is_file(), name
    assert "❌ FAIL" in (reports / "summary.md").read_text()
    history = (tmp_path / ".shipway" / "perf" / "runs.jsonl").read_text().splitlines()
    assert json.loads(history[-1])["verdict"] == "fail"


def test_error_fault_fails_the_error_rate_gate(tmp_path: Path) -> None:
    project = perf_project(tmp_path, error_rate=0.05)
    with chatbot(error_rate="0.5") as url:
        verdict = run_perf_stage(project, PerfOptions("load", url), BIN)
    assert_locust_is_gone(tmp_path)
    [reason] = verdict.reasons
    assert reason.startswith("perf.error_rate gate: FAIL — measured "), reason
    assert "required <= 5%" in reason
    document = summary(tmp_path)
    error_rate = document["error_rate"]
    assert isinstance(error_rate, float)
    assert f"error_rate {error_rate:.4f}" in reason
    endpoints = {e["name"]: e for e in document["endpoints"]}  # type: ignore[attr-defined]
    chat, health = endpoints["/api/chat"], endpoints["/health"]  # every round starts with
    assert chat["requests"] <= 3 * health["requests"]  # a health check, then three messages
    assert health["failures"] == 0
    assert abs(chat["failures"] - chat["requests"] / 2) <= 1  # every 2nd chat request fails


def test_the_built_in_user_loads_every_path_evenly_and_a_404_on_the_root_is_an_answer(
    tmp_path: Path,
) -> None:
    project = builtin_user_project(tmp_path, ["/", "/hello"])
    with tiny_service() as url:
        verdict = run_perf_stage(project, PerfOptions("load", url), BIN)
    assert_locust_is_gone(tmp_path)
    assert verdict.passed, verdict.reasons
    assert "load: the built-in user on /, /hello" in verdict.notes
    document = summary(tmp_path)
    assert document["workload"] == {
        "user": "built-in",
        "locustfile": None,
        "paths": ["/", "/hello"],
    }
    endpoints = {e["name"]: e for e in document["endpoints"]}  # type: ignore[attr-defined]
    assert set(endpoints) == {"/", "/hello"}  # requests are named by path
    root, hello = endpoints["/"], endpoints["/hello"]
    assert root["requests"] > 0
    assert hello["requests"] > 0
    assert abs(root["requests"] - hello["requests"]) <= TINY["users"]  # each user alternates
    assert root["failures"] == hello["failures"] == 0  # "/" answers 404: below 500 is ready


def test_the_built_in_user_fails_a_path_answering_500_naming_the_failures(
    tmp_path: Path,
) -> None:
    project = builtin_user_project(tmp_path, ["/hello", "/boom"])
    with tiny_service() as url:
        verdict = run_perf_stage(project, PerfOptions("load", url), BIN)
    assert_locust_is_gone(tmp_path)
    assert not verdict.passed
    [reason] = verdict.reasons
    assert reason.startswith("perf.error_rate gate: FAIL — measured "), reason
    assert "failed: GET /boom: answered 500, expected 200-299 (" in reason
    document = summary(tmp_path)
    endpoints = {e["name"]: e for e in document["endpoints"]}  # type: ignore[attr-defined]
    boom, hello = endpoints["/boom"], endpoints["/hello"]
    assert boom["requests"] > 0
    assert boom["failures"] == boom["requests"]
    assert hello["failures"] == 0
    failed = document["failed_requests"]
    assert isinstance(failed, list)
    assert [(f["name"], f["error"]) for f in failed] == [
        ("/boom", "answered 500, expected 200-299")
    ]


def test_a_regression_against_the_stored_baseline_fails_and_a_new_one_can_be_stored(
    tmp_path: Path,
) -> None:
    project = perf_project(tmp_path)
    baseline = tmp_path / "benchmarks" / "perf-baseline.json"
    baseline.parent.mkdir()
    fast = BaselineEntry(p95_ms=5, rps=4, error_rate=0, users=4, duration_s=3)
    baseline.write_text(json.dumps(baseline_document({"load": fast})))
    with chatbot(latency_ms="60") as url:
        slower = run_perf_stage(project, PerfOptions("load", url), BIN)
        [reason] = slower.reasons
        assert reason.startswith("perf.max_regression.p95_ms gate: FAIL — measured")
        assert "required <= 10 ms" in reason
        assert "baseline p95 5 ms" in reason
        stored = run_perf_stage(project, PerfOptions("load", url, update_baseline=True), BIN)
    assert stored.passed, stored.reasons
    assert any("stored as the load baseline" in note for note in stored.notes)
    assert any("against the old baseline: perf.max_regression.p95_ms" in n for n in stored.notes)
    entry = json.loads(baseline.read_text())["profiles"]["load"]
    assert entry["p95_ms"] >= 60
    assert entry["users"] == 4
    assert_locust_is_gone(tmp_path)


def test_a_hung_locust_is_stopped_with_its_workers(tmp_path: Path) -> None:
    marker = str(tmp_path / "marker")
    record = tmp_path / "loadgen.json"
    argv = [sys.executable, "-c", "import time; time.sleep(60)", marker]
    with pytest.raises(ShipwayError, match="past its limit of 1s"):
        run_locust(
            argv,
            marker=marker,
            record=record,
            log=tmp_path / "locust.log",
            cwd=tmp_path,
            env=env_with(),
            time_limit=1,
            label="hanging",
        )
    assert processes.with_marker(marker) == []
    assert not record.exists()


def test_a_load_generator_left_by_a_killed_run_is_stopped_by_the_next(tmp_path: Path) -> None:
    marker = str(tmp_path / "marker")
    record = tmp_path / "loadgen.json"
    argv = [sys.executable, "-c", "import time; time.sleep(60)", marker]
    orphan = subprocess.Popen(argv)
    try:
        wait_until(lambda: processes.with_marker(marker) == [orphan.pid], 10, "the orphan")
        ticks = processes.start_ticks(orphan.pid)
        assert ticks is not None
        record.write_text(
            Process(pid=orphan.pid, start_ticks=ticks, marker=marker).model_dump_json()
        )
        stop_recorded(record)
        assert orphan.wait(timeout=10) != 0
        assert not record.exists()
    finally:
        orphan.kill()
        orphan.wait()


def test_without_host_the_stage_deploys_this_commit_through_the_router_and_stops_it(
    project: Project, tmp_path: Path
) -> None:
    """The path `nox -s perf` takes by default: build (here: already in the store), deploy to
    the perf environment behind Envoy, load-test through its URL, stop everything."""
    name = "perf-stage"
    perf = project.config.perf.model_copy(
        update={
            "environment": name,
            "locustfile": str(REPO / "locust" / "locustfile.py"),
            "profiles": {"load": LoadProfile.model_validate(TINY)},
            "reports": str(tmp_path / "reports" / "perf"),
            "state_dir": str(tmp_path / ".shipway" / "perf"),
            "baseline": str(tmp_path / "perf-baseline.json"),
        }
    )
    staged = dataclasses.replace(project, config=project.config.model_copy(update={"perf": perf}))
    env = LocalEnvironment(staged, name)
    verdict = run_perf_stage(staged, PerfOptions("load", None), BIN)
    assert verdict.passed, verdict.reasons
    document = summary(tmp_path)
    assert document["host"] == env.config.url  # through the router, not the release's port
    deployed = [a for a in read_audit(env.files) if a["action"] == "deploy"][-1]
    assert deployed["outcome"] == "succeeded"
    assert document["version"] == deployed["version"]  # what Locust hit is what was deployed
    assert document["version"] == "2.0.0"  # HEAD is tagged v2.0.0, and the tree is clean
    assert isinstance(document["requests"], int)
    assert document["requests"] > 0
    assert_nothing_running(env)
    assert_locust_is_gone(tmp_path)
