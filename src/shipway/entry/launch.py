"""``python -m shipway.entry.launch SPEC``: how the supervisor starts a program of an
environment. Reads the program's launch spec (decisions/deploy/supervisor.py ``LaunchSpec``),
stops what a killed predecessor left behind, builds its environment from the supervisor's and
execs it: the program is this process."""

import json
import os
import sys
from pathlib import Path

from shipway.decisions.deploy.supervisor import launch_environment
from shipway.effects.deploy.proc import end_leftovers


def main(spec_file: str) -> None:
    spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
    environment = launch_environment(os.environ, spec["settings"], spec["secrets"], spec["fixed"])
    if spec.get("leftovers"):
        end_leftovers(spec["leftovers"])
    os.chdir(spec["cwd"])
    argv = spec["argv"]
    os.execvpe(argv[0], argv, environment)  # noqa: S606  # nosec B606 - shipway's program


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m shipway.entry.launch SPEC")
    main(sys.argv[1])
