from shipway.decisions.stages import commands
from shipway.decisions.stages.commands import Step, Sync
from tests.unit.decisions.stages.paths import REPORTS


def test_sync_installs_workspace_and_groups_from_the_lock() -> None:
    assert Sync(["test"]).argv() == [
        "uv",
        "sync",
        "--locked",
        "--no-default-groups",
        "--all-packages",
        "--group=test",
    ]


def test_sync_of_tools_only_skips_the_project() -> None:
    assert Sync(["coverage"], project=False).argv() == [
        "uv",
        "sync",
        "--locked",
        "--no-default-groups",
        "--only-group=coverage",
    ]


def test_lint_runs_ruff_check_format_and_import_contracts() -> None:
    assert [s.argv for s in commands.lint_steps(["src", "tests"], import_contracts=True)] == [
        ["ruff", "check", "src", "tests"],
        ["ruff", "format", "--check", "src", "tests"],
        ["lint-imports"],
    ]


def test_import_contracts_are_checked_only_where_configured() -> None:
    steps = commands.lint_steps(["."], import_contracts=False)
    assert [s.argv[0] for s in steps] == ["ruff", "ruff"]


def test_workflows_are_checked_offline_by_schema_actionlint_and_zizmor() -> None:
    files = [".github/workflows/ci.yml"]
    assert [s.argv for s in commands.workflow_steps(files)] == [
        ["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *files],
        ["actionlint", "-shellcheck=", "-pyflakes=", "-oneline", *files],
        ["zizmor", "--offline", "--min-severity=high", "--no-progress", *files],
    ]


def test_no_workflows_no_workflow_checks() -> None:
    assert commands.workflow_steps([]) == []


def test_typecheck_runs_mypy_on_paths() -> None:
    assert commands.typecheck_steps(["src"]) == [Step(["mypy", "src"])]


def test_pytest_step_runs_one_tier_with_per_session_reports_and_posargs() -> None:
    step = commands.pytest_step("tests-3.12", REPORTS, ["tests/unit"], ["-k", "config", "-x"])
    assert step.argv == [
        "python",
        "-m",
        "pytest",  # as `python -m`: the project's root is importable, as most teams expect
        "--cov",
        "--cov-report=",
        "--junitxml=/p/reports/junit-tests-3.12.xml",
        "tests/unit",
        "-k",
        "config",
        "-x",
    ]
    assert step.env == {"COVERAGE_FILE": "/p/reports/coverage/.coverage.tests-3.12"}


def test_pytest_step_with_workers_runs_pytest_xdist() -> None:
    step = commands.pytest_step("integration", REPORTS, ["tests/integration"], [], workers=2)
    assert step.argv[6:] == ["--numprocesses", "2", "--dist", "worksteal", "tests/integration"]


def test_xdist_workers_auto_is_one_per_core() -> None:
    assert commands.xdist_workers("auto", 2) == 2
    assert commands.xdist_workers("auto", 0) == 1
    assert commands.xdist_workers(3, 2) == 3


def test_sync_can_compile_bytecode() -> None:
    argv = commands.Sync(["test"], compile_bytecode=True).argv()
    assert argv[:5] == ["uv", "sync", "--locked", "--no-default-groups", "--compile-bytecode"]
    assert "--compile-bytecode" not in commands.Sync(["lint"]).argv()


def test_coverage_combines_only_the_planned_sessions_and_keeps_their_data() -> None:
    steps = commands.coverage_steps(["tests-3.11", "integration"], REPORTS)
    combine = steps[0].argv
    assert combine[:4] == ["coverage", "combine", "--keep", "--quiet"]
    assert combine[4:] == [
        "/p/reports/coverage/.coverage.tests-3.11",
        "/p/reports/coverage/.coverage.integration",
    ]
    assert all(s.env == {"COVERAGE_FILE": "/p/reports/coverage/combined.coverage"} for s in steps)
    outputs = [s.argv for s in steps[1:]]
    assert ["coverage", "json", "--quiet", "-o", "/p/reports/coverage.json"] in outputs
    assert ["coverage", "xml", "--quiet", "-o", "/p/reports/coverage.xml"] in outputs
    assert ["coverage", "html", "--quiet", "-d", "/p/reports/htmlcov"] in outputs


def test_candidate_paths_add_the_service_once() -> None:
    assert commands.candidate_paths("examples/chatbot")[-1] == "examples/chatbot"
    assert commands.candidate_paths(".") == ["."]  # a service at the root: the whole project
    assert commands.candidate_paths("src") == list(commands.CHECKED_PATHS)


def test_a_service_sync_leaves_out_gets_its_requirements_and_setup_py_package() -> None:
    assert commands.service_install("/v/bin/python", "/p/requirements.txt", "/p") == [
        "uv", "pip", "install", "--quiet", "--python", "/v/bin/python",
        "-r", "/p/requirements.txt", "-e", "/p",
    ]  # fmt: skip
    assert commands.service_install("/v/bin/python", None, None) is None


def test_a_sync_names_the_sessions_interpreter_and_trusts_an_unchecked_lock() -> None:
    sync = Sync(["test"], python="/v/bin/python", checked=False)
    assert sync.argv()[:6] == ["uv", "sync", "--frozen", "--no-default-groups", "--python", "/v/bin/python"]  # fmt: skip
