import json
from pathlib import Path

from shipway.decisions.deploy import commands
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


def test_process_commands() -> None:
    detached = commands.detached(["envoy", "-c", "x"], Path("/p.pid"), Path("/l.log"))
    assert detached[:3] == ["setsid", "-f", "sh"]
    assert detached[-5:] == ["/p.pid", "/l.log", "envoy", "-c", "x"]
    argv = commands.gunicorn(Path("/v"), "chatbot.app:app", 8002, 2, Path("/s/gunicorn.pid"))
    assert argv[:2] == ["/v/bin/gunicorn", "chatbot.app:app"]
    assert argv[argv.index("--worker-class") + 1] == "uvicorn_worker.UvicornWorker"
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8002"
    assert argv[argv.index("--pid") + 1] == "/s/gunicorn.pid"
    [requirements, wheel] = commands.install_locked(
        Path("/v"), Path("/a/requirements.txt"), Path("/a/s.whl")
    )
    assert requirements[-3:] == ["--require-hashes", "-r", "/a/requirements.txt"]
    assert wheel[-2:] == ["--no-deps", "/a/s.whl"]
    assert "--compile-bytecode" in wheel
    assert commands.envoy(Path("/e.json"))[:3] == ["envoy", "-c", "/e.json"]
    assert commands.release_venv("3.12", Path("/v")) == [
        "uv",
        "venv",
        "--quiet",
        "--python",
        "3.12",
        "/v",
    ]
