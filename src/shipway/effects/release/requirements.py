"""A build's ``requirements.txt``: every requirement pinned, with hashes (see
decisions/release/requirements.py for where it comes from)."""

import shutil
from pathlib import Path

from shipway.decisions import Argv
from shipway.decisions.release.commands import export_requirements, lock_requirements
from shipway.decisions.release.requirements import (
    HOW_TO_LOCK,
    REQUIREMENTS_TXT,
    RequirementsSource,
    requirements_source,
)
from shipway.effects.command import ToolRunner
from shipway.errors import ShipwayError


def find_source(service_dir: Path, lock: Path | None, where: str) -> RequirementsSource:
    """Decided before anything is built: a service that cannot be locked builds nothing."""
    requirements = service_dir / REQUIREMENTS_TXT
    text = requirements.read_text(encoding="utf-8") if requirements.is_file() else None
    return requirements_source(lock is not None, text, where)


def command(source: RequirementsSource, service_dir: Path, output: Path) -> Argv | None:
    """The command that writes ``output``; None when the file is copied as it is."""
    if source is RequirementsSource.LOCK:
        return export_requirements(service_dir, output)
    if source is RequirementsSource.PINNED:
        return lock_requirements(service_dir / REQUIREMENTS_TXT, output)
    return None


def describe(source: RequirementsSource, service_dir: Path, output: Path) -> str:
    argv = command(source, service_dir, output)
    return " ".join(argv) if argv else f"copy {service_dir / REQUIREMENTS_TXT} to {output}"


def write_requirements(
    source: RequirementsSource,
    service_dir: Path,
    lock: Path | None,
    output: Path,
    runner: ToolRunner,
) -> None:
    argv = command(source, service_dir, output)
    if argv is None:
        shutil.copyfile(service_dir / REQUIREMENTS_TXT, output)
        return
    done = runner.run(argv)
    if done.returncode == 0:
        return
    if source is RequirementsSource.LOCK:
        raise ShipwayError(
            f"exporting the locked requirements from {lock} failed (uv export --locked: "
            f"{done.last_line}); if uv.lock is out of date with pyproject.toml, run `uv lock` "
            "and commit it"
        )
    raise ShipwayError(
        f"locking {service_dir / REQUIREMENTS_TXT} with hashes failed (uv pip compile: "
        f"{done.last_line}); offline, the uv cache must already hold these versions (build once "
        f"online, or set UV_OFFLINE=1 to use only the cache); or commit hashes: {HOW_TO_LOCK}"
    )
