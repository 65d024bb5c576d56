"""Measure the local target: deploy, switch and rollback times, requests lost under load, and
the router's added latency. Writes benchmarks/results/deploy.json.

    uv run python benchmarks/deploy.py [--runs 3] [--rps 150] [--latency-requests 2000]

Each run deploys the reference service's v1 into a fresh environment (fetch, verify, install,
start, switch), deploys v2 while a separate process sends steady load through the router, then
rolls back under the same load. Timings are medians over the runs; this machine is shared and
noisy, so compare ratios measured in one run rather than absolute figures across machines.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shipway.config import Project, load_project  # noqa: E402
from shipway.effects.deploy.environment import LocalEnvironment  # noqa: E402
from shipway.effects.deploy.files import load_state, read_audit  # noqa: E402
from shipway.effects.deploy.local_target import Deployer  # noqa: E402
from shipway.entry import deploy as deploy_tasks  # noqa: E402
from tests.support.deployments import chatbot_repo, steady_load, with_environment  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "deploy.json"


def one_run(project: Project, run: int, rps: int, scratch: Path) -> dict[str, Any]:
    name = "load"
    project = with_environment(
        project, name, state_dir=f".shipway/bench-{run}", scale_down_delay="1s"
    )
    env = LocalEnvironment(project, name)
    try:
        started = time.monotonic()
        deploy_tasks.deploy(project, name, version="1.0.0", yes=True, dry_run=False, lock_wait=0)
        first_deploy = time.monotonic() - started
        with steady_load(env.config.url, scratch / f"deploy-{run}.json", rps) as finish:
            time.sleep(2)  # a window of load before the switch: measurement, not synchronization
            deploy_tasks.deploy(
                project, name, version="2.0.0", yes=True, dry_run=False, lock_wait=0
            )
            time.sleep(2)
            during_deploy = finish()
        with steady_load(env.config.url, scratch / f"rollback-{run}.json", rps) as finish:
            time.sleep(2)
            started = time.monotonic()
            deploy_tasks.rollback(project, name, to=None, lock_wait=0)
            rollback = time.monotonic() - started
            time.sleep(2)
            during_rollback = finish()
        audit = read_audit(env.files)
        second = next(a for a in audit if a["action"] == "deploy" and a["version"] == "2.0.0")
        rolled = next(a for a in audit if a["action"] == "rollback")
        latency = router_latency(env)
    finally:
        Deployer(env).stop(lock_wait=60)
    return {
        "deploy_seconds": round(first_deploy, 3),
        "deploy_to_serving_seconds": second["serving_after_seconds"],
        "switch_seconds": second["switch_seconds"],
        "rollback_seconds": round(rollback, 3),
        "rollback_switch_seconds": rolled["switch_seconds"],
        "deploy_load": {k: during_deploy[k] for k in ("total", "failed", "rps", "seconds")},
        "rollback_load": {k: during_rollback[k] for k in ("total", "failed", "rps", "seconds")},
        "latency": latency,
    }


LATENCY_REQUESTS = 2000


def router_latency(env: LocalEnvironment) -> dict[str, float]:
    """p50/p99 of GET /health at one connection: straight to the release, then via Envoy."""
    serving = load_state(env.files).serving_slot
    if serving is None:
        raise SystemExit("nothing serves: cannot measure the router's latency")
    direct = timings(f"http://127.0.0.1:{env.slot_ports[serving]}/health")
    routed = timings(f"{env.config.url}/health")
    return {
        "direct_p50_ms": percentile(direct, 50),
        "direct_p99_ms": percentile(direct, 99),
        "router_p50_ms": percentile(routed, 50),
        "router_p99_ms": percentile(routed, 99),
        "added_p50_ms": round(percentile(routed, 50) - percentile(direct, 50), 3),
        "added_p99_ms": round(percentile(routed, 99) - percentile(direct, 99), 3),
    }


def timings(url: str) -> list[float]:
    with httpx.Client(timeout=5) as client:
        for _ in range(100):
            client.get(url)  # warm the connection and the service
        samples = []
        for _ in range(LATENCY_REQUESTS):
            began = time.perf_counter()
            client.get(url).raise_for_status()
            samples.append((time.perf_counter() - began) * 1000)
    return samples


def percentile(samples: list[float], p: int) -> float:
    ordered = sorted(samples)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))], 3)


def median(runs: list[dict[str, Any]], *path: str) -> float:
    values = []
    for run in runs:
        value: Any = run
        for key in path:
            value = value[key]
        values.append(float(value))
    return round(statistics.median(values), 4)


def main() -> None:
    global LATENCY_REQUESTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rps", type=int, default=150)
    parser.add_argument("--latency-requests", type=int, default=LATENCY_REQUESTS)
    args = parser.parse_args()
    LATENCY_REQUESTS = args.latency_requests
    with tempfile.TemporaryDirectory(prefix="shipway-bench-") as scratch:
        project = load_project(chatbot_repo(Path(scratch) / "repo"))
        runs = [one_run(project, run, args.rps, Path(scratch)) for run in range(args.runs)]
    summary = {
        "deploy_seconds": median(runs, "deploy_seconds"),
        "deploy_to_serving_seconds": median(runs, "deploy_to_serving_seconds"),
        "switch_seconds": median(runs, "switch_seconds"),
        "rollback_seconds": median(runs, "rollback_seconds"),
        "rollback_switch_seconds": median(runs, "rollback_switch_seconds"),
        "failed_requests_during_deploy": sum(r["deploy_load"]["failed"] for r in runs),
        "total_requests_during_deploy": sum(r["deploy_load"]["total"] for r in runs),
        "failed_requests_during_rollback": sum(r["rollback_load"]["failed"] for r in runs),
        "total_requests_during_rollback": sum(r["rollback_load"]["total"] for r in runs),
        "load_rps": median(runs, "deploy_load", "rps"),
        "router_added_latency_p50_ms": median(runs, "latency", "added_p50_ms"),
        "router_added_latency_p99_ms": median(runs, "latency", "added_p99_ms"),
        "direct_p50_ms": median(runs, "latency", "direct_p50_ms"),
        "router_p50_ms": median(runs, "latency", "router_p50_ms"),
    }
    document = {
        "what": "local target, reference service, blue-green behind Envoy 1.40 on 127.0.0.1",
        "runs": args.runs,
        "medians": summary,
        "per_run": runs,
        "notes": [
            "deploy_seconds: v1 into an empty environment (artifact in store to serving: "
            "fetch, verify, install, start, ready, smoke, switch)",
            "deploy_to_serving_seconds: v2 while v1 serves (its venv not yet installed)",
            "rollback_seconds: v2 to v1 after v1 was scaled down (cold: start, then switch)",
            "latency: one keep-alive connection, GET /health, direct vs through the router",
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
