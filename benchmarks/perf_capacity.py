"""Measure what nox -s perf can measure on this machine: the request rate the reference service
reaches through the router, and the load generator's own ceiling against a trivial endpoint.
Writes benchmarks/results/perf_capacity.json.

    uv run python benchmarks/perf_capacity.py [--runs 3] [--seconds 10] [--users 32]

Both use the stage's own pieces (locust/locustfile.py, the Locust command line, its stats
CSV) with ``--think-time 0``: every user sends its next request as soon as the last one is
answered, so the rate is what the slower side allows. The service runs as the stage runs it:
this commit's build deployed to the perf environment (Envoy, gunicorn with the environment's
workers). The trivial endpoint is a stdlib asyncio server answering every request with the
same small JSON 200 (no parsing beyond the headers), so there the generator is the limit.
Generator and server share the machine's cores, as in the stage. Figures are medians of the
runs.
"""

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shipway.config import Project, load_project  # noqa: E402
from shipway.config.perf import LoadProfile  # noqa: E402
from shipway.decisions.perf.commands import PerfPaths, locust_argv, time_limit  # noqa: E402
from shipway.decisions.perf.stats import parse_stats_csv  # noqa: E402
from shipway.effects.perf.load_generator import run_locust  # noqa: E402
from shipway.entry import deploy as deploy_tasks  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "perf_capacity.json"
BODY = b'{"reply": "ok", "model": "trivial"}'  # what the locustfile checks a chat reply for
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (
    len(BODY),
    BODY,
)


async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Keep-alive HTTP/1.1: read a request's headers and body, answer a fixed 200, repeat."""
    try:
        while headers := await reader.readuntil(b"\r\n\r\n"):
            for line in headers.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    await reader.readexactly(int(line.split(b":", 1)[1]))
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(port: int) -> None:
    server = await asyncio.start_server(answer, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


def measure(url: str, users: int, seconds: int, processes: int, scratch: Path) -> dict[str, Any]:
    """One saturating Locust run against ``url``; Locust's own aggregated numbers."""
    paths = PerfPaths(scratch / f"run-{time.monotonic_ns()}")
    paths.reports.mkdir(parents=True)
    profile = LoadProfile(users=users, spawn_rate=users, duration=seconds, processes=processes)
    argv = locust_argv(REPO / "locust" / "locustfile.py", url, profile, processes, paths)
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    status = run_locust(
        [*argv, "--think-time", "0"],
        marker=str(paths.html),
        record=paths.reports / "loadgen.json",
        log=paths.log,
        cwd=REPO,
        env=env,
        time_limit=time_limit(profile),
        label=f"{users} users, {processes} process(es), {seconds}s against {url}",
    )
    total = parse_stats_csv(paths.stats_csv.read_text()).total
    result = {
        "rps": round(total.rps, 1),
        "p50_ms": total.p50_ms,
        "p95_ms": total.p95_ms,
        "p99_ms": total.p99_ms,
        "requests": total.requests,
        "failures": total.failures,
        "locust_exit_status": status,
    }
    print(f"  {url} x{processes}: {result}", flush=True)
    return result


def medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    keys = ("rps", "p50_ms", "p95_ms", "p99_ms", "failures")
    return {key: statistics.median(run[key] for run in runs) for key in keys}


def through_router(project: Project, args: argparse.Namespace, scratch: Path) -> dict[str, Any]:
    name = project.config.perf.environment
    url = project.config.environments[name].url
    try:
        deploy_tasks.deploy(project, name, version=None, yes=True, dry_run=False, lock_wait=0)
        version = httpx.get(f"{url}/health/detailed").json()["version"]
        runs = [measure(url, args.users, args.seconds, 1, scratch) for _ in range(args.runs)]
    finally:
        deploy_tasks.stop(project, name, lock_wait=60)
    return {
        "what": f"reference service {version} through the router ({url}): chat 3 : health 1",
        "workers": project.config.environments[name].workers,
        "median": medians(runs),
        "per_run": runs,
    }


def trivial_endpoint(args: argparse.Namespace, processes: int, scratch: Path) -> dict[str, Any]:
    port = free_port()
    server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        runs = [
            measure(url, args.users, args.seconds, processes, scratch) for _ in range(args.runs)
        ]
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {
        "what": f"Locust with {processes} process(es) against a trivial asyncio endpoint",
        "processes": processes,
        "median": medians(runs),
        "per_run": runs,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve))
        return
    project = load_project(REPO)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="shipway-perf-capacity-") as work:
        scratch = Path(work)
        router = through_router(project, args, scratch)
        generator = [trivial_endpoint(args, n, scratch) for n in (1, 2)]
    document = {
        "what": "request rates nox -s perf can reach on this machine (saturating Locust, "
        "FastHttpUser, --think-time 0)",
        "machine": {
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            # The machine is shared: other work running at the same time lowers every figure.
            "load_average_1m_before": round(load_before[0], 2),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
        },
        "runs": args.runs,
        "seconds_per_run": args.seconds,
        "users": args.users,
        "reference_service_through_router": router,
        "generator_ceiling": generator,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({"router": router["median"], "generator": [g["median"] for g in generator]}))


if __name__ == "__main__":
    main()
