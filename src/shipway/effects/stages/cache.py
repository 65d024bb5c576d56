"""The stage cache on disk: list and digest a stage's inputs, keep each stage's last PASS.

Records live in ``.shipway/cache/<stage>.json``; deleting the directory is always safe (every
stage then runs once). What is a hit and what is not is decided in decisions/stages/cache.py.
"""

import datetime
import functools
import hashlib
import importlib.metadata
import json
import os
import platform
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nox
from pydantic import ValidationError

import shipway
from shipway.config import Project
from shipway.decisions.stages.cache import (
    MISSING,
    NO_CACHE_ENV,
    Fingerprint,
    PassRecord,
    StageInputs,
    bypass_requested,
    decide,
    describe,
    split_no_cache,
)
from shipway.effects.command import ToolRunner
from shipway.effects.json_files import write_json

CACHE_DIR = Path(".shipway") / "cache"


@dataclass(frozen=True)
class StageRun:
    posargs: list[str]  # the session's arguments, without --no-cache
    cached: bool  # True: the stage passed before with the same inputs; do nothing


@contextmanager
def cached_stage(session: nox.Session, project: Project, inputs: StageInputs) -> Iterator[StageRun]:
    """Say whether ``session`` may be skipped; record its PASS when the block ends normally.

    A block that raises (a failed command, ``session.error``) records nothing.
    """
    name = session.name
    posargs, flag = split_no_cache(session.posargs)
    started = time.monotonic()
    current, why_off = fingerprint(project.root, inputs, stage_values(session, project, posargs))
    path = record_path(project.root, name)
    record = load_record(path)
    outputs_now = digests(project.root, record.outputs) if record else {}
    bypass = bypass_requested(flag, os.environ.get(NO_CACHE_ENV))
    decision = decide(current, record, outputs_now, bypass=bypass)
    session.log(describe(name, decision, record, datetime.datetime.now().astimezone(), why_off))
    yield StageRun(posargs, cached=decision.hit)
    if decision.hit or current is None:
        return
    passed = PassRecord(
        stage=name,
        key=current.key,
        passed_at=datetime.datetime.now(datetime.UTC),
        seconds=round(time.monotonic() - started, 1),
        files=dict(current.files),
        values=dict(current.values),
        outputs=digests(project.root, inputs.outputs),
    )
    write_json(path, passed.model_dump(mode="json"))


def fingerprint(
    root: Path, inputs: StageInputs, values: dict[str, str]
) -> tuple[Fingerprint | None, str]:
    """The stage's inputs as they are now; None (and why) when its files cannot be listed."""
    argv = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--"]
    listed = ToolRunner(root).run([*argv, *inputs.pathspecs()], quiet=True)
    if listed.returncode != 0:
        reason = (listed.stderr.strip().splitlines() or ["git ls-files failed"])[-1]
        return None, f"cannot list the work tree's files with git: {reason}"
    files = [name for name in listed.stdout.split("\0") if name]
    return Fingerprint(digests(root, [*files, *inputs.artifacts]), values), ""


def stage_values(session: nox.Session, project: Project, posargs: list[str]) -> dict[str, str]:
    config = project.config.model_dump_json().encode()
    return {
        "python": interpreter_version(session),
        "shipway": shipway_identity(),
        "arguments": json.dumps(posargs),
        "[tool.shipway]": hashlib.sha256(config).hexdigest(),
    }


def interpreter_version(session: nox.Session) -> str:
    """The session venv's exact Python (pyvenv.cfg), else the interpreter running nox."""
    location = getattr(session.virtualenv, "location", None)
    try:
        config = (Path(location or "") / "pyvenv.cfg").read_text(encoding="utf-8")
    except OSError:
        return platform.python_version()
    for line in config.splitlines():
        key, _, value = line.partition("=")
        if key.strip() in ("version_info", "version"):
            return value.strip()
    return platform.python_version()


@functools.cache
def shipway_identity() -> str:
    """shipway's version and the digest of its code: an edited checkout counts as a change."""
    package = Path(shipway.__file__).parent
    code = digests(package, sorted(str(p.relative_to(package)) for p in package.rglob("*.py")))
    joined = json.dumps(sorted(code.items())).encode()
    return f"{importlib.metadata.version('shipway')} {hashlib.sha256(joined).hexdigest()[:16]}"


def digests(root: Path, paths: Iterable[str]) -> dict[str, str]:
    return {path: digest(root / path) for path in paths}


def digest(path: Path) -> str:
    if path.is_symlink():
        return f"symlink {path.readlink()}"
    if path.is_dir():
        return "directory"  # e.g. a submodule: its own commit is not followed
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except FileNotFoundError:
        return MISSING


def record_path(root: Path, stage: str) -> Path:
    return root / CACHE_DIR / (re.sub(r"[^\w.-]", "_", stage) + ".json")


def load_record(path: Path) -> PassRecord | None:
    """The stage's last PASS; an unreadable or foreign record counts as none."""
    try:
        return PassRecord.model_validate_json(path.read_bytes())
    except (OSError, ValidationError):
        return None
