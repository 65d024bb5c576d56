"""Services shipway has never seen (tests/support/services.py), each through build → deploy →
a new version under load → rollback under load → status → the perf stage, with real
processes: gunicorn (WSGI or ASGI, as found), Envoy, Locust."""

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.decisions.perf.options import PerfOptions
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import read_audit
from shipway.effects.deploy.local_target import Deployer
from shipway.effects.deploy.status import report
from shipway.effects.http_client import client
from shipway.entry import deploy as deploy_tasks
from shipway.entry.perf import run_perf_stage
from tests.support.deployments import steady_load
from tests.support.services import SHAPES, V1, V2, Shape, service_repo

RELEASE_HEADER = "x-shipway-release"


@pytest.fixture(params=SHAPES, ids=[shape.name for shape in SHAPES])
def shape(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Shape:
    chosen: Shape = request.param
    for name, value in chosen.secrets.items():
        monkeypatch.setenv(name, value)
    return chosen


@pytest.fixture
def project(shape: Shape, tmp_path: Path) -> Iterator[Project]:
    project = load_project(service_repo(shape, tmp_path / shape.name))
    yield project
    for name in ("live", "perf"):
        Deployer(LocalEnvironment(project, name)).stop(lock_wait=120)


def deploy(project: Project, version: str) -> None:
    deploy_tasks.deploy(project, "live", version=version, yes=True, dry_run=False, lock_wait=0)


def answered_by(url: str) -> str | None:
    """The release the router says answered."""
    release: str | None = client().get(url, timeout=5).headers.get(RELEASE_HEADER)
    return release


def test_build_deploy_redeploy_and_rollback_under_load_then_perf(
    shape: Shape, project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = LocalEnvironment(project, "live")
    url = env.config.url
    deploy(project, V1)
    assert answered_by(url) == V1
    if shape.stores_data:
        saved = client().post(f"{url}/notes", json={"text": "kept"}, timeout=5)
        assert saved.status_code == 201, saved.text
    with steady_load(url, tmp_path / "load.json", rps=100, paths=shape.paths) as finish:
        time.sleep(1)  # load before the switch: this is the measurement window, not a sync
        deploy(project, V2)
        assert answered_by(url) == V2
        deploy_tasks.rollback(project, "live", to=None, lock_wait=0)
        assert answered_by(url) == V1
        time.sleep(1)
        load = finish()
    assert load["failed"] == 0, load
    assert load["total"] >= 100 * load["seconds"] * 0.9, load
    assert load["outcomes"].get(f"version {V2}", 0) > 0, load  # v2 really took traffic
    if shape.stores_data:
        assert client().get(f"{url}/notes", timeout=5).json() == ["kept"]
    status = report(env)
    assert (status["serving"], status["healthy"]) == (V1, True)
    assert status["router"]["answered_by"] == V1
    serving = [row for row in status["releases"] if row["state"] == "serving"]
    assert [(row["version"], row["server"]) for row in serving] == [(V1, shape.server)]
    audit = read_audit(env.files)
    assert [(a["action"], a["version"], a["outcome"]) for a in audit] == [
        ("deploy", V1, "succeeded"),
        ("deploy", V2, "succeeded"),
        ("rollback", V1, "succeeded"),
    ]
    assert {a.get("server") for a in audit if a["action"] == "deploy"} == {shape.server}
    verdict = run_perf_stage(project, PerfOptions("load", None), [str(Path(sys.executable).parent)])
    assert verdict.passed, verdict.reasons
    said = capsys.readouterr()
    for secret in shape.secrets.values():
        assert secret not in said.out + said.err
