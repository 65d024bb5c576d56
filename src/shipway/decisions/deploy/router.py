"""Envoy's configuration for an environment: one listener, two slot clusters, runtime weights.

The configuration never changes while Envoy runs. Traffic moves by changing runtime values
through the admin API (``POST /runtime_modify?routing.blue=0&routing.green=100``): no reload,
no restart, and requests in flight finish on the cluster they started on. The static runtime
layer carries the weights the state records, so a restarted router routes the same way.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from shipway.decisions.deploy.metrics import LATENCY_BUCKETS_MS
from shipway.decisions.deploy.state import SLOTS, Slot

RUNTIME_PREFIX = "routing"
# Shorter than the releases' keep-alive (75 s), so Envoy never reuses a connection the release
# is about to close.
UPSTREAM_IDLE_TIMEOUT = "60s"
TYPES = "type.googleapis.com/envoy.extensions"
HCM = f"{TYPES}.filters.network.http_connection_manager.v3.HttpConnectionManager"
ROUTER = f"{TYPES}.filters.http.router.v3.Router"
FILE_LOG = f"{TYPES}.access_loggers.file.v3.FileAccessLog"
HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
LATENCY_HISTOGRAM = r"^cluster\.(blue|green)\.upstream_rq_time$"


def runtime_key(slot: Slot) -> str:
    return f"{RUNTIME_PREFIX}.{slot}"


def weights_query(weights: Mapping[Slot, int]) -> str:
    return "&".join(f"{runtime_key(slot)}={weights[slot]}" for slot in SLOTS)


def envoy_config(
    *,
    host: str,
    port: int,
    admin_port: int,
    slot_ports: Mapping[Slot, int],
    weights: Mapping[Slot, int],
    access_log: str,
    latency_bounds_ms: Sequence[float] = LATENCY_BUCKETS_MS,
) -> dict[str, Any]:
    return {
        "admin": {"address": _address("127.0.0.1", admin_port)},
        # Histograms reach the admin API at each flush: once a second keeps analysis current.
        "stats_flush_interval": "1s",
        "stats_config": {
            "histogram_bucket_settings": [
                {
                    "match": {"safe_regex": {"regex": LATENCY_HISTOGRAM}},
                    "buckets": list(latency_bounds_ms),
                }
            ]
        },
        "layered_runtime": {
            "layers": [
                {"name": "static", "static_layer": {runtime_key(s): weights[s] for s in SLOTS}},
                {"name": "admin", "admin_layer": {}},
            ]
        },
        "static_resources": {
            "listeners": [_listener(host, port, weights, access_log)],
            "clusters": [_cluster(slot, slot_ports[slot]) for slot in SLOTS],
        },
    }


def _listener(host: str, port: int, weights: Mapping[Slot, int], access_log: str) -> dict[str, Any]:
    route = {
        "weighted_clusters": {
            "runtime_key_prefix": RUNTIME_PREFIX,
            "clusters": [{"name": slot, "weight": weights[slot]} for slot in SLOTS],
        },
        "timeout": "60s",
        # Retry only what never reached a release: safe for every method.
        "retry_policy": {
            "retry_on": "connect-failure,refused-stream,reset-before-request",
            "num_retries": 3,
        },
    }
    manager = {
        "@type": HCM,
        "stat_prefix": "ingress",
        "access_log": [
            {
                "name": "envoy.access_loggers.file",
                "typed_config": {
                    "@type": FILE_LOG,
                    "path": access_log,
                },
            }
        ],
        "route_config": {
            "virtual_hosts": [
                {
                    "name": "service",
                    "domains": ["*"],
                    "routes": [{"match": {"prefix": "/"}, "route": route}],
                }
            ]
        },
        "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": ROUTER}}],
    }
    return {
        "name": "public",
        "address": _address(host, port),
        "filter_chains": [
            {
                "filters": [
                    {
                        "name": "envoy.filters.network.http_connection_manager",
                        "typed_config": manager,
                    }
                ]
            }
        ],
    }


def _cluster(slot: Slot, port: int) -> dict[str, Any]:
    return {
        "name": slot,
        "type": "STATIC",
        "connect_timeout": "1s",
        "typed_extension_protocol_options": {
            HTTP_OPTIONS: {
                "@type": f"type.googleapis.com/{HTTP_OPTIONS}",
                "common_http_protocol_options": {"idle_timeout": UPSTREAM_IDLE_TIMEOUT},
                "explicit_http_config": {"http_protocol_options": {}},
            }
        },
        "load_assignment": {
            "cluster_name": slot,
            "endpoints": [
                {"lb_endpoints": [{"endpoint": {"address": _address("127.0.0.1", port)}}]}
            ],
        },
    }


def _address(host: str, port: int) -> dict[str, Any]:
    return {"socket_address": {"address": host, "port_value": port}}


def weights_from_runtime(runtime: Mapping[str, Any]) -> dict[Slot, int] | None:
    """The weights in Envoy's ``/runtime?format=json`` answer; None if they are not all there."""
    entries = runtime.get("entries", {})
    try:
        return {slot: int(entries[runtime_key(slot)]["final_value"]) for slot in SLOTS}
    except (KeyError, TypeError, ValueError):
        return None
