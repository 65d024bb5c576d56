"""Invoke tasks run as a team runs them: this venv's `inv`, in the project's directory, with
the environment the test gives (nothing of the test process's own is passed on unasked)."""

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

BIN = Path(sys.executable).parent


def inv(
    root: Path, *arguments: str, environ: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "inv"), *arguments],
        cwd=root,
        env=dict(environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
