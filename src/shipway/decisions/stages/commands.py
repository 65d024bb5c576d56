"""The commands each checking stage runs, as argv lists (built here, run elsewhere).

Tool versions come from the dependency groups in pyproject.toml, locked in uv.lock; every
stage installs its groups with ``uv sync --locked`` so it runs exactly what is locked.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from shipway.decisions import Argv
from shipway.decisions.stages.report_paths import ReportPaths

# Dependency groups (pyproject.toml) each stage installs. pre-commit hooks use LINT_GROUP too.
LINT_GROUP = "lint"
TYPECHECK_GROUP = "typecheck"
TEST_GROUP = "test"
COVERAGE_GROUP = "coverage"
SECURITY_GROUP = "security"
PERF_GROUP = "perf"
DAST_GROUP = "dast"
# wapiti3 (the DAST stage's crawling scanner) resolves beside shipway's pins from 3.13 on.
DAST_MIN_PYTHON = (3, 13)

# What the checking stages look at, when it exists: the library, its tests, the service and
# the pipeline files themselves.
CHECKED_PATHS = ("src", "tests", "scripts", "benchmarks", "locust", "noxfile.py", "tasks.py")


@dataclass(frozen=True)
class Sync:
    """``uv sync`` of some dependency groups from uv.lock into a session's environment."""

    groups: Sequence[str]
    project: bool = True  # install the workspace projects (editable) and their dependencies
    # For sessions that start many Python processes: each then loads bytecode instead of
    # compiling every module it imports (uv compiles once, and only what changed on a resync).
    compile_bytecode: bool = False
    # uv checks a lock against pyproject.toml for the interpreter at hand; without a
    # requires-python (a pyproject.toml with no [project], beside a setup.py) each Python
    # would want its own lock, so the lock is taken as it is (`uv lock` keeps it current).
    checked: bool = True
    # The session's own interpreter: a .python-version must not make uv replace its venv.
    python: str | None = None

    def argv(self) -> Argv:
        argv = ["uv", "sync", "--locked" if self.checked else "--frozen", "--no-default-groups"]
        if self.python:
            argv += ["--python", self.python]
        if self.compile_bytecode:
            argv.append("--compile-bytecode")
        if not self.project:
            return argv + [f"--only-group={group}" for group in self.groups]
        return argv + ["--all-packages"] + [f"--group={group}" for group in self.groups]


def service_install(python: str, requirements: str | None, editable: str | None) -> Argv | None:
    """What ``uv sync`` cannot install: the service's requirements.txt (when no uv.lock locks
    its dependencies) and a package that only setup.py describes."""
    arguments = [
        *(["-r", requirements] if requirements else []),
        *(["-e", editable] if editable else []),
    ]
    if not arguments:
        return None
    return ["uv", "pip", "install", "--quiet", "--python", python, *arguments]


@dataclass(frozen=True)
class Step:
    argv: Argv
    env: dict[str, str] = field(default_factory=dict)


def candidate_paths(service: str) -> list[str]:
    """Paths the linters and the type checker cover (those of them that exist), in order. A
    service at the project's root is all of it: its packages may have any name."""
    if service == ".":
        return ["."]
    return list(dict.fromkeys([*CHECKED_PATHS, service]))


def lint_steps(paths: Sequence[str], import_contracts: bool) -> list[Step]:
    steps = [Step(["ruff", "check", *paths]), Step(["ruff", "format", "--check", *paths])]
    return steps + ([Step(["lint-imports"])] if import_contracts else [])


def workflow_steps(workflows: Sequence[str]) -> list[Step]:
    """Offline checks of GitHub Actions workflows: schema, actionlint, zizmor. (The thin-run-line
    rule runs in the nox process itself, where shipway is: ``effects/ci/workflows.py``.)

    actionlint's shellcheck and pyflakes integrations are off: whether they run would depend
    on what the machine has installed, and run lines are checked by the thin-workflow rule.
    zizmor fails on high-severity findings only.
    """
    if not workflows:
        return []
    return [
        Step(["check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows]),
        Step(["actionlint", "-shellcheck=", "-pyflakes=", "-oneline", *workflows]),
        Step(["zizmor", "--offline", "--min-severity=high", "--no-progress", *workflows]),
    ]


def typecheck_steps(paths: Sequence[str]) -> list[Step]:
    return [Step(["mypy", *paths])]


def pytest_step(
    session: str,
    reports: ReportPaths,
    paths: Sequence[str],
    posargs: Sequence[str],
    workers: int | None = None,
) -> Step:
    """pytest under coverage (pytest-cov) over one test tier's ``paths``, with one data file
    and one JUnit file per session; ``workers`` pytest-xdist processes when given. Run as
    ``python -m pytest``, so the project's root is importable as most services' tests expect."""
    argv = ["python", "-m", "pytest", "--cov", "--cov-report="]
    argv.append(f"--junitxml={reports.junit(session)}")
    if workers is not None:  # worksteal: an idle worker takes queued tests from a busy one
        argv += ["--numprocesses", str(workers), "--dist", "worksteal"]
    return Step(
        [*argv, *paths, *posargs], env={"COVERAGE_FILE": str(reports.coverage_data(session))}
    )


def xdist_workers(configured: int | str, cpus: int) -> int:
    """pytest-xdist processes: as configured, or one per core for 'auto'."""
    return configured if isinstance(configured, int) else max(1, cpus)


def e2e_step(posargs: Sequence[str]) -> Step:
    """The end-to-end tests, against a deployed environment when posargs say --environment."""
    return Step(["pytest", "tests/e2e", "-p", "no:cacheprovider", *posargs])


def coverage_steps(sessions: Sequence[str], reports: ReportPaths) -> list[Step]:
    """Combine the test sessions' data (keeping it, so the gate can rerun) and write reports."""
    env = {"COVERAGE_FILE": str(reports.coverage_combined)}
    data = [str(reports.coverage_data(session)) for session in sessions]
    return [
        Step(["coverage", "combine", "--keep", "--quiet", *data], env),
        Step(["coverage", "xml", "--quiet", "-o", str(reports.coverage_xml)], env),
        Step(["coverage", "json", "--quiet", "-o", str(reports.coverage_json)], env),
        Step(["coverage", "html", "--quiet", "-d", str(reports.coverage_html)], env),
        Step(["coverage", "report"], env),
    ]


def dast_python(pythons: Sequence[str]) -> str | None:
    """The DAST session's interpreter: the newest configured Python the scanners run on."""
    usable = [v for v in pythons if tuple(map(int, v.split("."))) >= DAST_MIN_PYTHON]
    return max(usable, key=lambda v: tuple(map(int, v.split(".")))) if usable else None
