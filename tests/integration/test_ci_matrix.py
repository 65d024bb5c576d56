"""`inv ci-matrix` asks the real nox for its sessions: the matrix follows [tool.shipway] python."""

import json
import shutil
from pathlib import Path

import pytest

from shipway.config import load_project
from shipway.entry.ci import ci_matrix
from shipway.errors import ShipwayError

REPO = Path(__file__).resolve().parents[2]


def pipeline(root: Path, pythons: list[str]) -> Path:
    """This repository's noxfile over a project whose only configuration is its matrix."""
    root.mkdir(exist_ok=True)
    shutil.copy(REPO / "noxfile.py", root / "noxfile.py")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "0"\nrequires-python = ">=3.11"\n'
        f"[tool.shipway]\npython = {json.dumps(pythons)}\n",
        encoding="utf-8",
    )
    return root


def sessions(matrix: dict[str, list[dict[str, str]]]) -> list[str]:
    return [job["session"] for job in matrix["include"]]


def test_adding_a_python_version_adds_a_ci_job(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = pipeline(tmp_path / "p", ["3.12"])
    output = tmp_path / "github_output"
    before = ci_matrix(load_project(root), "tests", {"GITHUB_OUTPUT": str(output)})
    assert before == {"include": [{"session": "tests-3.12", "python": "3.12"}]}
    assert json.loads(capsys.readouterr().out) == before

    pipeline(root, ["3.12", "3.13"])
    after = ci_matrix(load_project(root), "tests", {"GITHUB_OUTPUT": str(output)})
    assert sessions(after) == ["tests-3.12", "tests-3.13"]
    assert output.read_text().splitlines() == [
        'matrix={"include":[{"session":"tests-3.12","python":"3.12"}]}',
        'matrix={"include":[{"session":"tests-3.12","python":"3.12"}'
        ',{"session":"tests-3.13","python":"3.13"}]}',
    ]


def test_a_selector_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    root = pipeline(tmp_path / "p", ["3.12"])
    with pytest.raises(ShipwayError, match=r"no nox session is tagged or named 'tset'"):
        ci_matrix(load_project(root), "tset", {})


def test_a_noxfile_that_nox_cannot_load_is_reported_not_a_traceback(tmp_path: Path) -> None:
    root = pipeline(tmp_path / "p", ["3.12"])
    (root / "noxfile.py").write_text("raise RuntimeError('broken noxfile')\n", encoding="utf-8")
    with pytest.raises(ShipwayError, match=r"`nox --list --json` failed \(exit status \d+\)"):
        ci_matrix(load_project(root), "tests", {})


def test_the_integration_job_runs_once_on_the_newest_python(tmp_path: Path) -> None:
    root = pipeline(tmp_path / "p", ["3.12", "3.13"])
    output = tmp_path / "github_output"
    environ = {"GITHUB_OUTPUT": str(output)}
    matrix = ci_matrix(load_project(root), "integration", environ, name="integration")
    assert matrix == {"include": [{"session": "integration", "python": "3.13"}]}
    assert output.read_text() == (
        'integration={"include":[{"session":"integration","python":"3.13"}]}\n'
    )
