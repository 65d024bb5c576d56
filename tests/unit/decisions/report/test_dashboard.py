"""The dashboard's view on constructed audit logs, perf runs and stage records."""

import datetime
from typing import Any

from shipway.decisions.report import dashboard as board
from shipway.decisions.report.dashboard import StageTime, dashboard
from shipway.decisions.report.dora import DAY, dora
from shipway.decisions.report.rollout import Chart

NOW = 1_800_000_000.0  # 2027-01-15 08:00 UTC
SINCE = NOW - board.WINDOW_DAYS * DAY


def record(action: str, version: str, started: float, outcome: str, **extra: Any) -> dict[str, Any]:
    return {
        "action": action,
        "version": version,
        "from_version": extra.pop("from_version", "0.9"),
        "who": "ada",
        "started": started,
        "ended": started + extra.pop("took", 60),
        "outcome": outcome,
        **extra,
    }


def run(profile: str, p95: float, **extra: Any) -> dict[str, Any]:
    return {
        "profile": profile,
        "version": "1.0",
        "started": "2027-01-10T10:00:00+00:00",
        "p95_ms": p95,
        "p99_ms": p95 * 2,
        "rps": 100.0,
        "error_rate": 0.001,
        "verdict": "pass",
        "checks": [],
        **extra,
    }


def view(
    records: list[dict[str, Any]], commits: dict[str, float] | None = None
) -> board.EnvironmentView:
    return dashboard({"prod": records}, commits or {}, [], "load", [], NOW).environments[0]


def chart(charts: list[Chart], chart_id: str) -> dict[str, Any]:
    return next(c.config for c in charts if c.id == chart_id)


def test_an_empty_history_shows_no_rows_no_charts_and_no_figures() -> None:
    page = dashboard({"prod": []}, {}, [], "load", [], NOW)
    (env,) = page.environments
    assert (env.rows, env.recorded, env.charts) == ([], 0, [])
    assert env.keys.deploys == 0
    assert env.keys.lead_time_median_seconds is None
    assert env.keys.change_failure_rate is None
    assert (page.perf.profile, page.perf.runs, page.perf.charts) == (None, [], [])
    assert (page.stages, page.charts) == ([], [])


def test_the_history_lists_deploys_and_rollbacks_newest_first() -> None:
    records = [
        record("deploy", "1.0", NOW - 3 * DAY, "succeeded", report="r1", took=42),
        record("stop", "1.0", NOW - 2 * DAY, "succeeded"),
        record("rollback", "0.9", NOW - DAY, "succeeded", from_version="1.0"),
        record("maintenance", "0.9", NOW - 100, "succeeded"),
    ]
    rows = view(records).rows
    assert [(r.action, r.version, r.from_version) for r in rows] == [
        ("rollback", "0.9", "1.0"),
        ("deploy", "1.0", "0.9"),
    ]
    assert (rows[1].seconds, rows[1].who, rows[1].report) == (42.0, "ada", "r1")
    assert rows[0].report is None


def test_the_history_keeps_the_newest_rows() -> None:
    records = [
        record("deploy", f"1.{i}", NOW - i * 60, "succeeded") for i in range(board.HISTORY_ROWS + 5)
    ]
    env = view(records)
    assert (len(env.rows), env.recorded) == (board.HISTORY_ROWS, board.HISTORY_ROWS + 5)
    assert env.rows[0].version == "1.0"


def test_a_row_without_an_end_has_no_duration() -> None:
    started = record("deploy", "1.0", NOW - 60, "interrupted")
    del started["ended"]
    (row,) = view([started]).rows
    assert row.seconds is None
    assert not row.succeeded


def test_the_dora_figures_are_the_four_keys_of_the_window() -> None:
    records = [
        record("deploy", "1.0", NOW - 40 * DAY, "succeeded"),
        record("deploy", "1.1", NOW - 2 * DAY, "succeeded"),
        record("deploy", "1.2", NOW - DAY, "rolled_back"),
    ]
    assert view(records).keys == dora(records, {}, SINCE, NOW)
    assert view(records).keys.deploys == 2


