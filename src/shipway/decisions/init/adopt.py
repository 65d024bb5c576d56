"""The files that adopt shipway in a service, and what writing each one would do.

Files shipway owns (noxfile.py, tasks.py, .pre-commit-config.yaml, the workflows) come from
templates; pyproject.toml gains ``[tool.shipway]`` and the dependency groups the sessions
install, with the rest of the file (comments, layout) kept as it was; .gitignore gains the
lines it lacks. A file that exists with other content is never replaced without ``--force``.
"""

import difflib
import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.items import Table

from shipway.errors import ShipwayError

SHIPWAY_TABLE = "tool.shipway"
TABLES = (Table, OutOfOrderTableProxy)  # a table split across the file reads as a proxy
GITIGNORE_LINES = (".venv/", ".nox/", "reports/", "dist/", ".shipway/")
ENVIRONMENT_PORTS = {"dev": 8100, "staging": 8200, "prod": 8300}


@dataclass(frozen=True)
class RuffFindings:
    """What ruff's rules find today: the rules each file breaks, the unformatted files."""

    rules: Mapping[str, Sequence[str]] = field(default_factory=dict)
    unformatted: Sequence[str] = ()


@dataclass(frozen=True)
class MypyFindings:
    """What mypy finds today: imports without types or stubs, files with other errors."""

    missing_imports: bool = False
    failing: Sequence[str] = ()


@dataclass(frozen=True)
class Adoption:
    """What was detected and chosen, from which the files are written."""

    name: str  # the project's (or, for a new pyproject.toml, the directory's) name
    app: str
    pythons: Sequence[str]
    unit_tests: str | None  # the tests directory, if any
    coverage_gate: int
    ruff: RuffFindings = RuffFindings()
    mypy: MypyFindings = MypyFindings()
    setup_package: bool = False  # setup.py or setup.cfg describes the package
    typed: bool = False  # the code is typed: mypy checks it strictly


class Change(enum.StrEnum):
    CREATE = "create"
    SAME = "unchanged"
    UPDATE = "update"  # shipway's own additions to a file (pyproject.toml, .gitignore)
    CONFLICT = "differs"  # exists with other content: replaced only with --force


@dataclass(frozen=True)
class PlannedFile:
    path: str
    content: str
    change: Change
    diff: str = ""  # for a conflict (and an update): what would change


def shipway_table(adoption: Adoption) -> str:
    """``[tool.shipway]`` for the service: its app, its Pythons, its tests, its gates, and
    dev, staging and prod environments on this host."""
    pythons = ", ".join(f'"{version}"' for version in adoption.pythons)
    lines = [
        "[tool.shipway]",
        'service = "."',
        f'app = "{adoption.app}"',
        f"python = [{pythons}]",
        "",
        "[tool.shipway.gates]",
        f"coverage = {adoption.coverage_gate}  # measured by shipway init: raise it as tests grow",
        "",
        "[tool.shipway.tests]",
        f'unit = ["{adoption.unit_tests or "tests"}"]',
        "integration = []",
        "",
    ]
    for name, port in ENVIRONMENT_PORTS.items():
        lines += [f"[tool.shipway.environments.{name}]", f"port = {port}"]
        if name == "prod":
            lines += ["approval = true", 'strategy = "canary"']
        lines.append("")
    return "\n".join(lines)


def adopted_pyproject(current: str | None, adoption: Adoption, groups: str, *, force: bool) -> str:
    """pyproject.toml with ``[tool.shipway]`` and the stage groups; a new one for a project
    without (a non-package project that only holds them)."""
    document = tomlkit.parse(current) if current is not None else _new_pyproject(adoption)
    tool = document.get("tool")
    if isinstance(tool, TABLES) and "shipway" in tool:
        if not force:
            raise ShipwayError(
                "pyproject.toml already has a [tool.shipway] table: this project has adopted "
                "shipway; --force replaces that table (and only it)"
            )
        del tool["shipway"]
    wanted = tomlkit.parse(groups)["dependency-groups"]
    existing = document.setdefault("dependency-groups", tomlkit.table())
    for name, group in wanted.items():
        if name not in existing:
            existing[name] = group
    if adoption.typed:
        _subtable(_subtable(document, "tool"), "mypy").setdefault("strict", True)
    tolerate_today(document, adoption.ruff, adoption.mypy)
    _subtable(document, "tool")["shipway"] = tomlkit.parse(shipway_table(adoption))["tool"][
        "shipway"
    ]
    return tomlkit.dumps(document).rstrip("\n") + "\n"


