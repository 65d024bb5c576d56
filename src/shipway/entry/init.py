"""``shipway init``: adopt shipway in an existing service with one command.

Everything is decided and checked before anything is written: a bad directory, no entry point,
an ``--app`` that is not in the project, a Python range shipway cannot run, an adopted
project, or a file that exists with other content (without ``--force``) changes nothing.
"""

import argparse
import importlib.metadata
import re
import sys
from pathlib import Path

from rich.prompt import Prompt

from shipway.config.app import check_entry_point
from shipway.decisions.init import adopt, detect
from shipway.decisions.init.adopt import Adoption, Change, PlannedFile
from shipway.effects.console import console
from shipway.effects.init import apply, measure
from shipway.effects.init.scan import Scan, scan
from shipway.errors import ShipwayError

ADDITIVE = ("pyproject.toml", ".gitignore")
NEXT_STEPS = (
    "uv run nox                       # the whole pipeline, gated; a second run is cached",
    "uv run inv deploy --env dev      # build, then deploy behind the router on :8100",
    "git add -A && git commit -m 'Adopt shipway'",
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", type=Path, default=Path(), help="the service project")
    parser.add_argument("--dry-run", action="store_true", help="print every file, write none")
    parser.add_argument("--force", action="store_true", help="replace files that differ")
    parser.add_argument("--yes", action="store_true", help="never ask; take what was detected")
    parser.add_argument("--app", help="the entry point, 'module:attribute' or 'module:factory()'")
    parser.add_argument(
        "--shipway",
        dest="requirement",
        help="how the project requires shipway (default: this version, 'shipway==X.Y.Z'); "
        "e.g. 'shipway @ file:///path/to/shipway' for an unreleased one",
    )


def run(arguments: argparse.Namespace) -> int:
    """Exit status of ``shipway init``."""
    root = Path(arguments.path).resolve()
    found = scan(root)
    detect.check_is_a_project(found.present, str(root))
    adoption = decide(found, arguments)
    requirement = arguments.requirement or f"shipway=={installed_version()}"
    planned = plan(found, adoption, requirement, force=arguments.force)
    show(planned, dry_run=arguments.dry_run)
    conflicts = [f for f in planned if f.change is Change.CONFLICT]
    if conflicts and not arguments.force:
        raise ShipwayError(
            f"{len(conflicts)} file(s) exist with other content ({shown(conflicts)}): nothing "
            "written; the differences are above; --force replaces them"
        )
    if arguments.dry_run:
        console.print("dry run: nothing written")
        return 0
    changed = [f for f in planned if f.change is not Change.SAME]
    if not changed:
        console.print("shipway is adopted here already: nothing to change")
        return 0
    apply.write(root, changed)
    apply.lock(root, adoption.pythons[0])
    apply.secrets_baseline(root)
    console.print("\nnext:")
    for step in NEXT_STEPS:
        console.print(f"  {step}", markup=False, highlight=False)
    return 0


def decide(found: Scan, arguments: argparse.Namespace) -> Adoption:
    pythons = detect.pythons(found.requires_python)
    app = choose_app(found, arguments.app, ask=not arguments.yes and sys.stdin.isatty())
    tests = detect.directory_of_tests(found.directories)
    name = found.project_name or normalized(found.root.name)
    gate = measure.coverage_gate(found.root, tests, found.present)
    ruff = measure.ruff_findings(found.root, found.present)
    mypy = measure.mypy_findings(found.root, found.present, strict=found.typed)
    said = [
        f"coverage gate set to {gate} %, the current figure; raise it in [tool.shipway.gates]"
        if tests
        else "no tests/ found: `nox` fails its test and coverage stages until it has a test",
        "the code is typed: mypy checks it with strict = true"
        if found.typed
        else "the code is mostly untyped: mypy checks it with its default rules",
        *adopt.tolerated(ruff, mypy),
    ]
    for line in said:
        console.print(f"  {line}", markup=False, soft_wrap=True)
    setup_package = bool({"setup.py", "setup.cfg"} & found.present)
    return Adoption(name, app, pythons, tests, gate, ruff, mypy, setup_package, found.typed)


def choose_app(found: Scan, given: str | None, *, ask: bool) -> str:
    if given is not None:
        try:
            check_entry_point(given)
        except ValueError as error:
            raise ShipwayError(f"--app {given}: {error}") from None
        detect.check_defined(given, module_source(found.root, given))
        return given
    ranked = detect.choose_app(found.candidates, str(found.root))
    if len(ranked) == 1:
        console.print(f"entry point: {ranked[0].entry_point} ({ranked[0].framework})")
        return ranked[0].entry_point
    choices = [candidate.entry_point for candidate in ranked]
    if ask:
        return Prompt.ask(
            "which is the service's entry point?", choices=choices, default=choices[0]
        )
    console.print(
        f"entry point: {choices[0]} ({ranked[0].framework}); also found {', '.join(choices[1:])} "
        "(--app chooses another)"
    )
    return choices[0]


def module_source(root: Path, entry_point: str) -> str | None:
    """The source of the entry point's module in the project, if it is there."""
    parts = entry_point.split(":", 1)[0].split(".")
    for base in (root, root / "src"):
        for path in (
            base.joinpath(*parts).with_suffix(".py"),
            base.joinpath(*parts, "__init__.py"),
        ):
            if path.is_file():
                return path.read_text(encoding="utf-8", errors="replace")
    return None


def plan(found: Scan, adoption: Adoption, requirement: str, *, force: bool) -> list[PlannedFile]:
    templates = apply.templates()
    wanted = {
        "pyproject.toml": adopt.adopted_pyproject(
            found.pyproject_text,
            adoption,
            adopt.render_groups(templates["dependency-groups.toml"], requirement),
            force=force,
        ),
        ".gitignore": adopt.adopted_gitignore(apply.read(found.root / ".gitignore")),
        "noxfile.py": adopt.render_noxfile(templates["noxfile.py"], requirement),
        "tasks.py": templates["tasks.py"],
        ".pre-commit-config.yaml": templates["pre-commit-config.yaml"],
        ".github/actionlint.yaml": templates["actionlint.yaml"],
        **{f".github/workflows/{name}": text for name, text in templates.workflows.items()},
    }
    pinned = apply.read(found.root / ".python-version") is not None
    if adoption.setup_package and not found.requires_python and not pinned:
        # No requires-python without a [project] table: uv takes the floor from here.
        wanted[".python-version"] = adoption.pythons[0] + "\n"
    existing = {path: apply.read(found.root / path) for path in wanted}
    return adopt.plan_files(wanted, existing, ADDITIVE)


def show(planned: list[PlannedFile], *, dry_run: bool) -> None:
    verb = "would" if dry_run else "will"
    for file in planned:
        console.print(f"  {file.change.value:>9}  {file.path}", markup=False)
        if file.diff and (dry_run or file.change is Change.CONFLICT):
            console.print(file.diff, markup=False, highlight=False, soft_wrap=True)
        elif dry_run and file.change is Change.CREATE:
            console.print(file.content, markup=False, highlight=False, soft_wrap=True)
    console.print(
        f"shipway init {verb} write {sum(f.change is not Change.SAME for f in planned)} "
        "file(s), then run `uv lock`",
        markup=False,
    )


def shown(files: list[PlannedFile]) -> str:
    return ", ".join(file.path for file in files)


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().strip("-") or "service"


def installed_version() -> str:
    return importlib.metadata.version("shipway")
