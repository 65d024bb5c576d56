"""The environment's supervisor, with real supervisord, Envoy and gunicorn: whatever is
killed comes back with no command typed, routing as before; the secrets it holds are never
stale; `inv stop` leaves nothing."""

import os
import signal
import sys
import time
from pathlib import Path

import httpx
import pytest

from shipway.config import Project
from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state, read_audit
from shipway.effects.deploy.status import report, show
from shipway.effects.http_client import client
from shipway.entry import deploy as deploy_tasks
from shipway.errors import ShipwayError
from tests.support.deployments import steady_load, with_environment
from tests.support.processes import env_with, running, wait_until
from tests.support.recovery import kill_and_recover
from tests.support.supervised import (
    as_process,
    assert_nothing_running,
    descendants,
    slot_process,
)

V1, V2 = "1.0.0", "2.0.0"


def deploy(project: Project, name: str, version: str) -> None:
    deploy_tasks.deploy(project, name, version=version, yes=True, dry_run=False, lock_wait=0)


def served_version(env: LocalEnvironment) -> str:
    version: str = client().get(f"{env.config.url}/health/detailed", timeout=5).json()["version"]
    return version


def test_a_killed_router_and_a_killed_release_come_back_under_load_with_no_command(
    project: Project,
    cleanup: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = "supervised"
    cleanup.append(name)
    env = LocalEnvironment(project, name)
    deploy(project, name, V1)
    before = load_state(env.files)
    assert before.router_program is not None
    release = before.slot("blue").program
    assert release is not None
    master = slot_process(env, "blue")[1]
    assert master is not None
    workers = [as_process(pid) for pid in descendants(master)]
    assert workers  # gunicorn's workers, which outlive a killed master
    with steady_load(env.config.url, tmp_path / "load.json", rps=100) as finish:
        time.sleep(1)  # load before the kill: the measurement window, not a synchronization
        router = kill_and_recover(env, before.router_program, V1)
        gunicorn = kill_and_recover(env, release, V1)
        time.sleep(1)  # and after it
        load = finish()
    # The supervisor restarted the same programs; the router routes to the same release.
    after = load_state(env.files)
    assert (after.router_program, after.slot("blue").program) == (before.router_program, release)
    assert after.weights == before.weights
    assert served_version(env) == V1
    assert not any(processes.is_running(worker) for worker in workers)  # no orphans
    versions = {k for k in load["outcomes"] if k.startswith("version ")}
    assert versions == {f"version {V1}"}, load
    assert load["outcomes"]["ok"] > 0, load
    assert load["total"] >= 200, load  # it flowed through both kills (100/s asked)
    status = report(env)
    assert (status["serving"], status["healthy"]) == (V1, True), status
    assert status["router"]["restarts"] == 1
    assert status["router"]["pid"] == router.restarted
    [row] = [r for r in status["releases"] if r["state"] == "serving"]
    assert (row["restarts"], row["pid"]) == (1, gunicorn.restarted)
    assert isinstance(row["uptime"], float)
    capsys.readouterr()
    show(status)
    assert "restarted 1 times by the supervisor" in capsys.readouterr().out
    assert [a["action"] for a in read_audit(env.files)] == ["deploy"]  # no command ran
    deploy_tasks.stop(project, name, lock_wait=0)
    assert_nothing_running(env)


def test_a_secret_changed_since_the_supervisor_started_is_refused_with_nothing_changed(
    project: Project,
    cleanup: list[str],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = "supervised-secrets"
    cleanup.append(name)
    first = "first-" + os.urandom(6).hex()
    monkeypatch.setenv("SHIPWAY_ROTATED", first)
    secret = with_environment(project, name, secrets={"API_TOKEN": "env:SHIPWAY_ROTATED"})
    env = LocalEnvironment(secret, name)
    deploy(secret, name, V1)
    serving = slot_process(env, "blue")
    rotated = "rotated-" + os.urandom(6).hex()
    monkeypatch.setenv("SHIPWAY_ROTATED", rotated)
    with pytest.raises(ShipwayError, match=r"the secret API_TOKEN changed since the supervisor"):
        deploy(secret, name, V2)
    assert slot_process(env, "blue") == serving
    assert load_state(env.files).serving_version == V1
    captured = capsys.readouterr()
    for value in (first, rotated):
        assert value not in captured.out + captured.err
    # After a stop, the next deploy starts a supervisor with the new value.
    deploy_tasks.stop(secret, name, lock_wait=0)
    deploy(secret, name, V2)
    pid = slot_process(env, "blue")[1]
    assert f"API_TOKEN={rotated}".encode() in Path(f"/proc/{pid}/environ").read_bytes()


def answering_version(env: LocalEnvironment) -> str | None:
    try:
        return served_version(env)
    except httpx.HTTPError:
        return None


def test_after_a_power_cut_shipway_supervise_brings_the_environment_back(
    project: Project, cleanup: list[str]
) -> None:
    """What a systemd unit (inv service) runs at boot: everything of the environment died at
    once, and `shipway supervise` alone serves the same release again."""
    name = "supervised-boot"
    cleanup.append(name)
    env = LocalEnvironment(project, name)
    deploy(project, name, V1)
    supervisor = env.supervisor.process()
    assert supervisor is not None
    everything = [supervisor, *(as_process(pid) for pid in descendants(supervisor.pid))]
    for process in everything:
        os.kill(process.pid, signal.SIGKILL)
    wait_until(
        lambda: not any(processes.is_running(p) for p in everything), 10, "everything to die"
    )
    assert answering_version(env) is None
    argv = [sys.executable, "-m", "shipway", "supervise", "--env", name]
    with running([*argv, "--project", str(project.root)], env_with()) as supervise:
        wait_until(lambda: answering_version(env) == V1, 30, "the environment to answer")
        status = report(env)
        assert (status["serving"], status["healthy"]) == (V1, True), status
        supervised = env.supervisor.process()
        assert supervised is not None
        assert supervised.pid == supervise.pid  # the command became the supervisor
        deploy_tasks.stop(project, name, lock_wait=0)  # stops it too
        assert supervise.wait(timeout=60) == 0
    assert_nothing_running(env)
