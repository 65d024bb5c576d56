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
import ssl
from pathlib import Path

import httpx


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
    return httpx.Client(transport=httpx.HTTPTransport(uds=socket))
