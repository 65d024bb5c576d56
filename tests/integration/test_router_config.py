"""The generated Envoy configuration is accepted by the real Envoy, and the router names the
release that answered: two tiny HTTP servers stand in for the releases of the two slots."""

import json
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from shipway.config import load_project
from shipway.decisions.deploy.router import envoy_config, slot_endpoints
from shipway.decisions.deploy.state import SLOTS, EnvState, Process, Slot
from shipway.effects import probes
from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state
from shipway.effects.deploy.router import set_router_weights
from shipway.effects.http_client import client
from tests.support.envoy import envoy_validates
from tests.support.processes import answers, env_with, free_ports, running, wait_until
from tests.support.supervised import as_process, router_pid

HEADER = "x-test-release"


@pytest.mark.parametrize("maintenance", [False, True])
def test_envoy_validates_the_generated_configuration(tmp_path: Path, maintenance: bool) -> None:
    endpoint_files: dict[Slot, Path] = {}
    for slot, port in zip(SLOTS, (18002, 18003), strict=True):
        endpoint_files[slot] = tmp_path / f"{slot}.json"
        endpoint_files[slot].write_text(json.dumps(slot_endpoints(slot, port, None)))
    config = envoy_config(
        host="127.0.0.1",
        port=18000,
        admin_socket=str(tmp_path / "admin.sock"),
        endpoint_files={slot: str(path) for slot, path in endpoint_files.items()},
        weights={"blue": 100, "green": 0},
        release_header=HEADER,
        access_log=str(tmp_path / "access.log"),
        maintenance=maintenance,
        maintenance_message='Back at 5 <"soon"> & café',
    )
    envoy_validates(config, tmp_path / "envoy.json")


@dataclass
class Routed:
    env: LocalEnvironment
    state: EnvState

    @property
    def router(self) -> Process:
        return as_process(router_pid(self.env))

    def answer(self) -> tuple[int, str, str | None]:
        """Status, the server that answered (its /slot file), the release the router names."""
        response = client().get(f"{self.env.config.url}/slot", timeout=5)
        return response.status_code, response.text, response.headers.get(HEADER)


@pytest.fixture
def routed(tmp_path: Path) -> Iterator[Routed]:
    """The router of an environment whose slots run 1.0.0 (blue, all traffic) and 2.0.0."""
    port, blue, green = free_ports(3)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "routed"\nversion = "0"\n'
        '[tool.shipway]\napp = "app:app"\n'
        "[tool.shipway.environments.test]\n"
        f"port = {port}\nrelease_ports = [{blue}, {green}]\n"
        f'release_header = "{HEADER}"\n'
    )
    env = LocalEnvironment(load_project(tmp_path), "test")
    with ExitStack() as servers:
        for slot, slot_port in (("blue", blue), ("green", green)):
            root = tmp_path / "servers" / slot
            root.mkdir(parents=True)
            (root / "slot").write_text(slot)
            argv = [sys.executable, "-m", "http.server", str(slot_port), "--bind", "127.0.0.1"]
            servers.enter_context(running([*argv, "--directory", str(root)], env_with()))
            wait_until(answers(f"http://127.0.0.1:{slot_port}/slot"), 10, f"the {slot} server")
        state = EnvState().with_slot("blue", version="1.0.0", phase="serving")
        state = env.save(state.with_slot("green", version="2.0.0", phase="ready"))
        try:
            yield Routed(env, env.ensure_router(state))
        finally:
            env.supervisor.shutdown()
            assert not env.supervisor.running()
            assert not processes.port_in_use("127.0.0.1", port)


def test_the_router_names_the_release_of_the_slot_that_answered(routed: Routed) -> None:
    assert routed.answer() == (200, "blue", "1.0.0")
    set_router_weights(routed.env.files, {"blue": 0, "green": 100})
    assert routed.answer() == (200, "green", "2.0.0")


def test_the_version_probe_reads_the_header_whatever_the_service_answers(routed: Routed) -> None:
    url = routed.env.config.url
    assert client().get(f"{url}/no-such-page", timeout=5).status_code == 404
    assert probes.version(url, HEADER, "/no-such-page") == "1.0.0"
    probes.check_version(url, HEADER, "/no-such-page", "1.0.0")


def test_a_replaced_slot_file_changes_the_header_without_restarting_the_router(
    routed: Routed,
) -> None:
    started = routed.router
    state = routed.env.save(routed.state.with_slot("blue", version="1.0.1"))
    routed.env.publish(state, ["blue"], wait=True)
    assert routed.answer() == (200, "blue", "1.0.1")
    assert processes.is_running(started)


def test_an_empty_slot_gets_no_traffic_and_names_no_release(routed: Routed) -> None:
    state = routed.env.save(routed.state.with_slot("blue", version=None, phase="empty"))
    routed.env.publish(state, ["blue"], wait=True)
    status, _, release = routed.answer()
    assert (status, release) == (503, None)  # the blue server still runs: it is not reached


def test_a_router_its_supervisor_restarts_routes_as_before_the_crash(routed: Routed) -> None:
    env = routed.env
    set_router_weights(env.files, {"blue": 0, "green": 100})
    state = env.save(routed.state.with_slot("green", version="2.0.1").routed_to("green"))
    env.publish(state, ["green"], wait=True)
    assert routed.answer() == (200, "green", "2.0.1")
    crashed = routed.router
    os.kill(crashed.pid, signal.SIGKILL)
    wait_until(lambda: not processes.is_running(crashed), 10, "the router to die")
    # No command: the supervisor starts it again, from the weights and releases on disk.
    wait_until(answers(f"{env.config.url}/slot"), 10, "the restarted router")
    assert routed.answer() == (200, "green", "2.0.1")
    assert routed.router.pid != crashed.pid
    assert env.supervisor.restarts(load_state(env.files).router_program or "") == 1


def test_a_router_started_from_the_state_names_the_same_releases(routed: Routed) -> None:
    env = routed.env
    state = env.save(routed.state.with_slot("green", version="2.0.1").routed_to("green"))
    env.restart_router(state, "a test")
    shutil.rmtree(env.files.endpoints("green").parent)  # the state alone says what runs where
    restarted = env.restart_router(load_state(env.files), "a test")
    assert restarted.router_program not in (None, state.router_program)
    assert routed.answer() == (200, "green", "2.0.1")
