"""Envoy's configuration for an environment: one listener, two slot clusters, runtime weights,
and one endpoint file per slot naming the release that runs there; with a preview port, a
second listener and a third cluster, "preview", for the release being deployed.

The configuration never changes while Envoy runs. Traffic moves by changing runtime values
through the admin API (``POST /runtime_modify?routing.blue=0&routing.green=100``): no reload,
no restart, and requests in flight finish on the cluster they started on. The static runtime
layer carries the weights the state records, so a restarted router routes the same way.

Each slot's cluster takes its endpoint from a file (EDS from the filesystem), which Envoy reads
again whenever the file is replaced by a rename. The endpoint carries the release's version as
metadata, and the route copies it into a response header: the router itself says which
release answered, whatever the service does or does not report.

Maintenance is a route before the weighted one: a direct response (503, ``Retry-After``, a
small HTML page, or JSON when the request's ``Accept`` asks for it), taken by a runtime
fraction of ``maintenance.enabled`` (0 or 100). Turning it on or off is a runtime change like
a weight; the page's message is part of the configuration, so a new message needs a router
started with it.

The preview port routes everything to the "preview" cluster, whose endpoint file shipway
replaces like a slot's: the new release's slot port from the moment it is ready until the
switch, no endpoint otherwise (the port then answers 503 "nothing to preview"). The same
route stamps the release header and, with TLS, the listener serves the same certificate, so
the preview is exactly what users will get. Like the slots' files, it is on disk, so a router
restarted from its files (by shipway or a supervisor) previews the same release.
"""

import hashlib
import html
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from shipway.decisions.deploy.metrics import LATENCY_BUCKETS_MS
from shipway.decisions.deploy.state import (
    DEFAULT_MAINTENANCE_MESSAGE,
    PREVIEW,
    SLOTS,
    EnvState,
    Slot,
)
from shipway.decisions.deploy.tls import transport_socket

RUNTIME_PREFIX = "routing"
# Shorter than the releases' keep-alive (75 s), so Envoy never reuses a connection the release
# is about to close.
UPSTREAM_IDLE_TIMEOUT = "60s"
TYPES = "type.googleapis.com/envoy.extensions"
HCM = f"{TYPES}.filters.network.http_connection_manager.v3.HttpConnectionManager"
ROUTER = f"{TYPES}.filters.http.router.v3.Router"
FILE_LOG = f"{TYPES}.access_loggers.file.v3.FileAccessLog"
HTTP_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
ASSIGNMENT = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
LATENCY_HISTOGRAM = r"^cluster\.(blue|green|preview)\.upstream_rq_time$"
# The endpoint metadata that names a release, and the route's header value that reads it.
METADATA_NAMESPACE = "shipway"
RELEASE_KEY = "release"
RELEASE_VALUE = f"%UPSTREAM_METADATA({METADATA_NAMESPACE}:{RELEASE_KEY})%"
# The version_info of each slot's endpoint file Envoy has loaded, in its admin /stats.
LOADED_FILTER = r"^cluster\.(blue|green)\.version_text$"
# Envoy requires a node identity when it reads EDS from files.
NODE = {"id": "shipway-router", "cluster": "shipway"}
MAINTENANCE_KEY = "maintenance.enabled"
# The admin socket's permissions: its owner reads and writes, nobody else connects.
ADMIN_SOCKET_MODE = 0o600
RETRY_AFTER_SECONDS = 300
# Envoy refuses direct response bodies over 4 KiB; the page around the message stays far below.
MAX_MESSAGE = 1000
# What the preview port answers while no release is being deployed (Envoy's "no healthy
# upstream", response flag UH, for a cluster without endpoints).
NOTHING_TO_PREVIEW = "nothing to preview: no release of this environment is being deployed\n"


def runtime_key(slot: Slot) -> str:
    return f"{RUNTIME_PREFIX}.{slot}"


def weights_query(weights: Mapping[Slot, int]) -> str:
    return "&".join(f"{key}={value}" for key, value in weight_values(weights).items())


def weight_values(weights: Mapping[Slot, int]) -> dict[str, int]:
    return {runtime_key(slot): weights[slot] for slot in SLOTS}


def maintenance_values(on: bool) -> dict[str, int]:
    return {MAINTENANCE_KEY: 100 if on else 0}


