"""Files that readers never see half-written, and that a crash leaves old or new, never empty:
the deploy state, rollout and control files, stage-cache records, perf results, verdicts."""

import json
import os
from pathlib import Path


def write_atomically(path: Path, text: str, mode: int | None = None) -> None:
    """Write-then-rename, flushed to disk with its directory. The temporary name is the
    writer's own (its pid), so concurrent writers never collide. With ``mode`` (0o600 for a
    secret) the file has it from its first byte on, whatever the umask; else the umask's."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    descriptor = os.open(temporary, flags, 0o666 if mode is None else mode)
    if mode is not None:
        os.fchmod(descriptor, mode)  # also a leftover temporary file's, before a byte is written
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    temporary.replace(path)
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def write_json(path: Path, document: object, mode: int | None = None) -> None:
    write_atomically(path, json.dumps(document, indent=2) + "\n", mode)
