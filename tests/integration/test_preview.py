"""Manual promotion and the preview port, behind a real Envoy with real releases: a canary
step with ``pause = "manual"`` holds at its weight, analysed, until ``inv promote`` (then the
deploy completes) or ``inv abort`` (then it rolls back), the preview port answering from the
new release throughout; a blue-green deploy with ``--detach`` returns while it holds before
its switch, is promoted by a later command, and a held deploy whose process dies is rolled
back by the next command."""

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from shipway.config import Project
from shipway.decisions.deploy.router import (
    NOTHING_TO_PREVIEW,
    envoy_config,
    preview_endpoints,
    slot_endpoints,
)
from shipway.decisions.deploy.state import WAITING_FOR_PROMOTION, Process, Rollout
from shipway.effects.deploy import processes
from shipway.effects.deploy import status as environment_status
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_rollout, load_state, read_audit
from shipway.effects.http_client import client
from shipway.entry import deploy as deploy_tasks
from tests.support.canary import CANARY, SCALED, STABLE, deploy_in_background
from tests.support.deployments import steady_load, with_environment
from tests.support.envoy import envoy_validates
from tests.support.listening import assert_owner_only
from tests.support.processes import env_with, wait_until
from tests.support.supervised import as_process, router_pid


def answered_by(env: LocalEnvironment, url: str) -> str | None:
    """The release the router names for a GET of the ready path at ``url``."""
    response = client().get(f"{url}{env.config.ready_path}", timeout=5)
    found: str | None = response.headers.get(env.config.release_header)
    return found


def nothing_to_preview(env: LocalEnvironment) -> bool:
    response = client().get(f"{env.config.preview_url}/ready", timeout=5)
    return response.status_code == 503 and response.text == NOTHING_TO_PREVIEW


def held_canary(project: Project, name: str) -> Project:
    """Step 1 holds at 20 % until promoted; step 2 (50 %) passes on its own after 2 s."""
    return with_environment(
        project,
        name,
        strategy="canary",
        steps=[{"weight": 20, "pause": "manual"}, {"weight": 50, "pause": "2s"}],
        analysis=SCALED["analysis"],
    )


def holding(env: LocalEnvironment, measured: int = 0) -> bool:
    """The rollout waits for promotion, with at least ``measured`` successful measurements
    taken meanwhile (an automatic step would have moved on after the first)."""
    rollout = load_rollout(env.files)
    return (
        rollout is not None
        and rollout.status == WAITING_FOR_PROMOTION
        and rollout.measurements.get("successful", 0) >= measured
    )


def assert_held_at_step_one_with_the_preview_on_the_canary(env: LocalEnvironment) -> None:
    wait_until(lambda: holding(env, measured=4), timeout=60, what="four measurements in the hold")
    rollout = load_rollout(env.files)
    assert rollout is not None
    assert (rollout.stage, rollout.weight, rollout.status) == (
        "step 1/2",
        20,
        WAITING_FOR_PROMOTION,
    )
    assert rollout.preview_url == env.config.preview_url
    state = load_state(env.files)
    assert state.preview is not None
    assert state.weights == {state.preview: 20, "blue" if state.preview == "green" else "green": 80}
    assert env.config.preview_url is not None
    answers = {answered_by(env, env.config.preview_url) for _ in range(20)}
    assert answers == {CANARY}  # every answer on the preview port, none from the stable release
    report = environment_status.report(env)
    assert report["rollout"]["status"] == WAITING_FOR_PROMOTION
    assert report["rollout"]["held_since"] is not None
    assert report["preview"] == {"url": env.config.preview_url, "release": CANARY}
    assert_owner_only(env)  # the router listens on the environment's port and preview port


