"""``shipway``: the command of the installed tool (``shipway init``, ``shipway supervise``,
``shipway --version``).

The sessions and tasks of a project that uses shipway never come through here: tasks.py and
the noxfile import the entry modules they run, so ``inv --list`` does not pay for this parser.
"""

import argparse
import importlib.metadata
import sys
from collections.abc import Callable, Sequence

from shipway.entry import init, supervise
from shipway.errors import ShipwayError

DISTRIBUTION = "shipway"
EXIT_USAGE = 2  # argparse's status for a command line it cannot use

Command = Callable[[argparse.Namespace], int]


def parser() -> argparse.ArgumentParser:
    """``shipway [--version] COMMAND ...``, each command's options from its entry module."""
    top = argparse.ArgumentParser(
        prog="shipway",
        description="A Python web service's pipeline: nox sessions check, invoke tasks deliver.",
    )
    top.add_argument(
        "--version",
        action="version",
        version=f"%(prog)s {importlib.metadata.version(DISTRIBUTION)}",
        help="print the installed shipway's version and exit",
    )
    commands = top.add_subparsers(title="commands", metavar="COMMAND")
    adopt = commands.add_parser(
        "init",
        help="adopt shipway in an existing service",
        description="Adopt shipway in an existing service.",
    )
    init.add_arguments(adopt)
    adopt.set_defaults(command=init.run)
    supervisor = commands.add_parser(
        "supervise",
        help="run an environment's supervisor in the foreground (what its systemd unit runs)",
        description="Become the supervisord of a local environment: it runs the router and "
        "the releases, and restarts whatever exits.",
    )
    supervise.add_arguments(supervisor)
    supervisor.set_defaults(command=supervise.run)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Exit status of ``shipway``: a refused operation prints ``shipway: <why>``, status 1."""
    top = parser()
    arguments = top.parse_args(argv)
    command: Command | None = getattr(arguments, "command", None)
    if command is None:
        top.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return command(arguments)
    except ShipwayError as problem:
        from shipway.effects.console import report_refusal

        return report_refusal(problem)