def tolerate_today(document: tomlkit.TOMLDocument, ruff: RuffFindings, mypy: MypyFindings) -> None:
    """Rules the code breaks today become per-file exceptions, so the first run passes and
    new code meets every rule: ruff's per-file ignores, ruff format's and mypy's excludes."""
    tool = _subtable(document, "tool")
    if ruff.rules:
        ignores = _subtable(_subtable(_subtable(tool, "ruff"), "lint"), "per-file-ignores")
        for path, codes in ruff.rules.items():
            ignores[path] = sorted({*ignores.get(path, []), *codes})
    if ruff.unformatted:
        formatting = _subtable(_subtable(tool, "ruff"), "format")
        formatting["exclude"] = sorted({*formatting.get("exclude", []), *ruff.unformatted})
    if mypy.missing_imports or mypy.failing:
        settings = _subtable(tool, "mypy")
        if mypy.missing_imports:
            settings["ignore_missing_imports"] = True
        if mypy.failing:
            excluded = [f"^{re.escape(path)}$" for path in mypy.failing]
            settings["exclude"] = sorted({*settings.get("exclude", []), *excluded})


def tolerated(ruff: RuffFindings, mypy: MypyFindings) -> list[str]:
    """What ``tolerate_today`` allowed, in words, for the user to tighten later."""
    said = []
    for path, codes in ruff.rules.items():
        said.append(f"ruff: {path} breaks {', '.join(codes)} today: ignored there only")
    if ruff.unformatted:
        said.append(
            f"ruff format: {len(ruff.unformatted)} file(s) are not formatted today "
            f"({', '.join(ruff.unformatted)}): excluded from the format check until "
            "`uv run ruff format` and the exclusion's removal"
        )
    if mypy.missing_imports:
        said.append("mypy: some imports have no types or stubs: ignore_missing_imports = true")
    if mypy.failing:
        said.append(f"mypy: excluded until fixed: {', '.join(mypy.failing)}")
    return said


def _subtable(
    container: tomlkit.TOMLDocument | Table | OutOfOrderTableProxy, key: str
) -> Table | OutOfOrderTableProxy:
    if key not in container:
        container[key] = tomlkit.table(is_super_table=True)
    value = container[key]
    if not isinstance(value, TABLES):
        raise ShipwayError(f"pyproject.toml: {key} is not a table; write it as [...] to adopt")
    return value


def _new_pyproject(adoption: Adoption) -> tomlkit.TOMLDocument:
    if adoption.setup_package:  # setup.py owns the metadata: a [project] table would clash
        return tomlkit.parse(
            "# Written by shipway init: the project's tool groups and [tool.shipway]; the\n"
            "# package itself stays described by setup.py.\n"
        )
    lowest = adoption.pythons[0]
    return tomlkit.parse(
        "# Written by shipway init: the project's tool groups and [tool.shipway]. It is not a\n"
        "# package (no [build-system]); the service's requirements stay where they are.\n"
        "[project]\n"
        f'name = "{adoption.name}"\n'
        'version = "0.1.0"\n'
        f'requires-python = ">={lowest}"\n'
        "dependencies = []\n\n"
        "[tool.uv]\n"
        "package = false\n"
    )


def adopted_gitignore(current: str | None) -> str:
    lines = (current or "").splitlines()
    missing = [line for line in GITIGNORE_LINES if line not in lines]
    if not missing:
        return current or ""
    block = ["", "# shipway: environments, reports, builds, deploy state"] if lines else []
    return "\n".join([*lines, *block, *missing]) + "\n"


def plan_files(
    wanted: Mapping[str, str], existing: Mapping[str, str | None], additive: Sequence[str]
) -> list[PlannedFile]:
    """What writing each wanted file does. ``additive`` files (pyproject.toml, .gitignore)
    only gain shipway's parts, so changing them is an update, never a conflict."""
    planned = []
    for path, content in wanted.items():
        current = existing.get(path)
        if current is None:
            planned.append(PlannedFile(path, content, Change.CREATE))
        elif current == content:
            planned.append(PlannedFile(path, content, Change.SAME))
        else:
            change = Change.UPDATE if path in additive else Change.CONFLICT
            planned.append(PlannedFile(path, content, change, unified_diff(path, current, content)))
    return planned


def unified_diff(path: str, old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), path, f"{path} (shipway)"
        )
    )


def render_noxfile(template: str, shipway_requirement: str) -> str:
    return template.replace("$shipway", shipway_requirement)


def render_groups(template: str, shipway_requirement: str) -> str:
    return template.replace("$shipway", shipway_requirement)
