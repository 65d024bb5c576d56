"""The one HTTP client of a shipway process, for its many small calls: the router's admin API,
readiness and version probes of releases, the version a perf run hit.

Building an httpx client costs about 65 ms of CPU (an SSL context loading the CA bundle, even
for plain http); a call on loopback takes about 1 ms. A deploy polls every 50 ms while a
process comes up and every second while it analyses a release, so a fresh client per call
kept a core busy, slowing the very processes it waited for. Connections are pooled; one the
other side closed is replaced before it is used.
"""

import functools

import httpx


@functools.cache
def client() -> httpx.Client:
    return httpx.Client()
