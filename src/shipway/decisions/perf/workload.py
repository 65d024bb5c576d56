"""What Locust runs: a configured locustfile, or shipway's built-in user over URL paths.

The built-in user (``shipway/effects/perf/builtin_user.py``) runs in Locust's own Python, the
perf session's environment, where shipway need not be installed: it imports nothing of shipway.
So its paths reach it in the environment variable ``SHIPWAY_PERF_PATHS``, each with the
statuses that count as an answer there, decided here by the readiness rule
(``checks.is_ready``: on ``/`` any status below 500, elsewhere 2xx), the very function a
deploy's readiness uses. A configured locustfile gets the same variable, to use or ignore.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass

from shipway.config.deploy import ANY_ANSWER, Environment
from shipway.config.perf import Perf
from shipway.decisions.deploy.checks import is_ready

PATHS_ENV = "SHIPWAY_PERF_PATHS"
HTTP_STATUSES = range(100, 600)

StatusRange = tuple[int, int]  # inclusive: (200, 299) is any 2xx


@dataclass(frozen=True)
class Workload:
    locustfile: str | None  # as configured; None: the built-in user
    paths: tuple[str, ...]

    @property
    def builtin(self) -> bool:
        return self.locustfile is None

    def describe(self) -> str:
        if self.locustfile is None:
            return f"the built-in user on {', '.join(self.paths)}"
        return f"the locustfile {self.locustfile}"

    def to_json(self) -> dict[str, object]:
        return {
            "user": "built-in" if self.builtin else "locustfile",
            "locustfile": self.locustfile,
            "paths": list(self.paths),
        }


def workload(perf: Perf, environments: Mapping[str, Environment]) -> Workload:
    """The configured locustfile or the built-in user, and the paths it is given."""
    paths = perf.paths or [default_path(perf, environments)]
    return Workload(perf.locustfile, tuple(paths))


def default_path(perf: Perf, environments: Mapping[str, Environment]) -> str:
    """The perf environment's ready path: the one path every deployed service answers."""
    environment = environments.get(perf.environment)
    return environment.ready_path if environment is not None else ANY_ANSWER


def accepted_statuses(path: str) -> list[StatusRange]:
    """The statuses the readiness rule accepts on ``path``, as ranges: ``[(100, 499)]`` on '/'."""
    ranges: list[StatusRange] = []
    for status in HTTP_STATUSES:
        if not is_ready(path, status):
            continue
        if ranges and ranges[-1][1] == status - 1:
            ranges[-1] = (ranges[-1][0], status)
        else:
            ranges.append((status, status))
    return ranges


def locust_env(load: Workload) -> dict[str, str]:
    """``SHIPWAY_PERF_PATHS``: a JSON list of ``{"path": ..., "accepted": [[low, high], ...]}``
    in the configured order."""
    checks = [{"path": path, "accepted": accepted_statuses(path)} for path in load.paths]
    return {PATHS_ENV: json.dumps(checks)}


def trust_env(trust: str | None) -> dict[str, str]:
    """Locust's clients verify an HTTPS environment against its trust file (requests reads
    ``REQUESTS_CA_BUNDLE``, most others ``SSL_CERT_FILE``); nothing for plain HTTP."""
    if trust is None:
        return {}
    return {"REQUESTS_CA_BUNDLE": trust, "SSL_CERT_FILE": trust}
