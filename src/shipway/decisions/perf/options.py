"""What ``nox -s perf -- ...`` asks for: a profile, an existing URL, a new baseline."""

from collections.abc import Sequence
from dataclasses import dataclass

from shipway.config.perf import Perf, ProfileName
from shipway.errors import ShipwayError

USAGE = "nox -s perf -- [--profile NAME] [--host URL] [--update-baseline]"


@dataclass(frozen=True)
class PerfOptions:
    profile: ProfileName
    host: str | None  # an already running service; None: deploy the build to the environment
    update_baseline: bool = False


def parse_options(posargs: Sequence[str], perf: Perf) -> PerfOptions:
    """Parse the session's arguments; anything unknown is an error that shows the usage."""
    values: dict[str, str] = {}
    update_baseline = False
    rest = list(posargs)
    while rest:
        argument = rest.pop(0)
        name, equals, value = argument.partition("=")
        if argument == "--update-baseline":
            update_baseline = True
        elif name in ("--profile", "--host"):
            if not equals:
                if not rest or rest[0].startswith("--"):
                    raise ShipwayError(f"{name} needs a value; usage: {USAGE}")
                value = rest.pop(0)
            values[name] = value
        else:
            raise ShipwayError(f"unknown argument {argument!r}; usage: {USAGE}")
    return PerfOptions(
        profile=_profile(values.get("--profile", perf.profile), perf),
        host=_host(values.get("--host")),
        update_baseline=update_baseline,
    )


def _profile(name: str, perf: Perf) -> ProfileName:
    for known in perf.profiles:
        if known == name:
            return known
    allowed = ", ".join(perf.profiles)
    raise ShipwayError(f"--profile {name!r} is not a profile; allowed: {allowed}")


def _host(url: str | None) -> str | None:
    if url is None:
        return None
    if not url.startswith(("http://", "https://")) or len(url.split("://", 1)[1]) == 0:
        raise ShipwayError(f"--host {url!r} is not an http(s) URL, e.g. http://127.0.0.1:8400")
    return url.rstrip("/")
