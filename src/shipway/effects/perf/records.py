"""The performance stage's files: reports (summary.json, summary.md), the run history, the
stored baseline; and the verdict on the terminal and in the CI step summary."""

import dataclasses
import json
import shutil
from pathlib import Path

from shipway.config import Project
from shipway.decisions.perf.baseline import BaselineEntry, baseline_document, parse_baseline
from shipway.decisions.perf.commands import PerfPaths
from shipway.decisions.perf.summary import RunSummary, markdown
from shipway.decisions.stages.report_paths import REPORTS_DIR, ReportPaths
from shipway.effects import verdicts
from shipway.effects.json_files import write_json


def reset(reports: Path) -> None:
    """No report of an earlier run may pass for this one's."""
    shutil.rmtree(reports, ignore_errors=True)
    reports.mkdir(parents=True)


def read_baseline(path: Path) -> dict[str, BaselineEntry]:
    """The stored baseline's entries by profile; none when there is no file yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return parse_baseline(text, path)


def update_baseline(project: Project, summary: RunSummary) -> RunSummary:
    """Store this run as its profile's baseline if it passed; the summary notes what happened."""
    path = project.path(project.config.perf.baseline)
    entry = summary.baseline_entry()
    if entry is None or not summary.verdict.passed:
        note = f"not stored as the {summary.profile} baseline: the run did not pass"
    else:
        entries = read_baseline(path) | {summary.profile: entry}
        write_json(path, baseline_document(entries))
        note = f"stored as the {summary.profile} baseline in {shown(project, path)}"
    verdict = dataclasses.replace(summary.verdict, notes=(*summary.verdict.notes, note))
    return dataclasses.replace(summary, verdict=verdict)


def publish(project: Project, paths: PerfPaths, summary: RunSummary) -> None:
    document = summary.to_json()
    write_json(paths.summary_json, document)
    report = markdown(summary)
    paths.summary_md.write_text(report, encoding="utf-8")
    history = project.path(project.config.perf.state_dir) / "runs.jsonl"
    history.parent.mkdir(parents=True, exist_ok=True)
    with history.open("a", encoding="utf-8") as runs:
        runs.write(json.dumps(document) + "\n")
    reports = ReportPaths(project.root / REPORTS_DIR)
    verdicts.publish(summary.verdict.checks, reports.verdict, markdown=report)
    verdict = summary.verdict
    verdicts.conclude(
        "perf",
        verdict.passed,
        f"{summary.reports}/",
        reasons=verdict.reasons,
        notes=verdict.notes,
    )


def shown(project: Project, path: Path) -> Path:
    """A path as a reader finds it: relative to the project when inside it."""
    try:
        return path.resolve().relative_to(project.root.resolve())
    except ValueError:
        return path
