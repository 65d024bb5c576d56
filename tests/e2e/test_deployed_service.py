"""The reference service as its users see it, at ``service_url`` (see conftest.py)."""

import httpx


def test_health_endpoints(service_url: str) -> None:
    assert httpx.get(f"{service_url}/health").json() == {"status": "ok"}
    assert httpx.get(f"{service_url}/ready").status_code == 200
    detailed = httpx.get(f"{service_url}/health/detailed").json()
    assert detailed["status"] == "ok"
    assert detailed["version"]
    assert detailed["checks"]["readiness"]["status"] == "ok"


def test_chat_round_trip_and_input_errors(service_url: str) -> None:
    reply = httpx.post(f"{service_url}/api/chat", json={"message": "what is shipway?"})
    assert reply.status_code == 200
    assert reply.json()["reply"].startswith("You asked:")
    assert httpx.post(f"{service_url}/api/chat", json={"message": ""}).status_code == 422
    assert httpx.post(f"{service_url}/api/chat", content=b"{").status_code == 400
    assert httpx.post(f"{service_url}/api/chat", json={"message": "x" * 5000}).status_code == 422
    huge = b'{"message": "' + b"x" * 70_000 + b'"}'
    assert httpx.post(f"{service_url}/api/chat", content=huge).status_code == 413


def test_metrics_are_prometheus_text(service_url: str) -> None:
    httpx.get(f"{service_url}/health")
    metrics = httpx.get(f"{service_url}/metrics")
    assert metrics.headers["content-type"].startswith("text/plain")
    assert "chatbot_http_requests_total" in metrics.text
    assert "chatbot_build_info" in metrics.text
