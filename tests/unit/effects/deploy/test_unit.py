"""Carrying out a unit plan: a failing systemctl puts the unit file back as it was."""

from collections.abc import Sequence
from pathlib import Path

import pytest

from shipway.decisions.deploy.unit import Plan, Remove, Run, Write
from shipway.effects import command
from shipway.effects.deploy import unit as host_unit
from shipway.errors import ShipwayError

RELOAD = ["systemctl", "daemon-reload"]
ENABLE = ["systemctl", "enable", "x.service"]
DISABLE = ["systemctl", "disable", "x.service"]


class FakeSystemctl:
    def __init__(self, failing: Sequence[str] = ()) -> None:
        self.failing = list(failing)
        self.ran: list[list[str]] = []

    def __call__(self, argv: Sequence[str], **_: object) -> command.Completed:
        self.ran.append(list(argv))
        if self.failing and list(argv) == self.failing:
            return command.Completed(list(argv), 1, "", "Failed to connect to bus\n")
        return command.Completed(list(argv), 0, "", "")


@pytest.fixture
def systemctl(monkeypatch: pytest.MonkeyPatch) -> FakeSystemctl:
    fake = FakeSystemctl()
    monkeypatch.setattr(host_unit, "run", fake)
    return fake


def test_each_step_runs_in_order_and_is_reported(tmp_path: Path, systemctl: FakeSystemctl) -> None:
    path = tmp_path / "units" / "x.service"
    said: list[str] = []
    plan = Plan((Write(path, "[Unit]\n", None), Run(RELOAD), Run(ENABLE)))
    host_unit.carry_out(plan, said.append)
    assert path.read_text() == "[Unit]\n"
    assert path.stat().st_mode & 0o777 == 0o644
    assert systemctl.ran == [RELOAD, ENABLE]
    assert said == [
        f"wrote {path}",
        "ran systemctl daemon-reload",
        "ran systemctl enable x.service",
    ]


def test_a_failed_enable_removes_the_new_file_and_reloads_again(
    tmp_path: Path, systemctl: FakeSystemctl
) -> None:
    path = tmp_path / "x.service"
    systemctl.failing = ENABLE
    plan = Plan((Write(path, "[Unit]\n", None), Run(RELOAD), Run(ENABLE)))
    with pytest.raises(ShipwayError) as refused:
        host_unit.carry_out(plan, lambda line: None)
    assert str(refused.value) == (
        "`systemctl enable x.service` failed: Failed to connect to bus "
        f"(after `systemctl daemon-reload`); {path} put back as it was"
    )
    assert not path.exists()
    assert systemctl.ran == [RELOAD, ENABLE, RELOAD]


def test_a_failed_step_puts_a_replaced_or_removed_file_back(
    tmp_path: Path, systemctl: FakeSystemctl
) -> None:
    path = tmp_path / "x.service"
    path.write_text("old\n")
    systemctl.failing = RELOAD
    with pytest.raises(ShipwayError, match="put back as it was"):
        host_unit.carry_out(Plan((Write(path, "new\n", "old\n"), Run(RELOAD))), print)
    assert path.read_text() == "old\n"
    with pytest.raises(ShipwayError, match=r"\(after `systemctl disable x.service`\)"):
        host_unit.carry_out(Plan((Run(DISABLE), Remove(path, "old\n"), Run(RELOAD))), print)
    assert path.read_text() == "old\n"


def test_a_failed_first_command_changes_nothing(tmp_path: Path, systemctl: FakeSystemctl) -> None:
    path = tmp_path / "x.service"
    path.write_text("old\n")
    systemctl.failing = DISABLE
    with pytest.raises(ShipwayError) as refused:
        host_unit.carry_out(Plan((Run(DISABLE), Remove(path, "old\n"))), print)
    assert str(refused.value) == "`systemctl disable x.service` failed: Failed to connect to bus"
    assert path.read_text() == "old\n"


def test_a_file_that_cannot_be_written_is_an_error_not_a_traceback(
    tmp_path: Path, systemctl: FakeSystemctl
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ShipwayError, match=f"cannot change {blocker}/x.service"):
        host_unit.carry_out(Plan((Write(blocker / "x.service", "x", None), Run(ENABLE))), print)
    assert systemctl.ran == []


def test_facts_of_files(tmp_path: Path) -> None:
    secret = tmp_path / "prod.env"
    assert host_unit.env_file_mode(str(secret)) is None
    assert host_unit.read(secret) is None
    secret.write_text("TOKEN=x\n")
    secret.chmod(0o600)
    mode = host_unit.env_file_mode(str(secret))
    assert mode is not None
    assert mode & 0o777 == 0o600
    assert host_unit.readable(str(secret))
    assert host_unit.writable(tmp_path / "not" / "yet")  # created on the way
    assert not host_unit.writable(secret / "below-a-file")


def test_the_host_is_this_process_user() -> None:
    host = host_unit.host()
    assert host.scope == ("system" if host.user == "root" else "user")
    assert host.booted == Path("/run/systemd/system").is_dir()
