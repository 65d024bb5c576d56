"""Which installed interpreters to make visible, so ``nox`` finds every Python of the matrix.

Version managers (pyenv, mise, asdf) install each interpreter under ``<root>/<X.Y.Z>/bin`` but
expose only the active ones on PATH; nox would report the others as missing.
"""

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

_RELEASE = re.compile(r"^(?P<minor>\d+\.\d+)\.(?P<patch>\d+)$")


def interpreter_dirs(wanted: Sequence[str], installs: Mapping[Path, Sequence[str]]) -> list[Path]:
    """The ``bin`` directory of the newest final release of each wanted ``X.Y``.

    ``installs`` maps a version manager's versions directory to the names inside it. Names
    that are not plain ``X.Y.Z`` releases (pre-releases, free-threaded, conda, virtualenvs)
    are ignored. Versions with no install are left out: nox then reports them missing.
    """
    best: dict[str, tuple[int, Path]] = {}
    for root, names in installs.items():
        for name in names:
            match = _RELEASE.match(name)
            if not match or match["minor"] not in wanted:
                continue
            patch = int(match["patch"])
            if match["minor"] not in best or patch > best[match["minor"]][0]:
                best[match["minor"]] = (patch, root / name / "bin")
    return [best[version][1] for version in wanted if version in best]


def extend_path(path: str, dirs: Sequence[Path], sep: str = ":") -> str:
    """PATH with ``dirs`` appended, so what the user already has on PATH keeps precedence."""
    entries = path.split(sep) if path else []
    new = [str(d) for d in dirs if str(d) not in entries]
    return sep.join(entries + new)
