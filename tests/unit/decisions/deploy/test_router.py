import json
import re
from typing import Any

import pytest

from shipway.decisions.deploy.router import (
    ASSIGNMENT,
    MAINTENANCE_KEY,
    NOTHING_TO_PREVIEW,
    PREVIEW_LOADED_FILTER,
    RELEASE_VALUE,
    envoy_config,
    html_page,
    loaded_endpoints,
    loaded_preview,
    maintenance_from_runtime,
    maintenance_query,
    message_problem,
    preview_endpoints,
    preview_target,
    served_message,
    slot_endpoints,
    weights_from_runtime,
    weights_query,
)
from shipway.decisions.deploy.state import Slot
from tests.unit.decisions.deploy.states import deploying, serving


def config(release_header: str = "x-shipway-release", **maintenance: Any) -> dict[str, Any]:
    return envoy_config(
        host="127.0.0.1",
        port=8000,
        admin_socket="/s/router/admin.sock",
        endpoint_files={
            "blue": "/s/router/endpoints/blue.json",
            "green": "/s/router/endpoints/green.json",
        },
        weights={"blue": 0, "green": 100},
        release_header=release_header,
        access_log="/s/access.log",
        **maintenance,
    )


def routes(document: dict[str, Any]) -> list[dict[str, Any]]:
    [listener] = document["static_resources"]["listeners"]
    manager = listener["filter_chains"][0]["filters"][0]["typed_config"]
    return list(manager["route_config"]["virtual_hosts"][0]["routes"])


def route(document: dict[str, Any]) -> dict[str, Any]:
    """The route to the releases: the last one, after the maintenance pages."""
    return routes(document)[-1]


def page(document: dict[str, Any], accept_json: bool) -> dict[str, Any]:
    [chosen] = [r for r in routes(document)[:-1] if bool(r["match"].get("headers")) == accept_json]
    return chosen


def test_envoy_config_routes_by_runtime_weights_to_two_slots() -> None:
    document = json.loads(json.dumps(config()))
    static = document["layered_runtime"]["layers"][0]["static_layer"]
    assert static == {"routing.blue": 0, "routing.green": 100, "maintenance.enabled": 0}
    [listener] = document["static_resources"]["listeners"]
    assert listener["address"]["socket_address"]["port_value"] == 8000
    weighted = route(document)["route"]
    assert weighted["weighted_clusters"]["runtime_key_prefix"] == "routing"
    assert "reset-before-request" in weighted["retry_policy"]["retry_on"]
    assert weighted["retry_policy"]["retry_back_off"] == {
        "base_interval": "0.05s",
        "max_interval": "0.5s",
    }


def test_the_admin_api_is_a_socket_only_its_owner_opens() -> None:
    """No TCP port for the admin API: a Unix socket, mode 0600 (384), in the state directory."""
    for document in (config(), with_tls(redirect_port=8080)):
        assert document["admin"] == {
            "address": {"pipe": {"path": "/s/router/admin.sock", "mode": 384}}
        }
        ports = [
            listener["address"]["socket_address"]["port_value"]
            for listener in document["static_resources"]["listeners"]
        ]
        assert 8001 not in ports


def test_each_slot_cluster_reads_its_endpoint_from_its_file() -> None:
    clusters = config()["static_resources"]["clusters"]
    sources = {
        c["name"]: (c["type"], c["eds_cluster_config"]["eds_config"]["path_config_source"]["path"])
        for c in clusters
    }
    assert sources == {
        "blue": ("EDS", "/s/router/endpoints/blue.json"),
        "green": ("EDS", "/s/router/endpoints/green.json"),
    }


def test_the_route_names_the_answering_release_in_the_configured_header() -> None:
    [header] = route(config("x-release"))["response_headers_to_add"]
    assert header["header"] == {"key": "x-release", "value": RELEASE_VALUE}
    assert RELEASE_VALUE == "%UPSTREAM_METADATA(shipway:release)%"


def test_the_release_header_replaces_one_the_service_sent() -> None:
    [header] = route(config())["response_headers_to_add"]
    assert header["append_action"] == "OVERWRITE_IF_EXISTS_OR_ADD"


def test_the_router_has_the_node_identity_file_based_eds_requires() -> None:
    assert set(config()["node"]) == {"id", "cluster"}


