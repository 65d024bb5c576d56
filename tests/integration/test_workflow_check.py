"""The thin-workflow rule as a command (`python -m shipway.effects.ci.workflows`) on workflows in
a tmp repo; `nox -s lint` runs the same check in its own process."""

import subprocess
import sys
from pathlib import Path

from tests.support.processes import env_with

CHECKOUT = "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0"


def write_workflow(root: Path, name: str, run: str) -> str:
    folder = root / ".github" / "workflows"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(
        "name: deploy\n"
        "on: push\n"
        "permissions: {}\n"
        "jobs:\n"
        "  deploy:\n"
        "    runs-on: ubuntu-latest\n"
        "    steps:\n"
        f"      - uses: {CHECKOUT}\n"
        "      - run: uv run nox -s lint\n"
        f"      - run: {run}\n",
        encoding="utf-8",
    )
    return f".github/workflows/{name}"


def thin_rule_step(workflows: list[str]) -> list[str]:
    return [sys.executable, "-m", "shipway.effects.ci.workflows", *workflows]


def run_in(root: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv, cwd=root, env=env_with(), capture_output=True, text=True, check=False
    )


def test_a_make_step_fails_the_check_naming_file_and_line(tmp_path: Path) -> None:
    good = write_workflow(tmp_path, "ci.yml", "uv run inv deploy --env staging --yes")
    bad = write_workflow(tmp_path, "deploy.yml", "make deploy")
    result = run_in(tmp_path, thin_rule_step([good, bad]))
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.splitlines() == [
        ".github/workflows/deploy.yml:10: `make deploy`: run lines may only call nox or inv, "
        "optionally through `uv run`, `uvx`, `python -m` or `python3 -m uv run`"
    ]
    assert "1 problem(s) in 2 workflow(s)" in result.stdout
    assert "Traceback" not in result.stderr


def test_thin_workflows_pass_and_say_how_many_were_checked(tmp_path: Path) -> None:
    good = write_workflow(tmp_path, "ci.yml", 'uv run nox -s "$SESSION"')
    result = run_in(tmp_path, thin_rule_step([good]))
    assert result.returncode == 0, result.stderr
    assert "1 workflow(s) call only nox or inv" in result.stdout


def test_without_arguments_it_finds_the_repositorys_workflows(tmp_path: Path) -> None:
    write_workflow(tmp_path, "a.yaml", "echo hi")
    result = run_in(tmp_path, thin_rule_step(["unused"])[:-1])
    assert result.returncode == 1
    assert result.stderr.startswith(".github/workflows/a.yaml:10: `echo hi`")


def test_no_workflows_at_all_is_a_failure_not_a_pass(tmp_path: Path) -> None:
    result = run_in(tmp_path, thin_rule_step(["unused"])[:-1])
    assert result.returncode == 1
    assert "no workflows found under .github/workflows/" in result.stderr
