"""Each test is marked by its directory: unit, integration or e2e (``pytest -m unit``)."""

import contextlib
import os
import signal
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
KINDS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kind = item.path.relative_to(TESTS).parts[0]
        if kind in KINDS:
            item.add_marker(kind)


@pytest.fixture(autouse=True)
def _outside_the_ci_job(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the code under test writes for the CI job (step summaries, step outputs) stays out
    of the real job running these tests; a test that checks it sets its own file."""
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--environment",
        default=None,
        help="run tests/e2e against this deployed environment's URL (from [tool.shipway])",
    )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """No process a test started may outlive the run: anything still running from the run's
    temporary directories is reported, stopped (by pid), and fails the run."""
    if not hasattr(session.config, "_tmp_path_factory"):
        return
    base = str(session.config._tmp_path_factory.getbasetemp())
    leftovers = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command = (entry / "cmdline").read_bytes().decode(errors="replace").replace("\0", " ")
        except OSError:
            continue
        if base in command:
            leftovers.append((int(entry.name), command.strip()))
    for pid, _ in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if leftovers:
        listed = "\n".join(f"  {pid}: {command[:160]}" for pid, command in leftovers)
        session.config.get_terminal_writer().line(
            f"processes left running by tests:\n{listed}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
