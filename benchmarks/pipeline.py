"""The pipeline's wall time as a developer meets it, written to benchmarks/results/pipeline.json.

    uv run python benchmarks/pipeline.py [--runs 3]

Works on a fresh clone of this repository's HEAD in a temporary directory (never on the
working tree, whose stage cache it would disturb), with the uv cache already filled:

- ``first``: the first ``uv run nox`` of the clone (session venvs created and compiled);
- ``full``: ``uv run nox -- --no-cache``, every default stage run again (venvs reused);
- ``unit_loop``: ``uv run nox -s lint typecheck tests-3.12 -- --no-cache``;
- ``noop``: ``uv run nox`` with nothing changed, every stage a cached PASS;
- ``touched``: ``uv run nox`` after adding a file beside the integration tests: which stages
  ran again (those that read ``tests/``: lint, typecheck, integration, and coverage, whose
  data changed) and which stayed cached (the unit tests).

Each timing is a median of ``--runs`` runs. The machine is shared and noisy: compare the
ratios measured in one run, not absolute figures across runs.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "pipeline.json"
PREVIOUS_FULL_S = 13 * 60 + 5  # `uv run nox` before test tiers, parallel workers and the cache
TOUCHED = "tests/integration/notes.txt"  # a new file beside the integration tests
CACHED = re.compile(r"nox > (\S+): cached PASS from")
RAN = re.compile(r"nox > (\S+): running — ")


def nox(clone: Path, *arguments: str) -> tuple[float, str]:
    """Wall time and output of one ``uv run nox`` in the clone; a failing run stops here."""
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    env.pop("CI", None)
    env.pop("VIRTUAL_ENV", None)
    argv = [sys.executable, "-m", "uv", "run", "nox", *arguments]
    started = time.monotonic()
    done = subprocess.run(argv, cwd=clone, env=env, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise SystemExit(f"`uv run nox {' '.join(arguments)}` failed:\n{output[-3000:]}")
    print(f"  nox {' '.join(arguments) or '(default)'}: {seconds:.1f} s", flush=True)
    return seconds, output


def reference_loop_s() -> float:
    """A fixed CPU-bound loop's time: how fast this (shared) machine is right now."""
    started = time.perf_counter()
    sum(i * i for i in range(10**7))
    return round(time.perf_counter() - started, 2)


def stages(output: str) -> dict[str, list[str]]:
    return {"ran": RAN.findall(output), "cached": CACHED.findall(output)}


def timed(clone: Path, runs: int, *arguments: str) -> dict[str, Any]:
    seconds = [nox(clone, *arguments)[0] for _ in range(runs)]
    return {
        "command": f"uv run nox {' '.join(arguments)}".strip(),
        "runs_s": seconds,
        "median_s": round(statistics.median(seconds), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="shipway-pipeline-") as scratch:
        clone = Path(scratch) / "shipway"
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
        first_s, _ = nox(clone)
        full = timed(clone, runs, "--", "--no-cache")
        unit_loop = timed(clone, runs, "-s", "lint", "typecheck", "tests-3.12", "--", "--no-cache")
        nox(clone)  # every stage passed with these inputs once more: the no-op runs start here
        noop = timed(clone, runs)
        noop_stages = stages(nox(clone)[1])
        (clone / TOUCHED).write_text("an uncommitted file the integration tests could read\n")
        touched_s, touched_output = nox(clone)
    document = {
        "what": "wall time of the default pipeline and the unit loop on a fresh clone",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "reference_loop_s": reference_loop_s(),
            "load_average_at_start": load_at_start,
        },
        "first_run_s": round(first_s, 1),
        "full": full,
        "unit_loop": unit_loop,
        "noop": {**noop, "stages": noop_stages},
        "touched": {"file": TOUCHED, "seconds": round(touched_s, 1), **stages(touched_output)},
        "previous_full_s": PREVIOUS_FULL_S,
        "speedup_full": round(PREVIOUS_FULL_S / full["median_s"], 1),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: document[k] for k in ("first_run_s", "speedup_full")}))


if __name__ == "__main__":
    main()
