"""TLS at the router, as data: the checks a certificate and its key must pass before a deploy
changes anything, the openssl commands whose output they judge, and the secret Envoy reads.

The router takes its certificate from a secret file (SDS from the filesystem, like the slots'
endpoint files): the one place the key is written, mode 0600. A deploy replaces the file by a
rename and Envoy loads the new certificate without a restart, so rotating it is a deploy.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shipway.decisions import Argv

SDS_NAME = "shipway-router"
SDS_TYPE = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret"
DOWNSTREAM_TLS = (
    "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"
)
# The version_info of the secret file the router has loaded, in its admin /stats.
LOADED_FILTER = rf"^sds\.{re.escape(SDS_NAME)}\.version_text$"

_BLOCK = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.+?\r?\n-----END \1-----", re.DOTALL)
CERTIFICATE = "CERTIFICATE"
PRIVATE_KEYS = ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY")
ENCRYPTED_KEY = "ENCRYPTED PRIVATE KEY"
_OPENSSL_DATE = "%b %d %H:%M:%S %Y %Z"


@dataclass(frozen=True)
class TlsMaterial:
    """The resolved PEM texts; the key never appears in a repr, a log or a message."""

    cert: str
    key: str = field(repr=False)
    trust: str  # what shipway's own clients trust the router by: the CA, else the chain

    def secret_file(self) -> dict[str, Any]:
        """The router's secret file: a discovery response whose version_info is a digest of
        the content (what Envoy reports once it has loaded exactly this)."""
        secret = {
            "@type": SDS_TYPE,
            "name": SDS_NAME,
            "tls_certificate": {
                "certificate_chain": {"inline_string": self.cert},
                "private_key": {"inline_string": self.key},
            },
        }
        digest = hashlib.sha256(json.dumps(secret, sort_keys=True).encode()).hexdigest()
        return {"version_info": digest[:16], "resources": [secret]}


def pem_blocks(text: str) -> list[str]:
    """The types of the PEM blocks in ``text`` ('CERTIFICATE', 'PRIVATE KEY', ...)."""
    return [match[1] for match in _BLOCK.finditer(text)]


def certificate_problem(text: str) -> str | None:
    blocks = pem_blocks(text)
    if not blocks:
        return "is not PEM (no -----BEGIN CERTIFICATE----- block)"
    if blocks[0] != CERTIFICATE:
        return f"starts with a {blocks[0]} block, not the server's CERTIFICATE"
    return None


def key_problem(text: str) -> str | None:
    blocks = pem_blocks(text)
    if not blocks:
        return "is not PEM (no -----BEGIN PRIVATE KEY----- block)"
    if ENCRYPTED_KEY in blocks:
        return "is an encrypted key: the router needs it unencrypted"
    if not any(block in PRIVATE_KEYS for block in blocks):
        return f"holds no private key (PEM blocks: {', '.join(blocks)})"
    return None


# openssl reads the PEM on stdin: a key is never on a command line or in a temporary file.
def certificate_dates_command() -> Argv:
    return ["openssl", "x509", "-noout", "-startdate", "-enddate"]


def certificate_public_key_command() -> Argv:
    return ["openssl", "x509", "-noout", "-pubkey"]


def key_public_key_command() -> Argv:
    return ["openssl", "pkey", "-pubout", "-passin", "pass:"]


def parse_dates(output: str) -> tuple[datetime, datetime]:
    """``notBefore=…`` and ``notAfter=…`` of ``openssl x509 -startdate -enddate``."""
    found = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    try:
        return _date(found["notBefore"]), _date(found["notAfter"])
    except (KeyError, ValueError):
        raise ValueError(f"unexpected openssl output: {output.strip()[:200]!r}") from None


def _date(text: str) -> datetime:
    return datetime.strptime(" ".join(text.split()), _OPENSSL_DATE).replace(tzinfo=UTC)


def validity_problem(not_before: datetime, not_after: datetime, now: datetime) -> str | None:
    if now < not_before:
        return f"is not valid yet (from {not_before:%Y-%m-%d %H:%M:%S} UTC)"
    if now >= not_after:
        return f"expired on {not_after:%Y-%m-%d %H:%M:%S} UTC"
    return None


def mismatch_problem(
    certificate_public_key: str, key_public_key: str, certificate: str
) -> str | None:
    """The key must be the one ``certificate`` was issued for: the same public key."""
    if "".join(certificate_public_key.split()) != "".join(key_public_key.split()):
        return f"does not match the certificate {certificate} (their public keys differ)"
    return None


def transport_socket(secret_file: str) -> dict[str, Any]:
    """The listener's TLS: its certificate from the secret file, reloaded when replaced."""
    return {
        "name": "envoy.transport_sockets.tls",
        "typed_config": {
            "@type": DOWNSTREAM_TLS,
            "common_tls_context": {
                "alpn_protocols": ["http/1.1"],
                "tls_certificate_sds_secret_configs": [
                    {
                        "name": SDS_NAME,
                        "sds_config": {
                            "resource_api_version": "V3",
                            "path_config_source": {"path": secret_file},
                        },
                    }
                ],
            },
        },
    }


def loaded_secret(stats: dict[str, Any]) -> str | None:
    """The version_info of the secret file the router has loaded, from its ``/stats`` JSON."""
    for stat in stats.get("stats", []):
        if stat.get("name") == f"sds.{SDS_NAME}.version_text" and stat.get("value"):
            return str(stat["value"])
    return None
