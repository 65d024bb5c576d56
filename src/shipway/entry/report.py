"""Bodies of ``inv report`` (a rollout's report), ``inv dora`` (the DORA four keys of an
environment, from its audit log and git) and ``inv dashboard`` (one static page of the
environments' deploys, keys and trends)."""

import json
import time
import webbrowser
from pathlib import Path

from rich.console import Console
from rich.table import Table

from shipway.config import Project
from shipway.config.fields import parse_duration
from shipway.decisions.report.dora import Dora, dora
from shipway.effects.command import ToolRunner
from shipway.effects.deploy.environment import environment_files
from shipway.effects.deploy.files import EnvFiles, read_audit
from shipway.effects.kubernetes.target import state_files
from shipway.effects.report import dashboard as board
from shipway.effects.report import rollout
from shipway.effects.report.history import commit_times
from shipway.errors import ShipwayError

out = Console(highlight=False, soft_wrap=True)


def audit_files(project: Project, name: str) -> EnvFiles:
    config = project.config
    if name in config.kubernetes:
        return state_files(project, name)
    if name in config.environments:
        return environment_files(project, name)
    known = ", ".join(config.environment_names) or "none"
    raise ShipwayError(f"unknown environment {name!r}; configured: {known}")


def report(project: Project, environment: str, deploy: str | None, open_it: bool) -> Path:
    """The latest report of ``environment``, or the one ``deploy`` names (its id, the start
    of its id, or a version: that version's latest); printed, and opened with ``open_it``."""
    files = audit_files(project, environment)
    saved = rollout.saved(files)
    if not saved:
        raise ShipwayError(
            f"{environment} has no rollout reports yet: every deploy, rollback and abort "
            f"writes one to {files.reports}"
        )
    path = saved[-1] if deploy is None else chosen(saved, deploy, environment)
    print(path)
    if open_it and not webbrowser.open(path.as_uri()):
        raise ShipwayError(f"no web browser found to open {path}; open it yourself")
    return path


def chosen(saved: list[Path], deploy: str, environment: str) -> Path:
    ids = [path.name.removesuffix(".html") for path in saved]
    for path, found in zip(reversed(saved), reversed(ids), strict=True):
        if found.startswith(deploy):
            return path
    for path in reversed(saved):
        if rollout.read(path).version == deploy:
            return path
    latest = ", ".join(reversed(ids[-5:]))
    raise ShipwayError(
        f"--deploy {deploy}: no report of {environment} has that id or version; "
        f"the latest: {latest}"
    )


def window_seconds(since: str) -> float:
    seconds = parse_duration(since)
    if not isinstance(seconds, float) or seconds <= 0:
        raise ShipwayError(f"--since {since}: not a duration; allowed e.g. 7d, 30d, 12h")
    return seconds


def keys(project: Project, environment: str, since: str, now: float | None = None) -> Dora:
    seconds = window_seconds(since)
    records = read_audit(audit_files(project, environment))
    shas = [str(r["git_sha"]) for r in records if r.get("git_sha")]
    until = time.time() if now is None else now
    return dora(records, commit_times(ToolRunner(project.root), shas), until - seconds, until)


def show(
    project: Project, environment: str, *, since: str, as_json: bool, now: float | None = None
) -> None:
    figures = keys(project, environment, since, now)
    if as_json:
        print(json.dumps({"environment": environment, **figures.document()}, indent=2))
        return
    grid = Table(title=f"DORA keys of {environment}, last {since}", title_justify="left")
    grid.add_column("key")
    grid.add_column("value")
    grid.add_row("deployment frequency", f"{figures.deploys_per_day:g} per day ({figures.served})")
    grid.add_row("lead time for changes", _duration(figures.lead_time_median_seconds, "median"))
    rate = figures.change_failure_rate
    grid.add_row(
        "change failure rate",
        "no deploys" if rate is None else f"{rate:.0%} ({figures.failures} of {figures.deploys})",
    )
    restore = _duration(figures.restore_median_seconds, "median")
    if figures.open_failures:
        restore += f"; {figures.open_failures} not restored yet"
    grid.add_row("time to restore", restore)
    out.print(grid)


def _duration(seconds: float | None, what: str) -> str:
    if seconds is None:
        return "no data"
    hours, rest = divmod(seconds, 3600)
    return f"{int(hours)}h{int(rest // 60):02d}m ({what})"


def dashboard(project: Project, env: str | None, out: str | None, now: float | None = None) -> Path:
    """Write the dashboard of ``env`` (default: every configured environment) to ``out``
    (default: reports/dashboard.html in the project); print and return its path."""
    names = [env] if env else project.config.environment_names
    files = {name: audit_files(project, name) for name in names}
    page = Path(out) if out else project.root / board.DEFAULT_PAGE
    if page.is_dir():
        raise ShipwayError(
            f"--out {out}: a directory; allowed: a file, e.g. {page / 'dashboard.html'}"
        )
    written = board.write(project, board.build(project, files, now), page)
    print(written)
    return written
