"""Run the scanners through the ToolRunner, their command lines logged with the credential
masked; a scanner that could not run, or covered nothing, is a ToolReport with an error."""

from pathlib import Path

from shipway.decisions.dast.commands import SCHEMATHESIS, WAPITI
from shipway.decisions.dast.findings import Scanned, parse_schemathesis, parse_wapiti
from shipway.decisions.security.findings import ToolReport
from shipway.decisions.security.redact import redact
from shipway.effects.command import NOT_FOUND, TIMED_OUT, Completed, ToolRunner, shown
from shipway.effects.console import console

HINT = "is the 'dast' dependency group installed (nox -s dast installs it)?"


def run_masked(runner: ToolRunner, argv: list[str], secrets: set[str]) -> Completed:
    console.print(
        f"[dim]$ {redact(shown(argv, limit=64), secrets)}[/]", soft_wrap=True, highlight=False
    )
    return runner.run(argv, quiet=True)


def schemathesis(
    runner: ToolRunner, argv: list[str], report: Path, secrets: set[str]
) -> tuple[ToolReport, Scanned | None]:
    """Exit 0: no failure; 1: failures found; anything else (or no report): it could not run."""
    done = run_masked(runner, argv, secrets)
    problem = _could_not_run(done, secrets)
    scanned = None
    if problem is None and done.returncode in (0, 1):
        try:
            scanned = parse_schemathesis(report.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            problem = f"no readable report ({type(error).__name__}): {_tail(done, secrets)}"
    elif problem is None:
        problem = f"exit status {done.returncode}: {_reason(done, secrets)}"
    if scanned is not None and scanned.covered == 0:
        problem = "scanned nothing: no API operation was tested"
        problem += f" ({'; '.join(scanned.errors)})" if scanned.errors else ""
    if problem is not None:
        return ToolReport(SCHEMATHESIS, error=redact(problem, secrets)), scanned
    assert scanned is not None  # noqa: S101 - no problem means a parsed report
    return ToolReport(SCHEMATHESIS, scanned.findings), scanned


def wapiti(
    runner: ToolRunner, argv: list[str], report: Path, secrets: set[str]
) -> tuple[ToolReport, Scanned | None]:
    done = run_masked(runner, argv, secrets)
    problem = _could_not_run(done, secrets)
    scanned = None
    if problem is None and done.returncode != 0:
        problem = f"exit status {done.returncode}: {_tail(done, secrets)}"
    if problem is None:
        try:
            scanned = parse_wapiti(report.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            problem = f"no readable report ({type(error).__name__}): {_tail(done, secrets)}"
    if scanned is not None and scanned.covered == 0:
        problem = "scanned nothing: no page was crawled"
    if problem is not None:
        return ToolReport(WAPITI, error=redact(problem, secrets)), scanned
    assert scanned is not None  # noqa: S101 - no problem means a parsed report
    return ToolReport(WAPITI, scanned.findings), scanned


def _could_not_run(done: Completed, secrets: set[str]) -> str | None:
    if done.returncode == NOT_FOUND:
        return f"{done.argv[0]} not found; {HINT}"
    if done.returncode == TIMED_OUT:
        return f"{done.argv[0]} {done.stderr}"
    return None


def _reason(done: Completed, secrets: set[str]) -> str:
    """schemathesis' explanation of why it stopped: the first lines after its error banner."""
    text = done.stdout + "\n" + done.stderr
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if "error" in line.lower() or "unable" in line.lower():
            return redact(" ".join(lines[index : index + 3])[:400], secrets)
    return _tail(done, secrets)


def _tail(done: Completed, secrets: set[str]) -> str:
    return redact(done.last_line, secrets)
