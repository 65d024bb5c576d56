"""`inv maintenance` on the reference service behind a real Envoy: the router answers 503 and
the maintenance page while the releases keep running, and traffic comes back at once."""

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

from shipway.config import Project
from shipway.decisions.deploy.state import DEFAULT_MAINTENANCE_MESSAGE
from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state, read_audit
from shipway.effects.deploy.status import report, show
from shipway.effects.http_client import client
from shipway.entry import deploy as deploy_tasks
from shipway.errors import ShipwayError
from tests.support.deployments import steady_load, with_environment
from tests.support.processes import wait_until
from tests.support.supervised import as_process, router_pid, slot_process

V1, V2 = "1.0.0", "2.0.0"


def deploy(project: Project, name: str, version: str) -> None:
    deploy_tasks.deploy(project, name, version=version, yes=True, dry_run=False, lock_wait=0)


def maintenance(project: Project, name: str, on: bool, message: str | None = None) -> None:
    deploy_tasks.maintenance(project, name, on=on, off=not on, message=message, lock_wait=0)


def get(env: LocalEnvironment, path: str, **headers: str) -> httpx.Response:
    return client().get(f"{env.config.url}{path}", headers=headers, timeout=5)


def served_version(env: LocalEnvironment) -> str:
    version: str = get(env, "/health/detailed").json()["version"]
    return version


def assert_maintenance_page(env: LocalEnvironment, message: str) -> None:
    page = get(env, "/api/anything")
    assert page.status_code == 503
    assert page.headers["retry-after"] == "300"
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "Down for maintenance" in page.text
    assert env.config.release_header not in page.headers
    as_json = get(env, "/health/detailed", accept="application/json, */*")
    assert (as_json.status_code, as_json.headers["retry-after"]) == (503, "300")
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json() == {"status": "maintenance", "message": message}


def test_maintenance_under_load_answers_the_page_then_off_restores_the_same_release(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    cleanup.append("maintenance")
    env = LocalEnvironment(project, "maintenance")
    deploy(project, "maintenance", V1)
    release = slot_process(env, "blue")
    with steady_load(env.config.url, tmp_path / "load.json", rps=100) as finish:
        time.sleep(1)  # load before, during and after maintenance
        maintenance(project, "maintenance", on=True)
        assert_maintenance_page(env, DEFAULT_MAINTENANCE_MESSAGE)
        during = report(env)
        assert (during["healthy"], during["router"]["maintenance"]) == (True, True)
        assert during["maintenance"]["message"] == DEFAULT_MAINTENANCE_MESSAGE
        time.sleep(1)
        maintenance(project, "maintenance", on=False)
        assert served_version(env) == V1
        time.sleep(1)
        load = finish()
    outcomes = {k: v for k, v in load["outcomes"].items() if not k.startswith("version ")}
    assert set(outcomes) == {"ok", "maintenance"}, load  # nothing else: no error, no 502
    assert load["failed"] == load["maintenance"] > 0, load
    after = load_state(env.files)
    assert slot_process(env, "blue") == release  # the release never stopped
    assert (after.serving_version, after.maintenance.on) == (V1, False)
    assert report(env)["maintenance"] is None
    records = [a for a in read_audit(env.files) if a["action"] == "maintenance"]
    assert [(a["maintenance"], a["version"], a["outcome"]) for a in records] == [
        ("on", V1, "succeeded"),
        ("off", V1, "succeeded"),
    ]
    assert all(a["who"] and isinstance(a["started"], float) for a in records)


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        Receiver.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[str]:
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_maintenance_survives_a_router_restart_refuses_deploys_and_is_notified(
    project: Project, cleanup: list[str], webhook: str, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "maintenance-restart"
    cleanup.append(name)
    notified = with_environment(project, name, notify=webhook)
    env = LocalEnvironment(notified, name)
    deploy(notified, name, V1)
    message = "Back at 5 <b>[soon]</b> & café"
    maintenance(notified, name, on=True, message=message)  # a new message: a new router
    assert_maintenance_page(env, message)
    assert "Back at 5 &lt;b&gt;[soon]&lt;/b&gt; &amp; café" in get(env, "/").text

    router = as_process(router_pid(env))
    os.kill(router.pid, signal.SIGKILL)
    wait_until(lambda: not processes.is_running(router), timeout=10, what="the router to die")
    # Its supervisor starts it again, from the configuration on disk: the page, the message.
    wait_until(lambda: router_pid(env) not in (None, router.pid), 10, "the restarted router")
    wait_until(lambda: report(env)["router"]["running"], 10, "the restarted router")
    assert_maintenance_page(env, message)
    with pytest.raises(ShipwayError, match=f"maintenance is on in {name}: `inv maintenance"):
        deploy(notified, name, V2)
    assert_maintenance_page(env, message)
    capsys.readouterr()
    status = report(env)
    show(status)
    shown = capsys.readouterr().out
    assert "maintenance: on since " in shown
    assert f"({message})" in shown
    assert (status["serving"], status["healthy"]) == (V1, True)

    maintenance(notified, name, on=False)
    assert served_version(env) == V1
    assert report(env)["healthy"] is True
    texts = [m["text"] for m in Receiver.received]
    assert texts[1:] == [
        f"shipway [{name}] chatbot: maintenance ON in {name}: {message}",
        f"shipway [{name}] chatbot: maintenance OFF in {name}: traffic back on {V1}",
    ]
    records = [a for a in read_audit(env.files) if a["action"] == "maintenance"]
    assert [(a["maintenance"], a["message"]) for a in records] == [("on", message), ("off", None)]