def with_runtime(bootstrap: Mapping[str, Any], values: Mapping[str, int]) -> dict[str, Any]:
    """``bootstrap`` whose static runtime layer has ``values``: what a router started from it
    routes by until a runtime change says otherwise."""
    layers = [
        {**layer, "static_layer": {**layer["static_layer"], **values}}
        if "static_layer" in layer
        else layer
        for layer in bootstrap["layered_runtime"]["layers"]
    ]
    return {**bootstrap, "layered_runtime": {**bootstrap["layered_runtime"], "layers": layers}}


def envoy_config(
    *,
    host: str,
    port: int,
    admin_socket: str,
    endpoint_files: Mapping[Slot, str],
    weights: Mapping[Slot, int],
    release_header: str,
    access_log: str,
    latency_bounds_ms: Sequence[float] = LATENCY_BUCKETS_MS,
    tls_secret_file: str | None = None,
    redirect_port: int | None = None,
    maintenance: bool = False,
    maintenance_message: str = DEFAULT_MAINTENANCE_MESSAGE,
    preview_port: int | None = None,
    preview_endpoint_file: str | None = None,
) -> dict[str, Any]:
    """With ``tls_secret_file`` the listener serves HTTPS; with ``redirect_port`` too, a
    second listener there answers 301 to the same path on the HTTPS port. The maintenance
    page's routes are always there, taken only while ``maintenance`` is on (at runtime). With
    ``preview_port``, a listener there (same host and TLS) sends everything to the "preview"
    cluster, read from ``preview_endpoint_file``. The admin API listens on the Unix socket
    ``admin_socket`` alone, mode 0600: only the environment's owner moves traffic, puts up
    maintenance or reads statistics."""
    static = {**weight_values(weights), **maintenance_values(maintenance)}
    public = _listener(host, port, weights, release_header, access_log, maintenance_message)
    listeners = [public]
    clusters = [_cluster(slot, endpoint_files[slot]) for slot in SLOTS]
    if preview_port is not None:
        if preview_endpoint_file is None:
            raise ValueError("a preview port needs the preview cluster's endpoint file")
        listeners.append(_preview_listener(host, preview_port, release_header, access_log))
        clusters.append(_cluster(PREVIEW, preview_endpoint_file))
    if tls_secret_file is not None:
        for listener in listeners:
            listener["filter_chains"][0]["transport_socket"] = transport_socket(tls_secret_file)
    if redirect_port is not None:
        listeners.append(_redirect_listener(host, redirect_port, port))
    return {
        "node": NODE,
        "admin": {"address": {"pipe": {"path": admin_socket, "mode": ADMIN_SOCKET_MODE}}},
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
                {"name": "static", "static_layer": static},
                {"name": "admin", "admin_layer": {}},
            ]
        },
        "static_resources": {"listeners": listeners, "clusters": clusters},
    }


def _listener(
    host: str,
    port: int,
    weights: Mapping[Slot, int],
    release_header: str,
    access_log: str,
    maintenance_message: str,
) -> dict[str, Any]:
    weighted = {
        "weighted_clusters": {
            "runtime_key_prefix": RUNTIME_PREFIX,
            "clusters": [{"name": slot, "weight": weights[slot]} for slot in SLOTS],
        }
    }
    routes = [
        *maintenance_routes(maintenance_message),
        _release_route(weighted, release_header),
    ]
    return _http_listener("public", host, port, _manager("ingress", routes, access_log))


def _preview_listener(host: str, port: int, release_header: str, access_log: str) -> dict[str, Any]:
    """Everything to the release being deployed, named by the same header; while none is,
    503 with a small page that says so."""
    routes = [_release_route({"cluster": PREVIEW}, release_header)]
    manager = _manager("preview", routes, access_log)
    manager["local_reply_config"] = {
        "mappers": [
            {
                "filter": {"response_flag_filter": {"flags": ["UH"]}},
                "status_code": 503,
                "body": {"inline_string": NOTHING_TO_PREVIEW},
            }
        ]
    }
    return _http_listener("preview", host, port, manager)


