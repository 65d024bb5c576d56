"""The DORA four keys on constructed audit histories with known answers."""

from typing import Any

from shipway.decisions.report.dora import dora

DAY = 86400.0
T0 = 1_800_000_000.0


def deploy(
    version: str, started: float, outcome: str = "succeeded", **extra: Any
) -> dict[str, Any]:
    return {
        "action": "deploy",
        "version": version,
        "started": started,
        "ended": started + 60,
        "outcome": outcome,
        **extra,
    }


def rollback(
    to: str, from_version: str, started: float, outcome: str = "succeeded"
) -> dict[str, Any]:
    return {
        "action": "rollback",
        "version": to,
        "from_version": from_version,
        "started": started,
        "ended": started + 5,
        "outcome": outcome,
    }


def test_an_empty_history_has_no_figures_only_zero_counts() -> None:
    keys = dora([], {}, T0, T0 + 30 * DAY)
    assert (keys.deploys, keys.served, keys.deploys_per_day) == (0, 0, 0.0)
    assert keys.lead_time_median_seconds is None
    assert keys.change_failure_rate is None
    assert keys.restore_median_seconds is None
    assert keys.open_failures == 0


def test_a_history_without_failures_has_a_zero_rate_and_no_restore_time() -> None:
    records = [deploy(f"1.{i}", T0 + i * DAY) for i in range(10)]
    keys = dora(records, {}, T0, T0 + 10 * DAY)
    assert (keys.deploys, keys.served, keys.deploys_per_day) == (10, 10, 1.0)
    assert keys.change_failure_rate == 0.0
    assert keys.restore_median_seconds is None


def test_lead_time_runs_from_the_commit_to_serving() -> None:
    records = [
        deploy("1.0", T0, git_sha="a", serving_after_seconds=30),  # served at T0 + 30
        deploy("1.1", T0 + DAY, git_sha="b"),  # no serving time: served when it ended
        deploy("1.2", T0 + 2 * DAY, git_sha="unknown"),  # no commit time: left out
    ]
    commits = {"a": T0 - 3600, "b": T0 + DAY - 7200}
    keys = dora(records, commits, T0, T0 + 3 * DAY)
    # 3630 s and 7260 s: the median of two is their mean, the slowest is the second.
    assert keys.lead_time_median_seconds == 5445.0
    assert keys.lead_time_max_seconds == 7260.0


def test_failed_deploys_and_rolled_back_ones_are_change_failures() -> None:
    records = [
        deploy("1.0", T0),
        deploy("1.1", T0 + 100, outcome="rolled_back"),  # automatic: restored at its end
        deploy("1.2", T0 + 1000),
        rollback("1.0", "1.2", T0 + 2000),  # served, then undone by hand
        deploy("1.3", T0 + 3000, outcome="aborted"),
    ]
    keys = dora(records, {}, T0, T0 + DAY)
    assert keys.deploys == 4
    assert keys.failures == 3  # 1.1, 1.3, and 1.2 (rolled back by hand)
    assert keys.change_failure_rate == 0.75
    # 1.1: 60 s (its own rollback); the manual rollback: 5 s; 1.3: 60 s.
    assert keys.restore_median_seconds == 60.0
    assert keys.restore_max_seconds == 60.0
    assert keys.open_failures == 0


def test_a_failed_rollback_waits_for_the_next_healthy_serving() -> None:
    records = [
        deploy("1.0", T0),
        deploy("1.1", T0 + 100),
        rollback("1.0", "1.1", T0 + 200, outcome="failed"),
        deploy("1.2", T0 + 1000),  # the fix: healthy again when it ends, at T0 + 1060
    ]
    keys = dora(records, {}, T0, T0 + DAY)
    assert keys.restore_median_seconds == 860.0


def test_a_failure_nothing_restored_yet_is_open() -> None:
    records = [deploy("1.0", T0), rollback("0.9", "1.0", T0 + 100, outcome="failed")]
    keys = dora(records, {}, T0, T0 + DAY)
    assert (keys.open_failures, keys.restore_median_seconds) == (1, None)


def test_only_records_in_the_window_count() -> None:
    records = [deploy("1.0", T0 - DAY), deploy("1.1", T0), deploy("1.2", T0 + 2 * DAY)]
    keys = dora(records, {}, T0, T0 + DAY)
    assert (keys.deploys, keys.served) == (1, 1)
