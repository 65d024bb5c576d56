"""Run a scanner as a subprocess and keep everything it printed: nothing reaches the terminal
unredacted, and a tool that cannot start is an outcome, not a traceback."""

import os
import shlex
import shutil
import subprocess  # nosec B404 - running the scanners is this module's one job
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from shipway.effects.console import console

NOT_FOUND, TIMED_OUT = 127, 124


@dataclass(frozen=True)
class Completed:
    argv: list[str]
    returncode: int
    stdout: str
    stderr: str


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
        executable = self.which(argv[0])
        if executable is None:
            return Completed(list(argv), NOT_FOUND, "", f"{argv[0]}: command not found")
        try:
            done = subprocess.run(  # nosec B603 - an argv list, never a shell
                [executable, *argv[1:]],
                cwd=self.cwd,
                env={**self.env, **(env or {})},
                input=stdin,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return Completed(list(argv), TIMED_OUT, "", f"timed out after {self.timeout:.0f}s")
        return Completed(list(argv), done.returncode, done.stdout, done.stderr)


def shown(argv: Sequence[str], limit: int = 24) -> str:
    """A command line for the log; long file lists are elided."""
    if len(argv) <= limit:
        return shlex.join(argv)
    return f"{shlex.join(argv[:limit])} … ({len(argv) - limit} more arguments)"