def _release_route(target: dict[str, Any], release_header: str) -> dict[str, Any]:
    """A route to releases (``target``: a cluster or weighted clusters) that names the one
    that answered."""
    route = {
        **target,
        "timeout": "60s",
        # Retry only what never reached a release: safe for every method. The back-off spans
        # about a second (jittered, 50 ms doubling to 500 ms): a release whose server the
        # supervisor is restarting is refusing connections for a few hundred milliseconds.
        "retry_policy": {
            "retry_on": "connect-failure,refused-stream,reset-before-request",
            "num_retries": 5,
            "retry_back_off": {"base_interval": "0.05s", "max_interval": "0.5s"},
        },
    }
    return {
        "match": {"prefix": "/"},
        "route": route,
        "response_headers_to_add": [_release_header(release_header)],
    }


def _manager(stat_prefix: str, routes: list[dict[str, Any]], access_log: str) -> dict[str, Any]:
    return {
        "@type": HCM,
        "stat_prefix": stat_prefix,
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
            "virtual_hosts": [{"name": "service", "domains": ["*"], "routes": routes}]
        },
        "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": ROUTER}}],
    }


def _http_listener(name: str, host: str, port: int, manager: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
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


def _redirect_listener(host: str, port: int, https_port: int) -> dict[str, Any]:
    """Plain HTTP on ``port``: every request is sent to https:// on ``https_port``."""
    redirect = {
        "https_redirect": True,
        "port_redirect": https_port,
        "response_code": "MOVED_PERMANENTLY",
    }
    manager = {
        "@type": HCM,
        "stat_prefix": "redirect",
        "route_config": {
            "virtual_hosts": [
                {
                    "name": "redirect",
                    "domains": ["*"],
                    "routes": [{"match": {"prefix": "/"}, "redirect": redirect}],
                }
            ]
        },
        "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": ROUTER}}],
    }
    return _http_listener("http-redirect", host, port, manager)


def maintenance_routes(message: str) -> list[dict[str, Any]]:
    """The maintenance page, JSON first for requests that accept JSON; each route is taken
    only while the runtime value ``maintenance.enabled`` is 100."""
    wants_json = {
        "name": "accept",
        "string_match": {"contains": "application/json", "ignore_case": True},
    }
    return [
        _maintenance_route(json_page(message), "application/json", [wants_json]),
        _maintenance_route(html_page(message), "text/html; charset=utf-8", []),
    ]


def _maintenance_route(
    body: str, content_type: str, headers: list[dict[str, Any]]
) -> dict[str, Any]:
    fraction = {"numerator": 0, "denominator": "HUNDRED"}
    match: dict[str, Any] = {
        "prefix": "/",
        "runtime_fraction": {"default_value": fraction, "runtime_key": MAINTENANCE_KEY},
    }
    if headers:
        match["headers"] = headers
    return {
        "match": match,
        "direct_response": {"status": 503, "body": {"inline_string": body}},
        "response_headers_to_add": [
            _header("retry-after", str(RETRY_AFTER_SECONDS)),
            _header("content-type", content_type),
            _header("cache-control", "no-store"),
        ],
    }


def _header(name: str, value: str) -> dict[str, Any]:
    return {"header": {"key": name, "value": value}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}


def json_page(message: str) -> str:
    return json.dumps({"status": "maintenance", "message": message})


def html_page(message: str) -> str:
    return (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>Down for maintenance'
        f"</title></head>\n<body><h1>Down for maintenance</h1><p>{html.escape(message)}</p>"
        "</body></html>\n"
    )


def message_problem(message: str) -> str | None:
    """Why ``message`` cannot be the maintenance page's; None when it can."""
    if not message.strip():
        return "the maintenance message is empty"
    if len(message) > MAX_MESSAGE:
        return f"the maintenance message has {len(message)} characters; at most {MAX_MESSAGE}"
    return None


def maintenance_query(on: bool) -> str:
    return f"{MAINTENANCE_KEY}={100 if on else 0}"


def maintenance_from_runtime(runtime: Mapping[str, Any]) -> bool | None:
    """Whether Envoy's ``/runtime?format=json`` answer has maintenance on; None if absent."""
    try:
        return int(runtime.get("entries", {})[MAINTENANCE_KEY]["final_value"]) >= 100
    except (KeyError, TypeError, ValueError):
        return None


def served_message(bootstrap: Mapping[str, Any]) -> str | None:
    """The maintenance message a router started with ``bootstrap`` serves; None if none.

    It is the JSON page's message, wherever the configuration's routes are."""
    for route in _routes(bootstrap):
        body = route.get("direct_response", {}).get("body", {}).get("inline_string")
        if body and route.get("match", {}).get("runtime_fraction", {}).get("runtime_key") == (
            MAINTENANCE_KEY
        ):
            try:
                message = json.loads(body)["message"]
            except (ValueError, KeyError, TypeError):
                continue
            if isinstance(message, str):
                return message
    return None


