"""The security stage with the real scanners on small fixture projects (see the issue's checks).

trivy's vulnerability database cannot be downloaded on these machines, so fixtures that test
something else set ``on_unavailable = "warn"``; the default (fail) has its own test.
"""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.decisions.security.findings import Severity
from shipway.decisions.security.gate import SecurityVerdict, security_gate
from shipway.effects.command import ToolRunner
from shipway.entry.security import run_security_stage
from tests.support.osv_server import osv_server
from tests.support.processes import env_with, free_port

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
BIN = str(Path(sys.executable).parent)
TODAY = datetime.date.today()
# Built at run time, so that no scanner ever finds a secret in this repository's own files.
ACCESS_KEY = "AKIA" + "Z7Q3VLRMXP4KD2NB"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG" + "/bPxRfiCY8Q2ZKD9XW"
NOXFILE = """
import nox
from shipway.entry import stages

project = stages.prepare(__file__)

@nox.session(venv_backend="none")
def security(session: nox.Session) -> None:
    stages.enforce_security_gate(session, project)
"""


def fixture_project(
    root: Path, security: str = 'on_unavailable = "warn"', dependencies: str = ""
) -> Project:
    root.mkdir(exist_ok=True)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "fixture-svc"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'
        f"dependencies = [{dependencies}]\n"
        f'[build-system]\nrequires = ["uv_build>=0.13,<0.14"]\nbuild-backend = "uv_build"\n'
        f'[tool.shipway]\npython = ["{PYTHON}"]\n'
        f"[tool.shipway.security]\n{security}\n",
        encoding="utf-8",
    )
    package = root / "src" / "fixture_svc"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('"""A service with nothing to hide."""\n')
    subprocess.run(["uv", "lock", "--quiet"], cwd=root, check=True, env=env_with())
    return load_project(root)


def run_stage(project: Project) -> SecurityVerdict:
    verdict, _ = run_security_stage(project, ToolRunner(project.root, [BIN]), TODAY)
    return verdict


def all_report_text(root: Path) -> str:
    return "".join(
        p.read_text(errors="replace") for p in (root / "reports").rglob("*") if p.is_file()
    )


