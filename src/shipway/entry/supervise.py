"""``shipway supervise --env NAME``: become the environment's supervisord.

shipway's own commands start it so, detached, when the environment's supervisor is not
running; a systemd unit (``inv service``) starts it so at boot. It resolves the environment's
secrets into the supervisor's environment (memory only), stops what a killed supervisor left
running, writes the supervisor's configuration and execs supervisord in the foreground, which
starts every program the environment had: the router and its releases.
"""

import argparse
from pathlib import Path

from shipway.effects import command
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.project import load_or_exit
from shipway.errors import ShipwayError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", required=True, help="the environment to supervise")
    parser.add_argument(
        "--project",
        type=Path,
        default=Path.cwd(),
        help="the project's directory, holding pyproject.toml (default: the current one)",
    )


def run(arguments: argparse.Namespace) -> int:
    env = LocalEnvironment(load_or_exit(arguments.project.resolve()), arguments.env)
    if env.supervisor.running():
        raise ShipwayError(
            f"the supervisor of {env.name} is already running ({env.files.control_socket} answers)"
        )
    argv, environment = env.prepare_supervisor()
    command.become(argv, env=environment)
