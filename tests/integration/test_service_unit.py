"""`inv service` as an operator runs it, in a temporary project whose path has a space and a
`%`: the unit it shows, writes (to --unit-dir) and removes, checked by systemd's own
`systemd-analyze verify` where that command exists (it needs no running systemd)."""

import dataclasses
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from shipway.decisions.deploy import commands
from shipway.decisions.deploy import unit as decide
from tests.support.fixture_repo import project_repo
from tests.support.processes import REPO, env_with

NAME = "shipway-tiny-svc-dev.service"
SECRET = "s3cr3t-never-shown"
SERVICE = {
    "svc/pyproject.toml": '[project]\nname = "Tiny_Svc"\nversion = "0.1.0"\n'
    'requires-python = ">=3.11"\ndependencies = []\n[build-system]\n'
    'requires = ["uv_build>=0.13,<0.14"]\nbuild-backend = "uv_build"\n',
    "svc/src/tiny_svc/__init__.py": "def app(environ, start_response): ...\n",
}
SHIPWAY = (
    'service = "svc"\napp = "tiny_svc:app"\n'
    "[tool.shipway.environments.dev]\nport = 18610\n"
    "[tool.shipway.environments.prod]\nport = 18620\n"
    'secrets = { TOKEN = "env:API_TOKEN", KEY = "file:key.txt" }\n'
)
NO_SYSTEMD_ANALYZE = shutil.which("systemd-analyze") is None


