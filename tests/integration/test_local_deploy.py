"""Blue-green deploys of the reference service behind a real Envoy, with real processes."""

import dataclasses
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from shipway.config import Project
from shipway.decisions.deploy import flow
from shipway.decisions.release.manifest import FileKind
from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state, read_audit
from shipway.effects.http_client import client
from shipway.entry import deploy as deploy_tasks
from shipway.errors import ShipwayError
from tests.support.deployments import steady_load, with_environment
from tests.support.listening import assert_owner_only
from tests.support.processes import env_with, wait_until
from tests.support.reports import assert_report_shows, report_page
from tests.support.supervised import as_process, router_pid, slot_process

V1, V2 = "1.0.0", "2.0.0"


def deploy(project: Project, name: str, version: str, **kw: Any) -> None:
    deploy_tasks.deploy(
        project,
        name,
        version=version,
        yes=True,
        dry_run=False,
        lock_wait=kw.pop("lock_wait", 0),
        **kw,
    )


def served_version(env: LocalEnvironment) -> str:
    version: str = client().get(f"{env.config.url}/health/detailed", timeout=5).json()["version"]
    return version


def status(project: Project, name: str) -> dict[str, Any]:
    from shipway.effects.deploy.status import report

    return report(LocalEnvironment(project, name))


