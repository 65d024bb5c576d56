"""`inv dashboard` on a project with an audit history, perf runs and a stage record written
here: the page holds the history, the DORA keys and the charts' data, links the rollout reports,
masks the secrets, and draws in a headless Chromium without a network."""

import datetime
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from shipway.config import load_project
from shipway.decisions.stages.cache import PassRecord
from shipway.effects.deploy.environment import environment_files
from shipway.effects.deploy.files import append_audit
from shipway.entry import report
from shipway.errors import ShipwayError
from tests.support import tasks
from tests.support.fixture_repo import git
from tests.support.processes import env_with

REPO = Path(__file__).resolve().parents[2]
DAY = 86400.0
SECRET = "planted-s3cret-value-7f3a9c"  # pragma: allowlist secret (planted by this test)
PYPROJECT = """\
[project]
name = "demo"
version = "1"

[tool.shipway]
app = "demo:app"

[tool.shipway.environments.dev]
port = 8190
secrets = { API_TOKEN = "env:SHIPWAY_PLANTED_SECRET" }

[tool.shipway.environments.prod]
port = 8290
secrets = { API_TOKEN = "env:SHIPWAY_SECRET_NOBODY_SET" }
"""
# Deploys of dev, oldest first: (version, outcome); 1.8 is undone by `inv rollback` after it.
DEPLOYS = [
    ("1.0", "succeeded"),
    ("1.1", "succeeded"),
    ("1.2", "rolled_back"),
    ("1.3", "succeeded"),
    ("1.4", "failed"),
    ("1.5", "succeeded"),
    ("1.6", "aborted"),
    ("1.7", "succeeded"),
    ("1.8", "succeeded"),
    ("1.9", "succeeded, post-deploy hook failed"),
    ("2.0", "succeeded"),
]
REPORT = "20270115T080000Z-deploy-2.0"
CHARTS = ["dev-deploys", "dev-durations", "dev-lead-times", "perf-latency", "perf-rps"]
CHARTS += ["perf-errors", "stages"]


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    """A project whose dev environment deployed 11 times in the last 11 days (3 failed, one
    was rolled back by hand), with 3 perf runs and the lint stage's record."""
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    shutil.copy(REPO / "tasks.py", root / "tasks.py")
    now = time.time()
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "-A")
    sha = commit_at(root, now - 11 * DAY - 2 * 3600)  # 2 hours before the first deploy
    files = environment_files(load_project(root), "dev")
    for i, (version, outcome) in enumerate(DEPLOYS):
        started = now - (11 - i) * DAY
        append_audit(files, deploy(version, outcome, started, sha, i))
        if version == "1.8":
            append_audit(files, rollback("1.7", "1.8", started + 3600))
    perf = root / ".shipway" / "perf" / "runs.jsonl"
    perf.parent.mkdir(parents=True)
    runs = [perf_run(p95, version) for p95, version in ((110, "1.5"), (95, "1.7"), (99, SECRET))]
    perf.write_text("".join(json.dumps(r) + "\n" for r in runs), encoding="utf-8")
    cache = root / ".shipway" / "cache" / "lint.json"
    cache.parent.mkdir(parents=True)
    cache.write_text(lint_record().model_dump_json(), encoding="utf-8")
    copy = root / "reports" / "deploy" / "dev" / f"{REPORT}.html"
    copy.parent.mkdir(parents=True)
    copy.write_text("<!doctype html><title>the rollout of 2.0</title>", encoding="utf-8")
    return root


def commit_at(root: Path, at: float) -> str:
    dated = env_with(
        {"GIT_AUTHOR_DATE": f"@{at:.0f} +0000", "GIT_COMMITTER_DATE": f"@{at:.0f} +0000"}
    )
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "change"],
        cwd=root,
        env=dated,
        check=True,
    )
    return git(root, "rev-parse", "HEAD").strip()


def deploy(version: str, outcome: str, started: float, sha: str, i: int) -> dict[str, Any]:
    return {
        "action": "deploy",
        "environment": "dev",
        "who": f"dev{i % 3}@ci",
        "version": version,
        "from_version": f"1.{i - 1}" if i else None,
        "git_sha": sha,
        "strategy": "blue-green",
        "started": started,
        "serving_after_seconds": 40.0,
        "ended": started + 45 + i,
        "outcome": outcome,
        "reason": f"pre-deploy hook printed {SECRET}" if outcome == "failed" else "",
        **({"report": REPORT} if version == "2.0" else {}),
    }


def rollback(to: str, current: str, started: float) -> dict[str, Any]:
    return {
        "action": "rollback",
        "environment": "dev",
        "who": "ops@host",
        "version": to,
        "from_version": current,
        "started": started,
        "ended": started + 2,
        "outcome": "succeeded",
        "reason": "",
    }


