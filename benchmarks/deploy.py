"""Measure the local target: deploy, switch and rollback times, requests lost under load, and
the router's added latency. Writes benchmarks/results/deploy.json.

    uv run python benchmarks/deploy.py [--runs 3] [--rps 150] [--latency-requests 2000]
                                       [--baseline REF] [--out PATH]

Each run deploys the reference service's v1 into a fresh environment (fetch, verify, install,
start, switch), deploys v2 while a separate process sends steady load through the router, then
rolls back under the same load. Timings are medians over the runs; this machine is shared and
noisy, so compare ratios measured in one run rather than absolute figures across machines.

--baseline REF measures a commit's code in the same run, e.g. ``--baseline a0352d6`` (the
commit before rollout reports): REF is checked out in a temporary ``git worktree`` (removed
afterwards, whatever happened) with a venv of its own (``uv sync --frozen``: its lock, its
shipway, on the same base interpreter; compiled to bytecode, as this tree's already is). A
venv, not PYTHONPATH: the local target starts its supervisor and launcher (``python -m
shipway.entry.launch``) with a filtered environment, so PYTHONPATH would not reach them and
they would run this tree's code. Then, ``--runs`` times each, alternately (ABAB...): REF's own
benchmarks/deploy.py with ``--runs 1`` (its figures read from the worktree's
benchmarks/results/deploy.json, where it writes them), and this script with ``--runs 1 --out``
a temporary file. Each run is a fresh process with a fresh fixture repository, so machine
noise, warm caches and imports hit both sides alike. deploy.json then has the usual keys (of
this tree's runs) and ``compare``: REF and its commit, both sides' medians and per-run figures
of deploy_seconds, deploy_to_serving_seconds and rollback_seconds, and their ``ratios``
current/baseline (below 1: this tree is faster).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
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


# -- --baseline REF ----------------------------------------------------------------------------

COMPARED = ("deploy_seconds", "deploy_to_serving_seconds", "rollback_seconds")
# What must not carry over from this process into a side's: that side's venv is set instead.
NOT_PASSED_ON = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")


def git(*arguments: str) -> str:
    done = subprocess.run(
        ["git", *arguments], cwd=REPO, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"git {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout.strip()


@contextmanager
def checkout(commit: str) -> Iterator[Path]:
    """``commit`` in a temporary worktree with its own venv; the worktree removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="shipway-bench-baseline-") as scratch:
        tree = Path(scratch) / "tree"
        git("worktree", "add", "--quiet", "--detach", str(tree), commit)
        try:
            env = side_environment(tree / ".venv")
            sync = [sys.executable, "-m", "uv", "sync", "--frozen", "--quiet"]
            sync += ["--python", sys.executable, "--compile-bytecode"]
            subprocess.run(sync, cwd=tree, env=env, check=True)
            # Its own code compiled too, as this tree's already is: a first run that compiled
            # what it imported would be slower for that alone.
            compiled = [str(tree / ".venv" / "bin" / "python"), "-m", "compileall", "-q"]
            subprocess.run([*compiled, "src", "tests"], cwd=tree, env=env, check=True)
            yield tree
        finally:
            removed = subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=False,
            )
            if removed.returncode != 0:  # said, not raised: that would hide why the run ended
                print(f"could not remove {tree}: {removed.stderr.strip()}", file=sys.stderr)


def side_environment(venv: Path) -> dict[str, str]:
    """This environment as seen from ``venv`` activated."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    return env


def measured_once(tree: Path, venv: Path, results: Path, options: Sequence[str]) -> dict[str, Any]:
    """One run of ``tree``'s benchmarks/deploy.py by ``venv``'s Python, in a process of its
    own: its figures, read from ``results``."""
    results.unlink(missing_ok=True)  # a checkout has the figures committed with it
    argv = [str(venv / "bin" / "python"), "benchmarks/deploy.py", "--runs", "1", *options]
    done = subprocess.run(
        argv,
        cwd=tree,
        env=side_environment(venv),
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not results.is_file():
        raise SystemExit(f"{' '.join(argv)} in {tree} failed ({done.returncode}):\n{done.stdout}")
    run: dict[str, Any] = json.loads(results.read_text())["per_run"][0]
    return run


def compared(
    ref: str, runs: int, options: Sequence[str]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """This tree's runs, and the ``compare`` section: REF and this tree measured alternately."""
    commit = git("rev-parse", "--verify", f"{ref}^{{commit}}")
    baseline: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    with checkout(commit) as tree, tempfile.TemporaryDirectory(prefix="shipway-bench-") as out:
        ours = Path(out) / "deploy.json"
        for run in range(runs):
            print(f"run {run + 1}/{runs}: baseline {ref}", file=sys.stderr, flush=True)
            results = tree / "benchmarks" / "results" / "deploy.json"
            baseline.append(measured_once(tree, tree / ".venv", results, options))
            print(f"run {run + 1}/{runs}: this tree", file=sys.stderr, flush=True)
            argv = [*options, "--out", str(ours)]
            current.append(measured_once(REPO, Path(sys.prefix), ours, argv))
    medians = {
        side: {key: median(figures, key) for key in COMPARED}
        for side, figures in (("baseline", baseline), ("current", current))
    }
    section = {
        "baseline_ref": ref,
        "baseline_commit": commit,
        "runs_each": runs,
        "order": "alternating, baseline first: " + "".join("BC" for _ in range(runs)),
        "baseline": {"medians": medians["baseline"], "per_run": [pick(r) for r in baseline]},
        "current": {"medians": medians["current"], "per_run": [pick(r) for r in current]},
        "ratios": {
            key: round(medians["current"][key] / medians["baseline"][key], 3)
            for key in COMPARED
            if medians["baseline"][key]
        },
    }
    return current, section


def pick(run: dict[str, Any]) -> dict[str, float]:
    return {key: round(float(run[key]), 4) for key in COMPARED}


def main() -> None:
    global LATENCY_REQUESTS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rps", type=int, default=150)
    parser.add_argument("--latency-requests", type=int, default=LATENCY_REQUESTS)
    parser.add_argument(
        "--baseline", metavar="REF", help="also measure this commit's code, alternately"
    )
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the figures")
    args = parser.parse_args()
    LATENCY_REQUESTS = args.latency_requests
    comparison = None
    if args.baseline:
        options = ["--rps", str(args.rps), "--latency-requests", str(args.latency_requests)]
        runs, comparison = compared(args.baseline, args.runs, options)
    else:
        with tempfile.TemporaryDirectory(prefix="shipway-bench-") as scratch:
            project = load_project(chatbot_repo(Path(scratch) / "repo"))
            runs = [one_run(project, run, args.rps, Path(scratch)) for run in range(args.runs)]
    medians = summary(runs)
    document: dict[str, Any] = {
        "what": "local target, reference service, blue-green behind Envoy 1.40 on 127.0.0.1",
        "runs": args.runs,
        "medians": medians,
        "per_run": runs,
        "notes": [
            "deploy_seconds: v1 into an empty environment (artifact in store to serving: "
            "fetch, verify, install, start, ready, smoke, switch)",
            "deploy_to_serving_seconds: v2 while v1 serves (its venv not yet installed)",
            "rollback_seconds: v2 to v1 after v1 was scaled down (cold: start, then switch)",
            "latency: one keep-alive connection, GET /health, direct vs through the router",
        ],
    }
    if comparison is not None:
        document["compare"] = comparison
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(json.dumps({**medians, **({"compare": comparison} if comparison else {})}, indent=2))


if __name__ == "__main__":
    main()
