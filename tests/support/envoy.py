"""Envoy's own check of a configuration shipway generated."""

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support.processes import env_with


def envoy_validates(config: dict[str, Any], path: Path) -> None:
    """Write ``config`` to ``path`` and have ``envoy --mode validate`` accept it."""
    path.write_text(json.dumps(config))
    result = subprocess.run(
        ["envoy", "--mode", "validate", "-c", str(path)],
        capture_output=True,
        text=True,
        env=env_with(),
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"configuration '{path}' OK" in result.stdout + result.stderr
