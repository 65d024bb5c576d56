"""The one HTTP client of a shipway process, for its many small calls: the router's admin API,
readiness and version probes of releases, the version a perf run hit.

Building an httpx client costs about 65 ms of CPU (an SSL context loading the CA bundle, even
for plain http); a call on loopback takes about 1 ms. A deploy polls every 50 ms while a
process comes up and every second while it analyses a release, so a fresh client per call
kept a core busy, slowing the very processes it waited for. Connections are pooled; one the
other side closed is replaced before it is used.

The router's admin API is plain HTTP on a Unix socket: ``admin_client`` is the one client for
that socket, its URLs' host only a name (``admin_url``).
"""

import functools
import socket as sockets
import ssl
from collections.abc import Iterable
from pathlib import Path

import httpcore
import httpx
from httpcore._backends.sync import SyncStream


def client(trust: Path | None = None) -> httpx.Client:
    """The client; with ``trust`` (a PEM file), one that verifies HTTPS servers against it
    alone, as its own trust anchors (a server certificate itself will do), hostname included.
    A replaced trust file gets a new client."""
    if trust is None:
        return _client(None, 0)
    return _client(trust, trust.stat().st_mtime_ns)


@functools.cache
def _client(trust: Path | None, version: int) -> httpx.Client:
    if trust is None:
        return httpx.Client()
    context = ssl.create_default_context(cafile=str(trust))
    context.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return httpx.Client(verify=context)


def admin_client(socket: Path) -> httpx.Client:
    """The client whose every request goes through the Unix socket ``socket``."""
    return _admin_client(str(socket))


def admin_url(path: str) -> str:
    return f"http://admin{path}"


@functools.cache
def _admin_client(socket: str) -> httpx.Client:
    transport = httpx.HTTPTransport(uds=socket)
    # The same pool httpx builds for uds, on a backend that closes a socket whose connect
    # failed (httpcore 1.0.9 leaves it open while the router is not up yet).
    transport._pool = httpcore.ConnectionPool(uds=socket, network_backend=_ClosingBackend())
    return httpx.Client(transport=transport)


class _ClosingBackend(httpcore.SyncBackend):
    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        connection = sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM)
        try:
            for option in socket_options or ():
                connection.setsockopt(*option)
            connection.settimeout(timeout)
            connection.connect(path)
        except TimeoutError as error:
            connection.close()
            raise httpcore.ConnectTimeout(error) from error
        except OSError as error:
            connection.close()
            raise httpcore.ConnectError(error) from error
        return SyncStream(connection)
