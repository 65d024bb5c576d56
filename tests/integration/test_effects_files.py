"""Effects on the real filesystem and environment mappings (no processes)."""

import json
from pathlib import Path

import pytest

from shipway.decisions.verdict import Bound, Outcome, Verdict
from shipway.effects.project import EXIT_BAD_CONFIG, load_or_exit
from shipway.effects.stages.interpreters import expose_interpreters
from shipway.effects.verdicts import publish


def fake_install(root: Path, version: str) -> Path:
    bin_dir = root / version / "bin"
    bin_dir.mkdir(parents=True)
    return bin_dir


def test_expose_appends_version_manager_interpreters_and_forbids_downloads(
    tmp_path: Path,
) -> None:
    pyenv = tmp_path / "pyenv"
    fake_install(pyenv / "versions", "3.12.1")
    newest = fake_install(pyenv / "versions", "3.12.4")
    mise_313 = fake_install(tmp_path / "mise" / "installs" / "python", "3.13.0")
    environ = {
        "PATH": "/usr/bin",
        "PYENV_ROOT": str(pyenv),
        "MISE_DATA_DIR": str(tmp_path / "mise"),
        "ASDF_DATA_DIR": str(tmp_path / "no-asdf"),
        "UV_PYTHON_DOWNLOADS": "automatic",
    }
    added = expose_interpreters(["3.12", "3.13", "3.19"], environ)
    assert added == [newest, mise_313]
    assert environ["PATH"] == f"/usr/bin:{newest}:{mise_313}"
    assert environ["UV_PYTHON_DOWNLOADS"] == "never"
    assert expose_interpreters(["3.12"], environ) == []  # already there: nothing added twice
    assert environ["PATH"].count(str(newest)) == 1


def test_load_or_exit_prints_one_message_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.shipway]\nbogus_key = 1\n")
    with pytest.raises(SystemExit) as exited:
        load_or_exit(tmp_path)
    assert exited.value.code == EXIT_BAD_CONFIG
    err = capsys.readouterr().err
    assert "tool.shipway.bogus_key = 1: unknown key" in err
    assert "Traceback" not in err


def test_publish_writes_json_and_appends_to_the_step_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    verdict = Verdict("coverage", Outcome.PASS, 90, Bound.AT_LEAST, "%", 93.1, Path("r.json"))
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    publish(
        [verdict],
        lambda gate: tmp_path / "v" / f"{gate}.json",
        {"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert json.loads((tmp_path / "v" / "coverage.json").read_text())["measured"] == 93.1
    text = summary.read_text()
    assert text.startswith("earlier step\n")
    assert "| coverage | ✅ PASS | 93.1% | >= 90% | r.json |" in text
    assert "PASS" in capsys.readouterr().err


def test_a_gate_may_publish_its_own_report_as_the_step_summary(tmp_path: Path) -> None:
    verdict = Verdict("security", Outcome.FAIL, 0, Bound.AT_MOST, " findings", 2, None)
    summary = tmp_path / "summary.md"
    report = "### security: ❌ FAIL (fail on high)\n\n"
    publish(
        [verdict],
        lambda gate: tmp_path / f"{gate}.json",
        {"GITHUB_STEP_SUMMARY": str(summary)},
        markdown=report,
    )
    assert summary.read_text() == report
    assert json.loads((tmp_path / "security.json").read_text())["measured"] == 2


def test_publish_without_a_step_summary_writes_no_markdown(tmp_path: Path) -> None:
    verdict = Verdict("coverage", Outcome.FAIL, 90, Bound.AT_LEAST, "%", 50, None)
    publish([verdict], lambda gate: tmp_path / f"{gate}.json", {})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coverage.json"]
