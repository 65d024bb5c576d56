"""A rollout's report on disk: ``<state_dir>/reports/<id>.{json,html,md}`` (the environment's
own, 0600 like the rest of its state), the HTML and Markdown copied to
``reports/deploy/<environment>/`` for CI artifacts, and the Markdown appended to the CI step
summary. The environment's secret values are masked in every file, whatever text carried them.
"""

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, Literal

from shipway.config.deploy import Analysis
from shipway.decisions.report.rollout import (
    RolloutReport,
    Timeline,
    charts,
    decisions,
    markdown,
    rollout_report,
)
from shipway.decisions.security.redact import redact_document
from shipway.effects.ci.step_summary import append_step_summary
from shipway.effects.console import console
from shipway.effects.deploy.files import OWNER_ONLY, EnvFiles
from shipway.effects.json_files import write_atomically
from shipway.effects.report import pages

COPIES = Path("reports/deploy")


TEMPLATE = "rollout.html.j2"


def prepare() -> None:
    """Ready the report's template while the rollout runs (see ``pages.prepare``)."""
    pages.prepare(TEMPLATE, "macros.html.j2")


def render_html(report: RolloutReport) -> str:
    return pages.html(
        TEMPLATE,
        title=report.title,
        charts=charts(report),
        report=report,
        decisions=decisions(report),
    )


def write(
    files: EnvFiles, project_root: Path, report: RolloutReport, secrets: Collection[str]
) -> Path:
    """Write the report and its copies; the path of the environment's HTML report. The
    secret values are masked in the document's text before anything is rendered from it
    (masking a rendered page would also reach into its script and chart data)."""
    values = [s for s in secrets if s]
    report = RolloutReport.model_validate(redact_document(report.model_dump(), values))
    page = render_html(report)
    summary = markdown(report)
    document = report.model_dump_json(indent=2)
    files.make_root()
    for suffix, text in ((".json", document), (".md", summary), (".html", page)):
        write_atomically(files.reports / f"{report.id}{suffix}", text, OWNER_ONLY)
    copies = project_root / COPIES / report.environment
    for suffix, text in ((".md", summary), (".html", page)):
        write_atomically(copies / f"{report.id}{suffix}", text)
    append_step_summary(summary)
    return files.reports / f"{report.id}.html"


def publish(
    files: EnvFiles,
    project_root: Path,
    record: Mapping[str, Any],
    timeline: Timeline | None,
    rules: Analysis | None,
    secrets: Collection[str],
    target: Literal["local", "kubernetes"] = "local",
) -> Path | None:
    """The report of the rollout ``record`` (its audit record) ends. A report that cannot be
    written is said, and does not change the rollout's outcome: the audit log has it all."""
    report = rollout_report(record, timeline, rules, target)
    try:
        path = write(files, project_root, report, secrets)
    except OSError as error:
        console.print(f"[yellow]the report of this {report.action} was not written:[/] {error}")
        return None
    console.print(f"  report: {path}", soft_wrap=True)  # a path to copy: never wrapped
    return path


def saved(files: EnvFiles) -> list[Path]:
    """The environment's reports (their HTML), oldest first (ids begin with the time)."""
    if not files.reports.is_dir():
        return []
    return sorted(files.reports.glob("*.html"))


def read(path: Path) -> RolloutReport:
    """The document an HTML report was rendered from (beside it, by the same id)."""
    document = path.with_name(path.name.removesuffix(".html") + ".json")
    return RolloutReport.model_validate_json(document.read_text("utf-8"))
