"""Read what ``shipway init`` needs from a service's directory: which project files exist, its
pyproject.toml, its Python sources (for entry points) and its tests directory."""

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipway.decisions.init.detect import (
    PROJECT_FILES,
    TEST_DIRECTORIES,
    AppCandidate,
    annotated_functions,
    app_candidates,
    is_typed,
    module_name,
)
from shipway.errors import ShipwayError

SKIPPED = {".venv", "venv", ".nox", ".git", "node_modules", "build", "dist", "__pycache__"}
SKIPPED |= set(TEST_DIRECTORIES)
MAX_SOURCES = 2000  # a service, not a monorepo: stop looking after this many files


@dataclass(frozen=True)
class Scan:
    root: Path
    present: frozenset[str]  # which PROJECT_FILES exist
    pyproject_text: str | None
    pyproject: dict[str, Any]
    candidates: tuple[AppCandidate, ...]
    directories: frozenset[str]  # top-level directory names
    typed: bool  # a py.typed marker, or mostly annotated functions (tests not counted)

    @property
    def requires_python(self) -> str | None:
        value = self.pyproject.get("project", {}).get("requires-python")
        return value if isinstance(value, str) else None

    @property
    def project_name(self) -> str | None:
        value = self.pyproject.get("project", {}).get("name")
        return value if isinstance(value, str) else None


def scan(root: Path) -> Scan:
    if not root.is_dir():
        raise ShipwayError(f"{root} is not a directory")
    present = frozenset(name for name in PROJECT_FILES if (root / name).is_file())
    text = read_text(root / "pyproject.toml")
    try:
        document = tomllib.loads(text) if text is not None else {}
    except tomllib.TOMLDecodeError as error:
        raise ShipwayError(f"{root / 'pyproject.toml'} is not valid TOML: {error}") from None
    candidates, counts = [], []
    for path in python_sources(root):
        relative = path.relative_to(root).as_posix()
        module = module_name(relative)
        source = read_text(path)
        if module is not None and source is not None:
            candidates += app_candidates(module, source)
            counts.append(annotated_functions(source))
    directories = frozenset(p.name for p in root.iterdir() if p.is_dir())
    marker = any(python_sources_marker(root))
    typed = is_typed(counts, marker)
    return Scan(root, present, text, document, tuple(candidates), directories, typed)


def python_sources_marker(root: Path) -> Iterator[Path]:
    """``py.typed`` files of the project's packages."""
    for path in root.rglob("py.typed"):
        if not any(
            part in SKIPPED or part.startswith(".") for part in path.relative_to(root).parts
        ):
            yield path


def python_sources(root: Path) -> Iterator[Path]:
    count = 0
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).parts
        if any(part in SKIPPED or part.startswith(".") for part in parts[:-1]):
            continue
        count += 1
        if count > MAX_SOURCES:
            return
        yield path


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
