"""shipway's built-in Locust user: the load of ``nox -s perf`` for a service without a locustfile.

Locust loads this file; shipway never imports it. Each simulated user GETs the configured paths
in turn, so every path gets an even share of the requests, and pauses between requests as the
reference service's chat client does (``--think-time``, default 0.2-1.0 s). Requests are named
by path, so Locust's statistics show each path.

Every answer is judged by shipway's readiness rule: on "/" any status below 500 is an answer
(a 404 from an app without a root route too), elsewhere only a 2xx is. Locust runs in its own
environment, where shipway need not be installed, so the rule arrives as data: shipway puts
the paths in ``SHIPWAY_PERF_PATHS``, each with the statuses the rule accepts there
(``shipway.decisions.perf.workload``). By hand:

    SHIPWAY_PERF_PATHS='[{"path": "/", "accepted": [[100, 499]]}]' \\
        locust -f <this file> --headless -H http://127.0.0.1:8400 -u 20 -r 10 -t 20s
"""

import itertools
import json
import os
import random
from typing import Any

from locust import FastHttpUser, events, task
from locust.argument_parser import LocustArgumentParser

PATHS_ENV = "SHIPWAY_PERF_PATHS"

Accepted = list[tuple[int, int]]  # inclusive status ranges


def add_think_time(parser: LocustArgumentParser) -> None:
    parser.add_argument(
        "--think-time",
        default="0.2-1.0",
        help="seconds a user pauses between requests, MIN-MAX or one number (0: no pause)",
    )


events.init_command_line_parser.add_listener(add_think_time)  # type: ignore[no-untyped-call]


def think_range(option: str) -> tuple[float, float]:
    low, _, high = option.partition("-")
    return float(low), float(high or low)


def paths_to_load() -> list[tuple[str, Accepted]]:
    """The paths and their accepted statuses from ``SHIPWAY_PERF_PATHS``, in order."""
    try:
        loaded = [path_and_statuses(check) for check in json.loads(os.environ[PATHS_ENV])]
    except (KeyError, ValueError, TypeError) as problem:
        raise SystemExit(
            f"{PATHS_ENV} must hold a JSON list of {{'path': '/...', 'accepted': [[low, high]]}} "
            f"(nox -s perf sets it): {type(problem).__name__}: {problem}"
        ) from None
    if not loaded:
        raise SystemExit(f"{PATHS_ENV} lists no path")
    return loaded


def path_and_statuses(check: dict[str, Any]) -> tuple[str, Accepted]:
    return str(check["path"]), [(int(low), int(high)) for low, high in check["accepted"]]


PATHS = paths_to_load()
first_paths = itertools.count()  # each new user starts one path further: an even spread


class PathsUser(FastHttpUser):
    """GETs each configured path in turn; an answer the readiness rule rejects is a failure."""

    def on_start(self) -> None:
        start = next(first_paths) % len(PATHS)
        self.turns = itertools.cycle(PATHS[start:] + PATHS[:start])

    def wait_time(self) -> float:
        low, high = think_range(self.environment.parsed_options.think_time)
        return random.uniform(low, high)  # noqa: S311  # nosec B311 - pacing, not security

    @task
    def get_next_path(self) -> None:
        path, accepted = next(self.turns)
        with self.client.get(path, name=path, catch_response=True) as response:
            status = response.status_code
            if not status:  # no answer at all: Locust reports the connection error itself
                return
            if any(low <= status <= high for low, high in accepted):
                response.success()
            else:
                expected = " or ".join(f"{low}-{high}" for low, high in accepted)
                response.failure(f"answered {status}, expected {expected}")
