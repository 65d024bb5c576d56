"""Write what ``shipway init`` planned, lock the project, and start its secrets baseline."""

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from shipway.decisions.init.adopt import PlannedFile
from shipway.effects import command
from shipway.effects.console import console
from shipway.effects.json_files import write_atomically
from shipway.errors import ShipwayError

TEMPLATES = "templates"
SUFFIX = ".template"


@dataclass(frozen=True)
class Templates:
    files: Mapping[str, str]  # by name: noxfile.py, tasks.py, ...
    workflows: Mapping[str, str]  # by file name: ci.yml, ...

    def __getitem__(self, name: str) -> str:
        return self.files[name]


def templates() -> Templates:
    """The files shipway writes into a service (this repository's own are identical)."""
    root = resources.files("shipway").joinpath(TEMPLATES)
    files = {
        entry.name.removesuffix(SUFFIX): entry.read_text("utf-8")
        for entry in root.iterdir()
        if entry.name.endswith(SUFFIX)
    }
    workflows = {
        entry.name.removesuffix(SUFFIX): entry.read_text("utf-8")
        for entry in root.joinpath("workflows").iterdir()
        if entry.name.endswith(SUFFIX)
    }
    return Templates(files, workflows)


def read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def write(root: Path, files: Sequence[PlannedFile]) -> None:
    for file in files:
        path = root / file.path
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, file.content)
        console.print(f"  wrote {file.path}", markup=False)


# Set when shipway itself runs in a uv or nox environment; the service has its own.
FOREIGN_ENVIRONMENT = ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_PYTHON")


def environ() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in FOREIGN_ENVIRONMENT}


def lock(root: Path, lowest_python: str) -> None:
    """``uv lock``: every session installs from this lock. Resolved with the matrix's lowest
    Python: a project without requires-python (beside a setup.py) gets it as the lock's floor."""
    argv = ["uv", "lock", "--quiet", "--python", lowest_python]
    done = command.run(argv, env=environ(), cwd=root, timeout=600)
    if done.returncode != 0:
        raise ShipwayError(
            f"the files are written, but `uv lock` failed: {done.last_line}; fix that and run "
            "`uv lock` (or shipway init --force) again"
        )
    console.print("  locked: uv.lock")


def secrets_baseline(root: Path) -> None:
    """The baseline the detect-secrets hook checks against, unless the project has one."""
    if (root / ".secrets.baseline").exists():
        return
    argv = ["uv", "run", "--locked", "--only-group=lint", "detect-secrets", "scan"]
    done = command.run(argv, env=environ(), cwd=root, timeout=600)
    if done.returncode != 0:
        raise ShipwayError(f"`detect-secrets scan` failed: {done.last_line}")
    write_atomically(root / ".secrets.baseline", done.stdout)
    console.print("  wrote .secrets.baseline (review it: detect-secrets audit .secrets.baseline)")