def test_deploys_per_day_are_stacked_by_outcome_with_rollbacks_beside() -> None:
    day = (int(NOW // DAY) - 1) * DAY  # yesterday, 00:00 UTC
    records = [
        record("deploy", "1.0", day + 100, "succeeded"),
        record("deploy", "1.1", day + 200, "succeeded"),
        record("deploy", "1.2", day + 300, "rolled_back"),
        record("rollback", "1.0", day + 400, "succeeded", from_version="1.1"),
        record("stop", "1.0", day + 500, "succeeded"),
    ]
    config = chart(view(records).charts, "prod-deploys")
    labels = config["data"]["labels"]
    assert len(labels) == board.WINDOW_DAYS + 1  # every UTC day the window touches
    yesterday = labels.index("01-14")
    shown = {d["label"]: (d["data"][yesterday], d["stack"]) for d in config["data"]["datasets"]}
    assert shown == {
        "succeeded": (2, "deploys"),
        "rolled_back": (1, "deploys"),
        "rollback": (1, "rollbacks"),
    }
    assert config["options"]["scales"]["y"]["stacked"] is True


def test_records_before_the_window_are_listed_but_not_charted() -> None:
    env = view([record("deploy", "1.0", SINCE - DAY, "succeeded")])
    assert [r.version for r in env.rows] == ["1.0"]
    assert env.charts == []


def test_each_deploys_duration_is_charted_in_its_outcomes_series() -> None:
    records = [
        record("deploy", "1.0", NOW - 300, "succeeded", took=50),
        record("deploy", "1.1", NOW - 200, "failed", took=12),
        record("rollback", "1.0", NOW - 100, "succeeded"),
    ]
    config = chart(view(records).charts, "prod-durations")
    assert config["data"]["labels"] == ["1.0", "1.1"]
    series = {d["label"]: d["data"] for d in config["data"]["datasets"]}
    assert series == {"succeeded": [50.0, None], "failed": [None, 12.0]}


def test_lead_time_runs_from_the_commit_to_serving_in_hours() -> None:
    records = [
        record("deploy", "1.0", NOW - 7200, "succeeded", git_sha="a", serving_after_seconds=30),
        record("deploy", "1.1", NOW - 3600, "failed", git_sha="a"),  # never served
        record("deploy", "1.2", NOW - 1800, "succeeded", git_sha="unknown"),  # git knows not
    ]
    commits = {"a": NOW - 7200 + 30 - 2 * 3600}
    config = chart(view(records, commits).charts, "prod-lead-times")
    assert config["data"]["labels"] == ["1.0"]
    assert config["data"]["datasets"][0]["data"] == [2.0]


def test_no_lead_time_chart_without_a_known_commit() -> None:
    env = view([record("deploy", "1.0", NOW - 60, "succeeded", git_sha="a")])
    assert "prod-lead-times" not in [c.id for c in env.charts]


def test_environments_come_in_name_order_each_with_its_own_chart_ids() -> None:
    audits = {name: [record("deploy", "1.0", NOW - 60, "succeeded")] for name in ("qa", "dev")}
    page = dashboard(audits, {}, [], "load", [], NOW)
    assert [env.name for env in page.environments] == ["dev", "qa"]
    ids = [c.id for c in page.charts]
    assert ids == ["dev-deploys", "dev-durations", "qa-deploys", "qa-durations"]


def test_the_perf_trend_charts_the_configured_profiles_runs() -> None:
    runs = [run("load", 100), run("stress", 900), run("load", 120)]
    perf = dashboard({}, {}, runs, "load", [], NOW).perf
    assert (perf.profile, perf.charted, perf.total) == ("load", 2, 3)
    series = {d["label"]: d["data"] for d in chart(perf.charts, "perf-latency")["data"]["datasets"]}
    assert series == {"p95": [100, 120], "p99": [200, 240]}
    assert [r.p95_ms for r in perf.runs] == [120, 900, 100]  # every run, newest first


def test_without_runs_of_the_configured_profile_the_most_run_one_is_charted() -> None:
    runs = [run("stress", 900), run("soak", 300), run("soak", 310)]
    assert dashboard({}, {}, runs, "load", [], NOW).perf.profile == "soak"


def test_the_perf_charts_draw_each_runs_gate_thresholds() -> None:
    checks = [
        {"gate": "perf.p95_ms", "threshold": 500.0},
        {"gate": "perf.error_rate", "threshold": 1.0},  # percent, as the gate records it
        {"gate": "perf.min_rps", "threshold": 0.0},  # bounds nothing
    ]
    perf = dashboard({}, {}, [run("load", 100, checks=checks)], "load", [], NOW).perf
    latency = chart(perf.charts, "perf-latency")["data"]["datasets"]
    errors = chart(perf.charts, "perf-errors")["data"]["datasets"]
    rates = chart(perf.charts, "perf-rps")["data"]["datasets"]
    assert (latency[-1]["label"], latency[-1]["data"]) == ("p95 gate", [500.0])
    assert [d["data"] for d in errors] == [[0.1], [1.0]]  # failed requests in percent
    assert [d["label"] for d in rates] == ["requests/s"]


def test_a_run_without_measurements_charts_gaps() -> None:
    empty = run("load", 0, p95_ms=None, p99_ms=None, rps=None, error_rate=None, verdict="fail")
    perf = dashboard({}, {}, [empty, run("load", 100)], "load", [], NOW).perf
    assert chart(perf.charts, "perf-errors")["data"]["datasets"][0]["data"] == [None, 0.1]
    assert not perf.runs[1].passed


def test_stage_durations_are_charted_by_stage_name() -> None:
    at = datetime.datetime(2027, 1, 14, tzinfo=datetime.UTC)
    stages = [StageTime("typecheck", 30.5, at), StageTime("lint", 12.0, at)]
    page = dashboard({}, {}, [], "load", stages, NOW)
    assert [s.stage for s in page.stages] == ["lint", "typecheck"]
    config = chart(page.charts, "stages")
    assert (config["data"]["labels"], config["data"]["datasets"][0]["data"]) == (
        ["lint", "typecheck"],
        [12.0, 30.5],
    )


def test_every_chart_draws_without_a_time_scale_or_animation() -> None:
    at = datetime.datetime(2027, 1, 14, tzinfo=datetime.UTC)
    records = [record("deploy", "1.0", NOW - 60, "succeeded", git_sha="a")]
    page = dashboard(
        {"prod": records},
        {"a": NOW - 600},
        [run("load", 100)],
        "load",
        [StageTime("lint", 1, at)],
        NOW,
    )
    assert len(page.charts) == 7
    for drawn in page.charts:
        options = drawn.config["options"]
        assert options["animation"] is False
        assert options["maintainAspectRatio"] is False
        assert options["scales"]["x"]["type"] == "category", drawn.id
