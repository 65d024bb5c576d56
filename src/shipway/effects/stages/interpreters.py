"""Make version-managed interpreters visible on PATH, and never let uv download one."""

import os
from collections.abc import MutableMapping, Sequence
from pathlib import Path

from shipway.decisions.stages.interpreters import extend_path, interpreter_dirs


def version_manager_roots(environ: MutableMapping[str, str]) -> list[Path]:
    home = Path.home()
    return [
        Path(environ.get("PYENV_ROOT", home / ".pyenv")) / "versions",
        Path(environ.get("MISE_DATA_DIR", home / ".local/share/mise")) / "installs/python",
        Path(environ.get("ASDF_DATA_DIR", home / ".asdf")) / "installs/python",
    ]


def expose_interpreters(
    versions: Sequence[str], environ: MutableMapping[str, str] = os.environ
) -> list[Path]:
    """Append the wanted interpreters' directories to PATH; return the ones added."""
    environ["UV_PYTHON_DOWNLOADS"] = "never"
    installs = {
        root: sorted(entry.name for entry in root.iterdir() if entry.is_dir())
        for root in version_manager_roots(environ)
        if root.is_dir()
    }
    dirs = interpreter_dirs(versions, installs)
    before = environ.get("PATH", "")
    environ["PATH"] = extend_path(before, dirs, os.pathsep)
    return [d for d in dirs if str(d) not in before.split(os.pathsep)]
