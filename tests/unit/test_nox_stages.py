"""The session bodies, run against a recording stand-in for nox.Session (no processes)."""

import dataclasses
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.effects import nox_stages
from tests.support.fake_session import FakeSession, SessionError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def project() -> Project:
    return load_project(REPO)


CHECKED_PATHS = [
    "src",
    "tests",
    "scripts",
    "benchmarks",
    "locust",
    "noxfile.py",
    "tasks.py",
    "examples/chatbot",
]


def test_lint_installs_the_lint_group_and_checks_the_repository(project: Project) -> None:
    session = FakeSession()
    nox_stages.lint(session.as_session(), project)
    assert session.installs == [
        ["uv", "sync", "--locked", "--no-default-groups", "--all-packages", "--group=lint"]
    ]
    paths = CHECKED_PATHS
    workflows = [f".github/workflows/{name}.yml" for name in ("ci", "deploy", "perf", "security")]
    assert session.ran() == [
        ["ruff", "check", *paths],
        ["ruff", "format", "--check", *paths],
        ["lint-imports"],
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows],
        ["actionlint", "-shellcheck=", "-pyflakes=", "-oneline", *workflows],
        ["zizmor", "--offline", "--min-severity=high", "--no-progress", *workflows],
        ["python", "-m", "shipway.effects.workflow_check", *workflows],
    ]


def test_typecheck_runs_mypy_over_the_same_paths(project: Project) -> None:
    session = FakeSession()
    nox_stages.typecheck(session.as_session(), project)
    assert session.installs[0][-1] == "--group=typecheck"
    assert session.ran() == [["mypy", *CHECKED_PATHS]]


def test_tests_pass_posargs_and_write_per_interpreter_reports(
    tmp_path: Path, project: Project
) -> None:
    moved = dataclasses.replace(project, root=tmp_path)
    session = FakeSession(python="3.13", posargs=["-m", "unit", "-x"])
    nox_stages.tests(session.as_session(), moved)
    [(argv, env)] = session.runs
    assert argv[-3:] == ["-m", "unit", "-x"]
    assert f"--junitxml={tmp_path}/reports/junit-3.13.xml" in argv
    assert env == {"COVERAGE_FILE": f"{tmp_path}/reports/coverage/.coverage.3.13"}
    assert (tmp_path / "reports" / "coverage").is_dir()


def test_coverage_without_any_data_fails_as_no_data(tmp_path: Path, project: Project) -> None:
    moved = dataclasses.replace(project, root=tmp_path)
    session = FakeSession()
    with pytest.raises(SessionError, match=r"coverage gate: NO DATA .* required >= 90%"):
        nox_stages.coverage(session.as_session(), moved)
    assert session.installs == [
        ["uv", "sync", "--locked", "--no-default-groups", "--only-group=coverage"]
    ]
    assert session.ran() == []  # nothing to combine: coverage.py is not even asked
    assert (tmp_path / "reports" / "verdicts" / "coverage.json").is_file()


def test_perf_installs_only_the_perf_group_and_refuses_unknown_arguments(
    tmp_path: Path, project: Project
) -> None:
    session = FakeSession(posargs=["--profile", "bursty"])
    with pytest.raises(SessionError, match="--profile 'bursty' is not a profile; allowed: load"):
        nox_stages.perf(session.as_session(), dataclasses.replace(project, root=tmp_path))
    assert session.installs == [
        ["uv", "sync", "--locked", "--no-default-groups", "--only-group=perf"]
    ]
    assert not (tmp_path / "reports").exists()  # refused before anything ran
