"""What every invoke task shares: the project, loaded once by the first task that needs it,
and one way to report a refusal; and the body of ``inv config``.

Importing tasks.py loads only invoke and this module, so ``inv --list`` answers at once; a
task imports the entry module it runs (``shipway.entry.deploy``, …) when it runs.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from invoke.exceptions import Exit

from shipway.errors import ShipwayError

if TYPE_CHECKING:
    from shipway.config import Project


@functools.cache
def prepare(tasks_file: str) -> "Project":
    """The validated project of tasks.py's folder (exit 2 with a message on a bad config)."""
    from shipway.effects.project import load_or_exit

    return load_or_exit(Path(tasks_file).resolve().parent)


def show_config(project: "Project", *, as_json: bool) -> None:
    """Print the validated configuration, defaults filled in: JSON on stdout, or a table."""
    import json

    from rich.console import Console
    from rich.table import Table

    settings = project.config.model_dump(mode="json")
    if as_json:
        print(json.dumps(settings, indent=2))
        return
    grid = Table(title=f"[tool.shipway] of {project.pyproject}", title_justify="left")
    grid.add_column("key")
    grid.add_column("value", overflow="fold")
    for key, value in flatten(settings):
        grid.add_row(key, json.dumps(value))
    Console().print(grid)


def flatten(settings: dict[str, object], prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in settings.items():
        if isinstance(value, dict):
            rows += flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


@contextmanager
def reported() -> Iterator[None]:
    """A refused operation ends the task with its message and exit status 1, no traceback."""
    try:
        yield
    except ShipwayError as problem:
        from shipway.effects.console import report_refusal

        raise Exit(code=report_refusal(problem)) from None
