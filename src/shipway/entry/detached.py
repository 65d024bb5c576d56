"""The background deploy of ``inv deploy --detach`` (effects/deploy/detached.py starts it):
``python -m shipway.entry.detached --root R --env E --version V --lock-wait S --log L``.

It is ``inv deploy --yes`` (the command that started it asked for approval), with a SIGTERM
handled like Ctrl-C: the deploy rolls back and says so, rather than leaving the next command
to repair it. Its output goes to the log the starting command showed; its exit status is the
deploy's."""

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from shipway.effects.console import report_refusal
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.local_target import Deployer
from shipway.effects.project import load_or_exit
from shipway.entry.interrupts import interrupted_by_sigterm
from shipway.errors import ShipwayError


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shipway.entry.detached")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--env", required=True)
    parser.add_argument("--version", required=True)
    parser.add_argument("--lock-wait", type=float, default=0)
    parser.add_argument("--log", help="where the output goes (the process's marker)")
    arguments = parser.parse_args(argv)
    project = load_or_exit(arguments.root)
    try:
        with interrupted_by_sigterm():
            Deployer(LocalEnvironment(project, arguments.env)).deploy(
                arguments.version,
                yes=True,
                interactive=False,
                confirm=lambda question: False,
                lock_wait=arguments.lock_wait,
            )
    except ShipwayError as problem:
        return report_refusal(problem)
    except KeyboardInterrupt:
        return report_refusal(ShipwayError("interrupted"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
