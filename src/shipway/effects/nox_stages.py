"""The bodies of the checking stages. The noxfile only wires these to session names.

Every stage first installs its dependency groups from uv.lock (``uv sync --locked``), so a
session runs exactly the locked tool versions, on a laptop as in CI.
"""

import datetime
from pathlib import Path

import nox

from shipway.config import Project
from shipway.decisions import commands
from shipway.decisions.commands import Step, Sync
from shipway.decisions.coverage import coverage_gate, parse_totals, plan_combine
from shipway.decisions.perf.options import parse_options
from shipway.decisions.reports import ReportPaths
from shipway.effects.interpreters import expose_interpreters
from shipway.effects.perf_stage import run_perf_stage
from shipway.effects.project import load_or_exit
from shipway.effects.security_stage import run_security_stage
from shipway.effects.tool_runner import ToolRunner
from shipway.effects.verdicts import publish
from shipway.effects.workflow_check import workflow_files
from shipway.errors import ShipwayError


def prepare(noxfile: str) -> Project:
    """Validate the configuration (exit 2 on error) and make the matrix's interpreters findable."""
    project = load_or_exit(Path(noxfile).resolve().parent)
    expose_interpreters(project.config.python)
    return project


def lint(session: nox.Session, project: Project) -> None:
    install(session, Sync([commands.LINT_GROUP]))
    run_all(session, commands.lint_steps(checked_paths(project)))
    run_all(session, commands.workflow_steps(workflows(project)))


def typecheck(session: nox.Session, project: Project) -> None:
    install(session, Sync([commands.TYPECHECK_GROUP]))
    run_all(session, commands.typecheck_steps(checked_paths(project)))


def tests(session: nox.Session, project: Project) -> None:
    install(session, Sync([commands.TEST_GROUP]))
    reports = report_paths(project)
    reports.coverage_dir.mkdir(parents=True, exist_ok=True)
    run_all(session, [commands.pytest_step(str(session.python), reports, session.posargs)])


def e2e(session: nox.Session, project: Project) -> None:
    install(session, Sync([commands.TEST_GROUP]))
    run_all(session, [commands.e2e_step(session.posargs)])


def coverage(session: nox.Session, project: Project) -> None:
    install(session, Sync([commands.COVERAGE_GROUP], project=False))
    enforce_coverage_gate(session, project)


def enforce_coverage_gate(session: nox.Session, project: Project) -> None:
    """Combine the interpreters' coverage data, write reports, and fail below the gate."""
    reports = report_paths(project)
    configured = project.config.python
    plan = plan_combine(configured, {p for p in configured if reports.coverage_data(p).is_file()})
    totals = None
    if plan.pythons:
        run_all(session, commands.coverage_steps(plan.pythons, reports))
        totals = parse_totals(reports.coverage_json.read_text(encoding="utf-8"))
    shown = reports.coverage_json.relative_to(project.root)
    verdict = coverage_gate(totals, project.config.gates.coverage, shown, plan)
    publish([verdict], reports.verdict)
    if not verdict.passed:
        session.error(verdict.summary())


def security(session: nox.Session, project: Project) -> None:
    install(session, Sync([commands.SECURITY_GROUP]))
    enforce_security_gate(session, project)


def enforce_security_gate(session: nox.Session, project: Project) -> None:
    """Run every scanner and fail the session when the severity gate fails."""
    runner = ToolRunner(project.root, session.bin_paths or [])
    verdict, summary = run_security_stage(project, runner, datetime.date.today())
    if not verdict.passed:
        session.error(summary)


def perf(session: nox.Session, project: Project) -> None:
    install(session, Sync([commands.PERF_GROUP], project=False))
    enforce_perf_gate(session, project)


def enforce_perf_gate(session: nox.Session, project: Project) -> None:
    """Load-test a deployed build (or --host URL) and fail when an SLO or the baseline fails."""
    try:
        options = parse_options(session.posargs, project.config.perf)
        verdict = run_perf_stage(project, options, session.bin_paths or [])
    except ShipwayError as problem:
        session.error(str(problem))
    if not verdict.passed:
        session.error("perf gate: FAIL — " + "; ".join(verdict.reasons))


def install(session: nox.Session, sync: Sync) -> None:
    # Set the target explicitly: with the virtualenv fallback backend nox does not set it, and
    # uv would otherwise sync the project's own .venv.
    target = {"UV_PROJECT_ENVIRONMENT": str(session.virtualenv.location)}
    session.run_install(*sync.argv(), env=target, external=True, silent=True)


def run_all(session: nox.Session, steps: list[Step]) -> None:
    for step in steps:
        session.run(*step.argv, env=step.env)


def report_paths(project: Project) -> ReportPaths:
    return ReportPaths(project.root / "reports")


def workflows(project: Project) -> list[str]:
    return [str(path.relative_to(project.root)) for path in workflow_files(project.root)]


def checked_paths(project: Project) -> list[str]:
    candidates = commands.candidate_paths(project.config.service)
    return [path for path in candidates if (project.root / path).exists()]
