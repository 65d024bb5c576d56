"""Where a service stands before it adopts shipway, so its first gated run passes honestly:
its unit tests' coverage (measured the way the test sessions measure it), the ruff findings
and unformatted files under ruff's default rules, and mypy's findings. Each tool runs at the
version shipway pins, in a throwaway environment with the service's requirements."""

import json
import math
import os
import tempfile
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from shipway.decisions.init.adopt import MypyFindings, RuffFindings
from shipway.effects import command
from shipway.effects.console import console
from shipway.effects.init.apply import environ

TIMEOUT = 900


def pinned(group: str) -> list[str]:
    """A dependency group shipway pins (templates/dependency-groups.toml.template)."""
    template = resources.files("shipway").joinpath("templates/dependency-groups.toml.template")
    items = tomllib.loads(template.read_text("utf-8"))["dependency-groups"][group]
    return [item for item in items if isinstance(item, str) and not item.startswith("$")]


def isolated_run(root: Path, present: Iterable[str], tools: Iterable[str]) -> list[str]:
    """``uv run`` in a throwaway environment: the tools and the service's requirements."""
    argv = ["uv", "run", "--isolated", "--no-project", "--quiet"]
    for tool in tools:
        argv += ["--with", tool]
    if "requirements.txt" in present:
        argv += ["--with-requirements", "requirements.txt"]
    if {"setup.py", "setup.cfg"} & set(present) or packaged(root):
        argv += ["--with-editable", "."]
    return argv


def ruff_findings(root: Path, present: Iterable[str]) -> RuffFindings:
    """The rules each file breaks today, and the files ruff format would change."""
    ruff = isolated_run(root, (), [t for t in pinned("lint") if t.startswith("ruff==")])
    checked = command.run(
        [*ruff, "ruff", "check", "--no-cache", "--output-format", "json", "--exit-zero", "."],
        env=quiet_environment(),
        cwd=root,
        timeout=TIMEOUT,
    )
    formatted = command.run(
        [*ruff, "ruff", "format", "--no-cache", "--check", "--output-format", "json", "."],
        env=quiet_environment(),
        cwd=root,
        timeout=TIMEOUT,
    )
    rules: dict[str, set[str]] = {}
    for finding in json_list(checked.stdout):
        rules.setdefault(relative(root, finding["filename"]), set()).add(str(finding["code"]))
    unformatted = sorted({relative(root, f["filename"]) for f in json_list(formatted.stdout)})
    return RuffFindings({path: sorted(codes) for path, codes in sorted(rules.items())}, unformatted)


def mypy_findings(root: Path, present: Iterable[str], *, strict: bool) -> MypyFindings:
    """Whether imports lack types or stubs, and the files with other errors, today (under
    --strict for typed code)."""
    mypy = isolated_run(root, present, [t for t in pinned("typecheck") if t.startswith("mypy")])
    done = command.run(
        [
            *mypy,
            "mypy",
            *(["--strict"] if strict else []),
            "--cache-dir",
            os.devnull,
            ".",
            "-O",
            "json",
        ],
        env=quiet_environment(),
        cwd=root,
        timeout=TIMEOUT,
    )
    missing, failing = False, set()
    for line in done.stdout.splitlines():
        try:
            finding = json.loads(line)
        except ValueError:
            continue
        if finding.get("severity") != "error":
            continue
        if finding.get("code") in MISSING_IMPORT_CODES:
            missing = True
        else:
            failing.add(str(finding["file"]))
    return MypyFindings(missing, sorted(failing))


MISSING_IMPORT_CODES = {"import-not-found", "import-untyped"}


def quiet_environment() -> dict[str, str]:
    """Measuring leaves nothing in the project: no bytecode, no tool caches."""
    return environ() | {"PYTHONDONTWRITEBYTECODE": "1"}


def json_list(text: str) -> list[dict[str, object]]:
    try:
        found = json.loads(text or "[]")
    except ValueError:
        return []
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def relative(root: Path, filename: object) -> str:
    path = Path(str(filename))
    return path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix()


def coverage_gate(root: Path, tests: str | None, present: Iterable[str]) -> int:
    """The unit tests' total coverage today, rounded down (0 without tests or a figure)."""
    if tests is None:
        return 0
    with tempfile.TemporaryDirectory(prefix="shipway-init-") as scratch:
        report = Path(scratch) / "coverage.json"
        argv = isolated_run(root, present, pinned("test"))
        argv += ["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        argv += ["--cov", f"--cov-report=json:{report}"]
        environment = quiet_environment() | {"COVERAGE_FILE": str(Path(scratch) / ".coverage")}
        done = command.run([*argv, tests], env=environment, cwd=root, timeout=TIMEOUT)
        if done.returncode != 0:
            console.print(
                f"[yellow]the tests in {tests} do not pass today[/] ({done.last_line}): the "
                "first `nox` fails until they do"
            )
        try:
            totals = json.loads(report.read_text(encoding="utf-8"))["totals"]
        except (OSError, ValueError, KeyError):
            return 0
    return math.floor(float(totals["percent_covered"]))


def packaged(root: Path) -> bool:
    try:
        document = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    return "build-system" in document
