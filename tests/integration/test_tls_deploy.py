"""TLS at the router: the reference service deployed, replaced and rolled back over HTTPS under
load, its certificate rotated without a dropped request, its key kept in one 0600 file, and
bad certificates refused before anything changes."""

import http.client
import json
import shutil
import ssl
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from shipway.config import Project
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import load_state, read_audit
from shipway.entry import deploy as deploy_tasks
from shipway.errors import ShipwayError
from tests.support.certificates import Certificate, make_ca, server_certificate
from tests.support.deployments import TLS_FILES, steady_load, with_environment
from tests.support.listening import assert_owner_only
from tests.support.processes import env_with
from tests.support.supervised import slot_process

V1, V2 = "1.0.0", "2.0.0"


def deploy(project: Project, name: str, version: str) -> None:
    deploy_tasks.deploy(project, name, version=version, yes=True, dry_run=False, lock_wait=0)


def https_get(env: LocalEnvironment, ca: Path, path: str) -> tuple[int, dict[str, Any]]:
    """A GET of the environment's URL, verified against ``ca`` (hostname included)."""
    context = ssl.create_default_context(cafile=str(ca))
    connection = http.client.HTTPSConnection("127.0.0.1", env.config.port, context=context)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def served_certificate(env: LocalEnvironment) -> str:
    return ssl.get_server_certificate(("127.0.0.1", env.config.port))


def same_certificate(served: str, file: Path) -> bool:
    return ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(file.read_text())


def key_body(key: Path) -> str:
    """The longest base64 line of a PEM key: what a leak of the key would contain."""
    return max(key.read_text().splitlines(), key=len)


