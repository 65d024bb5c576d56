"""The bodies of the checking stages. The noxfile only wires these to session names.

Every nox process imports this module (with ``--parallel``, one per session), so the security
and perf stages, which pull in the deploy machinery, are imported only where they run.
Every stage first installs its dependency groups from uv.lock (``uv sync --locked``), so a
session runs exactly the locked tool versions, on a laptop as in CI. The default stages are
cached: one that passed is skipped while none of its inputs changed (effects/stages/cache.py).
"""

import dataclasses
import datetime
import os
from collections.abc import Sequence
from pathlib import Path

import nox

from shipway.config import Project
from shipway.decisions.perf.options import parse_options
from shipway.decisions.stages import commands
from shipway.decisions.stages import inputs as stage_inputs
from shipway.decisions.stages.commands import Step, Sync
from shipway.decisions.stages.coverage import (
    coverage_gate,
    measured_sessions,
    parse_totals,
    plan_combine,
)
from shipway.decisions.stages.report_paths import REPORTS_DIR, ReportPaths
from shipway.effects.ci.workflows import main as thin_workflows
from shipway.effects.ci.workflows import workflow_files
from shipway.effects.command import ToolRunner
from shipway.effects.project import load_or_exit
from shipway.effects.stages.cache import cached_stage
from shipway.effects.stages.interpreters import expose_interpreters
from shipway.effects.verdicts import publish
from shipway.errors import ShipwayError

# The reports directory as the stage cache names its files: relative to the project root.
RELATIVE_REPORTS = ReportPaths(Path(REPORTS_DIR))


def prepare(noxfile: str) -> Project:
    """Validate the configuration (exit 2 on error) and make the matrix's interpreters findable."""
    project = load_or_exit(Path(noxfile).resolve().parent)
    expose_interpreters(project.config.python)
    return project


def parallel_jobs() -> int:
    """How many sessions nox runs at once (``-j``): one per core."""
    return os.cpu_count() or 1


def yield_to_integration(session: nox.Session) -> None:
    """In a parallel run, a short session takes the cores only when the integration session,
    the run's critical path, leaves them idle (it waits on processes a lot)."""
    if session.parallel:
        os.nice(SHORT_SESSION_NICENESS)


SHORT_SESSION_NICENESS = 10


def lint(session: nox.Session, project: Project) -> None:
    paths = checked_paths(project)
    with cached_stage(session, project, stage_inputs.lint(paths)) as stage:
        if stage.cached:
            return
        yield_to_integration(session)
        install(session, Sync([commands.LINT_GROUP]), project)
        run_all(session, commands.lint_steps(paths, project.import_contracts))
        files = workflows(project)
        run_all(session, commands.workflow_steps(files))
        if files and thin_workflows([str(project.root / file) for file in files]) != 0:
            session.error("a workflow runs more than nox and inv, or an action is not pinned")


def typecheck(session: nox.Session, project: Project) -> None:
    paths = checked_paths(project)
    with cached_stage(session, project, stage_inputs.typecheck(paths)) as stage:
        if stage.cached:
            return
        yield_to_integration(session)
        install(session, Sync([commands.TYPECHECK_GROUP]), project, service=True)
        run_all(session, commands.typecheck_steps(paths))


def tests(session: nox.Session, project: Project) -> None:
    """The unit tier, on the session's Python."""
    tiers = project.config.tests
    inputs = stage_inputs.unit_tests(tiers, RELATIVE_REPORTS, session.name)
    with cached_stage(session, project, inputs) as stage:
        if stage.cached:
            return
        paths = existing_paths(project, tiers.unit)
        if not paths:
            session.error(f"no unit tests: none of {', '.join(tiers.unit)} exists {WHERE}")
        yield_to_integration(session)
        install(session, Sync([commands.TEST_GROUP], compile_bytecode=True), project, service=True)
        run_tests(session, project, paths, stage.posargs)


def integration(session: nox.Session, project: Project) -> None:
    """The integration tier, once, in pytest-xdist workers."""
    tiers = project.config.tests
    inputs = stage_inputs.integration_tests(tiers, RELATIVE_REPORTS, session.name)
    with cached_stage(session, project, inputs) as stage:
        if stage.cached:
            return
        paths = existing_paths(project, tiers.integration)
        if not paths:
            if tiers.integration and "integration" in tiers.model_fields_set:
                session.error(f"none of {', '.join(tiers.integration)} exists {WHERE}")
            where = ", ".join(tiers.integration) or "(tool.shipway.tests.integration = [])"
            session.log(f"no integration tests at {where}: nothing to run")
            return
        install(session, Sync([commands.TEST_GROUP], compile_bytecode=True), project, service=True)
        workers = commands.xdist_workers(tiers.workers, os.cpu_count() or 1)
        run_tests(session, project, paths, stage.posargs, workers)


WHERE = "(tool.shipway.tests, paths relative to pyproject.toml)"


def run_tests(
    session: nox.Session,
    project: Project,
    paths: Sequence[str],
    posargs: Sequence[str],
    workers: int | None = None,
) -> None:
    reports = report_paths(project)
    reports.coverage_dir.mkdir(parents=True, exist_ok=True)
    step = commands.pytest_step(session.name, reports, paths, posargs, workers)
    run_all(session, [step])


def e2e(session: nox.Session, project: Project) -> None:
    install(session, Sync([commands.TEST_GROUP]), project, service=True)
    run_all(session, [commands.e2e_step(session.posargs)])