def inv(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "invoke", "--search-root", str(root), *args]
    done = subprocess.run(
        argv, cwd=root, env=env_with(), capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done


def verify(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        commands.verify_unit(path), capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    files = {**SERVICE, "tasks.py": (REPO / "tasks.py").read_text(encoding="utf-8")}
    return project_repo(tmp_path / "my project 100%", files, SHIPWAY)


def test_show_install_uninstall_into_a_unit_directory(root: Path, tmp_path: Path) -> None:
    units = tmp_path / "units"
    units.mkdir()
    path = units / NAME

    shown = inv(root, "service", "--env", "dev", "show")
    assert shown.returncode == 0, shown.stderr
    assert f"WorkingDirectory={root}".replace("%", "%%") + "\n" in shown.stdout
    assert f"ExecStart={sys.executable} -m shipway supervise --env dev\n" in shown.stdout

    dry = inv(root, "service", "--env", "dev", "install", "--unit-dir", str(units), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would write {path}:\n{shown.stdout}" in dry.stdout
    assert dry.stdout.rstrip().endswith("dry run: nothing was changed")
    assert list(units.iterdir()) == []

    installed = inv(root, "service", "--env", "dev", "install", "--unit-dir", str(units))
    assert installed.returncode == 0, installed.stderr
    assert f"wrote {path}" in installed.stdout
    assert path.read_text(encoding="utf-8") == shown.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    if not decide.BOOTED.is_dir():
        assert "systemd is not running on this host" in installed.stdout
        assert f"@reboot cd '{root}'".replace("%", "\\%") in installed.stdout
    if not NO_SYSTEMD_ANALYZE:
        assert f"systemd-analyze verify: {NAME} is valid" in installed.stdout
        checked = verify(path)
        assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")

    again = inv(root, "service", "--env", "dev", "install", "--unit-dir", str(units))
    assert again.returncode == 0, again.stderr
    assert f"{path} already says this: unchanged" in again.stdout

    dry = inv(root, "service", "--env", "dev", "uninstall", "--unit-dir", str(units), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would remove {path}" in dry.stdout
    assert path.is_file()
    removed = inv(root, "service", "--env", "dev", "uninstall", "--unit-dir", str(units))
    assert removed.returncode == 0, removed.stderr
    assert f"removed {path}" in removed.stdout
    assert list(units.iterdir()) == []
    nothing = inv(root, "service", "--env", "dev", "uninstall", "--unit-dir", str(units))
    assert nothing.returncode == 0, nothing.stderr
    assert f"no unit at {path}: nothing to remove" in nothing.stdout


def test_a_dry_run_into_systemds_own_directory_changes_nothing(root: Path) -> None:
    where = decide.SYSTEM_UNIT_DIR if decide.scope_of(os.geteuid()) == "system" else None
    dry = inv(root, "service", "--env", "dev", "install", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing was changed" in dry.stdout
    if where is not None:
        assert f"would write {where / NAME}:" in dry.stdout
        assert not (where / NAME).exists()
    if decide.BOOTED.is_dir():
        assert f"enable {NAME}" in dry.stdout


def test_env_secrets_need_a_private_env_file_whose_contents_stay_unread(
    root: Path, tmp_path: Path
) -> None:
    units = tmp_path / "units"
    units.mkdir()
    refused = inv(root, "service", "--env", "prod", "install", "--unit-dir", str(units))
    assert refused.returncode == 1
    assert "TOKEN (env:API_TOKEN)" in refused.stderr
    assert "--env-file" in refused.stderr
    secret = tmp_path / "secrets dir" / "prod.env"
    secret.parent.mkdir()
    secret.write_text(f"API_TOKEN={SECRET}\n", encoding="utf-8")
    secret.chmod(0o640)
    args = ["service", "--env", "prod", "install", "--unit-dir", str(units)]
    shared = inv(root, *args, "--env-file", str(secret))
    assert shared.returncode == 1
    assert "mode 0640" in shared.stderr
    assert list(units.iterdir()) == []
    secret.chmod(0o600)
    installed = inv(root, *args, "--env-file", str(secret))
    assert installed.returncode == 0, installed.stderr
    unit = (units / "shipway-tiny-svc-prod.service").read_text(encoding="utf-8")
    assert f"EnvironmentFile={secret}\n" in unit
    assert SECRET not in unit + installed.stdout + installed.stderr
    if not NO_SYSTEMD_ANALYZE:
        checked = verify(units / "shipway-tiny-svc-prod.service")
        assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")


def test_refusals_are_one_message_and_change_nothing(root: Path, tmp_path: Path) -> None:
    units = tmp_path / "units"
    units.mkdir()
    unknown = inv(root, "service", "--env", "nope", "install", "--unit-dir", str(units))
    assert unknown.returncode == 1
    assert "unknown environment 'nope'; configured: dev, prod" in unknown.stderr
    foreign = units / NAME
    foreign.write_text("[Service]\nExecStart=/bin/true\n", encoding="utf-8")
    for action_name in ("install", "uninstall"):
        kept = inv(root, "service", "--env", "dev", action_name, "--unit-dir", str(units))
        assert kept.returncode == 1
        assert "shipway did not write it" in kept.stderr
    assert foreign.read_text(encoding="utf-8") == "[Service]\nExecStart=/bin/true\n"


@pytest.mark.skipif(NO_SYSTEMD_ANALYZE, reason="systemd-analyze is not installed")
def test_systemd_reads_back_the_program_path_as_written(tmp_path: Path) -> None:
    """systemd-analyze verify fails unless the ExecStart program exists: a path with blanks,
    `%`, `$`, `;`, `#` and non-ASCII letters reaches it intact only if quoted right."""
    for folder in ("a b", "100%d", "$HOME", "semi;colon #x", "ünï"):
        bin_dir = tmp_path / folder / "bin"
        bin_dir.mkdir(parents=True)
        (bin_dir / "python").symlink_to(sys.executable)
        unit = decide.Unit(
            package="tiny-svc",
            environment="dev",
            command=tuple(commands.supervise(str(bin_dir / "python"), "dev")),
            root=str(tmp_path / folder),
            scope="system",
            user="root",
            env_file=str(tmp_path / folder / "dev.env"),
        )
        path = tmp_path / unit.name
        path.write_text(decide.render(unit), encoding="utf-8")
        checked = verify(path)
        assert (checked.returncode, checked.stdout + checked.stderr) == (0, ""), folder
        # the control: a program that does not exist is what verify reports
        missing = dataclasses.replace(unit, command=(str(bin_dir / "nope"),))
        path.write_text(decide.render(missing), encoding="utf-8")
        assert verify(path).returncode != 0