def test_a_manual_canary_holds_at_its_weight_until_promoted_then_completes(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    name = "preview-promote"
    cleanup.append(name)
    deploy_tasks.deploy(project, name, version=STABLE, yes=True, dry_run=False, lock_wait=0)
    held = held_canary(project, name)
    env = LocalEnvironment(held, name)
    assert nothing_to_preview(env)  # no deploy in progress
    with steady_load(env.config.url, tmp_path / "load.json", 100, threads=8) as finish:
        thread, outcome = deploy_in_background(held, name)
        try:
            assert_held_at_step_one_with_the_preview_on_the_canary(env)
            deploy_tasks.promote(held, name)  # returns once all traffic is on the canary
        finally:
            thread.join(timeout=90)
        load = finish()
    assert outcome == ["succeeded"], outcome
    assert load["failed"] == 0, load
    assert load["outcomes"].get(f"version {CANARY}", 0) > 0
    assert answered_by(env, env.config.url) == CANARY
    assert nothing_to_preview(env)  # the deploy is over
    audit = read_audit(env.files)[-1]
    assert (audit["version"], audit["outcome"]) == (CANARY, "succeeded")
    assert audit["max_weight"] == 100
    promotions: list[dict[str, Any]] = audit["promotions"]  # type: ignore[assignment]
    assert [(p["stage"], p["who"]) for p in promotions] == [("step 1/2", env.who)]


def test_a_manual_canary_holds_at_its_weight_until_aborted_then_rolls_back(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    name = "preview-abort"
    cleanup.append(name)
    deploy_tasks.deploy(project, name, version=STABLE, yes=True, dry_run=False, lock_wait=0)
    held = held_canary(project, name)
    env = LocalEnvironment(held, name)
    with steady_load(env.config.url, tmp_path / "load.json", 100, threads=8) as finish:
        thread, outcome = deploy_in_background(held, name)
        try:
            assert_held_at_step_one_with_the_preview_on_the_canary(env)
            deploy_tasks.abort(held, name)
        finally:
            thread.join(timeout=90)
        load = finish()
    [said] = outcome
    assert "aborted by" in said, said
    assert load["failed"] == 0, load
    assert answered_by(env, env.config.url) == STABLE
    assert nothing_to_preview(env)
    state = load_state(env.files)
    assert (state.serving_version, state.preview) == (STABLE, None)
    assert all(slot.version != CANARY for slot in state.slots.values())
    audit = read_audit(env.files)[-1]
    assert (audit["version"], audit["outcome"], audit["max_weight"]) == (CANARY, "aborted", 20)


# -- a detached deploy: CI's job ends while the deploy holds ------------------------------


def inv(project: Project, *arguments: str) -> subprocess.CompletedProcess[str]:
    """``inv ARGUMENTS`` in the fixture repository, as a person or a CI job runs it."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", *arguments],
        cwd=project.root,
        env=env_with({"RUNNER_TRACKING_ID": "github_job_1"}),
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def background(project: Project) -> Iterator[list[Process]]:
    """The background deploys a test started; any still running at its end is stopped."""
    started: list[Process] = []
    yield started
    for process in started:
        processes.stop(process, grace=60)


def watcher(env: LocalEnvironment) -> Process:
    rollout: Rollout | None = load_rollout(env.files)
    assert rollout is not None
    assert rollout.watcher is not None
    return rollout.watcher


def test_a_detached_blue_green_deploy_holds_before_its_switch_for_a_later_promote(
    project: Project, cleanup: list[str], background: list[Process]
) -> None:
    name = "preview-detached"
    cleanup.append(name)
    env = LocalEnvironment(project, name)
    deploy_tasks.deploy(project, name, version=STABLE, yes=True, dry_run=False, lock_wait=0)
    started = inv(project, "deploy", "--env", name, "--version", CANARY, "--detach")
    assert started.returncode == 0, started.stderr
    assert f"{WAITING_FOR_PROMOTION}: {CANARY} in {name} holds before the switch" in (
        started.stderr
    )
    process = watcher(env)
    background.append(process)
    assert processes.is_running(process)  # the command returned, the deploy goes on
    assert "RUNNER_TRACKING_ID" not in Path(f"/proc/{process.pid}/environ").read_text()
    assert env.config.preview_url is not None
    assert answered_by(env, env.config.url) == STABLE  # no user's traffic on it yet
    assert answered_by(env, env.config.preview_url) == CANARY

    # The router its supervisor restarts after a crash, from its files on disk, previews the
    # same release: nothing of it lived only in the dead router's memory.
    crashed = as_process(router_pid(env))
    os.kill(crashed.pid, signal.SIGKILL)
    wait_until(lambda: not processes.is_running(crashed), timeout=10, what="the router's end")
    preview = env.config.preview_url
    wait_until(lambda: answers(preview), timeout=20, what="the router its supervisor restarts")
    assert router_pid(env) not in (None, crashed.pid)
    assert answered_by(env, preview) == CANARY
    assert answered_by(env, env.config.url) == STABLE
    promote_the_held_deploy(project, env, process)

    # A held deploy whose process dies (kill -9, a reboot) is rolled back by the next command.
    again = inv(project, "deploy", "--env", name, "--version", STABLE, "--detach")
    assert again.returncode == 0, again.stderr
    process = watcher(env)
    background.append(process)
    assert answered_by(env, env.config.preview_url) == STABLE
    os.kill(process.pid, signal.SIGKILL)
    wait_until(lambda: not processes.is_running(process), timeout=10, what="the kill")
    repaired = environment_status.report(env)
    assert (repaired["serving"], repaired["rollout"]) == (CANARY, None)
    assert repaired["preview"] == {"url": env.config.preview_url, "release": None}
    assert nothing_to_preview(env)
    assert read_audit(env.files)[-1]["outcome"] == "interrupted"


def answers(url: str) -> bool:
    try:
        client().get(url, timeout=1)
    except httpx.TransportError:
        return False
    return True


def promote_the_held_deploy(project: Project, env: LocalEnvironment, process: Process) -> None:
    """`inv status` shows the hold and the preview; `inv promote` switches, and the
    background deploy finishes."""
    name = env.name
    shown = inv(project, "status", "--env", name, "--json")
    report: dict[str, Any] = json.loads(shown.stdout)
    assert (report["rollout"]["stage"], report["rollout"]["status"]) == (
        "before the switch",
        WAITING_FOR_PROMOTION,
    )
    assert report["preview"] == {"url": env.config.preview_url, "release": CANARY}
    text = inv(project, "status", "--env", name).stdout
    assert WAITING_FOR_PROMOTION in text
    assert f"preview: {env.config.preview_url} answers from {CANARY}" in text

    promoted = inv(project, "promote", "--env", name)
    assert promoted.returncode == 0, promoted.stderr
    wait_until(lambda: not processes.is_running(process), timeout=60, what="the deploy to end")
    assert answered_by(env, env.config.url) == CANARY
    assert nothing_to_preview(env)
    audit = read_audit(env.files)[-1]
    assert (audit["version"], audit["outcome"], audit["strategy"]) == (
        CANARY,
        "succeeded",
        "blue-green",
    )
    log = env.files.detached_log.read_text()
    assert "waiting for promotion" in log
    assert "promoted by" in log


def test_envoy_validates_a_configuration_with_a_tls_preview_port(tmp_path: Path) -> None:
    files = {name: tmp_path / f"{name}.json" for name in ("blue", "green", "preview")}
    files["blue"].write_text(json.dumps(slot_endpoints("blue", 18002, "1.0")))
    files["green"].write_text(json.dumps(slot_endpoints("green", 18003, None)))
    files["preview"].write_text(json.dumps(preview_endpoints(None)))
    secret = tmp_path / "secret.json"
    secret.write_text('{"resources": []}')  # Envoy validates the path; its content is SDS's
    config = envoy_config(
        host="127.0.0.1",
        port=18000,
        admin_socket=str(tmp_path / "admin.sock"),
        endpoint_files={"blue": str(files["blue"]), "green": str(files["green"])},
        weights={"blue": 100, "green": 0},
        release_header="x-shipway-release",
        access_log=str(tmp_path / "access.log"),
        tls_secret_file=str(secret),
        redirect_port=18001,
        preview_port=18005,
        preview_endpoint_file=str(files["preview"]),
    )
    envoy_validates(config, tmp_path / "envoy.json")
