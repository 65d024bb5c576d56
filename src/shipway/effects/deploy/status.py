"""``inv status`` and ``inv logs``: what runs, whether it is healthy, and what it printed."""

import contextlib
import fcntl
import os
import time
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shipway.decisions.deploy.state import SLOTS, WAITING_FOR_PROMOTION, EnvState
from shipway.decisions.deploy.supervisor import ProgramInfo
from shipway.effects import command, probes
from shipway.effects.deploy import releases
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import (
    deploy_lock,
    load_rollout,
    load_state,
    read_audit,
    read_holder,
)
from shipway.effects.deploy.router import router_maintenance, router_weights
from shipway.errors import ShipwayError

out = Console(highlight=False, soft_wrap=True)


def report(env: LocalEnvironment) -> dict[str, Any]:
    """The environment as it is. Repairs what an interrupted command left, unless one runs."""
    state = load_state(env.files)
    holder = read_holder(env.files) if env.files.lock.exists() else None
    if holder is None or not _lock_held(env):
        with contextlib.suppress(ShipwayError):
            state = _repair_quietly(env)
        holder = None
    weights = router_weights(env.files)
    programs = env.supervisor.programs()
    router = supervised(env, programs, state.router_program)
    router_running = router["running"]
    rows = []
    for slot in SLOTS:
        current = state.slot(slot)
        if current.phase == "empty":
            continue
        process = supervised(env, programs, current.program)
        running = process["running"]
        rows.append(
            {
                "version": current.version,
                "state": current.phase,
                "slot": slot,
                "port": env.slot_ports[slot],
                "weight": (weights or state.weights)[slot],
                "server": current.server,
                "pid": process["pid"],
                "restarts": process["restarts"],
                "uptime": process["uptime"],
                "running": running,
                "ready": running
                and probes.ready(f"http://127.0.0.1:{env.slot_ports[slot]}", env.config.ready_path),
            }
        )
    installed = sorted(set(releases.installed_versions(env.files)) - {r["version"] for r in rows})
    rows += [
        {
            "version": v,
            "state": "installed",
            "slot": None,
            "port": None,
            "weight": 0,
            "server": None,
            "pid": None,
            "restarts": None,
            "uptime": None,
            "running": False,
            "ready": False,
        }
        for v in installed
    ]
    serving = state.serving_version
    serving_row = next((r for r in rows if r["state"] == "serving"), None)
    routed = {r["version"] for r in rows if r["weight"] and r["state"] in ("serving", "canary")}
    maintenance = state.maintenance
    serves_page = router_maintenance(env.files) if router_running else None
    # Under maintenance the router answers with the page, naming no release: it is healthy
    # when it serves the page and the release behind it is ready for `--off`.
    answered_by = answering_release(env) if router_running and not maintenance.on else None
    supervisor_running = env.supervisor.running()
    healthy = bool(
        supervisor_running
        and router_running
        and serving_row
        and serving_row["ready"]
        and weights == state.weights
        and (serves_page is True) == maintenance.on
        and (maintenance.on or answered_by in routed)
    )
    audit = read_audit(env.files)
    rollout = load_rollout(env.files)
    supervisor_process = env.supervisor.process()
    preview_url = env.config.preview_url
    preview = {"url": preview_url, "release": state.previewed_version} if preview_url else None
    return {
        "environment": env.name,
        "url": env.config.url,
        "serving": serving,
        "healthy": healthy,
        "supervisor": {
            "running": supervisor_running,
            "pid": supervisor_process.pid if supervisor_process else None,
        },
        "router": {
            **router,
            "weights": weights,
            "expected_weights": dict(state.weights),
            "answered_by": answered_by,
            "maintenance": serves_page,
        },
        "maintenance": maintenance.model_dump() if maintenance.on else None,
        "releases": rows,
        "lock": holder.describe() if holder else None,
        "rollout": rollout.model_dump(exclude={"watcher"}) if rollout else None,
        "preview": preview,
        "last": audit[-1] if audit else None,
    }


def supervised(
    env: LocalEnvironment, programs: dict[str, ProgramInfo], name: str | None
) -> dict[str, Any]:
    """What the supervisor says of program ``name``: whether it runs, its pid, how often it
    restarted it, and for how long it has run since."""
    info = programs.get(name) if name is not None else None
    if info is None or name is None:
        return {"running": False, "pid": None, "restarts": None, "uptime": None}
    return {
        "running": info.state.supervised,
        "state": info.state.value,
        "pid": info.pid or None,
        "restarts": env.supervisor.restarts(name),
        "uptime": round(info.uptime, 1),
    }


