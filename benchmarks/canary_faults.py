"""Deploy the reference service's v2.0.0 as a canary over v1.0.0 with each fault knob (and
without), under steady load through the router, and record what the analysis did. Writes
benchmarks/results/canary_faults.json.

    uv run python benchmarks/canary_faults.py [--rps 150]

The canary windows are scaled down to seconds (see tests/support/canary.py: SCALED) so that
every case runs in well under a minute; the output says so. Each case gets its own environment
and is stopped afterwards.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shipway.config import load_project  # noqa: E402
from shipway.effects.deploy.environment import LocalEnvironment  # noqa: E402
from shipway.effects.deploy.local_target import Deployer  # noqa: E402
from tests.support.canary import ENVIRONMENT, FAULTS, SCALED, run_case  # noqa: E402
from tests.support.deployments import chatbot_repo  # noqa: E402

RESULTS = REPO / "benchmarks" / "results" / "canary_faults.json"
WINDOWS = (
    "scaled down to seconds for this benchmark (defaults: 5/25/50 % steps of 30 s, 60 s "
    f"window, 10 s interval): steps {SCALED['steps']}, analysis {SCALED['analysis']}, "
    f"ready_timeout {SCALED['ready_timeout']}"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rps", type=int, default=150)
    args = parser.parse_args()
    cases: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="shipway-bench-") as scratch:
        project = load_project(chatbot_repo(Path(scratch) / "repo"))
        for fault in FAULTS:
            try:
                result = run_case(project, fault, Path(scratch), args.rps)
            finally:
                Deployer(LocalEnvironment(project, ENVIRONMENT[fault])).stop(lock_wait=60)
            record = result.record()
            record["reason"] = result.audit.get("reason", "")
            record["load_rps"] = args.rps
            record["windows"] = WINDOWS
            cases.append(record)
            print(json.dumps(record), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(cases, indent=2) + "\n")
    print(f"{WINDOWS}\nwrote {RESULTS.relative_to(REPO)}")


if __name__ == "__main__":
    main()
