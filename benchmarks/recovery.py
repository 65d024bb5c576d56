"""Measure recovery on the local target: how long the environment takes to answer again after
its router, or its release's gunicorn master, is killed with SIGKILL under steady load, with
no command typed. Writes benchmarks/results/recovery.json.

    uv run python benchmarks/recovery.py [--kills 5] [--rps 100]

The reference service's v1 is deployed into a fresh environment; then, while a separate
process sends ``--rps`` requests per second through the router, each process is killed
``--kills`` times, one at a time. Per kill: the seconds from the kill to the first 2xx answer
from v1 through the router once the supervisor runs a new process, the load's requests that
failed meanwhile (the load window spans the kill and its recovery), and the restarts
`inv status` reports. Medians over the kills; this machine is shared and noisy, so compare
figures measured in one run.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shipway.config import Project, load_project  # noqa: E402
from shipway.effects.deploy.environment import LocalEnvironment  # noqa: E402
from shipway.effects.deploy.files import load_state  # noqa: E402
from shipway.effects.deploy.local_target import Deployer  # noqa: E402
from shipway.effects.deploy.status import report  # noqa: E402
from shipway.entry import deploy as deploy_tasks  # noqa: E402
from tests.support.deployments import chatbot_repo, steady_load, with_environment  # noqa: E402
from tests.support.recovery import kill_and_recover  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "recovery.json"
VERSION = "1.0.0"
TARGET_SECONDS = 5.0  # the target for the median recovery


def one_kill(env: LocalEnvironment, which: str, rps: int, scratch: Path, n: int) -> dict[str, Any]:
    state = load_state(env.files)
    program = state.router_program if which == "router" else state.slot("blue").program
    if program is None:
        raise SystemExit(f"no {which} program: the deploy did not leave one")
    with steady_load(env.config.url, scratch / f"{which}-{n}.json", rps) as finish:
        time.sleep(1)  # load before the kill: part of the measured window
        recovered = kill_and_recover(env, program, VERSION)
        time.sleep(1)  # and after the recovery
        load = finish()
    status = report(env)
    restarts = (
        status["router"]["restarts"]
        if which == "router"
        else next(r["restarts"] for r in status["releases"] if r["state"] == "serving")
    )
    return {
        "recovery_seconds": round(recovered.seconds, 3),
        "failed_requests": load["failed"],
        "failures": sorted(set(load["errors"])),
        "total_requests": load["total"],
        "load_rps": load["rps"],
        "restarts_seen_by_status": restarts,
        "healthy_after": status["healthy"],
    }


def measure(project: Project, kills: int, rps: int, scratch: Path) -> dict[str, list[Any]]:
    name = "load"
    project = with_environment(project, name, state_dir=".shipway/bench-recovery", workers=2)
    env = LocalEnvironment(project, name)
    try:
        deploy_tasks.deploy(project, name, version=VERSION, yes=True, dry_run=False, lock_wait=0)
        return {
            which: [one_kill(env, which, rps, scratch, n) for n in range(kills)]
            for which in ("router", "release")
        }
    finally:
        Deployer(env).stop(lock_wait=60)


def summarize(kills: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = [k["recovery_seconds"] for k in kills]
    return {
        "median_recovery_seconds": round(statistics.median(seconds), 3),
        "max_recovery_seconds": max(seconds),
        "median_failed_requests": statistics.median(k["failed_requests"] for k in kills),
        "failed_requests": sum(k["failed_requests"] for k in kills),
        "total_requests": sum(k["total_requests"] for k in kills),
        "median_load_rps": statistics.median(k["load_rps"] for k in kills),
        "restarts_seen_by_status": [k["restarts_seen_by_status"] for k in kills],
        "healthy_after_every_kill": all(k["healthy_after"] for k in kills),
        "meets_target": statistics.median(seconds) <= TARGET_SECONDS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--rps", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shipway-bench-") as scratch:
        project = load_project(chatbot_repo(Path(scratch) / "repo"))
        measured = measure(project, args.kills, args.rps, Path(scratch))
    summary = {which: summarize(kills) for which, kills in measured.items()}
    document = {
        "what": "local target, reference service (2 uvicorn workers) behind Envoy 1.40, both "
        "run by supervisord; SIGKILL under steady load on 127.0.0.1",
        "kills": args.kills,
        "rps": args.rps,
        "target_seconds": TARGET_SECONDS,
        "summary": summary,
        "per_kill": measured,
        "notes": [
            "recovery_seconds: from the SIGKILL to the first 2xx answer from v1 through the "
            "router once the supervisor runs a new process (answers of the dying one do not "
            "count)",
            "failed_requests: of the load, over a window of 1 s before the kill to 1 s after "
            "the recovery",
            "restarts_seen_by_status: what `inv status` reports after each kill (cumulative)",
        ],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
