"""The bodies of invoke tasks. tasks.py only wires these to task names."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from invoke.exceptions import Exit
from rich.console import Console
from rich.table import Table

from shipway.config import Project
from shipway.effects.console import error
from shipway.effects.project import load_or_exit
from shipway.errors import ShipwayError


def prepare(tasks_file: str) -> Project:
    """Validate the configuration before any task runs (exit 2 with a message on error)."""
    return load_or_exit(Path(tasks_file).resolve().parent)


def show_config(project: Project, *, as_json: bool) -> None:
    """Print the validated configuration, defaults filled in: JSON on stdout, or a table."""
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
        error(str(problem))
        raise Exit(code=1) from None
