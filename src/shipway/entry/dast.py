"""``nox -s dast``: attack a deployed environment (or ``--host URL``) with API fuzzing from its
OpenAPI schema (schemathesis) and a crawling scanner (wapiti), and judge what they found with
the security stage's gate. Nothing is deployed here: the environment must already serve.

Raw scanner output stays in a private temporary directory; ``reports/dast/`` gets sanitized
copies (no request, response or header) with the credential masked, as do the log and the
step summary.
"""

import dataclasses
import datetime
import html
import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shipway.config import Project
from shipway.config.security import Security
from shipway.decisions.dast import commands, reports
from shipway.decisions.dast.detect import crawled_nothing
from shipway.decisions.dast.findings import Scanned
from shipway.decisions.dast.options import DastOptions
from shipway.decisions.security.findings import ToolReport
from shipway.decisions.security.gate import SecurityVerdict, security_gate
from shipway.decisions.security.redact import redact, redact_document, without_keys
from shipway.decisions.stages.report_paths import REPORTS_DIR, ReportPaths
from shipway.effects.command import ToolRunner
from shipway.effects.console import console
from shipway.effects.dast import scanners
from shipway.effects.dast.schema import find_schema, reachable
from shipway.effects.deploy.environment import environment_files
from shipway.effects.deploy.files import load_state
from shipway.effects.deploy.secrets import resolve
from shipway.effects.verdicts import conclude, publish
from shipway.errors import ShipwayError

GATE = "dast"
# Keys of wapiti's findings that quote the request (headers included): never published.
REQUEST_KEYS = frozenset({"http_request", "curl_command"})


@dataclass(frozen=True)
class Target:
    host: str
    trust: Path | None  # the environment's trust file for its HTTPS URL


@dataclass
class DastRun:
    verdict: SecurityVerdict
    summary: str  # one line, safe to print


def run_dast_stage(
    project: Project,
    options: DastOptions,
    bin_dirs: Sequence[str],
    today: datetime.date | None = None,
) -> DastRun:
    """Scan, publish the reports, and return the verdict. A target that cannot be scanned
    (not deployed, not answering, a configured schema that is not one) raises ShipwayError."""
    dast = project.config.dast
    target = resolve_target(project, options)
    auth = credential(project)
    secrets = {auth[1]} if auth else set()
    headers = {auth[0]: auth[1]} if auth else {}
    start = target.host + dast.start
    start_status = reachable(start, headers, target.trust)
    schema = find_schema(target.host, dast.openapi, headers, target.trust)
    out = project.path(dast.reports)
    shutil.rmtree(out, ignore_errors=True)  # no stale report may outlive its run
    out.mkdir(parents=True)
    scan = Scan(target, start, start_status, schema.url, auth, secrets, out)
    results, covered = run_scanners(project, options, scan, bin_dirs)
    missing = f"no OpenAPI schema at {', '.join(schema.tried)}: no API fuzzing"
    notes = [] if schema.url else [missing]
    policy = Security(fail_on=dast.fail_on, allow=dast.allow)
    verdict = security_gate(results, policy, today or datetime.date.today())
    verdict = dataclasses.replace(verdict, warnings=(*notes, *verdict.warnings))
    publish_reports(project, options, scan, verdict, covered)
    outcome = "PASS" if verdict.passed else "FAIL — " + "; ".join(verdict.reasons)
    return DastRun(verdict, redact(f"dast gate: {outcome}", secrets))


@dataclass(frozen=True)
class Scan:
    """One scan's target, what it starts from, its credential and where its reports go."""

    target: Target
    start: str
    start_status: int
    schema: str | None
    auth: tuple[str, str] | None
    secrets: set[str]
    out: Path


def run_scanners(
    project: Project, options: DastOptions, scan: Scan, bin_dirs: Sequence[str]
) -> tuple[list[ToolReport], dict[str, str]]:
    """schemathesis when there is a schema, wapiti always; their reports, and what each
    covered. Their raw output lives in a private directory that goes with the run."""
    dast = project.config.dast
    profile = dast.profiles[options.profile]
    out, secrets, auth = scan.out, scan.secrets, scan.auth
    covered: dict[str, str] = {}
    results: list[ToolReport] = []
    with tempfile.TemporaryDirectory(prefix="shipway-dast-") as work:
        paths = commands.DastPaths(Path(work))
        # In the work directory: whatever the scanners leave (caches, sessions) goes with it.
        runner = ToolRunner(Path(work), bin_dirs, timeout=commands.time_limit(profile))
        if scan.schema is not None:
            argv = commands.schemathesis_argv(
                scan.schema, profile, paths, dast.exclude_checks, auth=auth, trust=scan.target.trust
            )
            report, scanned = scanners.schemathesis(runner, argv, paths.schemathesis_json, secrets)
            results.append(report)
            covered["schemathesis"] = coverage(scanned, "operation(s)")
            copy_json(paths.schemathesis_json, out / "schemathesis.json", secrets)
            copy_html(paths.schemathesis_html / "index.html", out / "schemathesis.html", secrets)
        argv = commands.wapiti_argv(scan.start, profile, paths, auth=auth, schema=scan.schema)
        report, scanned = scanners.wapiti(runner, argv, paths.wapiti_json, secrets)
        if not report.error and crawled_nothing(scan.start_status, scan.schema):
            problem = f"scanned nothing: the start page {scan.start} answered {scan.start_status}"
            problem += " and there is no schema (tool.shipway.dast.start, openapi)"
            report = ToolReport(report.tool, error=problem)
        results.append(report)
        covered["wapiti"] = coverage(scanned, "page(s)")
        copy_json(paths.wapiti_json, out / "wapiti.json", secrets)
    return results, covered


