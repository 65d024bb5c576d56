"""The one way every gate's verdicts come out (coverage, security, perf): a short table for
people, one JSON file per verdict for machines, markdown for the CI step summary."""

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from shipway.decisions.summaries import verdicts_markdown
from shipway.decisions.verdict import Outcome, Verdict
from shipway.effects.ci.step_summary import append_step_summary
from shipway.effects.console import console
from shipway.effects.json_files import write_json

STYLE = {Outcome.PASS: "green", Outcome.FAIL: "bold red", Outcome.NO_DATA: "bold red"}


def publish(
    verdicts: Sequence[Verdict],
    json_path: Callable[[str], Path],
    environ: Mapping[str, str] = os.environ,
    *,
    markdown: str | None = None,
) -> None:
    """``markdown`` is the gate's own report for the step summary (default: the verdicts)."""
    # Logs (CI) are not 80 columns wide: without a terminal, keep the table's cells whole.
    wide = console if console.is_terminal else Console(stderr=True, width=160, highlight=False)
    wide.print(table(verdicts))
    for verdict in verdicts:
        write_json(json_path(verdict.gate), verdict.to_json())
    append_step_summary(verdicts_markdown(verdicts) if markdown is None else markdown, environ)


def conclude(
    gate: str,
    passed: bool,
    reports: str,
    *,
    reasons: Sequence[str] = (),
    notes: Sequence[str] = (),
    warnings: Sequence[str] = (),
) -> None:
    """A gate's last words on the terminal: notes, warnings, why it failed, PASS or FAIL."""
    for note in notes:
        console.print(f"note: {note}", soft_wrap=True)
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {warning}", soft_wrap=True)
    for reason in reasons:
        console.print(f"[bold red]fail:[/] {reason}", soft_wrap=True)
    outcome = "[green]PASS[/]" if passed else "[bold red]FAIL[/]"
    console.print(f"{gate} gate: {outcome} (reports: {reports})")


def table(verdicts: Sequence[Verdict]) -> Table:
    grid = Table(title="shipway verdicts", title_justify="left")
    for column in ("gate", "verdict", "measured", "required", "report"):
        grid.add_column(column, no_wrap=True)
    grid.add_column("detail", overflow="fold")
    for v in verdicts:
        outcome = f"[{STYLE[v.outcome]}]{v.outcome.upper()}[/]"
        report = str(v.report or "")
        grid.add_row(v.gate, outcome, v.measured_text, v.required, report, v.detail)
    return grid
