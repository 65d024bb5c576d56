"""`inv dora` on an audit log written here, with the commit times a real git repository gives."""

import json
from pathlib import Path

import pytest

from shipway.config import load_project
from shipway.effects.deploy.environment import environment_files
from shipway.effects.deploy.files import append_audit
from shipway.entry import report
from shipway.errors import ShipwayError
from tests.support.fixture_repo import commit, git

DAY = 86400.0


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "1"\n'
        '[tool.shipway]\napp = "demo:app"\n'
        "[tool.shipway.environments.dev]\nport = 8190\n",
        encoding="utf-8",
    )
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    git(tmp_path, "add", "-A")
    commit(tmp_path, "the first change")
    return tmp_path


def test_dora_reads_the_audit_log_and_the_commit_times(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = load_project(repo)
    sha = git(repo, "rev-parse", "HEAD").strip()
    committed = float(git(repo, "show", "-s", "--format=%ct", sha).strip())
    files = environment_files(project, "dev")
    served = committed + 600
    append_audit(files, {"action": "deploy", "version": "1.0", "git_sha": sha,
                         "started": served - 30, "serving_after_seconds": 30,
                         "ended": served + 5, "outcome": "succeeded"})  # fmt: skip
    append_audit(files, {"action": "deploy", "version": "1.1", "git_sha": "0" * 40,
                         "started": served + 100, "ended": served + 160,
                         "outcome": "rolled_back"})  # fmt: skip
    keys = report.keys(project, "dev", "30d", now=served + DAY)
    assert (keys.deploys, keys.served, keys.failures) == (2, 1, 1)
    assert keys.lead_time_median_seconds == 600.0  # from the commit to serving
    assert keys.change_failure_rate == 0.5
    assert keys.restore_median_seconds == 60.0
    report.show(project, "dev", since="30d", as_json=True, now=served + DAY)
    shown = json.loads(capsys.readouterr().out)
    assert (shown["environment"], shown["deploys"]) == ("dev", 2)
    report.show(project, "dev", since="30d", as_json=False, now=served + DAY)
    table = capsys.readouterr().out
    assert "change failure rate" in table
    assert "50% (1 of 2)" in table


def test_an_unknown_environment_and_a_bad_window_are_refused(repo: Path) -> None:
    project = load_project(repo)
    with pytest.raises(ShipwayError, match="unknown environment 'prod'; configured: dev"):
        report.keys(project, "prod", "30d")
    with pytest.raises(ShipwayError, match="--since a month: not a duration"):
        report.keys(project, "dev", "a month")