def test_deploys_and_a_rollback_over_https_under_load_lose_no_request(
    project: Project, cleanup: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cleanup.append("tls")
    certificates = project.root / TLS_FILES
    shutil.rmtree(certificates, ignore_errors=True)
    ca = make_ca(certificates)
    first = server_certificate(ca, "server")
    rotated = server_certificate(ca, "rotated")
    env = LocalEnvironment(project, "tls")
    assert env.config.url == f"https://127.0.0.1:{env.config.port}"
    deploy(project, "tls", V1)
    assert https_get(env, ca.cert, "/health/detailed")[1]["version"] == V1
    assert_owner_only(env)  # the router listens on the HTTPS and the redirect port alone
    assert same_certificate(served_certificate(env), first.cert)
    # Plain HTTP on the redirect port is sent to the HTTPS URL, path and query kept.
    assert env.config.http_redirect_port is not None
    plain = http.client.HTTPConnection("127.0.0.1", env.config.http_redirect_port, timeout=5)
    plain.request("GET", "/health/detailed?x=1")
    answer = plain.getresponse()
    assert (answer.status, answer.getheader("location")) == (
        301,
        f"https://127.0.0.1:{env.config.port}/health/detailed?x=1",
    )
    plain.close()
    # A new certificate (trusted by itself this time: no ca) comes with the next deploy.
    rotating = with_environment(
        project, "tls", tls={"cert": f"file:{rotated.cert}", "key": f"file:{rotated.key}"}
    )
    with steady_load(env.config.url, tmp_path / "load.json", ca=ca.cert) as finish:
        time.sleep(1)  # load before the switch: this is the measurement window, not a sync
        deploy(rotating, "tls", V2)
        assert https_get(env, ca.cert, "/health/detailed")[1]["version"] == V2
        assert same_certificate(served_certificate(env), rotated.cert)
        deploy_tasks.rollback(project, "tls", to=None, lock_wait=0)
        assert https_get(env, ca.cert, "/health/detailed")[1]["version"] == V1
        time.sleep(1)
        load = finish()
    assert load["failed"] == 0, load
    assert load["outcomes"].get(f"version {V2}", 0) > 0  # traffic really went through v2
    assert same_certificate(served_certificate(env), first.cert)  # the rollback's own config
    actions = [(a["action"], a["version"], a["outcome"]) for a in read_audit(env.files)]
    assert actions == [
        ("deploy", V1, "succeeded"),
        ("deploy", V2, "succeeded"),
        ("rollback", V1, "succeeded"),
    ]
    status = subprocess.run(
        [sys.executable, "-m", "invoke", "status", "--env", "tls"],
        cwd=project.root,
        env=env_with(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert status.returncode == 0, status.stderr
    assert f"tls: {env.config.url} serving {V1}, healthy" in status.stdout
    # The key is in the router's secret file (0600, in a 0700 directory) and nowhere else.
    output = capsys.readouterr()
    for key in (first.key, rotated.key):
        body = key_body(key)
        assert body not in output.out + output.err + status.stdout + status.stderr
        holders = [
            path
            for path in env.files.root.rglob("*")
            if path.is_file() and body.encode() in path.read_bytes()
        ]
        assert holders == ([env.files.tls_secret] if key == first.key else [])
    assert stat.S_IMODE(env.files.tls_secret.stat().st_mode) == 0o600
    assert stat.S_IMODE(env.files.tls.stat().st_mode) == 0o700
    deploy_tasks.stop(project, "tls", lock_wait=0)
    assert not env.files.tls_secret.exists()  # a stopped router needs no key on disk


def test_bad_certificates_are_refused_and_the_serving_release_is_untouched(
    project: Project, cleanup: list[str], tmp_path: Path
) -> None:
    cleanup.append("tls-bad")
    ca = make_ca(tmp_path / "tls")
    good = server_certificate(ca, "good")
    other = server_certificate(ca, "other")
    expired = server_certificate(ca, "expired", "20200101000000Z", "20200102000000Z")
    not_pem = tmp_path / "tls" / "server.der"
    subprocess.run(
        ["openssl", "x509", "-in", str(good.cert), "-outform", "DER", "-out", str(not_pem)],
        check=True,
    )

    def with_tls(cert: Path, key: Path) -> Project:
        return with_environment(
            project,
            "tls-bad",
            tls={"cert": f"file:{cert}", "key": f"file:{key}", "ca": f"file:{ca.cert}"},
        )

    serving = with_tls(good.cert, good.key)
    env = LocalEnvironment(serving, "tls-bad")
    deploy(serving, "tls-bad", V1)
    before = load_state(env.files)
    serving_process = slot_process(env, "blue")
    secret = env.files.tls_secret.read_bytes()
    where = r"tool\.shipway\.environments\.tls-bad\.tls"
    refused = {
        "a key that is not the certificate's": (
            Certificate(good.cert, other.key),
            rf"{where}\.key = 'file:{other.key}' does not match the certificate "
            rf"'file:{good.cert}' \(their public keys differ\)",
        ),
        "an expired certificate": (
            expired,
            rf"{where}\.cert = 'file:{expired.cert}' expired on 2020-01-02 00:00:00 UTC",
        ),
        "a missing file": (
            Certificate(tmp_path / "nowhere.pem", good.key),
            rf"{where}\.cert = 'file:{tmp_path}/nowhere\.pem' cannot be read "
            r"\(No such file or directory\)",
        ),
        "a file that is not PEM": (
            Certificate(not_pem, good.key),
            rf"{where}\.cert = 'file:{not_pem}' is not PEM",
        ),
    }
    for what, (bad, message) in refused.items():
        with pytest.raises(ShipwayError, match=message):
            deploy(with_tls(bad.cert, bad.key), "tls-bad", V2)
        with pytest.raises(ShipwayError, match=message):  # the dry run says so too
            deploy_tasks.deploy(
                with_tls(bad.cert, bad.key), "tls-bad", version=V2, yes=True, dry_run=True,
                lock_wait=0,
            )  # fmt: skip
        after = load_state(env.files)
        assert after == before, what  # not a step was journaled
        assert env.files.tls_secret.read_bytes() == secret, what
        assert https_get(env, ca.cert, "/health/detailed")[1]["version"] == V1, what
    assert slot_process(env, "blue") == serving_process  # the same process serves
    assert [a["action"] for a in read_audit(env.files)] == ["deploy"]