def _routes(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, Mapping):
        routes = node.get("routes")
        if isinstance(routes, list):
            yield from (r for r in routes if isinstance(r, dict))
        for value in node.values():
            yield from _routes(value)
    elif isinstance(node, list):
        for item in node:
            yield from _routes(item)


def _release_header(name: str) -> dict[str, Any]:
    """The version of the release that answered; it replaces whatever the service sent."""
    return {
        "header": {"key": name, "value": RELEASE_VALUE},
        "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
    }


def _cluster(name: str, endpoint_file: str) -> dict[str, Any]:
    return {
        "name": name,
        "type": "EDS",
        "connect_timeout": "1s",
        "typed_extension_protocol_options": {
            HTTP_OPTIONS: {
                "@type": f"type.googleapis.com/{HTTP_OPTIONS}",
                "common_http_protocol_options": {"idle_timeout": UPSTREAM_IDLE_TIMEOUT},
                "explicit_http_config": {"http_protocol_options": {}},
            }
        },
        "eds_cluster_config": {
            "eds_config": {
                "resource_api_version": "V3",
                "path_config_source": {"path": endpoint_file},
            }
        },
    }


def slot_endpoints(slot: Slot, port: int, version: str | None) -> dict[str, Any]:
    """A slot's endpoint file: the release ``version`` on the slot's loopback port.

    An empty slot (``version`` None) has no endpoint, so the router sends nothing to a port
    where no release runs. Envoy reads the file as a discovery response; its version_info, a
    digest of the content, is what Envoy reports once it has loaded exactly this content.
    """
    return _endpoints(slot, None if version is None else (port, version))


def preview_target(state: EnvState, slot_ports: Mapping[Slot, int]) -> tuple[int, str] | None:
    """Where the preview port sends requests, as the state says: the port and version of the
    release being deployed; None while nothing is (or its slot is empty)."""
    version = state.previewed_version
    if state.preview is None or version is None:
        return None
    return slot_ports[state.preview], version


def preview_endpoints(target: tuple[int, str] | None) -> dict[str, Any]:
    """The preview cluster's endpoint file: the release being deployed, as ``(its slot's
    port, its version)``, or no endpoint when none is (the preview port then answers 503)."""
    return _endpoints(PREVIEW, target)


def _endpoints(cluster: str, target: tuple[int, str] | None) -> dict[str, Any]:
    endpoints = [] if target is None else [{"lb_endpoints": [_endpoint(*target)]}]
    assignment = {"@type": ASSIGNMENT, "cluster_name": cluster, "endpoints": endpoints}
    digest = hashlib.sha256(json.dumps(assignment, sort_keys=True).encode()).hexdigest()
    return {"version_info": digest[:16], "resources": [assignment]}


def _endpoint(port: int, version: str) -> dict[str, Any]:
    return {
        "endpoint": {"address": _address("127.0.0.1", port)},
        "metadata": {"filter_metadata": {METADATA_NAMESPACE: {RELEASE_KEY: version}}},
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


def loaded_endpoints(stats: Mapping[str, Any]) -> dict[Slot, str]:
    """The version_info of each slot's endpoint file Envoy has loaded, from its ``/stats``
    JSON (filtered by ``LOADED_FILTER``); a slot whose file it never accepted is absent."""
    loaded: dict[Slot, str] = {}
    for stat in stats.get("stats", []):
        for slot in SLOTS:
            if stat.get("name") == f"cluster.{slot}.version_text" and stat.get("value"):
                loaded[slot] = str(stat["value"])
    return loaded


PREVIEW_LOADED_FILTER = rf"^cluster\.{PREVIEW}\.version_text$"


def loaded_preview(stats: Mapping[str, Any]) -> str | None:
    """The version_info of the preview cluster's endpoint file Envoy has loaded, from its
    ``/stats`` JSON (filtered by ``PREVIEW_LOADED_FILTER``); None if it never accepted one."""
    for stat in stats.get("stats", []):
        if stat.get("name") == f"cluster.{PREVIEW}.version_text" and stat.get("value"):
            return str(stat["value"])
    return None
