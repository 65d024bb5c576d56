"""Deploy fixtures: one repository of the reference service (v1.0.0 and v2.0.0 built and
pushed), shared by the deploy and canary tests, and environments that are stopped after each
test."""

import fcntl
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.local_target import Deployer
from tests.support.deployments import chatbot_repo
from tests.support.fixture_repo import git
from tests.support.package_index import shipway_index  # noqa: F401 - a fixture
from tests.support.supervised import assert_nothing_running


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
        assert_nothing_running(env)
