"""The deploy lock of a Kubernetes environment, a Lease in its namespace
(decisions/kubernetes/lease.py says what it means; this takes and gives it back)."""

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from shipway.decisions.kubernetes import commands
from shipway.decisions.kubernetes import lease as leases
from shipway.decisions.kubernetes.lease import Holder, Lease, LeaseState, Write
from shipway.decisions.kubernetes.preflight import last_line
from shipway.effects.console import console
from shipway.effects.deploy import proc
from shipway.effects.kubernetes.kubectl import Kubectl
from shipway.errors import ShipwayError

POLL = 2.0  # seconds between looks at a held lock


@dataclass(frozen=True)
class LockRequest:
    name: str  # the Lease's
    environment: str
    me: Holder
    who: str
    action: str
    version: str | None
    seconds: int  # how long the Lease is valid


def read(kubectl: Kubectl, name: str) -> Lease | None:
    found = kubectl.json(commands.get_lease(kubectl.cluster, name), f"the Lease {name}")
    return leases.parse(found) if found is not None else None


def holder_alive(lease: Lease | None, me: Holder) -> bool | None:
    """Whether the lock's holder still runs, when it ran on this host."""
    holder = Holder.parse(lease.holder if lease else None)
    if holder is None or holder.host != me.host:
        return None
    return proc.start_ticks(holder.pid) is not None


def now() -> datetime:
    return datetime.now(UTC)


@contextlib.contextmanager
def deploy_lease(kubectl: Kubectl, request: LockRequest, wait: float) -> Iterator[str | None]:
    """Hold the environment's deploy lock; yields a note when a stale one was taken over."""
    acquired = acquire(kubectl, request, wait)
    try:
        yield (
            f"took over the deploy lock left by {acquired.describe()}, which is stale"
            if acquired is not None
            else None
        )
    finally:
        release(kubectl, request)


def acquire(kubectl: Kubectl, request: LockRequest, wait: float) -> Lease | None:
    """Take the lock; returns the stale Lease it took over, if any."""
    namespace = kubectl.cluster.namespace
    deadline = time.monotonic() + wait
    while True:
        lease = read(kubectl, request.name)
        found = leases.state(lease, request.me, now(), holder_alive(lease, request.me))
        if found is LeaseState.HELD:
            assert lease is not None  # noqa: S101 - HELD names a Lease
            if time.monotonic() >= deadline:
                waited = f" after waiting {wait:.0f}s" if wait else ""
                raise ShipwayError(
                    f"the deploy lock of {request.environment} (Lease {request.name} in "
                    f"{namespace}) is held by {lease.describe()}{waited}; wait for it, or pass "
                    "--lock-wait SECONDS"
                )
            time.sleep(POLL)
            continue
        body = leases.held_object(
            request.name,
            namespace,
            request.me,
            who=request.who,
            action=request.action,
            version=request.version,
            now=now(),
            seconds=request.seconds,
            resource_version=None if lease is None else lease.resource_version,
        )
        argv = (
            commands.create_lease(kubectl.cluster)
            if lease is None
            else commands.replace_lease(kubectl.cluster)
        )
        done = kubectl.run(argv, stdin=json.dumps(body), quiet=True)
        match leases.written(done.returncode, done.stderr):
            case Write.DONE:
                return lease if found is LeaseState.STALE else None
            case Write.RACED:
                continue  # someone else was quicker: look again
            case Write.FAILED:
                raise ShipwayError(
                    f"cannot take the deploy lock (Lease {request.name} in {namespace}): "
                    f"{last_line(done.stderr)}; your Kubernetes user needs get, create and "
                    f"update on leases.coordination.k8s.io in {namespace}"
                )


def release(kubectl: Kubectl, request: LockRequest) -> None:
    """Give the lock back, if it still names us (never fails the command: a lock left
    behind expires)."""
    try:
        lease = read(kubectl, request.name)
    except ShipwayError as problem:
        console.print(f"[yellow]warning:[/] the deploy lock was not released ({problem})")
        return
    if lease is None or lease.holder != request.me.identity:
        who = lease.describe() if lease and lease.holder else "nobody"
        console.print(f"[yellow]warning:[/] the deploy lock was taken over meanwhile by {who}")
        return
    body = leases.released_object(lease, kubectl.cluster.namespace, now())
    done = kubectl.run(commands.replace_lease(kubectl.cluster), stdin=json.dumps(body), quiet=True)
    if leases.written(done.returncode, done.stderr) is not Write.DONE:
        console.print(
            "[yellow]warning:[/] the deploy lock was not released "
            f"({last_line(done.stderr)}); it expires at {lease.expires:%H:%M:%S} UTC"
        )
