"""A steady load through a URL, in its own process, until SIGTERM; then a JSON summary.

    python -m tests.support.load URL RESULTS_JSON [--rps 150] [--threads 4] [--path P ...]
        [--ca CA_FILE]

Without ``--path`` it speaks the reference service's API (chat, and the version it reports);
with paths it GETs them in turn and counts the release the router says answered (the
``x-shipway-release`` header). Every request is recorded as ok (2xx), maintenance (the
router's maintenance page: 503 with ``Retry-After``), failed (any other status) or error (no
response), so a deploy test can assert that not one request failed while traffic moved.

The client is the standard library's, one keep-alive connection per thread: the generator
shares the machine with the service it loads (and, under pytest-xdist, with other tests), so
it should spend as little CPU per request as it can. As pooling clients do, a connection that
the server closed while it was idle is replaced before the next request, not counted as an
error: only a request that was sent and got no answer is one. An https:// URL is verified
against ``--ca`` (a PEM file), hostname included.
"""

import argparse
import http.client
import json
import select
import signal
import ssl
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

stop = threading.Event()
TIMEOUT = 10
RELEASE_HEADER = "x-shipway-release"


class Client:
    """One keep-alive HTTP/1.1 connection to ``url``'s host, reopened when needed."""

    def __init__(self, url: str, ca: str | None = None) -> None:
        parts = urlsplit(url)
        self.https = parts.scheme == "https"
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if self.https else 80)
        self.context = ssl.create_default_context(cafile=ca) if self.https else None
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None
    ) -> tuple[int, bytes, http.client.HTTPMessage]:
        if self.connection is not None and closed_by_server(self.connection):
            self.close()
        if self.connection is None:
            self.connection = (
                http.client.HTTPSConnection(
                    self.host, self.port, timeout=TIMEOUT, context=self.context
                )
                if self.https
                else http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT)
            )
        headers = {"Content-Type": "application/json"} if body is not None else {}
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        if response.will_close:
            self.close()
        return response.status, data, response.msg

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def closed_by_server(connection: http.client.HTTPConnection) -> bool:
    """An idle keep-alive socket is readable only when the server has closed it."""
    if connection.sock is None:
        return False
    readable, _, _ = select.select([connection.sock], [], [], 0)
    return bool(readable)


def chatbot_request(client: Client, i: int) -> tuple[int, str | None, bool]:
    if i % 2:
        body = json.dumps({"message": f"hello {i}"}).encode()
        status, data, headers = client.request("POST", "/api/chat", body)
        return status, None, is_maintenance(status, data, headers)
    status, data, headers = client.request("GET", "/health/detailed")
    version = json.loads(data).get("version") if 200 <= status < 300 else None
    return status, version, is_maintenance(status, data, headers)


def is_maintenance(status: int, data: bytes, headers: http.client.HTTPMessage) -> bool:
    """The router's maintenance page (shipway's), not a 503 from a release."""
    return status == 503 and headers.get("retry-after") is not None and b"maintenance" in data


def worker(
    url: str,
    ca: str | None,
    paths: list[str],
    interval: float,
    tally: Counter[str],
    errors: list[str],
    lock: threading.Lock,
) -> None:
    client = Client(url, ca)
    next_at = time.monotonic()
    i = 0
    while not stop.is_set():
        i += 1
        version = None
        try:
            if paths:
                status, data, headers = client.request("GET", paths[i % len(paths)])
                version = headers.get(RELEASE_HEADER)
                maintenance = is_maintenance(status, data, headers)
            else:
                status, version, maintenance = chatbot_request(client, i)
            outcome = (
                "ok"
                if 200 <= status < 300
                else "maintenance"
                if maintenance
                else f"status {status}"
            )
        except (OSError, http.client.HTTPException) as error:
            outcome = f"error {type(error).__name__}"
        with lock:
            tally[outcome] += 1
            if version:
                tally[f"version {version}"] += 1
            if outcome not in ("ok", "maintenance") and len(errors) < 20:
                errors.append(outcome)
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            stop.wait(delay)
    client.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("results", type=Path)
    parser.add_argument("--rps", type=float, default=150)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--path", action="append", default=[], dest="paths")
    parser.add_argument("--ca", default=None, help="CA file (PEM) an https:// URL is verified by")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    tally: Counter[str] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()
    threads = [
        threading.Thread(
            target=worker,
            args=(args.url, args.ca, args.paths, args.threads / args.rps, tally, errors, lock),
        )
        for _ in range(args.threads)
    ]
    for thread in threads:
        thread.start()
    (args.results.with_suffix(".started")).write_text("started")
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - started
    total = sum(v for k, v in tally.items() if not k.startswith("version "))
    summary = {
        "total": total,
        "failed": total - tally["ok"],  # maintenance pages too: see "maintenance"
        "maintenance": tally["maintenance"],
        "seconds": round(seconds, 2),
        "rps": round(total / seconds, 1) if seconds else 0,
        "outcomes": dict(tally),
        "errors": errors,
    }
    args.results.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
