"""The repository's own noxfile and tasks.py, run for real with nox and invoke."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fixture_repo import commit, git
from tests.support.processes import REPO, env_with

ENTRY_FILES = ("noxfile.py", "tasks.py", "pyproject.toml")


def copy_of_repository(tmp_path: Path, pyproject_edit: tuple[str, str] | None = None) -> Path:
    """The pipeline files and the service's project file, optionally with pyproject edited."""
    for name in ENTRY_FILES:
        shutil.copy(REPO / name, tmp_path / name)
    service = tmp_path / "examples" / "chatbot"
    service.mkdir(parents=True)
    shutil.copy(REPO / "examples" / "chatbot" / "pyproject.toml", service)
    if pyproject_edit:
        pyproject = tmp_path / "pyproject.toml"
        old, new = pyproject_edit
        text = pyproject.read_text(encoding="utf-8")
        assert old in text
        pyproject.write_text(text.replace(old, new, 1), encoding="utf-8")
    return tmp_path


def run(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = env_with(env)
    if "CI" not in env:  # the laptop case, even when this suite itself runs in CI
        environment.pop("CI", None)
    return subprocess.run(
        argv, cwd=cwd, env=environment, capture_output=True, text=True, check=False, timeout=120
    )


def nox(*args: str, cwd: Path = REPO, **env: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "nox", "-f", str(cwd / "noxfile.py"), *args], cwd, **env)


def inv(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "invoke", "--search-root", str(cwd), *args], cwd)


def test_nox_lists_the_checking_stages() -> None:
    result = nox("--list", "--json")
    assert result.returncode == 0, result.stderr
    sessions = {s["session"]: s for s in json.loads(result.stdout)}
    assert set(sessions) == {
        "lint",
        "typecheck",
        "tests-3.11",
        "tests-3.12",
        "tests-3.13",
        "integration",
        "coverage",
    }
    assert sessions["tests-3.12"]["tags"] == ["tests"]
    assert sessions["integration"]["python"] == "3.13"  # the newest configured


def test_security_is_a_session_outside_the_default_pipeline() -> None:
    # It needs advisory sources that are online; nox runs it on request (nox -s security).
    listing = nox("--list").stdout
    assert "- security -> " in listing


def test_the_matrix_follows_the_configuration(tmp_path: Path) -> None:
    root = copy_of_repository(tmp_path, ('python = ["3.11", "3.12", "3.13"]', 'python = ["3.12"]'))
    result = nox("--list", "--json", cwd=root)
    assert result.returncode == 0, result.stderr
    assert [s["session"] for s in json.loads(result.stdout) if "tests" in s["tags"]] == [
        "tests-3.12"
    ]


@pytest.mark.parametrize("tool", ["nox", "inv"])
def test_unknown_key_stops_nox_and_invoke_with_a_message(tmp_path: Path, tool: str) -> None:
    root = copy_of_repository(tmp_path, ("[tool.shipway]\n", "[tool.shipway]\nbogus_key = 1\n"))
    result = nox("-s", "lint", cwd=root) if tool == "nox" else inv("config", cwd=root)
    assert result.returncode == 2
    assert "tool.shipway.bogus_key = 1: unknown key; allowed keys:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not (root / ".nox").exists()  # stopped before any session did work


def test_out_of_range_gate_stops_nox(tmp_path: Path) -> None:
    root = copy_of_repository(tmp_path, ("coverage = 90", "coverage = 130"))
    result = nox("--list", cwd=root)
    assert result.returncode == 2
    assert "tool.shipway.gates.coverage = 130" in result.stderr


def test_a_missing_interpreter_fails_under_ci_and_is_skipped_otherwise(tmp_path: Path) -> None:
    root = copy_of_repository(tmp_path, ('python = ["3.11", "3.12", "3.13"]', 'python = ["3.19"]'))
    ci = nox("-s", "tests-3.19", cwd=root, CI="true")
    assert ci.returncode == 1
    assert "Python interpreter 3.19 not found" in ci.stdout + ci.stderr
    laptop = nox("-s", "tests-3.19", cwd=root)
    assert laptop.returncode == 0
    assert "skipped" in laptop.stdout + laptop.stderr


def test_inv_config_prints_the_validated_configuration_as_json() -> None:
    result = inv("config", "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert {key: shown[key] for key in ("service", "app", "python")} == {
        "service": "examples/chatbot",
        "app": "chatbot.app:app",
        "python": ["3.11", "3.12", "3.13"],
    }
    assert shown["gates"]["coverage"] == 90.0
    assert shown["gates"]["perf"]["p95_ms"] == 500.0
    assert shown["perf"]["profiles"]["load"]["duration"] == 20.0
    assert shown["security"]["fail_on"] == "high"


def test_inv_config_table() -> None:
    result = inv("config")
    assert result.returncode == 0, result.stderr
    assert "gates.coverage" in result.stdout


CACHED_NOXFILE = """
import nox
from shipway.decisions.stages.cache import StageInputs
from shipway.entry import stages
from shipway.effects.stages.cache import cached_stage

project = stages.prepare(__file__)

@nox.session(venv_backend="none")
def check(session: nox.Session) -> None:
    with cached_stage(session, project, StageInputs(sources=("src",))) as stage:
        if not stage.cached:
            session.run("python", "-c", "print('checking', *" + repr(stage.posargs) + ")")
"""


def test_nox_skips_a_passed_stage_until_its_inputs_change(tmp_path: Path) -> None:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    (tmp_path / "pyproject.toml").write_text(
        f'[project]\nname = "svc"\nversion = "1"\n[tool.shipway]\npython = ["{python}"]\n'
    )
    (tmp_path / "noxfile.py").write_text(CACHED_NOXFILE)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("A = 1\n")
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    git(tmp_path, "add", "-A")
    commit(tmp_path, "initial")

    first = nox("-s", "check", "--", "-k", "a", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "check: running — no cached PASS yet" in first.stderr
    assert "checking -k a" in first.stdout + first.stderr
    second = nox("-s", "check", "--", "-k", "a", cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "check: cached PASS from " in second.stderr
    assert "checking" not in second.stdout + second.stderr
    forced = nox("-s", "check", "--", "-k", "a", "--no-cache", cwd=tmp_path)
    assert "checking -k a" in forced.stdout + forced.stderr  # --no-cache is not passed on
    (tmp_path / "src" / "a.py").write_text("A = 2\n")
    edited = nox("-s", "check", "--", "-k", "a", cwd=tmp_path)
    assert "changed since the PASS from " in edited.stderr
    assert ": src/a.py" in edited.stderr
    assert "checking -k a" in edited.stdout + edited.stderr
