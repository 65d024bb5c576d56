"""Deploy fixtures: one repository of the reference service (v1.0.0 and v2.0.0 built and
pushed), shared by the deploy and canary tests, and environments that are stopped after each
test."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state
from shipway.effects.deploy.local_target import Deployer
from tests.support.deployments import chatbot_repo


@pytest.fixture(scope="session")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return chatbot_repo(tmp_path_factory.mktemp("deployments"))


@pytest.fixture
def project(repo: Path) -> Project:
    return load_project(repo)


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
        for port in env.config.ports:
            assert not processes.port_in_use("127.0.0.1", port), f"port {port} still in use"
