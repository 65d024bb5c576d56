"""A steady load through a URL, in its own process, until SIGTERM; then a JSON summary.

    python -m tests.support.load URL RESULTS_JSON [--rps 150] [--threads 4]

Every request is recorded as ok (2xx), failed (any other status) or error (no response), so a
deploy test can assert that not one request failed while traffic moved.
"""

import argparse
import json
import signal
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

stop = threading.Event()


def worker(
    url: str, interval: float, tally: Counter[str], errors: list[str], lock: threading.Lock
) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        next_at = time.monotonic()
        i = 0
        while not stop.is_set():
            i += 1
            try:
                if i % 2:
                    response = client.post("/api/chat", json={"message": f"hello {i}"})
                else:
                    response = client.get("/health/detailed")
                outcome = "ok" if response.is_success else f"status {response.status_code}"
                version = (
                    response.json().get("version") if i % 2 == 0 and response.is_success else None
                )
            except httpx.HTTPError as error:
                outcome, version = f"error {type(error).__name__}", None
            with lock:
                tally[outcome] += 1
                if version:
                    tally[f"version {version}"] += 1
                if outcome != "ok" and len(errors) < 20:
                    errors.append(outcome)
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                stop.wait(delay)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("results", type=Path)
    parser.add_argument("--rps", type=float, default=150)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    tally: Counter[str] = Counter()
    errors: list[str] = []
    lock = threading.Lock()
    started = time.monotonic()
    threads = [
        threading.Thread(
            target=worker, args=(args.url, args.threads / args.rps, tally, errors, lock)
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
        "failed": total - tally["ok"],
        "seconds": round(seconds, 2),
        "rps": round(total / seconds, 1) if seconds else 0,
        "outcomes": dict(tally),
        "errors": errors,
    }
    args.results.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