def test_a_release_endpoint_is_its_slot_port_carrying_its_version() -> None:
    [assignment] = slot_endpoints("green", 8003, "2.0.0")["resources"]
    assert (assignment["@type"], assignment["cluster_name"]) == (ASSIGNMENT, "green")
    [[endpoint]] = [group["lb_endpoints"] for group in assignment["endpoints"]]
    address = endpoint["endpoint"]["address"]["socket_address"]
    assert (address["address"], address["port_value"]) == ("127.0.0.1", 8003)
    assert endpoint["metadata"] == {"filter_metadata": {"shipway": {"release": "2.0.0"}}}


def test_an_empty_slot_has_no_endpoint() -> None:
    [assignment] = slot_endpoints("blue", 8002, None)["resources"]
    assert assignment["endpoints"] == []


def test_an_endpoint_file_version_changes_with_its_content_only() -> None:
    first = slot_endpoints("blue", 8002, "1.0")["version_info"]
    assert slot_endpoints("blue", 8002, "1.0")["version_info"] == first
    changed = [
        slot_endpoints("blue", 8002, "1.1"),
        slot_endpoints("blue", 8002, None),
        slot_endpoints("blue", 9002, "1.0"),
        slot_endpoints("green", 8002, "1.0"),
    ]
    assert first not in {c["version_info"] for c in changed}


def test_loaded_endpoint_files_are_read_from_the_admin_stats() -> None:
    stats = {
        "stats": [
            {"name": "cluster.blue.version_text", "value": "abc"},
            {"name": "cluster.green.version_text", "value": ""},
        ]
    }
    assert loaded_endpoints(stats) == {"blue": "abc"}  # green's file was never accepted
    assert loaded_endpoints({}) == {}


def test_weights_in_and_out_of_the_admin_api() -> None:
    assert weights_query({"blue": 100, "green": 0}) == "routing.blue=100&routing.green=0"
    runtime = {
        "entries": {"routing.blue": {"final_value": "0"}, "routing.green": {"final_value": "100"}}
    }
    assert weights_from_runtime(runtime) == {"blue": 0, "green": 100}
    assert weights_from_runtime({"entries": {}}) is None


def test_without_tls_the_listener_speaks_plain_http() -> None:
    [listener] = config()["static_resources"]["listeners"]
    assert "transport_socket" not in listener["filter_chains"][0]


def with_tls(redirect_port: int | None = None) -> dict[str, Any]:
    return envoy_config(
        host="127.0.0.1",
        port=8443,
        admin_socket="/s/router/admin.sock",
        endpoint_files={"blue": "/b.json", "green": "/g.json"},
        weights={"blue": 100, "green": 0},
        release_header="x-shipway-release",
        access_log="/s/access.log",
        tls_secret_file="/s/router/tls/secret.json",
        redirect_port=redirect_port,
    )


def test_with_tls_the_listener_serves_https_from_the_secret_file() -> None:
    [listener] = with_tls()["static_resources"]["listeners"]
    socket = listener["filter_chains"][0]["transport_socket"]
    assert socket["name"] == "envoy.transport_sockets.tls"
    context = socket["typed_config"]["common_tls_context"]
    [sds] = context["tls_certificate_sds_secret_configs"]
    assert sds["sds_config"]["path_config_source"]["path"] == "/s/router/tls/secret.json"
    assert route(with_tls())["route"]["weighted_clusters"]["runtime_key_prefix"] == "routing"


def test_the_redirect_port_answers_301_to_the_https_port() -> None:
    public, redirect = with_tls(redirect_port=8080)["static_resources"]["listeners"]
    assert public["address"]["socket_address"]["port_value"] == 8443
    assert redirect["address"]["socket_address"] == {"address": "127.0.0.1", "port_value": 8080}
    assert "transport_socket" not in redirect["filter_chains"][0]
    manager = redirect["filter_chains"][0]["filters"][0]["typed_config"]
    [only] = manager["route_config"]["virtual_hosts"][0]["routes"]
    assert only["redirect"] == {
        "https_redirect": True,
        "port_redirect": 8443,
        "response_code": "MOVED_PERMANENTLY",
    }


def test_maintenance_routes_come_before_the_route_to_the_releases() -> None:
    kinds = ["direct_response" in r for r in routes(config())]
    assert kinds == [True, True, False]


