"""The HTTP probes of a running service: is it ready, and which version answers.

Every readiness check (while a release starts, once a second while it is analysed, in
``inv status``) and every version check (after the switch, in ``inv status``, in the perf
stage) goes through here, on the process's one HTTP client.
"""

import httpx

from shipway.decisions.deploy.checks import is_ready
from shipway.effects.http_client import client
from shipway.errors import ShipwayError

VERSION_PATH = "/health/detailed"  # answers {"version": ...}


def not_ready(base_url: str, path: str, timeout: float = 2) -> str | None:
    """None when the service is ready on ``path`` (checks.is_ready), else what it answered."""
    try:
        response = client().get(f"{base_url}{path}", timeout=timeout)
    except httpx.HTTPError as error:
        return type(error).__name__
    if is_ready(path, response.status_code):
        return None
    return f"{path} answered {response.status_code}"


def ready(base_url: str, path: str, timeout: float = 2) -> bool:
    return not_ready(base_url, path, timeout) is None


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