def perf_run(p95: float, version: str) -> dict[str, Any]:
    return {
        "profile": "load",
        "version": version,
        "started": "2027-01-10T10:00:00+00:00",
        "p95_ms": p95,
        "p99_ms": p95 * 1.8,
        "rps": 210.0,
        "error_rate": 0.002,
        "verdict": "pass",
        "checks": [
            {"gate": "perf.p95_ms", "threshold": 500.0},
            {"gate": "perf.error_rate", "threshold": 1.0},
            {"gate": "perf.min_rps", "threshold": 50.0},
        ],
    }


def lint_record() -> PassRecord:
    return PassRecord(
        stage="lint",
        key="0" * 64,
        passed_at=datetime.datetime.now(datetime.UTC),
        seconds=12.3,
        files={},
        values={},
        outputs={},
    )


def inv(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHIPWAY_PLANTED_SECRET": SECRET, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("SHIPWAY_SECRET_NOBODY_SET", None)
    return tasks.inv(root, *arguments, environ=env)


def dashboard(root: Path, *arguments: str) -> Path:
    done = inv(root, "dashboard", *arguments)
    assert done.returncode == 0, done.stderr
    page = Path(done.stdout.strip())
    assert page.is_file(), done.stdout
    return page


def chart_data(page: str) -> dict[str, dict[str, Any]]:
    embedded = page.split('<script id="chart-data" type="application/json">', 1)[1]
    charts = json.loads(embedded.split("</script>", 1)[0])
    return {chart["id"]: chart["config"] for chart in charts}


def test_the_dashboard_shows_the_history_the_dora_keys_and_the_trends(demo: Path) -> None:
    page = dashboard(demo)
    assert page == demo / "reports" / "dashboard.html"
    text = page.read_text(encoding="utf-8")
    for version, outcome in DEPLOYS:
        assert f"<code>{version}</code>" in text
        assert outcome in text
    assert "ops@host" in text  # who rolled back
    # 8 of the 11 deploys served, over the 30 days; 3 failed and 1 was undone by a rollback.
    assert "0.267 per day" in text
    assert "36 %" in text
    assert "4 of 11 deploy(s)" in text
    # Served 0, 1, 3, 5, 7, 8, 9 and 10 days (and 2h40s) after the commit: the median is 6 days.
    assert "146h00m" in text
    # Restored at the end of the failed, rolled-back and aborted deploys and of the rollback.
    assert "48.0s" in text
    assert f'href="deploy/dev/{REPORT}.html"' in text  # the rollout report, relative to the page
    assert "prod" in text  # every configured environment, this one without history
    charts = chart_data(text)
    assert sorted(charts) == sorted(CHARTS)
    latency = charts["perf-latency"]["data"]["datasets"]
    assert [d["label"] for d in latency] == ["p95", "p99", "p95 gate"]
    assert latency[0]["data"] == [110, 95, 99]
    assert charts["stages"]["data"]["labels"] == ["lint"]


def test_a_secret_of_the_environments_settings_appears_nowhere(demo: Path) -> None:
    text = dashboard(demo).read_text(encoding="utf-8")
    assert SECRET not in text
    assert "pre-deploy hook printed ****" in text  # the reason is shown, its secret masked


def test_one_environment_to_a_page_of_its_own(demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "deep" / "dev.html"
    page = dashboard(demo, "--env", "dev", "--out", str(out))
    assert page == out
    text = out.read_text(encoding="utf-8")
    assert "environment-prod" not in text
    copy = demo / "reports" / "deploy" / "dev" / f"{REPORT}.html"
    assert f'href="{os.path.relpath(copy, out.parent)}"' in text  # relative to the page


def test_bad_input_is_refused_with_a_clear_message(demo: Path, tmp_path: Path) -> None:
    unknown = inv(demo, "dashboard", "--env", "staging")
    assert unknown.returncode == 1
    assert "unknown environment 'staging'; configured: dev, prod" in unknown.stderr
    directory = inv(demo, "dashboard", "--out", str(tmp_path))
    assert directory.returncode == 1
    assert f"--out {tmp_path}: a directory" in directory.stderr


def test_without_records_the_page_says_what_is_not_recorded(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    page = report.dashboard(load_project(root), None, str(tmp_path / "empty.html"))
    text = page.read_text(encoding="utf-8")
    assert "Stage durations: not recorded" in text
    assert "No perf run recorded" in text
    assert chart_data(text) == {}
    with pytest.raises(ShipwayError, match="unknown environment 'qa'"):
        report.dashboard(load_project(root), "qa", None)


def test_the_dashboard_renders_in_chromium(demo: Path) -> None:
    browser = pytest.importorskip("tests.support.browser")
    page = dashboard(demo)
    with browser.open_page(page, "dashboard") as loaded:
        assert not loaded.console_errors
        assert not loaded.requests
        drawn = loaded.charts()
        for chart_id in CHARTS:
            assert max(drawn[chart_id], default=0) > 0, chart_id
            assert loaded.painted(chart_id), chart_id
        assert "change failure rate" in loaded.text("#dora-dev")
        assert "36 %" in loaded.text("#dora-dev-failure-rate")
