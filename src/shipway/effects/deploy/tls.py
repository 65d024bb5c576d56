"""The router's certificate: read from its references and checked before a deploy changes
anything, written to the router's one secret file (0600), and read back from the router.

The key's bytes go to openssl on stdin (never a command line or a temporary file) and into
``<state_dir>/router/tls/secret.json``, nowhere else; no message ever holds them.
"""

import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

from shipway.config.deploy import Environment
from shipway.decisions.deploy import tls as rules
from shipway.decisions.deploy.tls import TlsMaterial
from shipway.decisions.security.redact import redact
from shipway.effects import command, json_files
from shipway.effects.deploy import processes
from shipway.effects.deploy.files import EnvFiles
from shipway.effects.deploy.router import admin
from shipway.effects.deploy.secrets import resolve
from shipway.effects.http_client import admin_url
from shipway.errors import ShipwayError

LOAD_TIMEOUT = 5.0  # seconds for a running router to load a replaced secret file


def load(
    environment: Environment, root: Path, path: str, where: str, now: datetime | None = None
) -> TlsMaterial | None:
    """The environment's certificate, key and trust, each checked; a problem is a
    ShipwayError naming the setting, its file and what is wrong. ``where`` names the
    environment's table in messages; ``path`` is where openssl is found."""
    tls = environment.tls
    if tls is None:
        return None
    refs = {"cert": tls.cert, "key": tls.key, **({"ca": tls.ca} if tls.ca else {})}
    texts = {name: _read(f"{where}.tls.{name}", ref, root) for name, ref in refs.items()}
    cert, key = texts["cert"], texts["key"]

    def refuse(name: str, problem: str) -> ShipwayError:
        return ShipwayError(f"{where}.tls.{name} = {refs[name]!r} {redact(problem, [key])}")

    if problem := rules.certificate_problem(cert):
        raise refuse("cert", problem)
    if problem := rules.key_problem(key):
        raise refuse("key", problem)
    if "ca" in texts and (problem := rules.certificate_problem(texts["ca"])):
        raise refuse("ca", problem)
    dates = _openssl(rules.certificate_dates_command(), cert, path)
    if dates.returncode != 0:
        raise refuse("cert", f"is not a certificate openssl can read: {dates.last_line}")
    not_before, not_after = rules.parse_dates(dates.stdout)
    if problem := rules.validity_problem(not_before, not_after, now or datetime.now(UTC)):
        raise refuse("cert", problem)
    certificate_key = _openssl(rules.certificate_public_key_command(), cert, path)
    private_key = _openssl(rules.key_public_key_command(), key, path)
    if private_key.returncode != 0 or certificate_key.returncode != 0:
        raise refuse("key", f"is not a private key openssl can read: {private_key.last_line}")
    if problem := rules.mismatch_problem(
        certificate_key.stdout, private_key.stdout, repr(refs["cert"])
    ):
        raise refuse("key", problem)
    return TlsMaterial(cert=_pem(cert), key=_pem(key), trust=_pem(texts.get("ca", cert)))


def _read(setting: str, ref: str, root: Path) -> str:
    """A reference's text: an env: one as secrets resolve it, a file: one as PEM (ASCII)."""
    kind, _, target = ref.partition(":")
    if kind == "env":
        return resolve({setting: ref}, root)[setting]
    try:
        data = (root / Path(target).expanduser()).read_bytes()
    except OSError as error:
        raise ShipwayError(f"{setting} = {ref!r} cannot be read ({error.strerror})") from None
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise ShipwayError(
            f"{setting} = {ref!r} is not PEM (binary content: a DER file? "
            "convert it with openssl x509 -outform PEM or openssl pkey -outform PEM)"
        ) from None


def _pem(text: str) -> str:
    return text.strip() + "\n"


def _openssl(argv: list[str], pem: str, path: str) -> command.Completed:
    done = command.run(argv, env={"PATH": path}, stdin=pem, timeout=30)
    if done.returncode == command.NOT_FOUND:
        raise ShipwayError("openssl not found: it checks the router's TLS certificate and key")
    return done


def write(files: EnvFiles, material: TlsMaterial) -> str:
    """The router's secret file (0600, in a 0700 directory) and the trust of shipway's own
    probes; returns the version_info the router reports once it has loaded the secret."""
    files.tls.mkdir(mode=0o700, parents=True, exist_ok=True)
    files.tls.chmod(0o700)
    document = material.secret_file()
    json_files.write_json(files.tls_secret, document, mode=0o600)
    json_files.write_atomically(files.tls_trust, material.trust, mode=0o644)
    return str(document["version_info"])


def remove(files: EnvFiles) -> None:
    """Once the router is stopped, the key has no reason to stay on disk."""
    files.tls_secret.unlink(missing_ok=True)


def loaded(files: EnvFiles) -> str | None:
    """The version_info of the secret file the router has loaded; None if it has none."""
    params = {"format": "json", "filter": rules.LOADED_FILTER}
    try:
        response = admin(files).get(admin_url("/stats"), params=params, timeout=2)
        response.raise_for_status()
        return rules.loaded_secret(response.json())
    except (httpx.HTTPError, ValueError):
        return None


def publish(files: EnvFiles, environment: Environment, material: TlsMaterial) -> None:
    """Hand a running router the certificate (a rotation, or the same one again) and return
    once it serves it."""
    version = write(files, material)
    deadline = time.monotonic() + LOAD_TIMEOUT
    while loaded(files) != version:
        if time.monotonic() > deadline:
            raise ShipwayError(
                f"the router did not load its TLS certificate within {LOAD_TIMEOUT:g}s: "
                f"{command.log_tail(files.router / 'envoy.log', 3)}"
            )
        time.sleep(processes.POLL)
