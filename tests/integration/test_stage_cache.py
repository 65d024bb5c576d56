"""The stage cache on a real git work tree: what reruns a stage, what keeps its cached PASS.

The stages here are stand-ins (a block that writes its outputs, or raises); the session is the
recording FakeSession. tests/e2e/test_pipeline_entry_points.py runs the cache under real nox.
"""

import datetime
import json
from pathlib import Path

import pytest

from shipway.config import Project, load_project
from shipway.config.model import Tiers
from shipway.decisions.stages import inputs as stage_inputs
from shipway.decisions.stages.cache import StageInputs
from shipway.decisions.stages.report_paths import ReportPaths
from shipway.effects.stages.cache import cached_stage, record_path
from tests.support.fake_session import FakeSession
from tests.support.fixture_repo import commit, git

REPORTS = ReportPaths(Path("reports"))
TIERS = Tiers()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A committed project with a unit and an integration test, and an ignored directory."""
    files = {
        "pyproject.toml": '[project]\nname = "svc"\nversion = "1"\n[tool.shipway]\n',
        ".gitignore": "build/\n",
        "src/svc/__init__.py": "ANSWER = 42\n",
        "tests/unit/test_a.py": "def test_a() -> None: ...\n",
        "tests/integration/test_b.py": "def test_b() -> None: ...\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    git(tmp_path, "add", "-A")
    commit(tmp_path, "initial")
    return load_project(tmp_path)


def run(
    project: Project,
    inputs: StageInputs,
    name: str = "tests-3.12",
    posargs: tuple[str, ...] = (),
    fail: bool = False,
) -> tuple[bool, str]:
    """Run a stand-in stage: (was it skipped as cached, the line the cache logged)."""
    session = FakeSession(name=name, posargs=list(posargs))
    ran = False
    with cached_stage(session.as_session(), project, inputs) as stage:
        if not stage.cached:
            ran = True
            for output in inputs.outputs:
                (project.root / output).parent.mkdir(parents=True, exist_ok=True)
                (project.root / output).write_text("data of this run")
            if fail:
                raise RuntimeError("the stage failed")
    [line] = session.logged
    return not ran, line


def unit(project: Project) -> StageInputs:
    return stage_inputs.unit_tests(TIERS, REPORTS, "tests-3.12")


def test_a_pass_is_cached_and_the_next_run_says_so(project: Project) -> None:
    assert run(project, unit(project)) == (False, "tests-3.12: running — no cached PASS yet")
    cached, line = run(project, unit(project))
    assert cached
    assert line.startswith("tests-3.12: cached PASS from ")
    record = json.loads(record_path(project.root, "tests-3.12").read_text())
    assert record["key"][:8] in line
    assert "src/svc/__init__.py" in record["files"]
    assert "tests/integration/test_b.py" not in record["files"]  # the other tier's test


def test_a_failure_is_never_cached(project: Project) -> None:
    with pytest.raises(RuntimeError):
        run(project, unit(project), fail=True)
    assert not record_path(project.root, "tests-3.12").exists()
    assert run(project, unit(project))[0] is False


def test_uncommitted_edits_new_files_and_deletions_rerun_the_stage_and_are_named(
    project: Project,
) -> None:
    run(project, unit(project))
    passed_at = run_time(project)
    (project.root / "src" / "svc" / "__init__.py").write_text("ANSWER = 43\n")  # not committed
    assert run(project, unit(project)) == (
        False,
        f"tests-3.12: running — changed since the PASS from {passed_at}: src/svc/__init__.py",
    )
    (project.root / "src" / "svc" / "new.py").write_text("")  # untracked
    assert "src/svc/new.py" in run(project, unit(project))[1]
    (project.root / "tests" / "unit" / "test_a.py").unlink()
    assert "tests/unit/test_a.py" in run(project, unit(project))[1]
    assert run(project, unit(project))[0] is True


def run_time(project: Project) -> str:
    recorded = json.loads(record_path(project.root, "tests-3.12").read_text())["passed_at"]
    return datetime.datetime.fromisoformat(recorded).astimezone().strftime("%H:%M:%S")


def test_ignored_files_and_what_the_pipeline_and_its_tools_write_are_not_inputs(
    project: Project,
) -> None:
    run(project, unit(project))
    (project.root / "build").mkdir()
    (project.root / "build" / "out.txt").write_text("ignored by .gitignore")
    (project.root / ".shipway" / "elsewhere.json").write_text("{}")
    (project.root / "reports" / "other.xml").write_text("<x/>")
    (project.root / "src" / "svc" / "__pycache__").mkdir()  # not ignored by this project
    (project.root / "src" / "svc" / "__pycache__" / "__init__.cpython-312.pyc").write_text("")
    (project.root / ".pytest_cache").mkdir()
    (project.root / ".pytest_cache" / "README.md").write_text("")
    assert run(project, unit(project))[0] is True


def test_only_the_stages_that_read_a_changed_file_run_again(project: Project) -> None:
    integration = stage_inputs.integration_tests(TIERS, REPORTS, "integration")
    lint = stage_inputs.lint(["src", "tests"])
    for name, inputs in (("tests-3.12", unit(project)), ("integration", integration)):
        run(project, inputs, name)
    run(project, lint, "lint")
    (project.root / "tests" / "integration" / "test_b.py").write_text("def test_c() -> None: ...\n")
    assert run(project, unit(project))[0] is True
    assert run(project, integration, "integration")[0] is False
    assert run(project, lint, "lint")[0] is False
    (project.root / "README.md").write_text("news")  # read by tests (anything may be), not lint
    assert run(project, lint, "lint")[0] is True
    assert run(project, unit(project))[0] is False


def test_a_pass_whose_outputs_are_gone_runs_again(project: Project) -> None:
    run(project, unit(project))
    data = project.root / "reports" / "coverage" / ".coverage.tests-3.12"
    data.unlink()
    cached, line = run(project, unit(project))
    assert not cached
    assert line.endswith("reports/coverage/.coverage.tests-3.12 (missing)")
    assert data.is_file()
    data.write_text("not what the passing run wrote")
    assert run(project, unit(project))[1].endswith(".coverage.tests-3.12 (changed)")


def test_coverage_runs_again_when_a_test_sessions_data_changed(project: Project) -> None:
    coverage = stage_inputs.coverage(REPORTS, ["tests-3.12"])
    data = project.root / "reports" / "coverage" / ".coverage.tests-3.12"
    data.parent.mkdir(parents=True)
    data.write_text("first run")
    run(project, coverage, "coverage")
    assert run(project, coverage, "coverage")[0] is True
    data.write_text("second run")
    assert run(project, coverage, "coverage")[1].endswith(": reports/coverage/.coverage.tests-3.12")


def test_no_cache_runs_the_stage_and_its_pass_replaces_the_record(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    run(project, unit(project), posargs=("-x",))
    cached, line = run(project, unit(project), posargs=("-x", "--no-cache"))
    assert (cached, line) == (
        False,
        "tests-3.12: running — cache bypassed (--no-cache or SHIPWAY_NO_CACHE)",
    )
    assert run(project, unit(project), posargs=("-x",))[0] is True  # same arguments
    assert "arguments" in run(project, unit(project))[1]  # other arguments: other inputs
    monkeypatch.setenv("SHIPWAY_NO_CACHE", "1")
    assert run(project, unit(project))[0] is False


def test_a_damaged_record_counts_as_none(project: Project) -> None:
    run(project, unit(project))
    record_path(project.root, "tests-3.12").write_text('{"stage": "tests-3.12"')
    assert run(project, unit(project)) == (False, "tests-3.12: running — no cached PASS yet")


def test_outside_a_git_work_tree_the_cache_is_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\n[tool.shipway]\n')
    project = load_project(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # no repository above
    cached, line = run(project, unit(project))
    assert not cached
    assert line.startswith("tests-3.12: running — stage cache off (cannot list the work tree")
    assert "not a git repository" in line
    assert run(project, unit(project))[0] is False
    assert not record_path(tmp_path, "tests-3.12").exists()
