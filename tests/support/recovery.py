"""Kill one process of a deployed environment and time its recovery: what the supervision
tests assert on and what benchmarks/recovery.py measures."""

import os
import signal
import time
from dataclasses import dataclass

import httpx

from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.http_client import client
from tests.support.supervised import as_process, descendants, pid_of

POLL = 0.02  # between probes while waiting for the answer: the figure's resolution


@dataclass(frozen=True)
class Recovery:
    seconds: float  # from the kill to the first answer of the restarted process's release
    killed: int
    restarted: int


def kill_and_recover(
    env: LocalEnvironment, program: str, version: str, timeout: float = 30
) -> Recovery:
    """SIGKILL the process the supervisor runs as ``program``, then probe the environment's
    URL until the supervisor runs it again (a new pid) and the router answers 2xx from
    ``version``. Answers from the old process, or from children it left behind (gunicorn's
    workers), do not count: they must be gone first."""
    victim = as_process(pid_of(env, program))
    family = [victim, *(as_process(pid) for pid in descendants(victim.pid))]
    url = f"{env.config.url}{env.config.ready_path}"
    killed_at = time.monotonic()
    os.kill(victim.pid, signal.SIGKILL)
    deadline = killed_at + timeout
    while time.monotonic() < deadline:
        restarted = pid_of(env, program)
        gone = not any(processes.is_running(p) for p in family)
        if restarted not in (None, victim.pid) and gone:
            try:
                response = client().get(url, timeout=2)
            except httpx.HTTPError:
                response = None
            if (
                response is not None
                and response.status_code < 300
                and response.headers.get(env.config.release_header) == version
            ):
                return Recovery(time.monotonic() - killed_at, victim.pid, restarted or 0)
        time.sleep(POLL)
    raise AssertionError(f"{program} did not answer from {version} within {timeout:g}s of the kill")
