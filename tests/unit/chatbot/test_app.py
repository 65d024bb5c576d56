import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from chatbot import __version__
from chatbot.app import CRASH_EXIT_CODE, MAX_BODY_BYTES, MAX_MESSAGE_CHARS, create_app
from chatbot.settings import Settings
from tests.support.processes import wait_until


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as client:
        yield client


def chat(client: TestClient, body: object) -> tuple[int, dict[str, object]]:
    response = client.post("/api/chat", json=body)
    return response.status_code, response.json()


def test_chat_replies_with_model(client: TestClient) -> None:
    status, body = chat(client, {"message": "hello"})
    assert status == 200
    assert body == {
        "reply": "Hello! I am the shipway reference chatbot. Ask me anything.",
        "model": "echo-1",
    }


def test_chat_is_deterministic(client: TestClient) -> None:
    assert chat(client, {"message": "what is a canary?"}) == chat(
        client, {"message": "what is a canary?"}
    )


@pytest.mark.parametrize("message", ["", "   \n"])
def test_empty_message_is_422(client: TestClient, message: str) -> None:
    status, body = chat(client, {"message": message})
    assert status == 422
    assert body == {"error": {"code": "empty_message", "message": "message must not be empty"}}


def test_message_at_the_limit_is_accepted_in_characters_whatever_their_bytes(
    client: TestClient,
) -> None:
    status, _ = chat(client, {"message": "😀" * MAX_MESSAGE_CHARS})  # 4 bytes each in UTF-8
    assert status == 200


def test_oversized_message_is_422_counting_characters_as_its_schema_does(
    client: TestClient,
) -> None:
    status, body = chat(client, {"message": "é" * (MAX_MESSAGE_CHARS + 1)})
    assert status == 422
    assert body["error"] == {
        "code": "message_too_large",
        "message": "message over 4096 characters",
    }


def test_every_answer_carries_the_security_headers(client: TestClient) -> None:
    for answer in (client.get("/health"), client.get("/nowhere"), client.post("/api/chat")):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


def test_the_schema_declares_the_chat_body_and_its_rejections(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    chat_operation = schema["paths"]["/api/chat"]["post"]
    body = chat_operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["message"]["maxLength"] == MAX_MESSAGE_CHARS
    assert {"400", "413", "422"} <= set(chat_operation["responses"])
    assert "/metrics" not in schema["paths"]  # Prometheus text, not part of the API


def test_oversized_body_is_413_before_parsing(client: TestClient) -> None:
    response = client.post(
        "/api/chat",
        content=b"x" * (MAX_BODY_BYTES + 1),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_oversized_streamed_body_without_length_is_413(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b"x" * 1024

    response = client.post("/api/chat", content=chunks())
    assert response.status_code == 413


def test_non_json_is_400(client: TestClient) -> None:
    response = client.post("/api/chat", content=b"not json{")
    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "invalid_json", "message": "the body must be JSON"}
    }


@pytest.mark.parametrize("body", [[1, 2], {"msg": "hi"}, {"message": 3}, {"message": "a", "x": 1}])
def test_wrong_shape_is_422(client: TestClient, body: object) -> None:
    response = client.post("/api/chat", content=json.dumps(body))
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_health_is_live(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_ready_after_startup_and_detailed_health(client: TestClient) -> None:
    ready = client.get("/ready")
    assert (ready.status_code, ready.json()) == (200, {"ready": True, "phase": "ready"})
    detailed = client.get("/health/detailed").json()
    assert detailed["status"] == "ok"
    assert detailed["version"] == __version__
    assert detailed["uptime_s"] >= 0
    assert detailed["checks"]["readiness"] == {"status": "ok", "phase": "ready"}
    assert detailed["faults"] == {}


def test_not_ready_while_warming_up() -> None:
    with TestClient(create_app(Settings(warmup_s=60))) as client:
        ready = client.get("/ready")
        assert (ready.status_code, ready.json()) == (503, {"ready": False, "phase": "starting"})
        assert client.get("/health").status_code == 200
        assert client.get("/health/detailed").json()["status"] == "degraded"


def test_never_ready_fault() -> None:
    with TestClient(create_app(Settings(fault_never_ready=True))) as client:
        assert client.get("/ready").status_code == 503
        assert client.get("/health").status_code == 200
        assert client.get("/health/detailed").json()["faults"] == {"never_ready": True}


def test_flapping_fault_alternates_readiness_with_the_clock() -> None:
    now = [100.0]
    app = create_app(Settings(fault_flap_s=5), clock=lambda: now[0])
    with TestClient(app) as client:
        seen = []
        for elapsed in (0, 4.9, 5.0, 9.9, 10.0, 16.0):
            now[0] = 100.0 + elapsed
            seen.append(client.get("/ready").status_code)
        assert seen == [200, 200, 503, 503, 200, 503]
        assert client.get("/health").status_code == 200  # requests are still served
        assert client.get("/health/detailed").json()["faults"] == {"flap_s": 5}


def test_error_rate_fault_fails_exactly_that_fraction_of_chats() -> None:
    with TestClient(create_app(Settings(fault_error_rate=0.2))) as client:
        statuses = [client.post("/api/chat", json={"message": "hi"}).status_code for _ in range(50)]
        assert statuses.count(500) == 10
        assert statuses.count(200) == 40
        assert client.get("/health").status_code == 200  # faults hit chat, not liveness


def test_injected_error_body_names_the_knob() -> None:
    with TestClient(create_app(Settings(fault_error_rate=1))) as client:
        response = client.post("/api/chat", json={"message": "hi"})
        assert response.status_code == 500
        assert response.json()["error"]["code"] == "injected_fault"


def test_latency_fault_delays_chat() -> None:
    with TestClient(create_app(Settings(fault_latency_ms=200))) as client:
        response = client.post("/api/chat", json={"message": "hi"})
        assert response.status_code == 200
        metrics = client.get("/metrics").text
        # The histogram saw one chat slower than 0.1 s: its 0.1 s bucket is still empty.
        bucket = 'chatbot_http_request_duration_seconds_bucket{le="0.1",method="POST",'
        assert bucket + 'route="/api/chat"} 0.0' in metrics


def test_crash_fault_calls_exit_after_start() -> None:
    exits: list[int] = []
    app = create_app(Settings(fault_crash_after_s=0.01), crash=exits.append)
    with TestClient(app):  # the app's event loop runs in the client's thread meanwhile
        wait_until(lambda: bool(exits), timeout=10, what="the crash fault to fire")
    assert exits == [CRASH_EXIT_CODE]


def test_metrics_in_prometheus_text_format(client: TestClient) -> None:
    client.post("/api/chat", json={"message": "hi"})
    client.post("/api/chat", json={"message": ""})
    client.get("/no/such/path")
    response = client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'chatbot_http_requests_total{method="POST",route="/api/chat",status="200"} 1.0' in text
    assert 'chatbot_http_requests_total{method="POST",route="/api/chat",status="422"} 1.0' in text
    assert 'chatbot_http_requests_total{method="GET",route="other",status="404"} 1.0' in text
    assert f'chatbot_build_info{{version="{__version__}"}} 1.0' in text
    assert "chatbot_uptime_seconds " in text
