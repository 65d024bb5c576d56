"""The stage cache: a checking stage that passed is skipped while nothing it depends on changed.

A stage declares its inputs (``StageInputs``): the files it reads, as git pathspecs over the
work tree (so uncommitted edits and new files count, ignored files do not); files other
stages wrote that it reads (``artifacts``, e.g. coverage data); and the files it writes that
later stages read (``outputs``). Its ``Fingerprint`` adds values that are not files: the
interpreter's exact version, shipway itself, the session's arguments and ``[tool.shipway]``.

Semantics (``decide``):
- A PASS is recorded (``PassRecord``) with the fingerprint's key, the digest of every input
  file and of every output the stage wrote.
- The next run skips the stage only when the key is the same *and* every recorded output is
  still there, unchanged: a cached PASS never stands in for data that is gone.
- A FAIL is never recorded, so a failing stage runs again every time.
- ``--no-cache`` (a nox posarg) or ``SHIPWAY_NO_CACHE=1`` runs the stage whatever the record
  says; its PASS then replaces the record.
- Where the files cannot be listed (not a git work tree, no git) the cache is off.
- Whatever runs says why: no earlier PASS, which inputs or outputs changed, or a bypass.
"""

import datetime
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from pydantic import BaseModel, ConfigDict

NO_CACHE_FLAG = "--no-cache"
NO_CACHE_ENV = "SHIPWAY_NO_CACHE"
MISSING = "missing"  # the digest of a file that is not there
SHOWN_CHANGES = 3

# Written by the pipeline and the tools it runs, never read as sources: not inputs, whatever
# the project's .gitignore says (else every run would change the next run's inputs).
NEVER_INPUTS = (
    "reports",
    ".shipway",
    ".nox",
    ".venv",
    "dist",
    "**/*.egg-info",
    "**/__pycache__",
    "**/*.pyc",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".import_linter_cache",
    ".coverage",
    ".coverage.*",
)


@dataclass(frozen=True)
class StageInputs:
    """What a stage reads and writes, relative to the project root."""

    sources: tuple[str, ...]  # git pathspecs (glob magic) of the files the stage reads
    exclude: tuple[str, ...] = ()  # pathspecs taken out of ``sources``
    artifacts: tuple[str, ...] = ()  # files it reads that git does not see (other stages' output)
    outputs: tuple[str, ...] = ()  # files it writes that later stages read

    def pathspecs(self) -> list[str]:
        excluded = (*self.exclude, *NEVER_INPUTS)
        return [f":(glob){spec}" for spec in self.sources] + [
            f":(glob,exclude){spec}" for spec in excluded
        ]


@dataclass(frozen=True)
class Fingerprint:
    files: Mapping[str, str]  # path -> digest of its content (or MISSING)
    values: Mapping[str, str] = field(default_factory=dict)  # e.g. "python" -> "3.12.1"

    @property
    def key(self) -> str:
        canonical = json.dumps([sorted(self.files.items()), sorted(self.values.items())])
        return hashlib.sha256(canonical.encode()).hexdigest()