def test_deploy_and_rollback_under_load_lose_no_request(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    cleanup.append("load")
    env = LocalEnvironment(project, "load")
    deploy(project, "load", V1)
    assert served_version(env) == V1
    with steady_load(env.config.url, tmp_path / "load.json") as finish:
        time.sleep(1)  # load before the switch: this is the measurement window, not a sync
        deploy(project, "load", V2)
        assert served_version(env) == V2
        deploy_tasks.rollback(project, "load", to=None, lock_wait=0)
        assert served_version(env) == V1
        time.sleep(1)
        load = finish()
    assert load["failed"] == 0, load
    assert load["total"] >= 100 * load["seconds"] * 0.9, load
    assert load["outcomes"].get(f"version {V2}", 0) > 0  # traffic really went through v2
    report = status(project, "load")
    assert (report["serving"], report["healthy"]) == (V1, True)
    assert [
        (r["version"], r["state"], r["weight"])
        for r in report["releases"]
        if r["state"] == "serving"
    ] == [(V1, "serving", 100)]
    actions = [(a["action"], a["version"], a["outcome"]) for a in read_audit(env.files)]
    assert actions == [
        ("deploy", V1, "succeeded"),
        ("deploy", V2, "succeeded"),
        ("rollback", V1, "succeeded"),
    ]


def test_a_release_kept_until_the_next_deploy_is_a_switch_away_at_any_time(
    project: Project, cleanup: list[str]
) -> None:
    cleanup.append("never")
    env = LocalEnvironment(project, "never")
    deploy(project, "never", V1)
    deploy(project, "never", V2)  # returns after one analysis window (2 s here)
    kept = load_state(env.files).slot("blue")
    kept_process = slot_process(env, "blue")
    assert (kept.version, kept.phase, kept.kept) == (V1, "warm", True)
    assert_owner_only(env)  # with both releases running
    assert kept.warm_until is not None
    wait_until(lambda: time.time() > (kept.warm_until or 0), timeout=10, what="the window to end")
    report = status(project, "never")  # repairs: a kept release outlives its window
    assert [(r["version"], r["state"], r["weight"]) for r in report["releases"]][:2] == [
        (V1, "warm", 0),
        (V2, "serving", 100),
    ]
    deploy_tasks.rollback(project, "never", to=None, lock_wait=0)
    after = load_state(env.files)
    assert after.serving_version == V1
    assert slot_process(env, "blue") == kept_process  # the same process: only the router moved
    assert served_version(env) == V1
    assert read_audit(env.files)[-1]["outcome"] == "succeeded"
    deploy_tasks.stop(project, "never", lock_wait=0)
    assert not env.files.admin_socket.exists()  # Envoy leaves its socket; stop removes it


def test_rollback_while_the_old_release_is_warm_is_instant(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    cleanup.append("warm")
    warm = with_environment(project, "warm", scale_down_delay="60s")
    env = LocalEnvironment(warm, "warm")
    deploy(warm, "warm", V1)
    # `inv deploy` reads pyproject.toml, where the warm environment keeps v1 warm for 60 s.
    argv = [sys.executable, "-m", "invoke", "deploy", "--env", "warm", "--version", V2]
    deploying = subprocess.Popen(
        argv,
        cwd=project.root,
        env=env_with(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    wait_until(
        lambda: load_state(env.files).slot("blue").phase == "warm",
        timeout=60,
        what="v1 to be warm",
    )
    warm_v1 = slot_process(env, "blue")
    with steady_load(env.config.url, tmp_path / "load.json") as finish:
        deploy_tasks.rollback(warm, "warm", to=None, lock_wait=0)
        assert served_version(env) == V1
        load = finish()
    output, _ = deploying.communicate(timeout=120)
    # Instant: the warm v1 process takes the traffic back, nothing is installed or started.
    # (How fast that is, is measured by benchmarks/deploy.py, not asserted here.)
    after = load_state(env.files)
    assert (after.serving_slot, slot_process(env, "blue")) == ("blue", warm_v1)
    assert after.slot("green").program is None
    assert load["failed"] == 0, load
    assert deploying.returncode == 1
    assert "rolled back" in output
    [rollback] = [a for a in read_audit(env.files) if a["action"] == "rollback"]
    assert rollback["outcome"] == "succeeded"
    assert isinstance(rollback["switch_seconds"], float)


def test_a_release_that_never_gets_ready_or_fails_smoke_is_refused(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    cleanup.append("refuse")
    env = LocalEnvironment(project, "refuse")
    deploy(project, "refuse", V1)
    never_ready = with_environment(
        project, "refuse", settings={"CHATBOT_FAULT_NEVER_READY": "1"}, ready_timeout="3s"
    )
    bad_smoke = with_environment(project, "refuse", smoke=[{"path": "/nope", "status": 200}])
    with steady_load(env.config.url, tmp_path / "load.json") as finish:
        with pytest.raises(
            ShipwayError,
            match=rf"deploy of {V2} to refuse failed: the release was not ready within 3s .*{V1} is still serving",
        ):
            deploy(never_ready, "refuse", V2)
        with pytest.raises(
            ShipwayError,
            match=r"smoke tests of 2\.0\.0 failed: GET /nope answered 404, expected 200",
        ):
            deploy(bad_smoke, "refuse", V2)
        load = finish()
    assert load["failed"] == 0, load
    assert served_version(env) == V1
    report = status(project, "refuse")
    assert [
        (r["version"], r["state"]) for r in report["releases"] if r["state"] != "installed"
    ] == [(V1, "serving")]
    assert [a["outcome"] for a in read_audit(env.files)] == ["succeeded", "failed", "failed"]
    # What a failed CI deploy job runs: nothing to undo, so v1 keeps serving (no older release).
    deploy_tasks.rollback(project, "refuse", to=None, lock_wait=0, undo_deploy=True, version=V2)
    assert served_version(env) == V1
    assert len(read_audit(env.files)) == 3


def test_the_dry_run_and_the_engine_read_the_same_plan(
    project: Project,
    cleanup: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the smoke tests in the plan, the dry run no longer lists them and a release
    whose smoke check fails is deployed (the refusal test proves that check fails)."""
    cleanup.append("plan")
    bad_smoke = with_environment(project, "plan", smoke=[{"path": "/nope", "status": 200}])
    deploy_tasks.deploy(bad_smoke, "plan", version=V1, yes=True, dry_run=True, lock_wait=0)
    assert "  smoke tests: GET /nope → 200\n" in capsys.readouterr().out
    planned = flow.deploy_plan

    def without_smoke(*args: Any) -> flow.Plan:
        plan = planned(*args)
        steps = tuple(p for p in plan.steps if p.step is not flow.Step.SMOKE)
        return dataclasses.replace(plan, steps=steps)

    monkeypatch.setattr(flow, "deploy_plan", without_smoke)
    deploy_tasks.deploy(bad_smoke, "plan", version=V1, yes=True, dry_run=True, lock_wait=0)
    assert "smoke tests" not in capsys.readouterr().out
    deploy(bad_smoke, "plan", V1)
    said = capsys.readouterr().err  # the console of a deploy in progress
    assert "  smoke tests\n" not in said
    assert "  switching traffic\n" in said
    assert served_version(LocalEnvironment(project, "plan")) == V1


def test_with_the_default_readiness_a_release_is_ready_once_it_answers_at_all(
    project: Project, cleanup: list[str]
) -> None:
    """`ready_path = "/"` (the default) asks nothing of the app: the reference service answers
    / with 404 and is deployed; a path that never answers 2xx is refused with its last answer.

    The refused release must get to answer before its deadline for that answer to be named,
    so the deadline leaves room for a slow start on a loaded machine."""
    cleanup.append("defaults")
    env = LocalEnvironment(project, "defaults")
    defaults = with_environment(project, "defaults", ready_path="/", smoke=None)
    deploy(defaults, "defaults", V1)
    assert served_version(env) == V1
    never_2xx = with_environment(project, "defaults", ready_path="/nope", ready_timeout="10s")
    with pytest.raises(
        ShipwayError,
        match=rf"deploy of {V2} to defaults failed: the release was not ready within 10s "
        rf"\(/nope answered 404\); {V1} is still serving",
    ):
        deploy(never_2xx, "defaults", V2)
    assert load_state(env.files).serving_version == V1
    assert served_version(env) == V1
    failed = read_audit(env.files)[-1]
    assert (failed["outcome"], failed["strategy"]) == ("failed", "blue-green")
    assert_report_shows(
        report_page(env.files, failed),
        "report-blue-green-failed",
        outcome="failed",
        reason="not ready within 10s (/nope answered 404)",
        charts=("weights",),  # it never took traffic: no analysis window to chart
        failed_step="start",
    )


def test_concurrent_deploys_and_recovery_after_kill_9(
    project: Project, cleanup: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    cleanup.append("lock")
    env = LocalEnvironment(project, "lock")
    # In pyproject.toml, where `inv deploy` reads it, the lock environment's release takes
    # 120 s to be ready; this process deploys with the usual settings.
    fast = with_environment(project, "lock", ready_timeout="20s", settings={})
    argv = [sys.executable, "-m", "invoke", "deploy", "--env", "lock", "--version", V1]
    first = subprocess.Popen(
        argv, cwd=project.root, env=env_with(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until(
            lambda: slot_process(env, "blue")[1] is not None,
            timeout=60,
            what="the first deploy to start its release",
        )
        # Refused, not queued: the holder keeps the lock until it is killed below, so a deploy
        # that waited for it would never get here.
        with pytest.raises(
            ShipwayError,
            match=rf"the deploy lock of lock is held by .*\(pid {first.pid}, since .*, deploying {V1}\)",
        ):
            deploy(fast, "lock", V1)
        orphan = as_process(slot_process(env, "blue")[1])
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert processes.is_running(orphan)
    capsys.readouterr()
    deploy(fast, "lock", V1)  # recovers: the killed deploy's release is stopped first
    assert not processes.is_running(orphan)
    captured = capsys.readouterr()
    said = " ".join((captured.out + captured.err).split())
    assert "took over the lock left by" in said
    assert f"(pid {first.pid}," in said
    assert f"repairing: deploy of {V1} by" in said
    report = status(project, "lock")
    assert (report["serving"], report["healthy"]) == (V1, True)
    assert [a["outcome"] for a in read_audit(env.files)] == ["interrupted", "succeeded"]


def test_bad_input_is_refused_and_the_serving_release_is_untouched(
    project: Project, cleanup: list[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    cleanup.append("bad")
    env = LocalEnvironment(project, "bad")
    deploy(project, "bad", V1)
    serving = slot_process(env, "blue")
    with pytest.raises(
        ShipwayError, match=r"unknown environment 'nowhere'; configured: bad, blue-green-analysis, "
    ):
        deploy(project, "nowhere", V2)
    with pytest.raises(
        ShipwayError,
        match=r"chatbot 9\.9\.9 is not in the artifact store \(versions: 1\.0\.0, 2\.0\.0\)",
    ):
        deploy(project, "bad", "9.9.9")
    missing = with_environment(project, "bad", secrets={"API_TOKEN": "env:SHIPWAY_TEST_MISSING"})
    monkeypatch.delenv("SHIPWAY_TEST_MISSING", raising=False)
    with pytest.raises(
        ShipwayError,
        match=r"secret API_TOKEN refers to env:SHIPWAY_TEST_MISSING, but \$SHIPWAY_TEST_MISSING is not set",
    ):
        deploy(missing, "bad", V2)
    idle_port = env.config.slot_ports[1]
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", idle_port))
        squatter.listen()
        with pytest.raises(
            ShipwayError,
            match=rf"port {idle_port} \(release slot green of bad\) is in use by another process",
        ):
            deploy(project, "bad", V2)
    # A copy of the artifact store with one flipped bit: the shared store stays intact.
    copied = tmp_path / "artifacts"
    shutil.copytree(project.path(project.config.artifacts.store), copied)
    wheel = next((copied / "chatbot" / V2).glob("*.whl"))
    original = wheel.read_bytes()
    wheel.chmod(0o644)
    wheel.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    artifacts = project.config.artifacts.model_copy(update={"store": str(copied)})
    tampered = dataclasses.replace(
        project, config=project.config.model_copy(update={"artifacts": artifacts})
    )
    with pytest.raises(
        ShipwayError, match=rf"refusing chatbot {V2} .*{wheel.name}: sha256 .* does not match"
    ):
        deploy(tampered, "bad", V2)
    after = load_state(env.files)
    assert after.serving_version == V1
    assert slot_process(env, "blue") == serving  # the same process serves
    assert served_version(env) == V1


def with_app(project: Project, app: str) -> Project:
    return dataclasses.replace(project, config=project.config.model_copy(update={"app": app}))


UNSERVABLE = (
    ("chatbot.nosuch:app", r"ModuleNotFoundError: No module named 'chatbot\.nosuch'"),
    ("chatbot.app:MAX_BODY_BYTES", r"Application object must be callable\."),
    ("chatbot.settings:Settings", r"neither a WSGI app .* nor an ASGI app"),
    ("chatbot.app:create_app(1, 2)", r"create_app\(\) takes from 0 to 1 positional"),
    ("chatbot.app:create_app({'model': 'x'})", r"AttributeError: 'dict' object has no"),
)


def test_an_app_that_cannot_be_served_stops_the_deploy_before_anything_runs(
    project: Project, cleanup: list[str]
) -> None:
    cleanup.append("unservable")  # its own environment: other tests deploy to theirs meanwhile
    env = LocalEnvironment(project, "unservable")
    deploy(project, "unservable", V1)
    serving = slot_process(env, "blue")
    for app, problem in UNSERVABLE:
        with pytest.raises(ShipwayError, match=rf"deploy of {V2} to unservable .*{problem}"):
            deploy(with_app(project, app), "unservable", V2)
        after = load_state(env.files)
        assert after.serving_version == V1, app
        assert slot_process(env, "blue") == serving, app  # the same process serves
        assert after.slot("green").program is None, app  # the new release never started
    assert served_version(env) == V1


def test_secret_values_reach_the_release_and_nothing_else(
    project: Project,
    cleanup: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cleanup.append("secret")
    value = "tok-" + os.urandom(8).hex()
    monkeypatch.setenv("SHIPWAY_TEST_TOKEN", value)
    token = tmp_path / "token.txt"
    token.write_text(value + "2\n")
    secret = with_environment(
        project,
        "secret",
        secrets={
            "API_TOKEN": "env:SHIPWAY_TEST_TOKEN",
            "DB_PASSWORD": f"file:{token}",  # pragma: allowlist secret
        },
    )
    env = LocalEnvironment(secret, "secret")
    deploy(secret, "secret", V1)
    pid = slot_process(env, "blue")[1]
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    assert f"API_TOKEN={value}".encode() in environ
    assert f"DB_PASSWORD={value}2".encode() in environ
    # A hook that prints the secret and fails: the deploy's report is written too.
    leaky = "python -c \"import os, sys; print(os.environ['API_TOKEN']); sys.exit(3)\""
    failing = with_environment(secret, "secret", hooks={"pre_deploy": [leaky]})
    with pytest.raises(ShipwayError, match=r"exited with status 3"):
        deploy(failing, "secret", V2)
    captured = capsys.readouterr()
    assert value not in captured.out + captured.err
    reports = [*env.files.reports.iterdir(), *(secret.root / "reports/deploy/secret").iterdir()]
    assert len(reports) == 10  # of each deploy: HTML, Markdown, JSON, and copies of the first two
    for path in [*env.files.root.rglob("*"), *reports]:
        if path.is_file() and "releases" not in path.parts and path.name != "release.log":
            assert value.encode() not in path.read_bytes(), path


def test_hooks_run_with_the_release_environment_and_a_failing_one_aborts(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    cleanup.append("hooks")
    marker = tmp_path / "hooks.out"
    write = f"python -c \"import os, chatbot; open('{marker}', 'a').write(os.environ['CHATBOT_MODEL'] + ' ' + chatbot.__version__ + chr(10))\""
    hooked = with_environment(
        project,
        "hooks",
        settings={"CHATBOT_MODEL": "m1"},
        hooks={"pre_deploy": [write], "post_deploy": [write]},
    )
    deploy(hooked, "hooks", V1)
    assert marker.read_text().splitlines() == [f"m1 {V1}", f"m1 {V1}"]
    failing = with_environment(
        project, "hooks", hooks={"pre_deploy": ["python -c 'raise SystemExit(3)'"]}
    )
    with pytest.raises(
        ShipwayError, match=r"hook `python -c 'raise SystemExit\(3\)'` exited with status 3"
    ):
        deploy(failing, "hooks", V2)
    assert served_version(LocalEnvironment(project, "hooks")) == V1


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []
    status = 200

    def do_POST(self) -> None:
        self.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_notifications_on_success_failure_and_rollback_and_a_broken_webhook_is_harmless(
    project: Project, cleanup: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    cleanup.append("notify")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        notified = with_environment(project, "notify", notify=url)
        deploy(notified, "notify", V1)
        with pytest.raises(ShipwayError):
            deploy(with_environment(notified, "notify", smoke=[{"path": "/nope"}]), "notify", V2)
        deploy(notified, "notify", V2)
        deploy_tasks.rollback(notified, "notify", to=None, lock_wait=0)
        texts = [message["text"] for message in Receiver.received]
        assert [("succeeded" in t, "FAILED" in t, "rolled back" in t) for t in texts] == [
            (True, False, False),
            (False, True, False),
            (True, False, False),
            (False, False, True),
        ]
        assert all(t.startswith("shipway [notify] chatbot:") for t in texts)
        capsys.readouterr()
        Receiver.status = 500
        deploy(notified, "notify", V2)
        output = capsys.readouterr()
        assert "the notification webhook failed (HTTP 500)" in output.out + output.err
        assert url not in output.out + output.err
    finally:
        Receiver.status = 200
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_killed_supervisor_is_reported_and_repaired_by_the_next_deploy(
    project: Project, cleanup: list[str]
) -> None:
    cleanup.append("repair")
    env = LocalEnvironment(project, "repair")
    deploy(project, "repair", V1)
    supervisor = env.supervisor.process()
    assert supervisor is not None
    unsupervised = [as_process(router_pid(env)), as_process(slot_process(env, "blue")[1])]
    os.kill(supervisor.pid, signal.SIGKILL)
    wait_until(lambda: not env.supervisor.running(), timeout=10, what="the supervisor to die")
    report = status(project, "repair")
    assert report["healthy"] is False  # it serves, but nothing would restart what crashes
    assert report["supervisor"]["running"] is False
    deploy(project, "repair", V1)  # nothing to deploy, but the supervisor is repaired first
    report = status(project, "repair")
    assert (report["serving"], report["healthy"]) == (V1, True)
    assert report["supervisor"]["running"] is True
    assert not any(processes.is_running(p) for p in unsupervised)  # no orphans: stopped
    assert router_pid(env) is not None
    assert slot_process(env, "blue")[1] is not None


def test_the_manifest_of_a_deployed_release_has_its_requirements(project: Project) -> None:
    store = project.path(project.config.artifacts.store) / "chatbot" / V1
    manifest = json.loads((store / "manifest.json").read_text())
    assert {f["kind"] for f in manifest["files"]} >= {
        FileKind.WHEEL.value,
        FileKind.REQUIREMENTS.value,
    }


def test_status_logs_and_dry_run(
    project: Project, cleanup: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    cleanup.append("inspect")
    env = LocalEnvironment(project, "inspect")
    deploy_tasks.deploy(project, "inspect", version=V1, yes=True, dry_run=True, lock_wait=0)
    assert "dry run: nothing was changed" in capsys.readouterr().out
    assert not env.files.state.exists()
    deploy(project, "inspect", V1)
    deploy_tasks.deploy(project, "inspect", version=V2, yes=True, dry_run=True, lock_wait=0)
    planned = capsys.readouterr().out
    assert f"deploy chatbot {V1} → {V2} to inspect" in planned
    assert (
        "keep the old release warm 1s (instant rollback) while the analysis goes on "
        "(5xx ≤ 5 %, p95 ≤ 2000 ms, 3 failed health checks in a row, window 60s every 10s), "
        "then stop it"
    ) in planned
    assert "canary step" not in planned
    canary = with_environment(project, "inspect", strategy="canary")
    deploy_tasks.deploy(canary, "inspect", version=V2, yes=True, dry_run=True, lock_wait=0)
    planned = capsys.readouterr().out
    assert "canary step 1: 5 % of traffic for 30s, under analysis" in planned
    assert "canary step 3: 50 % of traffic for 30s, under analysis" in planned
    assert load_state(env.files).serving_version == V1
    deploy_tasks.status(project, "inspect", as_json=False)
    table = capsys.readouterr().out
    assert f"inspect: {env.config.url} serving {V1}, healthy" in table
    assert "last: deploy of 1.0.0 succeeded by" in table
    deploy_tasks.status(project, "inspect", as_json=True)
    report = json.loads(capsys.readouterr().out)
    assert {"url", "serving", "healthy", "releases"} <= set(report)
    logs = subprocess.run(
        [sys.executable, "-m", "invoke", "logs", "--env", "inspect"],
        cwd=project.root,
        env=env_with(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert logs.returncode == 0, logs.stderr
    assert "Booting worker" in logs.stdout
    with pytest.raises(ShipwayError, match="nothing to roll back to in inspect"):
        deploy_tasks.rollback(project, "inspect", to=None, lock_wait=0)
    with pytest.raises(ShipwayError, match=f"{V1} is already serving in inspect"):
        deploy_tasks.rollback(project, "inspect", to=V1, lock_wait=0)