def test_planted_aws_keys_fail_the_gate_and_never_appear_in_output_or_reports(
    tmp_path: Path,
) -> None:
    fixture_project(tmp_path)
    settings = tmp_path / "src" / "fixture_svc" / "settings.py"
    settings.write_text(
        f'AWS_ACCESS_KEY_ID = "{ACCESS_KEY}"\naws_secret_access_key = "{SECRET_KEY}"\n'
    )
    (tmp_path / "noxfile.py").write_text(NOXFILE)
    argv = [sys.executable, "-m", "nox", "-f", str(tmp_path / "noxfile.py"), "-s", "security"]
    result = subprocess.run(
        argv, cwd=tmp_path, env=env_with({"COLUMNS": "200"}), capture_output=True, text=True
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "aws-access-key (detect-secrets, critical) at src/fixture_svc/settings.py:1" in output
    assert "aws-access-key-id (trivy, critical) at src/fixture_svc/settings.py:1" in output
    assert "(detect-secrets, critical) at src/fixture_svc/settings.py:2" in output
    reports = all_report_text(tmp_path)
    for secret in (ACCESS_KEY, SECRET_KEY):
        assert secret not in output
        assert secret not in reports
    # bandit quoted the secret key in its SARIF message; the copy under reports/ is masked.
    assert "Possible hardcoded password: '****'" in reports


def test_dockerfile_running_as_root_is_a_high_misconfiguration(tmp_path: Path) -> None:
    project = fixture_project(tmp_path)
    (tmp_path / "Dockerfile").write_text(
        'FROM python:3.12-slim\nRUN pip install flask\nCMD ["python", "-m", "flask"]\n'
    )
    verdict = run_stage(project)
    [root_user] = [f for f in verdict.active if f.rule == "DS-0002"]
    assert (root_user.tool, root_user.severity, root_user.path) == (
        "trivy",
        Severity.HIGH,
        "Dockerfile",
    )
    assert not verdict.passed
    assert any("DS-0002 (trivy, high) at Dockerfile" in reason for reason in verdict.reasons)
    lenient = project.config.security.model_copy(update={"fail_on": "critical"})
    assert security_gate(verdict.reports, lenient, TODAY).passed


def vulnerable_project(root: Path, osv_url: str, allow: str = "") -> Project:
    security = (
        f'advisory_source = "{osv_url}"\non_unavailable = "warn"\n'
        # requests 2.19.0's dependencies declare licenses outside the default allowlist; that
        # is the license check's business, not this test's.
        f'license_severity = "low"\n{allow}'
    )
    return fixture_project(root, security, dependencies='"requests==2.19.0"')


def allow_entry(expires: datetime.date) -> str:
    return (
        '[[tool.shipway.security.allow]]\nid = "GHSA-x84v-xcm2-53pg"\n'
        f'reason = "no redirects to http in this service"\nexpires = {expires.isoformat()}\n'
    )


def test_vulnerable_pin_fails_through_a_local_osv_server(tmp_path: Path) -> None:
    with osv_server() as url:
        verdict = run_stage(vulnerable_project(tmp_path, url))
    assert not verdict.passed
    vulns = [f for f in verdict.active if f.tool == "pip-audit"]
    assert {f.severity for f in vulns} == {Severity.HIGH, Severity.MEDIUM}
    [high] = [f for f in vulns if f.severity is Severity.HIGH]
    assert {"GHSA-x84v-xcm2-53pg", "CVE-2018-18074"} <= set(high.ids)
    assert high.path == "requests==2.19.0"
    assert any(f"{high.rule} (pip-audit, high) at requests==2.19.0" in r for r in verdict.reasons)


def test_allowlisted_advisory_passes_until_it_expires(tmp_path: Path) -> None:
    """The scanners run once; the allowlist is the gate's (security_gate, as the stage uses it),
    so the expired entry is judged on the same reports."""
    tomorrow, yesterday = TODAY + datetime.timedelta(days=1), TODAY - datetime.timedelta(days=1)
    with osv_server() as url:
        project = vulnerable_project(tmp_path, url, allow_entry(tomorrow))
        allowed = run_stage(project)
    assert allowed.passed, allowed.reasons
    assert [entry.id for _, entry in allowed.suppressed] == ["GHSA-x84v-xcm2-53pg"]
    [entry] = project.config.security.allow
    expired_entry = entry.model_copy(update={"expires": yesterday})
    expired_policy = project.config.security.model_copy(update={"allow": [expired_entry]})
    expired = security_gate(allowed.reports, expired_policy, TODAY)
    assert not expired.passed
    assert any(
        f"allowlist entry GHSA-x84v-xcm2-53pg expired on {yesterday.isoformat()}" in reason
        for reason in expired.reasons
    )


def test_unreachable_advisory_source_fails_by_default_and_warns_on_request(
    tmp_path: Path,
) -> None:
    unreachable = f"http://127.0.0.1:{free_port()}/v1/query"
    security = f'advisory_source = "{unreachable}"\nlicense_severity = "low"\n'
    project = fixture_project(tmp_path, security, dependencies='"requests==2.19.0"')
    failed = run_stage(project)
    message = f"pip-audit could not audit 5 package(s): advisory source {unreachable} unreachable"
    assert not failed.passed
    assert message in failed.reasons
    assert failed.unaudited["pip-audit"] == 5
    warn = project.config.security.model_copy(update={"on_unavailable": "warn"})
    warned = security_gate(failed.reports, warn, TODAY)  # the same reports, the other policy
    assert warned.passed, warned.reasons
    assert message in warned.warnings
    assert warned.unaudited["pip-audit"] == 5


def test_a_scanner_that_cannot_run_fails_the_stage_with_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = fixture_project(tmp_path)
    without_trivy = tmp_path / "bin"
    without_trivy.mkdir()
    for tool in Path(BIN).iterdir():
        if tool.name != "trivy":
            (without_trivy / tool.name).symlink_to(tool)
    monkeypatch.setenv("PATH", os.pathsep.join([str(without_trivy), "/usr/bin", "/bin"]))
    verdict, summary = run_security_stage(project, ToolRunner(tmp_path, []), TODAY)
    assert not verdict.passed
    assert "trivy failed to run: trivy not found; install the pinned wheel" in summary
