"""Pre- and post-deploy hooks: the project's commands, run in the release's environment."""

import shlex
from collections.abc import Mapping

from shipway.decisions.security.redact import redact
from shipway.effects import command
from shipway.effects.console import console
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.errors import ShipwayError

TIMEOUT = 3600  # seconds: migrations may be long


def run(env: LocalEnvironment, hooks: list[str], version: str, secrets: Mapping[str, str]) -> None:
    """Run each command in turn where the release runs; its output is shown with the secrets
    masked."""
    environment = env.release_environment(version, secrets)
    for hook in hooks:
        console.print(f"  hook: {hook}")
        argv = shlex.split(hook)
        done = command.run(argv, env=environment, cwd=env.files.workdir(version), timeout=TIMEOUT)
        output = redact((done.stdout + done.stderr).strip(), [s for s in secrets.values() if s])
        if output:
            console.print(output, markup=False, highlight=False)
        if done.returncode != 0:
            raise ShipwayError(f"hook `{hook}` exited with status {done.returncode}")
