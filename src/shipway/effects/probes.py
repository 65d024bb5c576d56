"""The HTTP probes of a running service: is it ready, and which version answers.

Every readiness check (while a release starts, once a second while it is analysed, in
``inv status``) and every version check (after the switch, in ``inv status``, in the perf
stage) goes through here, on the process's one HTTP client.
"""

import httpx

from shipway.effects.http_client import client
from shipway.errors import ShipwayError

READY_PATH = "/ready"
VERSION_PATH = "/health/detailed"  # answers {"version": ...}


def not_ready(base_url: str, timeout: float = 2) -> str | None:
    """None when the service is ready, else what it answered instead."""
    try:
        response = client().get(f"{base_url}{READY_PATH}", timeout=timeout)
    except httpx.HTTPError as error:
        return type(error).__name__
    if response.status_code == httpx.codes.OK:
        return None
    return f"{READY_PATH} answered {response.status_code}"


def ready(base_url: str, timeout: float = 2) -> bool:
    return not_ready(base_url, timeout) is None


def version(base_url: str, timeout: float = 5) -> str | None:
    """The version the service reports, if it reports one."""
    seen, _ = _version(base_url, timeout)
    return seen


def check_version(base_url: str, expected: str, attempts: int = 5) -> None:
    """``base_url`` must answer with ``expected`` (it may take a few requests after a switch)."""
    shown: str | None = None
    for _ in range(attempts):
        seen, shown = _version(base_url, 5)
        if seen == expected:
            return
    raise ShipwayError(f"after the switch the router serves {shown!r}, not {expected!r}")


def _version(base_url: str, timeout: float) -> tuple[str | None, str | None]:
    """The version, and what to show when it is not the one expected."""
    try:
        found = client().get(f"{base_url}{VERSION_PATH}", timeout=timeout).json().get("version")
    except (httpx.HTTPError, ValueError, AttributeError) as error:
        return None, type(error).__name__
    return (found, found) if isinstance(found, str) else (None, None)
