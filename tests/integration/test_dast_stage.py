"""The DAST stage against real services with the real scanners (schemathesis and wapiti, from
the locked 'dast' group in a Python 3.13 venv): a deliberately vulnerable service fails naming
each finding, the same service fixed passes, the reference service passes and fails with its
error fault on, and what cannot be scanned is an error, never a pass."""

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.config.dast import Dast, DastProfile
from shipway.decisions.dast.options import DastOptions
from shipway.effects.stages.interpreters import expose_interpreters
from shipway.entry import deploy as deploy_tasks
from shipway.entry.dast import DastRun, run_dast_stage
from shipway.errors import ShipwayError
from tests.support.processes import REPO, answers, env_with, free_port, running, wait_until

TOKEN = "dast-token-7f3a9c1e5b"  # nosec B105 - a test credential, planted
# Seconds, not minutes: the fixture service has six pages and one API operation.
FAST = {
    "max_examples": 15,
    "scan_time": 60,
    "attack_time": 15,
    "depth": 2,
    "max_links_per_page": 20,
    "modules": ["http_headers", "xss", "sql"],
}


@pytest.fixture(scope="module")
def dast_bin(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The locked 'dast' group in its own venv, as `nox -s dast` installs it."""
    env = env_with()
    expose_interpreters(["3.13"], env)  # as the noxfile does for the sessions
    found = subprocess.run(
        ["uv", "python", "find", "3.13"], capture_output=True, text=True, env=env
    )
    if found.returncode != 0:
        pytest.fail("the DAST scanners need Python 3.13 (wapiti3); none found by uv")
    venv = tmp_path_factory.mktemp("dast-venv")
    argv = ["uv", "sync", "--locked", "--only-group", "dast", "--python", found.stdout.strip()]
    env["UV_PROJECT_ENVIRONMENT"] = str(venv)
    subprocess.run([*argv, "--quiet"], cwd=REPO, env=env, check=True)
    return str(venv / "bin")


@contextmanager
def fixture_service(*, fixed: bool) -> Iterator[str]:
    port = free_port()
    app = "tests.support.dast_fixture:app"
    argv = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--lifespan", "off"]
    url = f"http://127.0.0.1:{port}"
    with running(
        [*argv, "--no-access-log"], env_with({"DAST_FIXTURE_FIXED": "1" if fixed else "0"})
    ):
        wait_until(answers(f"{url}/openapi.json"), timeout=30, what="the DAST fixture service")
        yield url


@contextmanager
def chatbot(**faults: str) -> Iterator[str]:
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "chatbot.app:app", "--port", str(port)]
    env = env_with({f"CHATBOT_FAULT_{name.upper()}": value for name, value in faults.items()})
    url = f"http://127.0.0.1:{port}"
    with running([*argv, "--no-access-log"], env):
        wait_until(answers(f"{url}/ready"), timeout=30, what="the reference service")
        yield url


def dast_project(tmp_path: Path, **settings: object) -> Project:
    """This repository's configuration, reports under ``tmp_path``, the fast profile."""
    project = load_project(REPO)
    fast = DastProfile.model_validate(FAST)
    dast = Dast.model_validate({**settings}).model_copy(
        update={"profiles": {"quick": fast, "full": fast}}
    )
    config = project.config.model_copy(update={"dast": dast})
    return dataclasses.replace(project, root=tmp_path, config=config)


def scan(project: Project, host: str, bin_dir: str) -> DastRun:
    return run_dast_stage(project, DastOptions("quick", None, host), [bin_dir])


def findings(tmp_path: Path) -> set[tuple[str, str, str]]:
    summary = json.loads((tmp_path / "reports" / "dast" / "summary.json").read_text())
    return {(f["id"], f["path"], f["severity"]) for f in summary["findings"]}


def test_the_vulnerable_service_fails_naming_each_finding_and_the_credential_never_shows(
    tmp_path: Path,
    dast_bin: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DAST_TEST_TOKEN", TOKEN)
    auth = {"header": "Authorization", "value": "env:DAST_TEST_TOKEN"}
    project = dast_project(tmp_path, auth=auth)
    with fixture_service(fixed=False) as url:
        run = scan(project, url, dast_bin)
    assert not run.verdict.passed
    found = findings(tmp_path)
    assert ("SQL Injection", "GET /search", "critical") in found
    assert ("Reflected Cross Site Scripting", "GET /hello", "high") in found
    assert ("ST101", "POST /api/items", "high") in found
    # wapiti checks the headers of one page: the start page, or the schema's first operation.
    assert ("Clickjacking Protection", "low") in {(rule, severity) for rule, _, severity in found}
    assert "SQL Injection (wapiti, critical) at GET /search" in run.summary
    assert "ST101 (schemathesis, high) at POST /api/items" in run.summary
    reports = tmp_path / "reports"
    published = {p.name for p in (reports / "dast").iterdir()}
    assert {"summary.json", "summary.md", "dast.sarif", "junit.xml"} <= published
    assert {"schemathesis.json", "schemathesis.html", "wapiti.json"} <= published
    captured = capsys.readouterr()
    assert TOKEN not in captured.out + captured.err
    assert "Authorization:****" in captured.err  # the header was sent, its value masked
    for path in reports.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path


def test_the_same_service_with_its_flaws_fixed_passes(tmp_path: Path, dast_bin: str) -> None:
    allow = [{"id": "SQL Injection", "reason": "fixed since", "expires": "2099-01-01"}]
    with fixture_service(fixed=True) as url:
        run = scan(dast_project(tmp_path, allow=allow), url, dast_bin)
    assert run.verdict.passed, run.summary
    assert not {f for f in findings(tmp_path) if f[2] in ("critical", "high")}
    assert "stale allowlist entry SQL Injection: it matches no finding" in run.verdict.warnings


def test_the_reference_service_passes_and_its_500s_fail_the_api_fuzzing(
    tmp_path: Path, dast_bin: str
) -> None:
    with chatbot() as url:
        run = scan(dast_project(tmp_path / "ok"), url, dast_bin)
    assert run.verdict.passed, run.summary
    with chatbot(error_rate="1") as url:
        run = scan(dast_project(tmp_path / "faulty"), url, dast_bin)
    assert not run.verdict.passed
    assert any(f.rule == "ST101" and f.tool == "schemathesis" for f in run.verdict.active)


def test_what_cannot_be_scanned_is_a_clear_error(tmp_path: Path, dast_bin: str) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(ShipwayError, match=r"does not answer"):
        scan(dast_project(tmp_path), down, dast_bin)
    not_a_schema = r"openapi\) answered an HTML page, not a schema"
    with fixture_service(fixed=True) as url, pytest.raises(ShipwayError, match=not_a_schema):
        scan(dast_project(tmp_path, openapi="/hello"), url, dast_bin)
    with pytest.raises(ShipwayError, match=r"'staging' is not deployed"):
        run_dast_stage(dast_project(tmp_path), DastOptions("quick", "staging", None), [dast_bin])
    with pytest.raises(ShipwayError, match=r"'nowhere' is not configured"):
        run_dast_stage(dast_project(tmp_path), DastOptions("quick", "nowhere", None), [dast_bin])


def test_the_reference_service_deployed_passes_its_scan_through_the_router(
    project: Project, cleanup: list[str], tmp_path: Path, dast_bin: str
) -> None:
    """What the deploy workflow does after a staging deploy: deploy, then scan by name."""
    name = "dast-stage"
    cleanup.append(name)
    deploy_tasks.deploy(project, name, version="2.0.0", yes=True, dry_run=False, lock_wait=0)
    fast = DastProfile.model_validate(FAST)
    dast = Dast.model_validate({"reports": str(tmp_path / "dast")}).model_copy(
        update={"profiles": {"quick": fast, "full": fast}}
    )
    scanned = dataclasses.replace(project, config=project.config.model_copy(update={"dast": dast}))
    run = run_dast_stage(scanned, DastOptions("quick", name, None), [dast_bin])
    assert run.verdict.passed, run.summary
    summary = json.loads((tmp_path / "dast" / "summary.json").read_text())
    assert summary["host"] == project.config.environments[name].url
    assert summary["schema"] == project.config.environments[name].url + "/openapi.json"


def test_a_service_with_nothing_to_crawl_and_no_schema_scanned_nothing_and_fails(
    tmp_path: Path, dast_bin: str
) -> None:
    port = free_port()
    app = "tests.support.tiny_service:app"
    argv = [sys.executable, "-m", "uvicorn", app, "--port", str(port), "--lifespan", "off"]
    url = f"http://127.0.0.1:{port}"
    with running([*argv, "--no-access-log"], env_with()):
        wait_until(answers(f"{url}/hello"), timeout=30, what="the tiny service")
        run = scan(dast_project(tmp_path), url, dast_bin)
    assert not run.verdict.passed
    assert f"scanned nothing: the start page {url}/ answered 404" in run.summary
    assert "no OpenAPI schema at" in " ".join(run.verdict.warnings)
