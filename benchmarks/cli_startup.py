"""How long the front doors take to answer: ``inv --list`` and ``nox --list``, against
importing invoke (or nox) alone. Writes benchmarks/results/cli_startup.json.

    uv run python benchmarks/cli_startup.py [--runs 5]

Each command runs ``--runs`` times in this repository with this interpreter; figures are
medians. ``inv --list`` should cost little more than invoke's own import: tasks.py imports
the part of shipway a task runs only when that task runs.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results" / "cli_startup.json"
COMMANDS = {
    "inv --list": [sys.executable, "-m", "invoke", "--list"],
    "import invoke": [sys.executable, "-c", "import invoke.program"],
    "nox --list": [sys.executable, "-m", "nox", "--list"],
    "import nox": [sys.executable, "-c", "import nox"],
}


def seconds(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=REPO, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    for argv in COMMANDS.values():
        seconds(argv)  # warm the file cache and the bytecode
    runs_s = {name: [seconds(argv) for _ in range(runs)] for name, argv in COMMANDS.items()}
    medians = {name: round(statistics.median(times), 3) for name, times in runs_s.items()}
    for name, median in medians.items():
        print(f"  {name}: {median:.3f} s", flush=True)
    document = {
        "what": "wall time of listing the tasks and sessions, against importing their runners",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "commands": {
            name: {"runs_s": [round(t, 3) for t in runs_s[name]], "median_s": medians[name]}
            for name in COMMANDS
        },
        "inv_list_over_invoke_import_s": round(medians["inv --list"] - medians["import invoke"], 3),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
