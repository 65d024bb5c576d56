"""Write a rendered kustomize directory: every file whole (write-then-rename), files an
earlier render wrote and this one does not removed, and no file shipway did not write
replaced."""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from shipway.decisions.kubernetes.manifests import rendered_by_shipway
from shipway.effects.json_files import write_atomically
from shipway.errors import ShipwayError


@dataclass(frozen=True)
class Written:
    directory: Path
    written: list[str]
    removed: list[str]


def write(directory: Path, files: Mapping[str, str]) -> Written:
    """Write ``files`` (name → text) into ``directory``; raises ShipwayError, before writing
    anything, when a file of that name exists that shipway did not render."""
    if directory.exists() and not directory.is_dir():
        raise ShipwayError(f"{directory} is not a directory; allowed: --out a directory")
    existing = sorted(directory.glob("*.yaml")) if directory.is_dir() else []
    ours = {path.name for path in existing if rendered_by_shipway(_head(path))}
    foreign = sorted(path.name for path in existing if path.name in files and path.name not in ours)
    if foreign:
        raise ShipwayError(
            f"{directory} holds {', '.join(foreign)}, which shipway did not render (no "
            "'# Rendered by shipway' first line): it would be overwritten; allowed: another "
            "--out directory, or remove the file"
        )
    for name, text in files.items():
        write_atomically(directory / name, text)
    stale = sorted(ours - set(files))
    for name in stale:
        (directory / name).unlink()
    return Written(directory, list(files), stale)


def _head(path: Path) -> str:
    with path.open(encoding="utf-8", errors="replace") as handle:
        return handle.readline()
