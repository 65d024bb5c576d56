"""Body of ``inv service``: the systemd unit that starts a local environment's supervisor at
boot (decisions/deploy/unit.py), shown, installed or uninstalled."""

import os
import shlex
import sys
from pathlib import Path

from rich.console import Console

from shipway.config import Project
from shipway.decisions.deploy import commands
from shipway.decisions.deploy import unit as decide
from shipway.decisions.deploy.unit import Plan, Remove, Run, Write
from shipway.effects.console import console
from shipway.effects.deploy import unit as host_unit
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.entry import kubernetes
from shipway.errors import ShipwayError

out = Console(highlight=False, soft_wrap=True)


def service(
    project: Project,
    action: str,
    environment: str | None,
    *,
    env_file: str | None,
    unit_dir: str | None,
    dry_run: bool,
) -> None:
    name = decide.requested(action, environment, env_file)
    kubernetes.refuse_local_only(project, name, "service")
    env = LocalEnvironment(project, name)  # an unknown environment is refused here
    decide.check_target(name, env.config.target)
    host = host_unit.host()
    where = decide.placement(host, absolute(unit_dir) if unit_dir else None)
    env_path = str(absolute(env_file)) if env_file else None
    if env_path is not None:
        mode = host_unit.env_file_mode(env_path)
        problem = decide.env_file_problem(env_path, mode, readable=host_unit.readable(env_path))
        if problem:
            raise ShipwayError(problem)
    unit = decide.Unit(
        package=env.package,
        environment=name,
        command=tuple(commands.supervise(sys.executable, name)),
        root=str(absolute(str(project.root))),
        scope=host.scope,
        user=host.user,
        env_file=env_path,
    )
    text = decide.render(unit)
    variables = decide.boot_variables(env.config)
    if action == "show":
        print(text, end="")
        if variables and env_path is None:
            console.print(f"warning: {decide.env_file_needed(name, variables)}", markup=False)
        return
    path = where.path(unit)
    existing = host_unit.read(path)
    if action == "install":
        if variables and env_path is None:
            raise ShipwayError(decide.env_file_needed(name, variables))
        check_directory(where, host.user)
        out.print(host_unit.verify(unit, text), markup=False)  # a rejected unit stops here
        plan = decide.install_plan(unit, text, where, host, existing)
    else:
        if existing is not None:
            check_directory(where, host.user)
        plan = decide.uninstall_plan(unit, where, host, existing)
    if dry_run:
        describe(plan)
        out.print("[yellow]dry run:[/] nothing was changed")
        return
    host_unit.carry_out(plan, lambda line: out.print(line, markup=False))
    for note in plan.notes:
        out.print(note, markup=False)


def absolute(path: str) -> Path:
    """A path given on the command line, from the directory inv runs in."""
    return Path(os.path.normpath(Path(path).expanduser().absolute()))


def check_directory(where: decide.Placement, user: str) -> None:
    problem = decide.directory_problem(
        where,
        user,
        is_dir=where.directory.is_dir(),
        writable=host_unit.writable(where.directory),
    )
    if problem:
        raise ShipwayError(problem)


def describe(plan: Plan) -> None:
    if not plan.actions:
        out.print("nothing to change")
    for action in plan.actions:
        match action:
            case Write(path=path, text=text):
                out.print(f"would write {path}:", markup=False)
                out.print(text, markup=False, end="")
            case Remove(path=path):
                out.print(f"would remove {path}", markup=False)
            case Run(argv=argv):
                out.print(f"would run {shlex.join(argv)}", markup=False)
    for note in plan.notes:
        out.print(note, markup=False)
