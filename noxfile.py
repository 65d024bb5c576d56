"""The checking stages of this repository's pipeline. Each session is a thin call into shipway.

Run ``nox`` for the default stages, ``nox -s tests-3.12 -- -m unit -x`` for one interpreter.
"""

import nox

try:
    from shipway.effects import nox_stages as stages
except ImportError:  # pragma: no cover - a hint for running nox outside the project's env
    raise SystemExit("shipway is not importable: run nox as `uv run nox`") from None

project = stages.prepare(__file__)  # a bad [tool.shipway] stops here, before any session

nox.needs_version = ">=2026.10.20"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.download_python = "never"
nox.options.sessions = ["lint", "typecheck", "tests", "coverage"]


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check; import-linter layer contracts."""
    stages.lint(session, project)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over shipway, the service, tests and the pipeline files."""
    stages.typecheck(session, project)


@nox.session(python=project.config.python, tags=["tests"])
def tests(session: nox.Session) -> None:
    """pytest under coverage; JUnit XML and coverage data per interpreter under reports/."""
    stages.tests(session, project)


@nox.session
def security(session: nox.Session) -> None:
    """bandit, pip-audit, trivy, detect-secrets, SBOM and licenses, under one severity gate."""
    stages.security(session, project)


@nox.session
def perf(session: nox.Session) -> None:
    """Locust against this build deployed to the perf environment (or -- --host URL): SLO gates,
    baseline comparison, reports/perf/. Options: -- --profile NAME, --update-baseline."""
    stages.perf(session, project)


@nox.session
def e2e(session: nox.Session) -> None:
    """tests/e2e; `nox -s e2e -- --environment NAME` aims them at a deployed environment."""
    stages.e2e(session, project)


@nox.session(requires=["tests"])
def coverage(session: nox.Session) -> None:
    """Combine the interpreters' coverage, write XML/JSON/HTML reports, enforce the gate."""
    stages.coverage(session, project)
