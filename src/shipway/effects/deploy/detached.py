"""``inv deploy --detach``: the deploy runs as a background process of its own, and the command
returns once it holds at a manual pause (or has ended), so a CI job need not wait for a person.

The background deploy is an ordinary deploy: it holds the deploy lock, watches its release
(health checks, measurements, ``inv promote`` / ``inv abort`` through ``control.json``) and
writes the audit log; its output goes to ``deploy.log`` in the state directory, which this
command shows while it waits. It is detached from the command's session, so closing the
terminal or ending the CI job leaves it running: ``RUNNER_TRACKING_ID`` is not passed on, so a
GitHub Actions runner's clean-up of the job's processes leaves it alone. A SIGTERM to it
(``kill PID``) rolls the deploy back as Ctrl-C does. If it dies anyway (kill -9, a reboot),
the next shipway command finds the interrupted deploy and rolls it back
(decisions/deploy/reconcile.py): a hold nobody watches never keeps taking traffic.
"""

import os
import sys
import time
from pathlib import Path

from shipway.decisions.deploy.commands import detached_deploy
from shipway.decisions.deploy.flow import ended
from shipway.decisions.deploy.state import BEFORE_THE_SWITCH, WAITING_FOR_PROMOTION, Process
from shipway.effects.command import log_tail
from shipway.effects.console import console
from shipway.effects.deploy import processes
from shipway.effects.deploy.environment import LocalEnvironment
from shipway.effects.deploy.files import OWNER_ONLY, load_rollout, read_audit
from shipway.errors import ShipwayError

POLL = 0.2
# The variable by which a GitHub Actions runner finds (and ends) the processes a job left.
NOT_PASSED_ON = ("RUNNER_TRACKING_ID",)


def deploy(env: LocalEnvironment, version: str, *, lock_wait: float) -> None:
    """Start the deploy of ``version`` in the background and follow it until it holds for
    promotion (then return) or ends (return if it serves, else fail with its reason)."""
    log = env.files.detached_log
    env.files.make_root()
    os.close(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, OWNER_ONLY))  # 0600 like the rest
    offset = log.stat().st_size
    audited = len(read_audit(env.files))
    argv = detached_deploy(sys.executable, env.project.root, env.name, version, lock_wait, log)
    environment = {k: v for k, v in os.environ.items() if k not in NOT_PASSED_ON}
    process = processes.spawn(
        argv,
        pid_file=env.files.detached_pid,
        log_file=log,
        marker=str(log),
        env={**environment, "PATH": env.path},
    )
    console.print(
        f"deploying {version} to {env.name} in the background (pid {process.pid}, {log})",
        soft_wrap=True,
    )
    try:
        shown = _follow(env, process, log, offset)
    except KeyboardInterrupt:
        raise ShipwayError(
            f"stopped following the deploy of {version}: it goes on in the background (pid "
            f"{process.pid}, {log}); `kill {process.pid}` (SIGTERM) stops it and rolls it back"
        ) from None
    if shown is not None:
        console.print(
            f"[yellow]{WAITING_FOR_PROMOTION}[/]: {version} in {env.name} holds {shown}; "
            f"`inv promote --env {env.name}` goes on, `inv abort --env {env.name}` rolls back "
            f"(the deploy goes on in the background, pid {process.pid}; `inv status --env "
            f"{env.name}` shows it)",
            soft_wrap=True,
        )
        return
    _outcome(env, version, audited, log)


def _follow(env: LocalEnvironment, process: Process, log: Path, offset: int) -> str | None:
    """Show the background deploy's output until it holds (its stage) or ends (None)."""
    while True:
        running = processes.is_running(process)
        offset = _show(log, offset)
        rollout = load_rollout(env.files)
        if (
            rollout is not None
            and rollout.watcher is not None
            and rollout.watcher.pid == process.pid
            and rollout.status == WAITING_FOR_PROMOTION
        ):
            where = "" if rollout.stage == BEFORE_THE_SWITCH else "at "
            return f"{where}{rollout.stage} ({rollout.weight}% of traffic)"
        if not running:
            _show(log, offset)
            return None
        time.sleep(POLL)


def _show(log: Path, offset: int) -> int:
    """Print the log's complete lines after ``offset``; the offset after them."""
    try:
        with log.open("rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except OSError:
        return offset
    complete = data[: data.rfind(b"\n") + 1]
    for line in complete.decode(errors="replace").splitlines():
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    return offset + len(complete)


def _outcome(env: LocalEnvironment, version: str, audited: int, log: Path) -> None:
    """The background deploy ended before any hold: as the audit log says, else its log."""
    end = ended(read_audit(env.files)[audited:], version)
    if end is None:
        raise ShipwayError(f"the deploy of {version} to {env.name} failed: {log_tail(log)}")
    if not end.serving:
        raise ShipwayError(f"the deploy of {version} to {env.name} {end.outcome}: {end.reason}")