def test_maintenance_routes_are_taken_only_when_the_runtime_value_says_so() -> None:
    for r in routes(config())[:-1]:
        fraction = r["match"]["runtime_fraction"]
        assert fraction["runtime_key"] == MAINTENANCE_KEY == "maintenance.enabled"
        assert fraction["default_value"] == {"numerator": 0, "denominator": "HUNDRED"}


def test_a_router_started_in_maintenance_serves_the_page_from_its_static_layer() -> None:
    static = config(maintenance=True)["layered_runtime"]["layers"][0]["static_layer"]
    assert static[MAINTENANCE_KEY] == 100


def test_the_maintenance_page_is_503_with_retry_after_and_no_release_header() -> None:
    for accept_json in (True, False):
        chosen = page(config(), accept_json)
        assert chosen["direct_response"]["status"] == 503
        headers = {
            h["header"]["key"]: h["header"]["value"] for h in chosen["response_headers_to_add"]
        }
        assert headers["retry-after"] == "300"
        assert "x-shipway-release" not in headers


def test_a_request_accepting_json_gets_the_json_page() -> None:
    chosen = page(config(maintenance_message="back at 5"), accept_json=True)
    [matcher] = chosen["match"]["headers"]
    assert matcher["name"] == "accept"
    assert matcher["string_match"] == {"contains": "application/json", "ignore_case": True}
    body = json.loads(chosen["direct_response"]["body"]["inline_string"])
    assert body == {"status": "maintenance", "message": "back at 5"}


def test_other_requests_get_the_html_page_with_the_message_escaped() -> None:
    chosen = page(config(maintenance_message="<b>soon</b>"), accept_json=False)
    body = chosen["direct_response"]["body"]["inline_string"]
    assert "&lt;b&gt;soon&lt;/b&gt;" in body
    assert body == html_page("<b>soon</b>")
    types = [h["header"] for h in chosen["response_headers_to_add"]]
    assert {"key": "content-type", "value": "text/html; charset=utf-8"} in types


def test_the_served_message_is_read_back_from_a_configuration() -> None:
    assert served_message(json.loads(json.dumps(config(maintenance_message="back at 5")))) == (
        "back at 5"
    )
    assert served_message({"static_resources": {}}) is None


def test_maintenance_in_and_out_of_the_admin_api() -> None:
    assert maintenance_query(True) == "maintenance.enabled=100"
    assert maintenance_query(False) == "maintenance.enabled=0"
    entries = {"maintenance.enabled": {"final_value": "100"}}
    assert maintenance_from_runtime({"entries": entries}) is True
    assert maintenance_from_runtime({"entries": {"maintenance.enabled": {"final_value": "0"}}}) is (
        False
    )
    assert maintenance_from_runtime({"entries": {}}) is None


def test_a_maintenance_message_must_be_short_and_not_empty() -> None:
    assert message_problem("back at 5") is None
    assert message_problem("  ") == "the maintenance message is empty"
    assert "at most 1000" in (message_problem("x" * 1001) or "")


# -- the preview port ---------------------------------------------------------------------


def with_preview(tls: bool = False, redirect_port: int | None = None) -> dict[str, Any]:
    return envoy_config(
        host="127.0.0.1",
        port=8000,
        admin_socket="/s/router/admin.sock",
        endpoint_files={"blue": "/b.json", "green": "/g.json"},
        weights={"blue": 100, "green": 0},
        release_header="x-release",
        access_log="/s/access.log",
        tls_secret_file="/s/router/tls/secret.json" if tls else None,
        redirect_port=redirect_port,
        preview_port=8005,
        preview_endpoint_file="/s/router/endpoints/preview.json",
    )


def listener(document: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        x for x in document["static_resources"]["listeners"] if x["name"] == name
    ]
    [only] = found
    return only


def manager_of(found: dict[str, Any]) -> dict[str, Any]:
    manager: dict[str, Any] = found["filter_chains"][0]["filters"][0]["typed_config"]
    return manager


def test_without_a_preview_port_there_is_no_preview_listener_or_cluster() -> None:
    document = config()
    assert [x["name"] for x in document["static_resources"]["listeners"]] == ["public"]
    assert [c["name"] for c in document["static_resources"]["clusters"]] == ["blue", "green"]


