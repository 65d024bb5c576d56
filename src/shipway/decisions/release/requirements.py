"""Where a build's locked requirements (every one pinned, with hashes) come from.

1. A ``uv.lock`` (the service's, or its workspace's): ``uv export --locked``.
2. Else the service's ``requirements.txt``: used as it is when every requirement is pinned
   (``==``) and hashed; locked with hashes at build time (``uv pip compile --generate-hashes``)
   when every requirement is pinned but not hashed; refused otherwise, naming the requirements
   that are not pinned.
"""

import enum
import re
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement

from shipway.errors import ShipwayError

REQUIREMENTS_TXT = "requirements.txt"
HOW_TO_LOCK = (
    "lock them: `uv lock` (with the dependencies in pyproject.toml), or "
    "`uv pip compile requirements.in -o requirements.txt --generate-hashes` "
    "(with them in requirements.in)"
)
# Options of a requirements file that pull in other files or install unpinned code.
UNSUPPORTED_OPTIONS = ("-r", "--requirement", "-c", "--constraint", "-e", "--editable")
_OPTIONS_START = re.compile(r"\s+(?=--?[A-Za-z])")


class RequirementsSource(enum.StrEnum):
    LOCK = "uv.lock"
    HASHED = "hashed requirements.txt"
    PINNED = "pinned requirements.txt"

    def describe(self) -> str:
        return {
            RequirementsSource.LOCK: "exported from uv.lock (uv export --locked)",
            RequirementsSource.HASHED: "requirements.txt as it is (every requirement pinned "
            "and hashed)",
            RequirementsSource.PINNED: "requirements.txt locked with hashes at build time "
            "(uv pip compile --generate-hashes)",
        }[self]


@dataclass(frozen=True)
class RequirementLine:
    text: str  # the requirement as written, without its options
    pinned: bool  # exactly one version: ``==X`` (no wildcard) or ``===X``
    hashed: bool  # carries at least one --hash


def requirements_source(has_lock: bool, requirements: str | None, where: str) -> RequirementsSource:
    """``requirements`` is the text of the service's requirements.txt (None: there is none);
    ``where`` names the service directory in messages."""
    if has_lock:
        return RequirementsSource.LOCK
    if requirements is None:
        raise ShipwayError(
            f"{where} has no uv.lock and no {REQUIREMENTS_TXT}: a release installs only locked "
            f"requirements; {HOW_TO_LOCK}"
        )
    lines = parse_requirements(requirements)
    problems = unsupported_lines(requirements)
    unpinned = [line.text for line in lines if not line.pinned]
    if unpinned:
        problems.append(f"not pinned to one version with '==': {', '.join(unpinned)}")
    if problems:
        raise ShipwayError(
            f"{where}/{REQUIREMENTS_TXT} cannot be locked ({'; '.join(problems)}) and there is "
            f"no uv.lock; {HOW_TO_LOCK}"
        )
    return (
        RequirementsSource.HASHED
        if all(line.hashed for line in lines)
        else RequirementsSource.PINNED
    )


def parse_requirements(text: str) -> list[RequirementLine]:
    """The requirements of a requirements file; option lines (``--index-url``...) are skipped."""
    parsed = []
    for line in logical_lines(text):
        if line.startswith("-"):
            continue
        requirement, *options = _OPTIONS_START.split(line, maxsplit=1)
        hashed = bool(options) and "--hash" in options[0]
        parsed.append(RequirementLine(requirement, is_pinned(requirement), hashed))
    return parsed


def unsupported_lines(text: str) -> list[str]:
    return [
        f"'{line}' is not supported here (one file, every requirement pinned)"
        for line in logical_lines(text)
        if line.split(maxsplit=1)[0].split("=")[0] in UNSUPPORTED_OPTIONS
    ]


def logical_lines(text: str) -> list[str]:
    """Lines with continuations joined, comments and blank lines dropped."""
    joined = re.sub(r"\\\r?\n", " ", text)
    lines = (re.sub(r"(^|\s)#.*$", "", line).strip() for line in joined.splitlines())
    return [line for line in lines if line]


def is_pinned(requirement: str) -> bool:
    try:
        parsed = Requirement(requirement)
    except InvalidRequirement:
        return False
    specifiers = list(parsed.specifier)
    if parsed.url or len(specifiers) != 1:
        return False
    [only] = specifiers
    return only.operator == "===" or (only.operator == "==" and not only.version.endswith("*"))
