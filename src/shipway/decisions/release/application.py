"""What an application artifact holds: the service's tracked files, less tests and excludes.

Left out, at any depth: the directories ``tests/`` and ``test/``; the files ``test_*.py``,
``*_test.py``, ``tests.py`` and ``conftest.py``; ``.venv/``, ``__pycache__/`` and ``*.pyc``; and
every path matched by ``[tool.shipway.artifacts] exclude``. A glob without ``/`` matches a file
or directory name at any depth (``*.md``, ``docs``); a glob with ``/`` matches a path from the
service directory (``scripts/dev_*``, ``/docs``); a directory that matches takes everything
under it. ``*`` matches across ``/`` in anchored globs (``docs/*`` is all of docs).
"""

import fnmatch
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from shipway.decisions.release.manifest import APPLICATION_SUFFIX

ALWAYS_EXCLUDED = (
    "tests",
    "test",
    "test_*.py",
    "*_test.py",
    "tests.py",
    "conftest.py",
    ".venv",
    "__pycache__",
    "*.pyc",
)


def archive_name(name: str, version: str) -> str:
    """``<name>-<version>.app.tar.gz``, the name escaped as in wheel file names."""
    return f"{re.sub(r'[-_.]+', '_', name).lower()}-{version}{APPLICATION_SUFFIX}"


def archive_members(paths: Iterable[str], exclude: Sequence[str]) -> list[str]:
    """The paths (relative, '/'-separated) that go into the archive, sorted."""
    globs = [*ALWAYS_EXCLUDED, *exclude]
    return sorted(path for path in paths if not excluded(path, globs))


def excluded(path: str, globs: Sequence[str]) -> bool:
    parts = PurePosixPath(path).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for glob in globs:
        pattern = glob.rstrip("/")
        if "/" in pattern:  # anchored at the service directory, as in .gitignore
            if any(fnmatch.fnmatchcase(prefix, pattern.lstrip("/")) for prefix in prefixes):
                return True
        elif any(fnmatch.fnmatchcase(part, pattern) for part in parts):
            return True
    return False