class PassRecord(BaseModel):
    """The last PASS of one stage, under ``.shipway/cache/<stage>.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stage: str
    key: str
    passed_at: datetime.datetime
    seconds: float
    files: dict[str, str]
    values: dict[str, str]
    outputs: dict[str, str]


class CacheOutcome(Enum):
    HIT = "cached PASS"
    NO_RECORD = "no cached PASS"
    INPUTS_CHANGED = "inputs changed"
    OUTPUTS_CHANGED = "outputs changed"
    BYPASSED = "cache bypassed"
    UNAVAILABLE = "stage cache off"


@dataclass(frozen=True)
class CacheDecision:
    outcome: CacheOutcome
    changed: tuple[str, ...] = ()  # what differs from the record, for the message

    @property
    def hit(self) -> bool:
        return self.outcome is CacheOutcome.HIT


def decide(
    current: Fingerprint | None,
    record: PassRecord | None,
    outputs_now: Mapping[str, str],
    *,
    bypass: bool,
) -> CacheDecision:
    """Skip (HIT) or run, and why. ``outputs_now`` digests the record's outputs as they are."""
    if current is None:
        return CacheDecision(CacheOutcome.UNAVAILABLE)
    if bypass:
        return CacheDecision(CacheOutcome.BYPASSED)
    if record is None:
        return CacheDecision(CacheOutcome.NO_RECORD)
    if record.key != current.key:
        return CacheDecision(CacheOutcome.INPUTS_CHANGED, changed_inputs(record, current))
    gone = tuple(
        f"{path} ({'missing' if outputs_now.get(path, MISSING) == MISSING else 'changed'})"
        for path, digest in sorted(record.outputs.items())
        if outputs_now.get(path, MISSING) != digest
    )
    if gone:
        return CacheDecision(CacheOutcome.OUTPUTS_CHANGED, gone)
    return CacheDecision(CacheOutcome.HIT)


def changed_inputs(record: PassRecord, current: Fingerprint) -> tuple[str, ...]:
    """Changed files (added, removed or edited), then changed values, by name."""
    paths = set(record.files) | set(current.files)
    files = [p for p in sorted(paths) if record.files.get(p) != current.files.get(p)]
    names = set(record.values) | set(current.values)
    values = [n for n in sorted(names) if record.values.get(n) != current.values.get(n)]
    return (*files, *values)


def split_no_cache(posargs: Sequence[str]) -> tuple[list[str], bool]:
    """The session's arguments without ``--no-cache``, and whether it was there."""
    kept = [arg for arg in posargs if arg != NO_CACHE_FLAG]
    return kept, len(kept) != len(posargs)


def bypass_requested(flag: bool, env_value: str | None) -> bool:
    """``--no-cache`` given, or SHIPWAY_NO_CACHE set to anything but empty, 0, false or no."""
    return flag or (env_value or "").strip().lower() not in ("", "0", "false", "no")


def describe(
    stage: str,
    decision: CacheDecision,
    record: PassRecord | None,
    now: datetime.datetime,
    why_off: str = "",
) -> str:
    """The one line a stage prints before it runs, or instead of running."""
    since = f"the PASS from {when(record.passed_at, now)}" if record else "the last PASS"
    match decision.outcome:
        case CacheOutcome.HIT if record is not None:
            return (
                f"{stage}: cached PASS from {when(record.passed_at, now)} "
                f"(inputs {record.key[:8]}…; it took {record.seconds:.1f} s)"
            )
        case CacheOutcome.INPUTS_CHANGED:
            return f"{stage}: running — changed since {since}: {listed(decision.changed)}"
        case CacheOutcome.OUTPUTS_CHANGED:
            return f"{stage}: running — outputs of {since}: {listed(decision.changed)}"
        case CacheOutcome.BYPASSED:
            return f"{stage}: running — cache bypassed ({NO_CACHE_FLAG} or {NO_CACHE_ENV})"
        case CacheOutcome.UNAVAILABLE:
            return f"{stage}: running — stage cache off ({why_off or 'inputs unknown'})"
        case _:
            return f"{stage}: running — no cached PASS yet"


def when(moment: datetime.datetime, now: datetime.datetime) -> str:
    """``12:03:44`` today, ``2026-11-21 12:03:44`` on another day (in ``now``'s time zone)."""
    local = moment.astimezone(now.tzinfo)
    shown = local.strftime("%H:%M:%S")
    return shown if local.date() == now.date() else f"{local.date().isoformat()} {shown}"


def listed(items: Sequence[str]) -> str:
    shown = ", ".join(items[:SHOWN_CHANGES])
    more = len(items) - SHOWN_CHANGES
    return f"{shown} (+{more} more)" if more > 0 else shown
