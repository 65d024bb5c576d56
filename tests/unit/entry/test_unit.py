"""``inv service`` on this repository's own configuration, with the host's facts and systemctl
faked: what it shows, writes, runs and refuses."""

import dataclasses
import sys
from pathlib import Path

import pytest

from shipway.config import Project
from shipway.config.deploy import Environment
from shipway.decisions.deploy.unit import Host
from shipway.effects import command
from shipway.effects.deploy import unit as host_unit
from shipway.entry import tasks
from shipway.entry import unit as entry
from shipway.errors import ShipwayError
from tests.unit.entry.paths import REPO

NAME = "shipway-chatbot-dev.service"


@pytest.fixture
def project() -> Project:
    return tasks.prepare(str(REPO / "tasks.py"))


def with_secrets(project: Project, name: str, secrets: dict[str, str]) -> Project:
    environments = dict(project.config.environments)
    changed = {**environments[name].model_dump(), "secrets": secrets}
    environments[name] = Environment.model_validate(changed)
    config = project.config.model_copy(update={"environments": environments})
    return dataclasses.replace(project, config=config)


@pytest.fixture
def user_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """A user's login on a host where systemd runs: systemctl recorded, verify skipped."""
    ran: list[list[str]] = []

    def systemctl(argv: list[str], **_: object) -> command.Completed:
        ran.append(list(argv))
        return command.Completed(list(argv), 0, "", "")

    host = Host(scope="user", user="ann", home=tmp_path, booted=True, lingering=False)
    monkeypatch.setattr(host_unit, "host", lambda: host)
    monkeypatch.setattr(host_unit, "run", systemctl)
    monkeypatch.setattr(host_unit, "verify", lambda unit, text: "verified (fake)")
    return ran


def service(
    project: Project,
    action: str,
    env: str | None = "dev",
    *,
    env_file: str | None = None,
    unit_dir: str | None = None,
    dry_run: bool = False,
) -> None:
    entry.service(project, action, env, env_file=env_file, unit_dir=unit_dir, dry_run=dry_run)


def test_show_prints_the_unit_of_this_project(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    service(project, "show")
    shown = capsys.readouterr().out
    assert shown.startswith("# Written by shipway (inv service --env dev install)")
    assert f"WorkingDirectory={REPO}\n" in shown
    assert f"ExecStart={sys.executable} -m shipway supervise --env dev\n" in shown


def test_install_writes_the_user_unit_reloads_and_enables_it(
    project: Project,
    user_host: list[list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    service(project, "install")
    path = tmp_path / ".config" / "systemd" / "user" / NAME
    assert "WantedBy=default.target" in path.read_text()
    assert user_host == [
        ["systemctl", "--user", "daemon-reload"],
        ["systemctl", "--user", "enable", NAME],
    ]
    said = capsys.readouterr().out
    assert f"wrote {path}" in said
    assert "sudo loginctl enable-linger ann" in said
    service(project, "uninstall")
    assert not path.exists()
    assert user_host[2:] == [
        ["systemctl", "--user", "disable", NAME],
        ["systemctl", "--user", "daemon-reload"],
    ]


def test_dry_run_prints_the_file_and_every_command_and_changes_nothing(
    project: Project,
    user_host: list[list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    service(project, "install", dry_run=True)
    said = capsys.readouterr().out
    path = tmp_path / ".config" / "systemd" / "user" / NAME
    assert f"would write {path}:\n# Written by shipway" in said
    assert (
        f"would run systemctl --user daemon-reload\nwould run systemctl --user enable {NAME}"
        in (said)
    )
    assert said.rstrip().endswith("dry run: nothing was changed")
    assert not (tmp_path / ".config").exists()
    assert user_host == []
    service(project, "install")
    capsys.readouterr()
    service(project, "uninstall", dry_run=True)
    said = capsys.readouterr().out
    assert f"would run systemctl --user disable {NAME}\nwould remove {path}" in said
    assert path.exists()
    assert len(user_host) == 2


def test_unknown_environments_and_bad_env_files_are_refused_before_anything(
    project: Project, user_host: list[list[str]], tmp_path: Path
) -> None:
    with pytest.raises(ShipwayError, match="unknown environment 'nope'; configured: dev,"):
        service(project, "install", env="nope")
    secret = tmp_path / "dev.env"
    with pytest.raises(ShipwayError, match=f"--env-file {secret} does not exist"):
        service(project, "install", env_file=str(secret))
    secret.write_text("TOKEN=x\n")
    secret.chmod(0o644)
    with pytest.raises(ShipwayError, match=f"mode 0644: .* \\(chmod 600 {secret}\\)"):
        service(project, "show", env_file=str(secret))
    with pytest.raises(ShipwayError, match=r"--unit-dir .*/nope is not a directory"):
        service(project, "install", unit_dir=str(tmp_path / "nope"))
    assert user_host == []
    assert not (tmp_path / ".config").exists()


def test_env_secrets_need_an_env_file_to_install(
    project: Project,
    user_host: list[list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    secretive = with_secrets(project, "dev", {"TOKEN": "env:API_TOKEN"})
    with pytest.raises(ShipwayError, match=r"TOKEN \(env:API_TOKEN\) come from the environment"):
        service(secretive, "install")
    service(secretive, "show")
    shown = capsys.readouterr()
    assert "EnvironmentFile" not in shown.out
    assert "--env-file PATH" in shown.err
    secret = tmp_path / "dev.env"
    secret.write_text("API_TOKEN=not-shown\n")
    secret.chmod(0o600)
    service(secretive, "install", env_file=str(secret))
    said = capsys.readouterr()
    unit = (tmp_path / ".config" / "systemd" / "user" / NAME).read_text()
    assert f"EnvironmentFile={secret}\n" in unit
    assert "not-shown" not in unit + said.out + said.err
