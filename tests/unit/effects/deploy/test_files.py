"""The environment's directory: owner-only files, and an admin socket path a socket can have."""

import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from shipway.decisions.deploy.state import EnvState
from shipway.effects.deploy import files as files_module
from shipway.effects.deploy.files import (
    MAX_SOCKET_PATH,
    EnvFiles,
    append_audit,
    deploy_lock,
    save_state,
)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_admin_socket_lives_in_the_router_directory_when_the_path_fits(
    tmp_path: Path,
) -> None:
    files = EnvFiles(tmp_path / "s")
    assert files.admin_socket == (tmp_path / "s" / "router" / "admin.sock").absolute()
    assert files.prepare_admin_socket() == files.admin_socket
    assert mode(files.root) == 0o700


@pytest.fixture
def runtime() -> Iterator[Path]:
    """A runtime directory as short as /run/user/<uid>: tmp_path is too deep for a socket
    under pytest-xdist (/tmp/pytest-of-root/pytest-N/popen-gw0/test_…/)."""
    with tempfile.TemporaryDirectory(prefix="run-") as short:
        yield Path(short)


def test_a_state_directory_too_deep_for_a_socket_gets_one_in_a_private_runtime_directory(
    tmp_path: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files_module, "SOCKET_BASE", runtime)
    deep = EnvFiles(tmp_path / ("d" * MAX_SOCKET_PATH))
    other = EnvFiles(tmp_path / ("e" * MAX_SOCKET_PATH))
    socket = deep.prepare_admin_socket()
    assert socket.parent == runtime / f"shipway-{os.getuid()}"
    assert socket != other.admin_socket  # one per environment
    assert len(os.fsencode(socket)) <= MAX_SOCKET_PATH
    assert mode(socket.parent) == 0o700


def test_a_runtime_directory_too_deep_too_is_named_with_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(files_module, "SOCKET_BASE", tmp_path / ("r" * MAX_SOCKET_PATH))
    with pytest.raises(
        Exception, match=f"longer than a Unix socket path may be \\({MAX_SOCKET_PATH}"
    ):
        EnvFiles(tmp_path / ("d" * MAX_SOCKET_PATH)).prepare_admin_socket()


def test_state_audit_and_lock_are_the_owners_alone(tmp_path: Path) -> None:
    files = EnvFiles(tmp_path / "s")
    save_state(files, EnvState())
    append_audit(files, {"action": "deploy"})
    with deploy_lock(files, "deploy"):
        pass
    assert mode(files.root) == 0o700
    for path in (files.state, files.audit, files.lock):
        assert mode(path) == 0o600, path


def test_an_audit_log_an_older_version_left_0644_becomes_0600(tmp_path: Path) -> None:
    files = EnvFiles(tmp_path)
    files.audit.write_text("")
    files.audit.chmod(0o644)
    append_audit(files, {"action": "deploy"})
    assert mode(files.audit) == 0o600
