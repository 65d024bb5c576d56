# /// script
# dependencies = ["nox>=2026.10.20", "shipway==0.1.0"]
# ///
"""The checking stages of this pipeline, written by `shipway init`. Each session is a thin call
into shipway.

Run ``nox`` for the default stages, ``nox -s tests-3.12 -- -x`` for one interpreter's unit
tests; ``nox -- --no-cache`` runs stages that passed before with unchanged inputs again. Plain
``nox`` installs what the block above names when it is missing; ``uv run nox`` uses the
project's environment.
"""

import nox
from shipway.entry import stages

# A bad [tool.shipway] stops here, before any session.
project = stages.prepare(__file__)

nox.needs_version = ">=2026.10.20"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.download_python = "never"
nox.options.reuse_venv = "yes"  # each session's `uv sync --locked` makes its venv exact
# Sessions marked allow_parallel run side by side.
nox.options.parallel = stages.parallel_jobs()
# The longest session first, so the short ones fill the other cores while it runs.
nox.options.sessions = ["integration", "lint", "typecheck", "tests", "coverage"]


@nox.session(allow_parallel=True)
def lint(session: nox.Session) -> None:
    """Ruff lint and format check, import contracts if configured, workflow checks."""
    stages.lint(session, project)


@nox.session(allow_parallel=True)
def typecheck(session: nox.Session) -> None:
    """mypy over the service, its tests and the pipeline files."""
    stages.typecheck(session, project)


@nox.session(python=project.config.python, tags=["tests"], allow_parallel=True)
def tests(session: nox.Session) -> None:
    """Unit tests under coverage on each Python; JUnit XML and coverage data under reports/."""
    stages.tests(session, project)


@nox.session(python=project.config.integration_python, allow_parallel=True)
def integration(session: nox.Session) -> None:
    """Integration and end-to-end tests under coverage, once, in parallel pytest workers."""
    stages.integration(session, project)


@nox.session(allow_parallel=True)
def security(session: nox.Session) -> None:
    """bandit, pip-audit, trivy, detect-secrets, SBOM and licenses, under one severity gate."""
    stages.security(session, project)


@nox.session  # runs alone: it measures, so nothing may compete with it for the cores
def perf(session: nox.Session) -> None:
    """Locust against this build deployed to the perf environment (or -- --host URL): SLO gates,
    baseline comparison, reports/perf/. Options: -- --profile NAME, --update-baseline."""
    stages.perf(session, project)


@nox.session(python=stages.dast_python(project))  # alone: it attacks a running service
def dast(session: nox.Session) -> None:
    """Schemathesis (API fuzzing from the OpenAPI schema) and wapiti (crawl and attack) against
    a deployed environment: -- --environment NAME | --host URL [--profile quick|full]."""
    stages.dast(session, project)


@nox.session(allow_parallel=True)
def e2e(session: nox.Session) -> None:
    """tests/e2e; `nox -s e2e -- --environment NAME` aims them at a deployed environment."""
    stages.e2e(session, project)


@nox.session(requires=["integration", "tests"], allow_parallel=True)
def coverage(session: nox.Session) -> None:
    """Combine the test sessions' coverage, write XML/JSON/HTML reports, enforce the gate."""
    stages.coverage(session, project)
