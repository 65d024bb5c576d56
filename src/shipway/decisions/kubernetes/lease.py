"""The deploy lock of a Kubernetes environment: a ``coordination.k8s.io/v1`` Lease in its
namespace, so two deploys from two machines exclude each other.

- **Acquire**: ``kubectl create`` of a Lease naming us (the API server refuses a second one:
  AlreadyExists); a free or stale one is taken with ``kubectl replace`` carrying the
  ``resourceVersion`` we read (the API server refuses it, Conflict, when anyone wrote the Lease
  since): of two racing deploys exactly one wins.
- **Held** while ``renewTime + leaseDurationSeconds`` is in the future and its holder, when it
  ran on this host, is still alive. The duration covers the whole command (the rollout's
  timeout and a margin), so a holder killed on another machine blocks deploys until then.
- **Release**: the Lease is replaced, again guarded by its ``resourceVersion``, with no holder
  (as client-go's leader election releases one), and only if it still names us.
"""

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

ANNOTATION = "shipway.dev"
IDENTITY = re.compile(r"^(?P<user>[^@\s]+)@(?P<host>\S+) pid (?P<pid>[0-9]+)$")
MARGIN = 300.0  # seconds a lock outlives the longest its command waits for the rollout


@dataclass(frozen=True)
class Holder:
    """A process on a host: who holds (or wants) the lock."""

    user: str
    host: str
    pid: int

    @property
    def identity(self) -> str:
        return f"{self.user}@{self.host} pid {self.pid}"

    @classmethod
    def parse(cls, identity: str | None) -> "Holder | None":
        found = IDENTITY.match(identity or "")
        if found is None:
            return None
        return cls(found["user"], found["host"], int(found["pid"]))


@dataclass(frozen=True)
class Lease:
    """A Lease as read from the cluster."""

    name: str
    resource_version: str
    holder: str | None  # spec.holderIdentity; None or "" when released
    acquired: datetime | None
    renewed: datetime | None
    duration: int | None  # seconds
    action: str | None  # what its holder does ("deploying 2.0.0"), from our annotations
    who: str | None  # the actor the audit log names (user@host, or a CI run)

    @property
    def expires(self) -> datetime | None:
        if self.renewed is None or self.duration is None:
            return None
        return self.renewed + timedelta(seconds=self.duration)

    def describe(self) -> str:
        since = f", since {self.acquired:%Y-%m-%d %H:%M:%S} UTC" if self.acquired else ""
        until = f", until {self.expires:%H:%M:%S} UTC" if self.expires else ""
        what = f", {self.action}" if self.action else ""
        who = f" ({self.who})" if self.who and self.who not in (self.holder or "") else ""
        return f"{self.holder}{who}{since}{what}{until}"


class LeaseState(enum.Enum):
    ABSENT = "absent"  # no Lease: create one
    FREE = "free"  # released: take it (replace)
    STALE = "stale"  # expired, or its holder died on this host: take it over (replace)
    OURS = "ours"
    HELD = "held"  # by someone else: wait or refuse


def micro_time(moment: datetime) -> str:
    """A Kubernetes MicroTime: RFC 3339, UTC, microseconds."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def parse(document: Mapping[str, Any]) -> Lease:
    """A Lease from ``kubectl get lease NAME -o json``."""
    metadata = document.get("metadata") or {}
    spec = document.get("spec") or {}
    annotations = metadata.get("annotations") or {}
    duration = spec.get("leaseDurationSeconds")
    return Lease(
        name=str(metadata.get("name", "")),
        resource_version=str(metadata.get("resourceVersion", "")),
        holder=spec.get("holderIdentity") or None,
        acquired=parse_time(spec.get("acquireTime")),
        renewed=parse_time(spec.get("renewTime")),
        duration=duration if isinstance(duration, int) else None,
        action=annotations.get(f"{ANNOTATION}/action"),
        who=annotations.get(f"{ANNOTATION}/who"),
    )


def state(
    lease: Lease | None, me: Holder, now: datetime, holder_alive: bool | None = None
) -> LeaseState:
    """What the lock is to ``me`` at ``now``. ``holder_alive``: whether the holder's process
    still runs, when it ran on this host (None: on another host, or unknown)."""
    if lease is None:
        return LeaseState.ABSENT
    if lease.holder is None:
        return LeaseState.FREE
    if lease.holder == me.identity:
        return LeaseState.OURS
    expires = lease.expires
    if expires is None or expires <= now:
        return LeaseState.STALE
    holder = Holder.parse(lease.holder)
    if holder is not None and holder.host == me.host and holder_alive is False:
        return LeaseState.STALE
    return LeaseState.HELD


def duration(longest_wait: float) -> int:
    """How long a lock stays valid: the longest its command waits, and a margin."""
    return int(longest_wait + MARGIN)


def held_object(
    name: str,
    namespace: str,
    me: Holder,
    *,
    who: str,
    action: str,
    version: str | None,
    now: datetime,
    seconds: int,
    resource_version: str | None = None,
) -> dict[str, Any]:
    """The Lease that says ``me`` holds the lock from ``now`` for ``seconds``; with
    ``resource_version`` (a replace), only over the very Lease that was read."""
    metadata: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "labels": {"app.kubernetes.io/managed-by": "shipway"},
        "annotations": {
            f"{ANNOTATION}/action": action,
            f"{ANNOTATION}/who": who,
            **({f"{ANNOTATION}/version": version} if version else {}),
        },
    }
    if resource_version is not None:
        metadata["resourceVersion"] = resource_version
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": metadata,
        "spec": {
            "holderIdentity": me.identity,
            "acquireTime": micro_time(now),
            "renewTime": micro_time(now),
            "leaseDurationSeconds": seconds,
        },
    }


def released_object(lease: Lease, namespace: str, now: datetime) -> dict[str, Any]:
    """The Lease with no holder, replacing exactly the one that was read."""
    return {
        "apiVersion": "coordination.k8s.io/v1",
        "kind": "Lease",
        "metadata": {
            "name": lease.name,
            "namespace": namespace,
            "resourceVersion": lease.resource_version,
            "labels": {"app.kubernetes.io/managed-by": "shipway"},
        },
        "spec": {"renewTime": micro_time(now), "leaseDurationSeconds": 1},
    }


class Write(enum.Enum):
    """What a ``kubectl create`` or ``replace`` of the Lease did."""

    DONE = "done"
    RACED = "raced"  # someone else created or changed it first: read it again
    FAILED = "failed"


def written(returncode: int, stderr: str) -> Write:
    if returncode == 0:
        return Write.DONE
    if re.search(r"AlreadyExists|already exists|Conflict|has been modified", stderr):
        return Write.RACED
    return Write.FAILED
