import argparse
import importlib.metadata

import pytest

from shipway.entry import cli, init
from shipway.errors import ShipwayError


def test_version_is_the_installed_distributions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"shipway {importlib.metadata.version('shipway')}\n"


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    shown = capsys.readouterr()
    assert shown.out == ""
    assert shown.err.startswith("usage: shipway")
    assert "init" in shown.err


def test_init_takes_its_arguments_from_its_entry_module(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["init", "--help"])
    assert exited.value.code == 0
    shown = capsys.readouterr().out
    for option in ("--dry-run", "--force", "--yes", "--app"):
        assert option in shown


def test_init_runs_with_its_parsed_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[argparse.Namespace] = []

    def run(arguments: argparse.Namespace) -> int:
        seen.append(arguments)
        return 3

    monkeypatch.setattr(init, "run", run)
    assert cli.main(["init", "svc", "--yes", "--app", "svc.app:app"]) == 3
    assert str(seen[0].path) == "svc"
    assert seen[0].yes
    assert not seen[0].force
    assert seen[0].app == "svc.app:app"


def test_a_refusal_is_one_line_on_stderr_and_exit_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(arguments: argparse.Namespace) -> int:
        raise ShipwayError("no entry point found: pass --app module:app")

    monkeypatch.setattr(init, "run", run)
    assert cli.main(["init"]) == 1
    shown = capsys.readouterr()
    assert shown.err == "shipway: no entry point found: pass --app module:app\n"
    assert shown.out == ""
