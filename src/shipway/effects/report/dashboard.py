"""The environment dashboard on disk: what it is built from, read (the environments' audit
logs, git's commit times, the perf stage's runs.jsonl, the stage cache's records), and the one
static page written from templates/dashboard.html.j2, Chart.js inlined.

The page shows only what those files hold; still, every text read from them has the
environments' secret values masked first (those that resolve here: a secret missing on this
machine is simply not known, never an error).
"""

import contextlib
import json
import os
import time
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from shipway.config import Project
from shipway.decisions.report.dashboard import Dashboard, StageTime, dashboard
from shipway.decisions.security.redact import redact_document
from shipway.effects.command import ToolRunner
from shipway.effects.deploy import secrets
from shipway.effects.deploy.files import EnvFiles, read_audit
from shipway.effects.json_files import write_atomically
from shipway.effects.report import pages
from shipway.effects.report.history import commit_times
from shipway.effects.report.rollout import COPIES
from shipway.effects.stages.cache import CACHE_DIR, load_record
from shipway.errors import ShipwayError

DEFAULT_PAGE = Path("reports/dashboard.html")


def build(project: Project, files: Mapping[str, EnvFiles], now: float | None = None) -> Dashboard:
    """The view of the environments whose audit logs are ``files``, and of the project's perf
    runs and stages."""
    known = secret_values(project, files)
    audits = {name: masked(read_audit(env), known) for name, env in files.items()}
    shas = [str(r["git_sha"]) for records in audits.values() for r in records if r.get("git_sha")]
    return dashboard(
        audits,
        commit_times(ToolRunner(project.root), shas),
        masked(perf_runs(project), known),
        project.config.perf.profile,
        stage_times(project.root),
        time.time() if now is None else now,
    )


def write(project: Project, view: Dashboard, page: Path) -> Path:
    """Render ``view`` into ``page`` (its directories created); links to the rollout reports
    copied under reports/deploy/ are relative to the page."""
    text = pages.html(
        "dashboard.html.j2",
        title=title(view),
        charts=view.charts,
        view=view,
        links=report_links(project.root, view, page),
    )
    try:
        write_atomically(page, text)
    except OSError as error:
        raise ShipwayError(f"cannot write the dashboard to {page}: {error.strerror}") from None
    return page


def title(view: Dashboard) -> str:
    names = ", ".join(env.name for env in view.environments) or "no environments"
    return f"shipway dashboard: {names}"


def perf_runs(project: Project) -> list[dict[str, Any]]:
    """The perf stage's runs, oldest first (a line that is not a JSON object is skipped)."""
    history = project.path(project.config.perf.state_dir) / "runs.jsonl"
    try:
        lines = history.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    runs = []
    for line in lines:
        with contextlib.suppress(ValueError):
            document = json.loads(line)
            if isinstance(document, dict):
                runs.append(document)
    return runs


def stage_times(root: Path) -> list[StageTime]:
    """Each stage's last PASS that ran, as the stage cache recorded it."""
    found = []
    for path in sorted((root / CACHE_DIR).glob("*.json")):
        record = load_record(path)
        if record is not None:
            found.append(StageTime(record.stage, record.seconds, record.passed_at))
    return found


def report_links(root: Path, view: Dashboard, page: Path) -> dict[str, str]:
    """``<environment>/<report id>`` → the rollout report's copy, relative to the page."""
    links = {}
    for env in view.environments:
        for row in env.rows:
            if row.report is None:
                continue
            copy = root / COPIES / env.name / f"{row.report}.html"
            if copy.is_file():
                href = os.path.relpath(copy.resolve(), page.resolve().parent)
                links[f"{env.name}/{row.report}"] = Path(href).as_posix()
    return links


def secret_values(project: Project, names: Iterable[str]) -> list[str]:
    """The values of the environments' secret references (their secrets, webhook, TLS key)
    that resolve on this machine."""
    config = project.config
    references: list[str] = []
    for name in names:
        if name in config.environments:
            local = config.environments[name]
            references.extend(local.secrets.values())
            references.extend([local.tls.key] if local.tls else [])
        delivery = config.environments.get(name) or config.kubernetes.get(name)
        if delivery is not None and delivery.notify:
            references.append(delivery.notify)
    values = []
    for reference in references:
        if reference.startswith(("env:", "file:")):
            with contextlib.suppress(ShipwayError):
                values.append(secrets.resolve({"secret": reference}, project.root)["secret"])
    return [value for value in values if value]


def masked(documents: list[dict[str, Any]], values: Collection[str]) -> list[dict[str, Any]]:
    """Copies of JSON objects with the secret values masked in every string, at any depth."""
    if not values:
        return documents
    return [{key: redact_document(value, values) for key, value in d.items()} for d in documents]
