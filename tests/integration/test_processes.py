"""Adopting a detached process: only once it runs the program, never the shell that starts it."""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from shipway.decisions.deploy.commands import DETACH_SCRIPT
from shipway.decisions.deploy.state import Process
from shipway.effects.deploy import processes
from tests.support.processes import stop, wait_until

SLEEP = "import time; time.sleep(60)"


def has_marker(pid: int, marker: str) -> Callable[[], bool]:
    return lambda: marker in processes.command_line(pid)


def test_a_process_is_adopted_only_after_the_shell_has_exec_ed_the_program(
    tmp_path: Path,
) -> None:
    marker = str(tmp_path / "envoy.json")
    pid_file = tmp_path / "envoy.pid"
    # Stand-ins with the command lines a detached start shows before and after its exec.
    before = subprocess.Popen([sys.executable, "-c", SLEEP, DETACH_SCRIPT, marker])
    after = subprocess.Popen([sys.executable, "-c", SLEEP, marker])
    try:
        for process in (before, after):
            wait_until(has_marker(process.pid, marker), timeout=10, what="the command line")
        pid_file.write_text(str(before.pid))
        assert processes.adopt(pid_file, marker) is None
        pid_file.write_text(str(after.pid))
        adopted = processes.adopt(pid_file, marker)
        assert adopted is not None
        assert adopted.pid == after.pid
        assert processes.is_running(adopted)
    finally:
        stop(before)
        stop(after)


def test_spawn_returns_the_running_program(tmp_path: Path) -> None:
    marker = str(tmp_path / "marker")
    process = processes.spawn(
        [sys.executable, "-c", SLEEP, marker],
        pid_file=tmp_path / "p.pid",
        log_file=tmp_path / "p.log",
        marker=marker,
        env={"PATH": "/usr/bin:/bin"},
    )
    try:
        assert processes.is_running(process)
        assert processes.command_line(process.pid)[:2] == [sys.executable, "-c"]
    finally:
        processes.stop(process)
    assert not processes.is_running(process)


def test_a_process_in_the_middle_of_an_exec_is_still_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An exec replaces the command line; for a moment /proc shows it empty."""
    marker = str(tmp_path / "marker")
    sleeper = subprocess.Popen([sys.executable, "-c", SLEEP, marker])
    try:
        wait_until(has_marker(sleeper.pid, marker), timeout=10, what="the command line")
        ticks = processes.start_ticks(sleeper.pid)
        assert ticks is not None
        process = Process(pid=sleeper.pid, start_ticks=ticks, marker=marker)
        monkeypatch.setattr(processes, "command_line", lambda pid: [""])
        assert processes.is_running(process)
        monkeypatch.setattr(processes, "command_line", lambda pid: ["sleep", "60"])
        assert not processes.is_running(process)  # another program: not ours
    finally:
        stop(sleeper)
    monkeypatch.undo()
    assert not processes.is_running(process)  # gone
