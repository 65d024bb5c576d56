"""The CI test matrix, derived from ``nox --list --json``: one job per selected session.

The noxfile parametrizes the tests session over ``[tool.shipway] python``, so adding a Python
version there adds a CI job without editing a workflow.
"""

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from shipway.errors import ShipwayError

DEFAULT_SELECTOR = "tests"


class ListedSession(BaseModel):
    """One entry of ``nox --list --json``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    session: str  # the full name, e.g. "tests-3.12"
    name: str  # the function's name, e.g. "tests"
    python: str | None = None
    tags: list[str] = []


_LISTING = TypeAdapter(list[ListedSession])


def nox_list_argv(python: str, noxfile: Path) -> list[str]:
    """``nox --list --json`` with the interpreter that runs shipway (nox is installed there)."""
    return [python, "-m", "nox", "--noxfile", str(noxfile), "--list", "--json"]


def parse_listing(text: str) -> list[ListedSession]:
    try:
        return _LISTING.validate_json(text)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "top level"
        raise ShipwayError(
            f"`nox --list --json` printed something shipway cannot read ({where}: "
            f"{first['msg']}); is nox >= 2026.10.20 installed?"
        ) from None


Matrix = dict[str, list[dict[str, str]]]


def session_matrix(sessions: Sequence[ListedSession], selector: str) -> Matrix:
    """``{"include": [{"session", "python"}, …]}`` for sessions tagged or named ``selector``.

    Selecting nothing is an error: a CI run without test jobs would pass without testing.
    """
    chosen = [s for s in sessions if selector in s.tags or selector in (s.name, s.session)]
    if not chosen:
        listed = ", ".join(s.session for s in sessions) or "none"
        raise ShipwayError(
            f"no nox session is tagged or named {selector!r} (sessions: {listed}); "
            "CI would run no tests"
        )
    return {"include": [{"session": s.session, "python": s.python or ""} for s in chosen]}


def github_output(name: str, value: object) -> str:
    """One ``name=value`` line for ``$GITHUB_OUTPUT`` (compact JSON never spans lines)."""
    return f"{name}={json.dumps(value, separators=(',', ':'))}\n"
