"""A real image registry on 127.0.0.1 (Debian's docker-registry, the CNCF distribution
registry), over HTTPS with a test CA that skopeo trusts through ``SSL_CERT_FILE``, as it would
a private registry's CA. No login: the registry accepts anyone."""

import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.certificates import make_ca, server_certificate
from tests.support.processes import free_port, running, wait_until

DOCKER_REGISTRY = shutil.which("docker-registry")

CONFIG = """\
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: {data}
http:
  addr: 127.0.0.1:{port}
  tls:
    certificate: {cert}
    key: {key}
"""


@dataclass(frozen=True)
class Registry:
    host: str  # 127.0.0.1:PORT
    ca: Path  # SSL_CERT_FILE for skopeo


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def image_registry(directory: Path) -> Iterator[Registry]:
    assert DOCKER_REGISTRY is not None, "docker-registry is not installed"
    ca = make_ca(directory / "tls")
    server = server_certificate(ca, "registry")
    port = free_port()
    config = directory / "config.yml"
    config.write_text(
        CONFIG.format(data=directory / "data", port=port, cert=server.cert, key=server.key)
    )
    with running([DOCKER_REGISTRY, "serve", str(config)], env={}) as process:
        wait_until(
            lambda: listening(port) or process.poll() is not None, 20, "docker-registry to listen"
        )
        assert process.poll() is None, "docker-registry exited"
        yield Registry(f"127.0.0.1:{port}", ca.cert)
