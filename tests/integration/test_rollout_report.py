"""A rollout's report on disk (effects/report/rollout.py) and `inv report`, run as a new user
runs it: the task file copied into a project, invoke as a subprocess."""

import os
import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from shipway.config import load_project
from shipway.config.deploy import Analysis
from shipway.decisions.report.rollout import Timeline, report_id, rollout_report
from shipway.effects.deploy.environment import environment_files
from shipway.effects.report import pages, rollout
from shipway.entry import report
from shipway.errors import ShipwayError
from tests.support import tasks

REPO = Path(__file__).resolve().parents[2]
T0 = 1_800_000_000.0
PLANTED = "planted-7c1f0e-secret-value"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1"\n'
        '[tool.shipway]\napp = "demo:app"\n'
        "[tool.shipway.environments.dev]\nport = 8190\n"
        "[tool.shipway.environments.empty]\nport = 8290\n",
        encoding="utf-8",
    )
    shutil.copy(REPO / "tasks.py", tmp_path / "tasks.py")
    return tmp_path


def saved(root: Path, version: str, started: float, reason: str = "") -> Path:
    project = load_project(root)
    record = {
        "action": "deploy",
        "environment": "dev",
        "who": "alice@laptop",
        "version": version,
        "from_version": None,
        "started": started,
        "ended": started + 12,
        "outcome": "rolled_back" if reason else "succeeded",
        "reason": reason,
        "report": report_id("deploy", version, started),
    }
    timeline = Timeline()
    timeline.weight(started, 0, "start")
    timeline.weight(started + 5, 100, "switch")
    report = rollout_report(record, timeline, Analysis())
    return rollout.write(environment_files(project, "dev"), root, report, [PLANTED])


def inv(root: Path, *arguments: str, **environ: str) -> subprocess.CompletedProcess[str]:
    minimal = {
        "PATH": os.environ["PATH"],
        "HOME": str(root),
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
        "COLUMNS": "200",
    }
    return tasks.inv(root, *arguments, environ=minimal | environ, timeout=60)


def test_a_report_is_written_for_its_environment_and_copied_for_ci(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = root / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    path = saved(root, "1.0.0", T0, reason=f"smoke failed: DATABASE_URL={PLANTED}")
    own = {path.with_name(path.name.replace(".html", s)) for s in (".html", ".md", ".json")}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in own)
    copies = root / "reports" / "deploy" / "dev"
    assert sorted(p.name for p in copies.iterdir()) == [
        f"{report_id('deploy', '1.0.0', T0)}.html",
        f"{report_id('deploy', '1.0.0', T0)}.md",
    ]
    assert "smoke failed" in summary.read_text(encoding="utf-8")
    written = [*own, *copies.iterdir(), summary]
    assert all(PLANTED not in p.read_text(encoding="utf-8") for p in written)
    assert "DATABASE_URL=****" in path.read_text(encoding="utf-8")
    assert rollout.read(path).reason == "smoke failed: DATABASE_URL=****"


def test_the_page_needs_no_network_and_escapes_what_people_wrote(root: Path) -> None:
    page = saved(root, "1.0.0", T0, reason="<script>alert(1)</script>").read_text("utf-8")
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Chart.js v" + pages.CHART_JS_VERSION in page  # inlined, not fetched
    assert "src=" not in page.replace('src="data:', "")
    assert "sourceMappingURL" not in page


def test_inv_report_prints_the_latest_or_the_one_asked_for(root: Path) -> None:
    first = saved(root, "1.0.0", T0)
    second = saved(root, "1.1.0", T0 + 3600)
    latest = inv(root, "report", "--env", "dev")  # as a user runs it, once
    assert (latest.returncode, latest.stdout.strip()) == (0, str(second)), latest.stderr
    project = load_project(root)
    assert report.report(project, "dev", "1.0.0", open_it=False) == first  # a version
    assert report.report(project, "dev", first.name[:15], open_it=False) == first  # an id's start


def test_inv_report_open_hands_the_page_to_the_users_browser(root: Path) -> None:
    path = saved(root, "1.0.0", T0)
    opened = root / "opened.txt"
    browser = root / "browser"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n', encoding="utf-8")
    browser.chmod(0o755)
    shown = inv(root, "report", "--env", "dev", "--open", BROWSER=str(browser))
    assert shown.returncode == 0, shown.stderr
    assert opened.read_text(encoding="utf-8").strip() == path.as_uri()


@pytest.mark.parametrize(
    ("environment", "deploy", "expected"),
    [
        ("empty", None, "empty has no rollout reports yet"),
        ("dev", "9.9.9", "--deploy 9.9.9: no report of dev"),
        ("nowhere", None, "unknown environment 'nowhere'; configured: dev, empty"),
    ],
)
def test_inv_report_refuses_what_it_cannot_find(
    root: Path, environment: str, deploy: str | None, expected: str
) -> None:
    saved(root, "1.0.0", T0)
    with pytest.raises(ShipwayError, match=re.escape(expected)):
        report.report(load_project(root), environment, deploy, open_it=False)


def test_a_refusal_is_one_message_and_exit_1_without_a_traceback(root: Path) -> None:
    refused = inv(root, "report", "--env", "dev")
    assert refused.returncode == 1
    assert "dev has no rollout reports yet" in refused.stderr + refused.stdout
    assert "Traceback" not in refused.stderr
