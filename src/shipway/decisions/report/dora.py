"""The DORA four keys of one environment, from its audit log (and the commit times git gives).

Definitions, over the records whose ``started`` falls in the window ``[since, until)``:

- **Deployment frequency**: deploys that left their release serving (``succeeded``, also
  with a failed post-deploy hook), per day of the window.
- **Lead time for changes**: for each of those with a known commit, from the commit's time to
  the moment the release served (``started`` + ``serving_after_seconds``, else ``ended``);
  the median and the slowest.
- **Change failure rate**: of all deploys attempted, the share that failed (``failed``,
  ``rolled_back``, ``aborted``, ``interrupted``) or that served and were later undone by
  ``inv rollback`` (a rollback whose ``from_version`` is that deploy's version).
- **Time to restore**: for each failure, from its start (the failed deploy's or the manual
  rollback's ``started``) to the end of the first record, itself or later, that left a
  healthy release serving (an automatic rollback restores at its own end; a failed rollback
  waits for the next successful deploy or rollback); the median and the slowest. A failure
  nothing restored yet has no time and is counted as open.

Figures that have no data are None, never 0: an empty history has no lead time, and a history
without failures has a change failure rate of 0 but no time to restore.
"""

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

DAY = 86400.0
SERVED = ("succeeded", "succeeded, post-deploy hook failed")
FAILED = ("failed", "rolled_back", "aborted", "interrupted")


@dataclass(frozen=True)
class Dora:
    since: float
    until: float
    deploys: int  # attempted
    served: int
    deploys_per_day: float
    lead_time_median_seconds: float | None
    lead_time_max_seconds: float | None
    failures: int
    change_failure_rate: float | None
    restore_median_seconds: float | None
    restore_max_seconds: float | None
    open_failures: int

    def document(self) -> dict[str, Any]:
        return asdict(self)


def dora(
    records: Sequence[Mapping[str, Any]],
    commit_times: Mapping[str, float],
    since: float,
    until: float,
) -> Dora:
    """The four keys of ``records`` (an environment's audit log, oldest first) in the window."""
    window = [r for r in records if since <= float(r.get("started", 0)) < until]
    deploys = [r for r in window if r.get("action") == "deploy"]
    served = [r for r in deploys if r.get("outcome") in SERVED]
    lead_times = [
        served_at(r) - commit_times[str(r["git_sha"])]
        for r in served
        if r.get("git_sha") in commit_times
    ]
    failures = failed_changes(window)
    restores = [restore_seconds(failure, records) for failure in failures]
    closed = [seconds for seconds in restores if seconds is not None]
    days = max(until - since, 1.0) / DAY
    changed = [r for r in failures if r.get("action") == "deploy"]
    undone = [r for r in served if was_rolled_back(r, records)]
    return Dora(
        since=since,
        until=until,
        deploys=len(deploys),
        served=len(served),
        deploys_per_day=round(len(served) / days, 3),
        lead_time_median_seconds=_median(lead_times),
        lead_time_max_seconds=max(lead_times, default=None),
        failures=len(changed) + len(undone),
        change_failure_rate=(
            round((len(changed) + len(undone)) / len(deploys), 4) if deploys else None
        ),
        restore_median_seconds=_median(closed),
        restore_max_seconds=max(closed, default=None),
        open_failures=len(restores) - len(closed),
    )


def served_at(record: Mapping[str, Any]) -> float:
    started = float(record.get("started", 0))
    if "serving_after_seconds" in record:
        return started + float(record["serving_after_seconds"])
    return float(record.get("ended", started))


def failed_changes(records: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Deploys that failed, and manual rollbacks (what served had to be undone)."""
    return [
        r
        for r in records
        if (r.get("action") == "deploy" and r.get("outcome") in FAILED)
        or (r.get("action") == "rollback" and not r.get("undo"))
    ]


def was_rolled_back(deploy: Mapping[str, Any], records: Sequence[Mapping[str, Any]]) -> bool:
    return any(
        r.get("action") == "rollback"
        and r.get("from_version") == deploy.get("version")
        and float(r.get("started", 0)) >= float(deploy.get("started", 0))
        for r in records
    )


def restore_seconds(
    failure: Mapping[str, Any], records: Sequence[Mapping[str, Any]]
) -> float | None:
    began = float(failure.get("started", 0))
    for record in records:
        if float(record.get("started", 0)) < began or not restores(record):
            continue
        return float(record.get("ended", began)) - began
    return None


def restores(record: Mapping[str, Any]) -> bool:
    """Whether a healthy release served when this record ended."""
    outcome = record.get("outcome")
    if record.get("action") == "rollback":
        return outcome == "succeeded"
    if record.get("action") == "deploy":
        # A deploy that failed, rolled back or was aborted left the previous release serving.
        return outcome in (*SERVED, "failed", "rolled_back", "aborted")
    return False


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 3) if values else None
