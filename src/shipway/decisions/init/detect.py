"""What an existing service is, from facts its files give: a package or an application, its
tests, the Pythons it can run on, and its web entry point.

Entry points are found in source text, never by importing it: a module-level
``app = Flask(...)`` / ``FastAPI(...)`` / ``Starlette(...)`` (``module:app``), a function named
like a factory that builds one (``module:create_app()``), and Django's
``application = get_wsgi_application()`` / ``get_asgi_application()``. Several found: the
user chooses (or ``--app``); a WSGI Django entry point ranks before its ASGI twin.
"""

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from packaging.specifiers import InvalidSpecifier, SpecifierSet

from shipway.errors import ShipwayError

SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")
PROJECT_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "manage.py")
APP_CLASSES = {"Flask": "Flask", "FastAPI": "FastAPI", "Starlette": "Starlette", "Quart": "Quart"}
DJANGO = {"get_wsgi_application": "Django (WSGI)", "get_asgi_application": "Django (ASGI)"}
FACTORY_NAMES = ("create_app", "make_app", "app_factory", "build_app", "get_app")
TEST_DIRECTORIES = ("tests", "test")


@dataclass(frozen=True, order=True)
class AppCandidate:
    rank: int  # lower ranks first
    entry_point: str  # module:attribute or module:factory()
    framework: str


def module_name(path: str) -> str | None:
    """The import name of a source file relative to the project (``src/`` layouts included)."""
    parts = path.removesuffix(".py").split("/")
    if parts[0] == "src":
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(part.isidentifier() for part in parts):
        return None
    return ".".join(parts)


def app_candidates(module: str, source: str) -> list[AppCandidate]:
    """Entry points one module defines, found in its text."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            built = _called_name(node.value)
            for target in node.targets:
                if not isinstance(target, ast.Name):
                    continue
                if built in APP_CLASSES:
                    found.append(AppCandidate(1, f"{module}:{target.id}", APP_CLASSES[built]))
                elif built in DJANGO:
                    rank = 0 if built == "get_wsgi_application" else 2
                    found.append(AppCandidate(rank, f"{module}:{target.id}", DJANGO[built]))
        if isinstance(node, ast.FunctionDef) and node.name in FACTORY_NAMES:
            framework = _framework_built_in(node)
            if framework is not None and not _required_arguments(node):
                found.append(AppCandidate(1, f"{module}:{node.name}()", f"{framework} factory"))
    return found


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def _framework_built_in(function: ast.FunctionDef) -> str | None:
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and (name := _called_name(node)) in APP_CLASSES:
            return APP_CLASSES[name]
    return None


def _required_arguments(function: ast.FunctionDef) -> bool:
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    required_positional = len(positional) - len(arguments.defaults)
    required_keywords = sum(default is None for default in arguments.kw_defaults)
    return required_positional > 0 or required_keywords > 0


def choose_app(candidates: Iterable[AppCandidate], searched: str) -> list[AppCandidate]:
    """The candidates, best first; none found is an error saying what was searched."""
    ranked = sorted(set(candidates))
    if not ranked:
        raise ShipwayError(
            f"no web entry point found in {searched}: looked for a module-level Flask, FastAPI, "
            "Starlette or Quart app, a create_app()-style factory that builds one, and Django's "
            "get_wsgi_application()/get_asgi_application(); name yours with --app "
            "module:attribute (or module:factory())"
        )
    return ranked


def pythons(requires_python: str | None) -> list[str]:
    """The Pythons of the test matrix: those shipway supports that the project allows."""
    try:
        allowed = SpecifierSet(requires_python or "")
    except InvalidSpecifier:
        raise ShipwayError(
            f"requires-python = {requires_python!r} is not a version specifier like '>=3.11'"
        ) from None
    chosen = [version for version in SUPPORTED_PYTHONS if allowed.contains(f"{version}.0")]
    if not chosen:
        raise ShipwayError(
            f"requires-python = {requires_python!r} allows none of the Pythons shipway runs on "
            f"({', '.join(SUPPORTED_PYTHONS)})"
        )
    return chosen


def check_is_a_project(present: Iterable[str], where: str) -> None:
    if not set(present) & set(PROJECT_FILES):
        raise ShipwayError(
            f"{where} holds no Python project: none of {', '.join(PROJECT_FILES)} is there; run "
            "shipway init in your service's directory"
        )


def directory_of_tests(directories: Iterable[str]) -> str | None:
    present = set(directories)
    return next((name for name in TEST_DIRECTORIES if name in present), None)


def check_defined(entry_point: str, module_source: str | None) -> None:
    """An ``--app`` must name a module of the project that defines its attribute or factory."""
    module, _, name = entry_point.partition(":")
    name = name.split("(", 1)[0]
    if module_source is None:
        raise ShipwayError(f"--app {entry_point}: no module {module} in the project")
    try:
        tree = ast.parse(module_source)
    except SyntaxError as error:
        raise ShipwayError(f"--app {entry_point}: {module} does not parse: {error}") from None
    if name not in top_level_names(tree):
        raise ShipwayError(f"--app {entry_point}: {module} defines no {name}")


def top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
    return names


TYPED_SHARE = 0.8  # this share of fully annotated functions makes code "typed"


def annotated_functions(source: str) -> tuple[int, int]:
    """(fully annotated functions, all functions) in a module's text."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return 0, 0
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    annotated = sum(_fully_annotated(function) for function in functions)
    return annotated, len(functions)


def _fully_annotated(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    arguments = [*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs]
    arguments = [a for a in arguments if a.arg not in ("self", "cls")]
    return function.returns is not None and all(a.annotation is not None for a in arguments)


def is_typed(counts: Iterable[tuple[int, int]], marker: bool) -> bool:
    """Typed code: it ships a ``py.typed`` marker, or most of its functions are annotated."""
    annotated = total = 0
    for done, of in counts:
        annotated, total = annotated + done, total + of
    return marker or (total > 0 and annotated / total >= TYPED_SHARE)
