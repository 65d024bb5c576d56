"""Files that readers never see half-written, and that a crash leaves old or new, never empty:
the deploy state, rollout and control files, stage-cache records, perf results, verdicts."""

import json
import os
from pathlib import Path


def write_atomically(path: Path, text: str) -> None:
    """Write-then-rename, flushed to disk with its directory. The temporary name is the
    writer's own (its pid), so concurrent writers never collide."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def write_json(path: Path, document: object) -> None:
    write_atomically(path, json.dumps(document, indent=2) + "\n")