def publish_reports(
    project: Project,
    options: DastOptions,
    scan: Scan,
    verdict: SecurityVerdict,
    covered: dict[str, str],
) -> None:
    """reports/dast/, the findings and verdict on the terminal, the step summary."""
    out, secrets, host = scan.out, scan.secrets, scan.target.host
    markdown = redact(reports.markdown(verdict, host, options.profile, covered), secrets)
    summary = {
        "host": host,
        "profile": options.profile,
        "schema": scan.schema,
        "covered": covered,
        **verdict.to_json(),
    }
    write_text(out / "summary.json", json.dumps(summary, indent=2) + "\n", secrets)
    write_text(out / "summary.md", markdown, secrets)
    write_text(out / "dast.sarif", json.dumps(reports.sarif(verdict, host), indent=2), secrets)
    write_text(out / "junit.xml", reports.junit(verdict), secrets)
    for finding in sorted(verdict.active, key=lambda f: -f.severity.rank):
        line = f"  {finding.severity:<8} {finding.rule} at {finding.path} ({finding.tool})"
        console.print(redact(line, secrets), soft_wrap=True, markup=False, highlight=False)
    shown_dir = out.relative_to(project.root) if out.is_relative_to(project.root) else out
    gate = dataclasses.replace(verdict.as_verdict(shown_dir / "summary.json"), gate=GATE)
    publish(
        [dataclasses.replace(gate, detail=redact(gate.detail, secrets))],
        ReportPaths(project.root / REPORTS_DIR).verdict,
        markdown=markdown,
    )
    conclude(
        GATE,
        verdict.passed,
        f"{shown_dir}/",
        reasons=[redact(reason, secrets) for reason in verdict.reasons],
        warnings=[redact(warning, secrets) for warning in verdict.warnings],
    )


def resolve_target(project: Project, options: DastOptions) -> Target:
    """``--host`` as given, else the environment's URL once its state says it serves."""
    if options.host is not None:
        return Target(options.host, None)
    name = options.environment or project.config.dast.environment
    environment = project.config.environments.get(name)
    if environment is None:
        known = ", ".join(project.config.environment_names) or "none"
        raise ShipwayError(
            f"dast: the environment {name!r} is not configured (configured: {known}); pass "
            "--environment NAME or --host URL"
        )
    files = environment_files(project, name)
    if load_state(files).serving_version is None:
        raise ShipwayError(
            f"dast: the environment {name!r} is not deployed (nothing serves there); deploy "
            f"it first (inv deploy --env {name}) — nox -s dast deploys nothing"
        )
    trust = files.tls_trust if environment.tls is not None else None
    console.print(f"dast: scanning {name} at {environment.url}")
    return Target(environment.url, trust)


def credential(project: Project) -> tuple[str, str] | None:
    """The configured header and its resolved value (never shown)."""
    auth = project.config.dast.auth
    if auth is None:
        return None
    try:
        value = resolve({auth.header: auth.value}, project.root)[auth.header]
    except ShipwayError as problem:
        raise ShipwayError(f"dast: tool.shipway.dast.auth: {problem}") from None
    return auth.header, value


def coverage(scanned: Scanned | None, unit: str) -> str:
    return "" if scanned is None else f"{scanned.covered} {unit}"


def copy_json(raw: Path, published: Path, secrets: set[str]) -> None:
    """A scanner's JSON report without the requests it quotes, the credential masked."""
    try:
        document = json.loads(raw.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no report: the scanner's ToolReport says why
    text = json.dumps(redact_document(without_keys(document, REQUEST_KEYS), secrets), indent=2)
    write_text(published, text + "\n", secrets)


def copy_html(raw: Path, published: Path, secrets: set[str]) -> None:
    """schemathesis' HTML report (it filters header values itself), the credential masked
    as text and as HTML escapes it."""
    try:
        text = raw.read_text(encoding="utf-8")
    except OSError:
        return
    write_text(published, text, secrets | {html.escape(s) for s in secrets})


def write_text(path: Path, text: str, secrets: set[str]) -> None:
    path.write_text(redact(text, secrets), encoding="utf-8")
