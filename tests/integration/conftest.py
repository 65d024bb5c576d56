"""Deploy fixtures: one repository of the reference service (v1.0.0 and v2.0.0 built and
pushed), shared by the deploy and canary tests, and environments that are stopped after each
test."""

import fcntl
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import PORT_GRACE, LocalEnvironment
from shipway.effects.deploy.files import load_state
from shipway.effects.deploy.local_target import Deployer
from tests.support.deployments import chatbot_repo
from tests.support.fixture_repo import git
from tests.support.package_index import shipway_index  # noqa: F401 - a fixture
from tests.support.processes import wait_until


@pytest.fixture(scope="session")
def repo(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """Built once per test run: under pytest-xdist the first worker builds it (the others wait
    on a file lock) in the directory all workers share. Tests never change it."""
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    root, built = shared / "deployments", shared / "deployments.built"
    with (shared / "deployments.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not built.is_file():  # written last: a half-built repository is built again
            shutil.rmtree(root, ignore_errors=True)
            chatbot_repo(root)
            built.write_text("")
    return root


@pytest.fixture
def project(repo: Path) -> Iterator[Project]:
    yield load_project(repo)
    changed = git(repo, "status", "--porcelain")
    assert changed == "", f"the test changed the shared fixture repository:\n{changed}"


@pytest.fixture
def cleanup(project: Project) -> Iterator[list[str]]:
    """Names of environments a test used; each is stopped afterwards, and must leave nothing."""
    used: list[str] = []
    yield used
    for name in used:
        env = LocalEnvironment(project, name)
        Deployer(env).stop(lock_wait=120)
        state = load_state(env.files)
        assert state.router is None
        assert all(slot.process is None for slot in state.slots.values())
        # A stopped router reads as gone while its last threads still close its sockets
        # (MACHINE-NOTES): its ports must be free a moment later, as check_router_ports allows
        # in the deploy itself.
        ports = env.config.ports
        wait_until(
            all_free(ports),
            timeout=PORT_GRACE,
            what=f"ports {', '.join(map(str, ports))} of {name} to be free",
        )


def all_free(ports: Sequence[int]) -> Callable[[], bool]:
    return lambda: not any(processes.port_in_use("127.0.0.1", port) for port in ports)