def coverage(session: nox.Session, project: Project) -> None:
    expected = measured_sessions(project.config.python)
    inputs = stage_inputs.coverage(RELATIVE_REPORTS, expected)
    with cached_stage(session, project, inputs) as stage:
        if stage.cached:
            return
        install(session, Sync([commands.COVERAGE_GROUP], project=False), project)
        enforce_coverage_gate(session, project)


def enforce_coverage_gate(session: nox.Session, project: Project) -> None:
    """Combine the test sessions' coverage data, write reports, and fail below the gate."""
    reports = report_paths(project)
    expected = measured_sessions(project.config.python)
    plan = plan_combine(expected, {s for s in expected if reports.coverage_data(s).is_file()})
    totals = None
    if plan.sessions:
        run_all(session, commands.coverage_steps(plan.sessions, reports))
        totals = parse_totals(reports.coverage_json.read_text(encoding="utf-8"))
    shown = reports.coverage_json.relative_to(project.root)
    verdict = coverage_gate(totals, project.config.gates.coverage, shown, plan)
    publish([verdict], reports.verdict)
    if not verdict.passed:
        session.error(verdict.summary())


def security(session: nox.Session, project: Project) -> None:
    install(session, Sync([commands.SECURITY_GROUP]), project, service=True)
    enforce_security_gate(session, project)


def enforce_security_gate(session: nox.Session, project: Project) -> None:
    """Run every scanner and fail the session when the severity gate fails."""
    from shipway.entry.security import run_security_stage

    runner = ToolRunner(project.root, session.bin_paths or [])
    verdict, summary = run_security_stage(project, runner, datetime.date.today())
    if not verdict.passed:
        session.error(summary)


def perf(session: nox.Session, project: Project) -> None:
    install(session, Sync([commands.PERF_GROUP], project=False), project)
    enforce_perf_gate(session, project)


def enforce_perf_gate(session: nox.Session, project: Project) -> None:
    """Load-test a deployed build (or --host URL) and fail when an SLO or the baseline fails."""
    from shipway.entry.perf import run_perf_stage

    try:
        options = parse_options(session.posargs, project.config.perf)
        verdict = run_perf_stage(project, options, session.bin_paths or [])
    except ShipwayError as problem:
        session.error(str(problem))
    if not verdict.passed:
        session.error("perf gate: FAIL — " + "; ".join(verdict.reasons))


def dast_python(project: Project) -> str | None:
    """The DAST session's Python (none configured is reported when the session runs)."""
    return commands.dast_python(project.config.python)


def dast(session: nox.Session, project: Project) -> None:
    if dast_python(project) is None:
        wanted = ".".join(map(str, commands.DAST_MIN_PYTHON))
        session.error(
            f"nox -s dast needs Python {wanted} or newer among tool.shipway.python (its "
            f"scanner wapiti3 does not install beside shipway on older ones); configured: "
            f"{', '.join(project.config.python)}"
        )
    install(session, Sync([commands.DAST_GROUP], project=False), project)
    enforce_dast_gate(session, project)


def enforce_dast_gate(session: nox.Session, project: Project) -> None:
    """Scan a deployed environment (or --host URL) and fail when the severity gate fails."""
    from shipway.decisions.dast.options import parse_options as dast_options
    from shipway.entry.dast import run_dast_stage

    try:
        options = dast_options(session.posargs, project.config.dast)
        run = run_dast_stage(project, options, session.bin_paths or [])
    except ShipwayError as problem:
        session.error(str(problem))
    if not run.verdict.passed:
        session.error(run.summary)


def install(session: nox.Session, sync: Sync, project: Project, *, service: bool = False) -> None:
    """The stage's groups from uv.lock; with ``service``, the service's own requirements too."""
    # Set the target explicitly: with the virtualenv fallback backend nox does not set it, and
    # uv would otherwise sync the project's own .venv.
    target = {"UV_PROJECT_ENVIRONMENT": str(session.virtualenv.location)}
    python = str(Path(session.virtualenv.location) / "bin" / "python")
    checked = bool(str(project.requires_python))
    sync = dataclasses.replace(sync, checked=checked, python=python)
    session.run_install(*sync.argv(), env=target, external=True, silent=True)
    if service:
        argv = commands.service_install(python, *uninstalled_parts(project))
        if argv is not None:
            session.run_install(*argv, external=True, silent=True)


def uninstalled_parts(project: Project) -> tuple[str | None, str | None]:
    """The service's requirements.txt and setup.py package, when ``uv sync`` leaves them out."""
    package = project.service_package
    requirements = project.service_dir / "requirements.txt"
    listed = str(requirements) if package.uv_lock is None and requirements.is_file() else None
    setup_only = package.setup_files and not package.has_project_table
    return listed, str(project.service_dir) if setup_only else None


def run_all(session: nox.Session, steps: list[Step]) -> None:
    for step in steps:
        session.run(*step.argv, env=step.env)


def report_paths(project: Project) -> ReportPaths:
    return ReportPaths(project.root / REPORTS_DIR)


def workflows(project: Project) -> list[str]:
    return [str(path.relative_to(project.root)) for path in workflow_files(project.root)]


def checked_paths(project: Project) -> list[str]:
    return existing_paths(project, commands.candidate_paths(project.config.service))


def existing_paths(project: Project, paths: Sequence[str]) -> list[str]:
    return [path for path in paths if (project.root / path).exists()]