def answering_release(env: LocalEnvironment) -> str | None:
    """The release the router names when the environment's URL answers."""
    config = env.config
    return probes.version(
        config.url, config.release_header, config.ready_path, timeout=2, trust=env.trust
    )


def show(report: dict[str, Any]) -> None:
    health = "[green]healthy[/]" if report["healthy"] else "[bold red]unhealthy[/]"
    out.print(
        f"{report['environment']}: {report['url']} serving {report['serving'] or 'nothing'}, "
        f"{health}"
    )
    router = report["router"]
    if maintenance := report["maintenance"]:
        since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(maintenance["since"]))
        out.print(
            f"  [yellow]maintenance: on since {since}[/] by {maintenance['who']} "
            f"({escape(maintenance['message'])})"
        )
        if router["running"] and router["maintenance"] is not True:
            out.print("  [bold red]the router does not serve the maintenance page[/]")
    if router["answered_by"]:
        out.print(f"  the router says {router['answered_by']} answered {report['url']}")
    if not report["supervisor"]["running"] and report["releases"]:
        out.print(
            "  [bold red]the environment's supervisor is not running[/]: nothing restarts "
            "what exits; the next `inv deploy` or `inv rollback` starts it again"
        )
    if not router["running"]:
        out.print("  [bold red]the router is not running[/]: the next `inv deploy` restarts it")
    else:
        out.print(
            f"  router: pid {router['pid']}, up {duration(router['uptime'])}, "
            f"restarted {router['restarts']} times by the supervisor"
        )
        if router["weights"] != router["expected_weights"]:
            out.print(
                f"  [yellow]router weights {router['weights']} differ from "
                f"{router['expected_weights']}[/]"
            )
    grid = Table()
    columns = ("version", "state", "slot", "weight", "server", "pid", "restarts", "uptime")
    for column in (*columns, "ready"):
        grid.add_column(column)
    for row in report["releases"]:
        cells = [str(row[c]) if row[c] is not None else "" for c in columns]
        if row["slot"] is not None:
            cells[-1] = duration(row["uptime"]) if row["running"] else "not running"
        grid.add_row(*cells, str(row["ready"]))
    out.print(grid)
    if rollout := report["rollout"]:
        new = rollout["canary"]
        metrics = (
            f"; last window {new.get('requests')} requests, 5xx {new.get('error_rate')}, "
            f"p95 {new.get('p95_ms')} ms"
            if new
            else ""
        )
        status = rollout["status"]
        if status == WAITING_FOR_PROMOTION and rollout["held_since"] is not None:
            since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(rollout["held_since"]))
            name = report["environment"]
            status = (
                f"[yellow]{status}[/] since {since} (`inv promote --env {name}` goes on, "
                f"`inv abort --env {name}` rolls back)"
            )
        out.print(
            f"  {rollout['strategy']} of {rollout['version']}: {rollout['stage']}, "
            f"{rollout['weight']}% of traffic, {status}{metrics}"
        )
    if preview := report["preview"]:
        answers = (
            f"answers from {preview['release']}" if preview["release"] else "nothing to preview"
        )
        out.print(f"  preview: {preview['url']} {answers}")
    if report["lock"]:
        out.print(f"  a command is running: {report['lock']}")
    if last := report["last"]:
        out.print(
            f"  last: {last.get('action')} of {last.get('version')} {last.get('outcome')} "
            f"by {last.get('who')}"
        )


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, rest = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{rest:02d}s"


def logs(env: LocalEnvironment, follow: bool, lines: int = 50) -> None:
    state = load_state(env.files)
    slot = state.serving_slot
    if slot is None:
        raise ShipwayError(f"nothing serves in {env.name}: no release log to show")
    log = env.files.slot(slot) / "release.log"
    command.become(["tail", "-n", str(lines), *(["-F"] if follow else []), str(log)])


def _lock_held(env: LocalEnvironment) -> bool:
    descriptor = os.open(env.files.lock, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def _repair_quietly(env: LocalEnvironment) -> EnvState:
    with deploy_lock(env.files, "status"):
        return env.repair(load_state(env.files), repair_processes=False)
