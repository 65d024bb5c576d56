"""What ``nox -s dast -- ...`` asks for: an environment or an existing URL, and a profile."""

from collections.abc import Sequence
from dataclasses import dataclass

from shipway.config.dast import Dast, DastProfileName
from shipway.errors import ShipwayError

USAGE = "nox -s dast -- [--environment NAME | --host URL] [--profile quick|full]"


@dataclass(frozen=True)
class DastOptions:
    profile: DastProfileName
    environment: str | None  # a deployed environment, scanned through its router
    host: str | None  # an already running service at this URL


def parse_options(posargs: Sequence[str], dast: Dast) -> DastOptions:
    """Parse the session's arguments; anything unknown is an error that shows the usage."""
    values: dict[str, str] = {}
    rest = list(posargs)
    while rest:
        argument = rest.pop(0)
        name, equals, value = argument.partition("=")
        if name not in ("--profile", "--host", "--environment"):
            raise ShipwayError(f"unknown argument {argument!r}; usage: {USAGE}")
        if not equals:
            if not rest or rest[0].startswith("--"):
                raise ShipwayError(f"{name} needs a value; usage: {USAGE}")
            value = rest.pop(0)
        values[name] = value
    if "--host" in values and "--environment" in values:
        raise ShipwayError(f"--host and --environment exclude each other; usage: {USAGE}")
    host = _host(values["--host"]) if "--host" in values else None
    environment = None if host else values.get("--environment", dast.environment)
    return DastOptions(_profile(values.get("--profile", dast.profile)), environment, host)


def _profile(name: str) -> DastProfileName:
    if name == "quick":
        return "quick"
    if name == "full":
        return "full"
    raise ShipwayError(f"--profile {name!r} is not a profile; allowed: quick, full")


def _host(url: str) -> str:
    if not url.startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
        raise ShipwayError(f"--host {url!r} is not an http(s) URL, e.g. http://127.0.0.1:8400")
    return url.rstrip("/")
