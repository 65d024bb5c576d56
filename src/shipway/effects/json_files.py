"""JSON files that readers never see half-written."""

import json
import os
from pathlib import Path


def write_json(path: Path, document: object) -> None:
    """Write-then-rename (a temporary name per process, so concurrent writers never collide)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)
