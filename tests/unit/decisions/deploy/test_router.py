import json

from shipway.decisions.deploy.router import envoy_config, weights_from_runtime, weights_query


def config() -> dict[str, object]:
    return envoy_config(
        host="127.0.0.1",
        port=8000,
        admin_port=8001,
        slot_ports={"blue": 8002, "green": 8003},
        weights={"blue": 0, "green": 100},
        access_log="/s/access.log",
    )


def test_envoy_config_routes_by_runtime_weights_to_two_slots() -> None:
    text = json.dumps(config())
    document = json.loads(text)
    assert document["admin"]["address"]["socket_address"] == {
        "address": "127.0.0.1",
        "port_value": 8001,
    }
    static = document["layered_runtime"]["layers"][0]["static_layer"]
    assert static == {"routing.blue": 0, "routing.green": 100}
    [listener] = document["static_resources"]["listeners"]
    assert listener["address"]["socket_address"]["port_value"] == 8000
    manager = listener["filter_chains"][0]["filters"][0]["typed_config"]
    route = manager["route_config"]["virtual_hosts"][0]["routes"][0]["route"]
    assert route["weighted_clusters"]["runtime_key_prefix"] == "routing"
    assert "reset-before-request" in route["retry_policy"]["retry_on"]
    ports = {
        c["name"]: c["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"][
            "socket_address"
        ]["port_value"]
        for c in document["static_resources"]["clusters"]
    }
    assert ports == {"blue": 8002, "green": 8003}


def test_weights_in_and_out_of_the_admin_api() -> None:
    assert weights_query({"blue": 100, "green": 0}) == "routing.blue=100&routing.green=0"
    runtime = {
        "entries": {"routing.blue": {"final_value": "0"}, "routing.green": {"final_value": "100"}}
    }
    assert weights_from_runtime(runtime) == {"blue": 0, "green": 100}
    assert weights_from_runtime({"entries": {}}) is None
