"""Start real processes for tests and always stop them, by pid."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

from shipway.effects.http_client import client

REPO = Path(__file__).resolve().parents[2]


# Ports for test servers come from a block of this test process's own, below the kernel's
# ephemeral range (32768 and up on Linux): no other process picks them for an outgoing
# connection, and parallel pytest-xdist workers ("gw0", "gw1", ...) never share one.
PORT_BLOCK = 1000
FIRST_PORT = 20000
MAX_WORKERS = 12


def _worker_ports() -> Iterator[int]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) if worker.isdigit() else 0
    if index >= MAX_WORKERS:
        raise RuntimeError(f"at most {MAX_WORKERS} pytest-xdist workers have their own ports")
    start = FIRST_PORT + index * PORT_BLOCK
    while True:
        yield from range(start, start + PORT_BLOCK)


_ports = _worker_ports()


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Distinct ports nothing listens on, each handed out once per cycle through the block."""
    chosen: list[int] = []
    for _ in range(PORT_BLOCK):
        port = next(_ports)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        chosen.append(port)
        if len(chosen) == count:
            return chosen
    raise AssertionError(f"fewer than {count} free ports in this worker's block of {PORT_BLOCK}")


def env_with(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment, with the running interpreter's bin first on PATH and ``extra`` set."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.update(extra or {})
    return env


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``check`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def answers(url: str, status: int = 200) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return client().get(url, timeout=1).status_code == status
        except httpx.TransportError:
            return False

    return check


@contextmanager
def running(argv: Sequence[str], env: Mapping[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``argv`` for the duration of the block; on exit, SIGTERM by pid, then SIGKILL."""
    process = subprocess.Popen(
        argv, env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO
    )
    try:
        yield process
    finally:
        stop(process)
        if process.stdout:
            process.stdout.close()


def stop(process: subprocess.Popen[bytes], grace: float = 10) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
