"""The coverage session's gate, run by real nox on real coverage data of a small project."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import env_with

PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"

NOXFILE = """
import nox
from shipway.entry import stages

project = stages.prepare(__file__)

@nox.session(venv_backend="none")
def coverage(session: nox.Session) -> None:
    stages.enforce_coverage_gate(session, project)
"""

CALC = """
def add(a, b):
    return a + b


def sub(a, b):
    return a - b
"""


def make_project(root: Path, threshold: float) -> Path:
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "calc"\nrequires-python = ">=3.11"\n'
        f'[tool.shipway]\npython = ["{PYTHON}"]\n'
        f"[tool.shipway.gates]\ncoverage = {threshold}\n"
        f'[tool.coverage.run]\ninclude = ["calc.py"]\n',
        encoding="utf-8",
    )
    (root / "noxfile.py").write_text(NOXFILE, encoding="utf-8")
    (root / "calc.py").write_text(CALC, encoding="utf-8")
    (root / "use_calc.py").write_text("import calc\n\ncalc.add(1, 2)\n", encoding="utf-8")
    return root


def measure(root: Path) -> None:
    """Real coverage data of a run that covers 3 of calc.py's 4 statements (75 %)."""
    data = root / "reports" / "coverage" / f".coverage.tests-{PYTHON}"
    argv = [sys.executable, "-m", "coverage", "run", f"--data-file={data}", "use_calc.py"]
    subprocess.run(argv, cwd=root, check=True, env=env_with())


def coverage_session(root: Path) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "nox", "-f", str(root / "noxfile.py"), "-s", "coverage"]
    return subprocess.run(
        argv,
        cwd=root,
        env=env_with({"COLUMNS": "200"}),
        capture_output=True,
        text=True,
        check=False,
    )


def verdict(root: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((root / "reports/verdicts/coverage.json").read_text())
    return loaded


def test_below_the_gate_fails_naming_measured_value_and_threshold(tmp_path: Path) -> None:
    root = make_project(tmp_path, threshold=90)
    measure(root)
    result = coverage_session(root)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert (
        "coverage gate: FAIL — measured 75%, required >= 90% (report: reports/coverage.json)"
        in output
    )
    assert "Traceback" not in output
    assert verdict(root)["measured"] == 75.0
    assert verdict(root)["passed"] is False
    assert (root / "reports" / "coverage.xml").is_file()
    assert (root / "reports" / "htmlcov" / "index.html").is_file()


def test_at_or_above_the_gate_passes_and_keeps_the_sessions_data(tmp_path: Path) -> None:
    root = make_project(tmp_path, threshold=75)
    measure(root)
    result = coverage_session(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert verdict(root)["outcome"] == "pass"
    # The stage cache trusts a test session's PASS only while its data file is there.
    assert (root / "reports" / "coverage" / f".coverage.tests-{PYTHON}").is_file()
    again = coverage_session(root)
    assert again.returncode == 0, again.stdout + again.stderr
    assert verdict(root)["measured"] == 75.0


@pytest.mark.parametrize("threshold", [0, 90])
def test_no_coverage_data_fails_whatever_the_threshold(tmp_path: Path, threshold: int) -> None:
    root = make_project(tmp_path, threshold=threshold)
    result = coverage_session(root)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert f"coverage gate: NO DATA — measured —, required >= {threshold}%" in output
    assert f"no data from tests-{PYTHON}, integration" in output


def test_step_summary_gets_a_markdown_verdict(tmp_path: Path) -> None:
    root = make_project(tmp_path, threshold=90)
    measure(root)
    summary = tmp_path / "summary.md"
    argv = [sys.executable, "-m", "nox", "-f", str(root / "noxfile.py"), "-s", "coverage"]
    env = env_with({"GITHUB_STEP_SUMMARY": str(summary)})
    subprocess.run(argv, cwd=root, env=env, capture_output=True, check=False)
    assert "| coverage | ❌ FAIL | 75% | >= 90% | reports/coverage.json |" in summary.read_text()
