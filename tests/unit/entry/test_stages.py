"""The session bodies, run against a recording stand-in for nox.Session (no processes).

The stage cache (git, files under .shipway/) is replaced by one that always runs the stage;
tests/integration/test_stage_cache.py tests the real one.
"""

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nox
import pytest

from shipway.config import Project, load_project
from shipway.config.model import Tiers
from shipway.decisions.stages.cache import StageInputs
from shipway.effects.stages.cache import StageRun
from shipway.entry import stages as nox_stages
from tests.support.fake_session import FakeSession, SessionError
from tests.unit.entry.paths import REPO

VENV = ["--python", "/venv/bin/python"]  # the session's own interpreter


@pytest.fixture
def project() -> Project:
    return load_project(REPO)


@pytest.fixture(autouse=True)
def inputs(monkeypatch: pytest.MonkeyPatch) -> list[StageInputs]:
    """The inputs each stage declared, in order; every stage runs."""
    declared: list[StageInputs] = []

    @contextmanager
    def always_run(session: nox.Session, _: Project, stage: StageInputs) -> Iterator[StageRun]:
        declared.append(stage)
        yield StageRun([arg for arg in session.posargs if arg != "--no-cache"], cached=False)

    monkeypatch.setattr(nox_stages, "cached_stage", always_run)
    return declared


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
        ["uv", "sync", "--locked", "--no-default-groups", *VENV, "--all-packages", "--group=lint"]
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
    ]  # and the thin-workflow rule, in this process


def test_typecheck_runs_mypy_over_the_same_paths(project: Project) -> None:
    session = FakeSession()
    nox_stages.typecheck(session.as_session(), project)
    assert session.installs[0][-1] == "--group=typecheck"
    assert session.ran() == [["mypy", *CHECKED_PATHS]]


def test_tests_run_the_unit_tier_with_posargs_and_per_session_reports(
    tmp_path: Path, project: Project, inputs: list[StageInputs]
) -> None:
    (tmp_path / "tests" / "unit").mkdir(parents=True)
    moved = dataclasses.replace(project, root=tmp_path)
    session = FakeSession(python="3.13", name="tests-3.13", posargs=["-x", "--no-cache"])
    nox_stages.tests(session.as_session(), moved)
    assert "--compile-bytecode" in session.installs[0]
    [(argv, env)] = session.runs
    assert argv[-2:] == ["tests/unit", "-x"]
    assert f"--junitxml={tmp_path}/reports/junit-tests-3.13.xml" in argv
    assert env == {"COVERAGE_FILE": f"{tmp_path}/reports/coverage/.coverage.tests-3.13"}
    assert (tmp_path / "reports" / "coverage").is_dir()
    assert inputs[0].exclude == ("tests/integration", "tests/e2e")


def test_tests_without_unit_tests_fail_naming_the_configured_paths(
    tmp_path: Path, project: Project
) -> None:
    session = FakeSession()
    with pytest.raises(SessionError, match=r"no unit tests: none of tests/unit exists"):
        nox_stages.tests(session.as_session(), dataclasses.replace(project, root=tmp_path))
    assert session.installs == []


def test_integration_runs_its_tier_once_in_xdist_workers(tmp_path: Path, project: Project) -> None:
    (tmp_path / "tests" / "e2e").mkdir(parents=True)
    session = FakeSession(python="3.13", name="integration")
    nox_stages.integration(session.as_session(), dataclasses.replace(project, root=tmp_path))
    [(argv, env)] = session.runs
    assert argv[-5:] == ["--numprocesses", argv[-4], "--dist", "worksteal", "tests/e2e"]
    assert int(argv[-4]) >= 1  # tests/e2e: the one tier path that exists there
    assert env == {"COVERAGE_FILE": f"{tmp_path}/reports/coverage/.coverage.integration"}


def test_integration_without_its_default_paths_runs_nothing_and_passes(
    tmp_path: Path, project: Project
) -> None:
    session = FakeSession(name="integration")
    nox_stages.integration(session.as_session(), dataclasses.replace(project, root=tmp_path))
    assert (session.installs, session.runs) == ([], [])
    assert session.logged == [
        "no integration tests at tests/integration, tests/e2e: nothing to run"
    ]


def test_integration_paths_that_were_configured_must_exist(
    tmp_path: Path, project: Project
) -> None:
    config = project.config.model_copy(update={"tests": Tiers(integration=["it"])})
    moved = dataclasses.replace(project, root=tmp_path, config=config)
    with pytest.raises(SessionError, match=r"none of it exists \(tool.shipway.tests"):
        nox_stages.integration(FakeSession(name="integration").as_session(), moved)


def test_coverage_without_any_data_fails_as_no_data(tmp_path: Path, project: Project) -> None:
    moved = dataclasses.replace(project, root=tmp_path)
    session = FakeSession()
    with pytest.raises(SessionError, match=r"coverage gate: NO DATA .* required >= 90%"):
        nox_stages.coverage(session.as_session(), moved)
    assert session.installs == [
        ["uv", "sync", "--locked", "--no-default-groups", *VENV, "--only-group=coverage"]
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
        ["uv", "sync", "--locked", "--no-default-groups", *VENV, "--only-group=perf"]
    ]
    assert not (tmp_path / "reports").exists()  # refused before anything ran


def test_dast_installs_only_the_dast_group_and_refuses_unknown_arguments(
    tmp_path: Path, project: Project
) -> None:
    session = FakeSession(python="3.13", posargs=["--profile", "slow"])
    with pytest.raises(SessionError, match="--profile 'slow' is not a profile; allowed: quick"):
        nox_stages.dast(session.as_session(), dataclasses.replace(project, root=tmp_path))
    assert session.installs == [
        ["uv", "sync", "--locked", "--no-default-groups", *VENV, "--only-group=dast"]
    ]
    assert not (tmp_path / "reports").exists()  # refused before anything ran


def test_dast_without_a_python_its_scanners_run_on_says_which_it_needs(project: Project) -> None:
    older = project.config.model_copy(update={"python": ["3.11", "3.12"]})
    session = FakeSession()
    with pytest.raises(SessionError, match=r"needs Python 3.13 or newer .* configured: 3.11, 3.12"):
        nox_stages.dast(session.as_session(), dataclasses.replace(project, config=older))
    assert session.installs == []


def test_an_empty_integration_tier_runs_nothing_and_passes(
    tmp_path: Path, project: Project
) -> None:
    config = project.config.model_copy(update={"tests": Tiers(unit=["tests"], integration=[])})
    session = FakeSession(name="integration")
    nox_stages.integration(session.as_session(), dataclasses.replace(project, config=config))
    assert (session.installs, session.runs) == ([], [])
    assert session.logged == [
        "no integration tests at (tool.shipway.tests.integration = []): nothing to run"
    ]
