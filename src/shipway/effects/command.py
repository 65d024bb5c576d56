"""Every process shipway runs starts here (as nox's command.py): a command whose output is
kept (``run``, and ``ToolRunner`` for a session's tools), or a child that runs beside us in its
own session (``start``). Detached services (processes.py) are started through ``run`` too.

Output is captured, never streamed: nothing reaches the terminal unredacted, and a tool that
cannot start is an outcome (exit status 127), not a traceback.
"""

import os
import shlex
import shutil
import subprocess  # nosec B404 - running processes is this module's one job
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NoReturn

from shipway.effects.console import console

NOT_FOUND, TIMED_OUT = 127, 124


@dataclass(frozen=True)
class Completed:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def last_line(self) -> str:
        """What a failure is reported by: the last line it printed (errors first)."""
        return last_line(self.stderr) if self.stderr.strip() else last_line(self.stdout)


def last_line(text: str, limit: int = 300) -> str:
    lines = text.strip().splitlines()
    return lines[-1][:limit] if lines else "no output"


def log_tail(log: Path, count: int = 1) -> str:
    """The end of a process's log file, for an error message."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return " | ".join(line[:300] for line in text.strip().splitlines()[-count:]) or "no output"


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float = 900,
) -> Completed:
    """Run ``argv`` with exactly ``env`` and wait for it; its output is returned, not shown."""
    executable = shutil.which(argv[0], path=env.get("PATH"))
    if executable is None:
        return Completed(list(argv), NOT_FOUND, "", f"{argv[0]}: command not found")
    try:
        done = subprocess.run(  # nosec B603 - an argv list, never a shell
            [executable, *argv[1:]],
            cwd=cwd,
            env=dict(env),
            input=stdin,
            stdin=None if stdin is not None else subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Completed(list(argv), TIMED_OUT, "", f"timed out after {timeout:.0f}s")
    return Completed(list(argv), done.returncode, done.stdout, done.stderr)


def follow(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    on_line: Callable[[str], None],
    timeout: float,
) -> Completed:
    """Run ``argv``, handing each line of its output (stdout and stderr, merged) to
    ``on_line`` as it comes; the whole output is returned in ``stdout``. The child runs in its
    own session: a Ctrl-C, or an exception ``on_line`` raises, reaches us, and the child is
    ended before it propagates. After ``timeout`` seconds the child is killed
    (exit status 124)."""
    executable = shutil.which(argv[0], path=env.get("PATH"))
    if executable is None:
        return Completed(list(argv), NOT_FOUND, "", f"{argv[0]}: command not found")
    process = subprocess.Popen(  # nosec B603 - an argv list, never a shell
        [executable, *argv[1:]],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        process.kill()

    timer = threading.Timer(timeout, expire)
    timer.start()
    lines: list[str] = []
    try:
        assert process.stdout is not None  # noqa: S101 - stdout=PIPE
        for line in process.stdout:
            lines.append(line)
            on_line(line.rstrip("\n"))
        returncode = process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    finally:
        timer.cancel()
        if process.stdout is not None:
            process.stdout.close()
    if expired.is_set():
        return Completed(list(argv), TIMED_OUT, "".join(lines), f"timed out after {timeout:.0f}s")
    return Completed(list(argv), returncode, "".join(lines), "")


def start(
    argv: Sequence[str], *, env: Mapping[str, str], cwd: Path, output: IO[str]
) -> "subprocess.Popen[bytes] | None":
    """Start ``argv`` in its own session (a Ctrl-C reaches us first, and we stop it in order),
    its output to ``output``; None when the program is not found."""
    executable = shutil.which(argv[0], path=env.get("PATH"))
    if executable is None:
        return None
    return subprocess.Popen(  # nosec B603 - an argv list built by shipway, no shell
        [executable, *argv[1:]],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def become(argv: Sequence[str], env: Mapping[str, str] | None = None) -> NoReturn:
    """Replace this process with ``argv`` (``inv logs --follow`` becomes ``tail -F``), with
    ``env`` as its whole environment when given."""
    if env is None:
        os.execvp(argv[0], list(argv))  # noqa: S606  # nosec B606 - an argv list, no shell
    os.execvpe(argv[0], list(argv), dict(env))  # noqa: S606  # nosec B606 - likewise


class ToolRunner:
    """Runs commands in ``cwd`` with ``bin_dirs`` (a session's environment) first on PATH."""

    def __init__(self, cwd: Path, bin_dirs: Sequence[str] = (), timeout: float = 900) -> None:
        self.cwd = cwd
        self.timeout = timeout
        self.env = dict(os.environ)
        self.env["PATH"] = os.pathsep.join([*bin_dirs, self.env.get("PATH", "")])

    def which(self, tool: str) -> str | None:
        return shutil.which(tool, path=self.env["PATH"])

    def run(
        self,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        *,
        stdin: str | None = None,
        quiet: bool = False,
    ) -> Completed:
        """Run and capture; ``quiet`` commands (queries, not steps) are not echoed."""
        if not quiet:
            console.print(f"[dim]$ {shown(argv)}[/]", soft_wrap=True, highlight=False)
        environment = {**self.env, **(env or {})}
        return run(argv, env=environment, cwd=self.cwd, stdin=stdin, timeout=self.timeout)


def shown(argv: Sequence[str], limit: int = 24) -> str:
    """A command line for the log; long file lists are elided."""
    if len(argv) <= limit:
        return shlex.join(argv)
    return f"{shlex.join(argv[:limit])} … ({len(argv) - limit} more arguments)"
