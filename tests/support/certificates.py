"""Test certificates made with openssl: a CA, and server certificates for 127.0.0.1 and
localhost that it signs, valid now or for any other span (an expired one, say)."""

import subprocess
from dataclasses import dataclass
from pathlib import Path

CA_CONFIG = """\
[ ca ]
default_ca = test
[ test ]
dir = {dir}
database = {dir}/index.txt
new_certs_dir = {dir}
serial = {dir}/serial
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no
[ anything ]
commonName = supplied
[ server ]
subjectAltName = IP:127.0.0.1,DNS:localhost
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""
# What Python 3.13's strict verification (VERIFY_X509_STRICT) asks of a CA, as real CAs have.
CA_EXTENSIONS = (
    "-addext", "basicConstraints=critical,CA:TRUE",
    "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    "-addext", "subjectKeyIdentifier=hash",
)  # fmt: skip


@dataclass(frozen=True)
class Certificate:
    cert: Path
    key: Path


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_ca(directory: Path) -> Certificate:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "index.txt").write_text("")
    (directory / "serial").write_text("1000\n")
    (directory / "ca.cnf").write_text(CA_CONFIG.format(dir=directory))
    ca = Certificate(directory / "ca.pem", directory / "ca.key")
    openssl(
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", str(ca.key), "-out", str(ca.cert), "-days", "2", "-subj", "/CN=shipway test CA",
        *CA_EXTENSIONS,
        cwd=directory,
    )  # fmt: skip
    return ca


def server_certificate(
    ca: Certificate, name: str, start: str | None = None, end: str | None = None
) -> Certificate:
    """A key and a certificate signed by ``ca``, valid for two days from now, or from
    ``start`` to ``end`` (YYYYMMDDHHMMSSZ)."""
    directory = ca.cert.parent
    made = Certificate(directory / f"{name}.pem", directory / f"{name}.key")
    csr = directory / f"{name}.csr"
    openssl(
        "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", str(made.key), "-out", str(csr), "-subj", "/CN=localhost",
        cwd=directory,
    )  # fmt: skip
    span = ["-startdate", start, "-enddate", end] if start and end else ["-days", "2"]
    openssl(
        "ca", "-batch", "-notext", "-config", str(directory / "ca.cnf"), "-extensions", "server",
        "-cert", str(ca.cert), "-keyfile", str(ca.key), "-in", str(csr), "-out", str(made.cert),
        *span,
        cwd=directory,
    )  # fmt: skip
    return made
