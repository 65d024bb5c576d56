"""How a release is served: WSGI or ASGI under gunicorn, with the server shipway pins.

A release's app is loaded once in its venv before it starts (``effects/deploy/app_probe.py``
reports what it found); ``serve_as`` turns that report and ``server`` into the kind to run or
an error naming what is wrong. The server's packages come from shipway's own lock; a service
that locks a package of them keeps its own version.
"""

import enum
import re
from dataclasses import dataclass

from packaging.utils import canonicalize_name

from shipway.config.app import ServerChoice
from shipway.decisions import Argv
from shipway.errors import ShipwayError


class ServerKind(enum.StrEnum):
    WSGI = "wsgi"
    ASGI = "asgi"


@dataclass(frozen=True)
class AppReport:
    """What loading the app in the release's venv found: its kind (None: neither), or why it
    could not be loaded."""

    kind: ServerKind | None = None
    error: str | None = None


def serve_as(configured: ServerChoice, report: AppReport, app: str, version: str) -> ServerKind:
    if report.error is not None:
        raise ShipwayError(f"the app {app} of {version} cannot be loaded: {report.error}")
    if configured != "auto":
        return ServerKind(configured)
    if report.kind is None:
        raise ShipwayError(
            f"the app {app} of {version} is neither a WSGI app (a callable taking environ and "
            "start_response) nor an ASGI app (an async callable taking scope, receive and "
            "send); if it is one, say which with server = 'wsgi' or 'asgi' in [tool.shipway]"
        )
    return report.kind


def worker_options(kind: ServerKind, threads: int) -> Argv:
    if kind is ServerKind.ASGI:
        return ["--worker-class", "uvicorn_worker.UvicornWorker"]
    return ["--worker-class", "gthread", "--threads", str(threads)]


_REQUIREMENT_START = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[|==|@|;|\s|$)")


def locked_names(requirements: str) -> set[str]:
    """The canonical names of the packages a requirements.txt pins (continuation lines,
    options and comments skipped)."""
    names: set[str] = set()
    for line in requirements.splitlines():
        if match := _REQUIREMENT_START.match(line):
            names.add(canonicalize_name(match["name"]))
    return names


def server_requirements(pinned: str, service: str) -> str:
    """shipway's pinned server requirements without the packages the service locks itself."""
    theirs = locked_names(service)
    kept: list[str] = []
    keeping = False
    for line in pinned.splitlines():
        if match := _REQUIREMENT_START.match(line):
            keeping = canonicalize_name(match["name"]) not in theirs
        if keeping and line.strip():
            kept.append(line)
    return "\n".join(kept) + "\n" if kept else ""
