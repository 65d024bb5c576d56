"""The run summary (JSON and markdown)."""

from pathlib import Path

from shipway.config.perf import PerfGates
from shipway.decisions.perf.baseline import BaselineEntry
from shipway.decisions.perf.gate import PerfVerdict, slo_checks
from shipway.decisions.perf.stats import LocustStats
from shipway.decisions.perf.summary import RunSummary, markdown
from shipway.decisions.perf.workload import Workload
from tests.unit.decisions.perf.totals import total

BUILTIN = Workload(locustfile=None, paths=("/", "/api/items"))


def summary(
    stats: LocustStats | None, verdict: PerfVerdict, workload: Workload = BUILTIN
) -> RunSummary:
    return RunSummary(
        profile="load",
        host="http://127.0.0.1:8400",
        version="1.2.3",
        users=20,
        spawn_rate=10,
        duration_s=20,
        processes=1,
        started="2026-01-01T00:00:00+00:00",
        stats=stats,
        verdict=verdict,
        reports=Path("reports/perf"),
        workload=workload,
    )


def test_summary_has_the_headline_metrics_verdict_and_reasons() -> None:
    stats = LocustStats((total(),), total(p95=612, failures=30))
    checks = tuple(slo_checks(stats, PerfGates(), Path("reports/perf/summary.json")))
    run = summary(stats, PerfVerdict(checks, notes=("no baseline",)))
    document = run.to_json()
    assert {k: document[k] for k in ("p95_ms", "p99_ms", "error_rate", "rps")} == {
        "p95_ms": 612,
        "p99_ms": 150,
        "error_rate": 0.03,
        "rps": 50,
    }
    assert (document["users"], document["duration_s"], document["verdict"]) == (20, 20, "fail")
    assert len(document["reasons"]) == 2  # type: ignore[arg-type]
    assert document["notes"] == ["no baseline"]
    assert document["reports"]["html"] == "reports/perf/locust.html"  # type: ignore[index]
    report = markdown(run)
    assert report.startswith("### perf: ❌ FAIL (profile load: 20 users, 20 s,")
    assert "| 612.0 ms | 150.0 ms | 3.00% | 50.0 | 1000 |" in report
    assert "| perf.p95_ms | ❌ FAIL | 612 ms | <= 500 ms |" in report
    assert "- no baseline" in report
    assert run.baseline_entry() == BaselineEntry(
        p95_ms=612,
        rps=50,
        error_rate=0.03,
        users=20,
        duration_s=20,
        p99_ms=150,
        version="1.2.3",
        recorded="2026-01-01T00:00:00+00:00",
    )


def test_a_run_that_measured_nothing_is_no_baseline() -> None:
    run = summary(None, PerfVerdict((), errors=("Locust exited with status 1",)))
    assert run.baseline_entry() is None
    assert run.to_json()["p95_ms"] is None
    assert "- ❌ Locust exited with status 1" in markdown(run)


def test_the_records_say_which_user_ran_and_on_which_paths() -> None:
    builtin = summary(None, PerfVerdict(()))
    assert builtin.to_json()["workload"] == {
        "user": "built-in",
        "locustfile": None,
        "paths": ["/", "/api/items"],
    }
    chat = Workload(locustfile="locust/locustfile.py", paths=("/ready",))
    configured = summary(None, PerfVerdict(()), chat)
    assert configured.to_json()["workload"] == {
        "user": "locustfile",
        "locustfile": "locust/locustfile.py",
        "paths": ["/ready"],
    }