def test_the_preview_port_sends_everything_to_the_preview_cluster_named_by_its_header() -> None:
    document = with_preview()
    preview = listener(document, "preview")
    assert preview["address"]["socket_address"] == {"address": "127.0.0.1", "port_value": 8005}
    [only] = manager_of(preview)["route_config"]["virtual_hosts"][0]["routes"]
    assert only["route"]["cluster"] == "preview"
    assert "reset-before-request" in only["route"]["retry_policy"]["retry_on"]
    [header] = only["response_headers_to_add"]
    assert header["header"] == {"key": "x-release", "value": RELEASE_VALUE}
    assert header["append_action"] == "OVERWRITE_IF_EXISTS_OR_ADD"


def test_the_preview_cluster_reads_its_endpoint_from_its_own_file() -> None:
    [cluster] = [
        c for c in with_preview()["static_resources"]["clusters"] if c["name"] == "preview"
    ]
    source = cluster["eds_cluster_config"]["eds_config"]["path_config_source"]["path"]
    assert (cluster["type"], source) == ("EDS", "/s/router/endpoints/preview.json")


def test_with_nothing_to_preview_the_preview_port_says_so_in_a_503() -> None:
    local_reply = manager_of(listener(with_preview(), "preview"))["local_reply_config"]
    [mapper] = local_reply["mappers"]
    assert mapper["filter"] == {"response_flag_filter": {"flags": ["UH"]}}  # no endpoint
    assert mapper["status_code"] == 503
    assert mapper["body"]["inline_string"] == NOTHING_TO_PREVIEW
    assert "no release of this environment is being deployed" in NOTHING_TO_PREVIEW


def test_the_preview_port_serves_the_same_tls_as_the_environments_port() -> None:
    document = with_preview(tls=True, redirect_port=8080)
    public, preview = listener(document, "public"), listener(document, "preview")
    assert (
        preview["filter_chains"][0]["transport_socket"]
        == (public["filter_chains"][0]["transport_socket"])
    )
    assert "transport_socket" not in listener(document, "http-redirect")["filter_chains"][0]
    assert "transport_socket" not in listener(with_preview(), "preview")["filter_chains"][0]


def test_the_preview_port_has_no_maintenance_page() -> None:
    [only] = manager_of(listener(with_preview(), "preview"))["route_config"]["virtual_hosts"][0][
        "routes"
    ]
    assert "runtime_fraction" not in only["match"]


def test_a_preview_port_needs_its_endpoint_file() -> None:
    with pytest.raises(ValueError, match="endpoint file"):
        envoy_config(
            host="127.0.0.1",
            port=8000,
            admin_socket="/a.sock",
            endpoint_files={"blue": "/b.json", "green": "/g.json"},
            weights={"blue": 100, "green": 0},
            release_header="x-release",
            access_log="/access.log",
            preview_port=8005,
        )


def test_the_preview_endpoint_is_the_new_releases_slot_port_carrying_its_version() -> None:
    [assignment] = preview_endpoints((8003, "2.0.0"))["resources"]
    assert assignment["cluster_name"] == "preview"
    [[endpoint]] = [group["lb_endpoints"] for group in assignment["endpoints"]]
    assert endpoint["endpoint"]["address"]["socket_address"]["port_value"] == 8003
    assert endpoint["metadata"] == {"filter_metadata": {"shipway": {"release": "2.0.0"}}}
    [nothing] = preview_endpoints(None)["resources"]
    assert nothing["endpoints"] == []
    assert (
        preview_endpoints(None)["version_info"]
        != preview_endpoints((8003, "2.0.0"))["version_info"]
    )


def test_the_preview_follows_the_state_to_the_slot_of_the_release_being_deployed() -> None:
    ports: dict[Slot, int] = {"blue": 8002, "green": 8003}
    state = deploying(serving("1.0"), "2.0")  # 2.0 starting in green
    assert preview_target(state, ports) is None  # nothing previewed yet
    assert preview_target(state.previewing("green"), ports) == (8003, "2.0")
    emptied = state.previewing("green").with_slot("green", version=None, phase="empty")
    assert preview_target(emptied, ports) is None


def test_the_loaded_preview_file_is_read_from_the_admin_stats() -> None:
    stats = {"stats": [{"name": "cluster.preview.version_text", "value": "abc"}]}
    assert loaded_preview(stats) == "abc"
    assert (
        loaded_preview({"stats": [{"name": "cluster.preview.version_text", "value": ""}]}) is None
    )
    assert re.fullmatch(PREVIEW_LOADED_FILTER, "cluster.preview.version_text")
