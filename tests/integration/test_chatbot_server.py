"""The reference service as a real process on 127.0.0.1, started and stopped by pid."""

import signal
import sys

import httpx

from tests.support.processes import answers, env_with, free_port, running, stop, wait_until


def uvicorn_argv(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "chatbot.app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]


def test_serves_every_endpoint_and_stops_cleanly_on_sigterm() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(uvicorn_argv(port), env_with()) as server:
        wait_until(answers(f"{base}/ready"), timeout=30, what="the service to become ready")
        chat = httpx.post(f"{base}/api/chat", json={"message": "hello"})
        assert chat.status_code == 200
        assert chat.json()["model"] == "echo-1"
        assert httpx.post(f"{base}/api/chat", content=b"{").status_code == 400
        detailed = httpx.get(f"{base}/health/detailed").json()
        assert detailed["pid"] == server.pid
        metrics = httpx.get(f"{base}/metrics").text
        assert 'route="/api/chat",status="200"} 1.0' in metrics
        # uvicorn re-raises the signal after a graceful shutdown, so the status is -SIGTERM.
        assert stop(server) == -signal.SIGTERM
        assert server.stdout is not None
        assert "Application shutdown complete" in server.stdout.read().decode()


def test_never_ready_fault_keeps_readiness_down_but_liveness_up() -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with running(uvicorn_argv(port), env_with({"CHATBOT_FAULT_NEVER_READY": "1"})):
        wait_until(answers(f"{base}/health"), timeout=30, what="the service to answer /health")
        assert httpx.get(f"{base}/ready").status_code == 503


def test_crash_fault_exits_the_process_shortly_after_start() -> None:
    port = free_port()
    env = env_with({"CHATBOT_FAULT_CRASH_AFTER_S": "0.5"})
    with running(uvicorn_argv(port), env) as server:
        assert server.wait(timeout=30) == 3


def test_invalid_fault_setting_stops_startup_with_a_message() -> None:
    port = free_port()
    with running(uvicorn_argv(port), env_with({"CHATBOT_FAULT_ERROR_RATE": "2"})) as server:
        assert server.wait(timeout=30) != 0
        assert server.stdout is not None
        output = server.stdout.read().decode()
    assert "fault_error_rate" in output
