"""The HTTP probes of a running service: is it ready, and which release answers.

Every readiness check (while a release starts, once a second while it is analysed, in
``inv status``) and every version check (after the switch, in ``inv status``, in the perf
stage) goes through here, on the process's one HTTP client. The version comes from the
response header the router adds (decisions/deploy/router.py), so a service need not report it.
An environment with TLS is probed over HTTPS, verified against its ``trust`` file (the
configured CA, else its own certificate chain), never unverified.
"""

from pathlib import Path

import httpx

from shipway.decisions.deploy.checks import is_ready
from shipway.effects.http_client import client
from shipway.errors import ShipwayError


def not_ready(
    base_url: str, path: str, timeout: float = 2, trust: Path | None = None
) -> str | None:
    """None when the service is ready on ``path`` (checks.is_ready), else what it answered."""
    try:
        response = client(trust).get(f"{base_url}{path}", timeout=timeout)
    except (httpx.HTTPError, OSError) as error:
        return f"{type(error).__name__}: {error}"
    if is_ready(path, response.status_code):
        return None
    return f"{path} answered {response.status_code}"


def ready(base_url: str, path: str, timeout: float = 2, trust: Path | None = None) -> bool:
    return not_ready(base_url, path, timeout, trust) is None


def version(
    base_url: str, header: str, path: str, timeout: float = 5, trust: Path | None = None
) -> str | None:
    """The release the router says answered a GET of ``path``: its ``header``, whatever the
    status (the router adds it, not the service)."""
    seen, _ = _version(base_url, header, path, timeout, trust)
    return seen


def check_version(
    base_url: str,
    header: str,
    path: str,
    expected: str,
    attempts: int = 5,
    trust: Path | None = None,
) -> None:
    """``base_url`` must answer from ``expected`` (it may take a few requests after a switch)."""
    shown = ""
    for _ in range(attempts):
        seen, shown = _version(base_url, header, path, 5, trust)
        if seen == expected:
            return
    raise ShipwayError(f"after the switch {base_url}{path} answered {shown}, not from {expected!r}")


def _version(
    base_url: str, header: str, path: str, timeout: float, trust: Path | None
) -> tuple[str | None, str]:
    """The release that answered, and what to show when it is not the one expected."""
    try:
        response = client(trust).get(f"{base_url}{path}", timeout=timeout)
    except (httpx.HTTPError, OSError) as error:
        return None, f"{type(error).__name__}: {error}"
    found = response.headers.get(header)
    if found is None:
        return None, f"{response.status_code} without a {header} header"
    return found, f"from {found!r}"
