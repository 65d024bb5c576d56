"""Read ``pyproject.toml`` once and turn every problem into a message a user can act on."""

import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from shipway.config.model import ShipwayConfig
from shipway.config.service import ServiceError, ServicePackage, read_service

TABLE = "tool.shipway"
MAX_SHOWN_VALUE = 60


class ConfigError(Exception):
    """Invalid configuration: one line per problem, naming key, value and what is allowed."""

    def __init__(self, source: Path, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [f"invalid configuration in {self.source}:"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)


@dataclass(frozen=True)
class Project:
    """A validated project: where it lives and what its ``[tool.shipway]`` asks for."""

    root: Path
    config: ShipwayConfig
    requires_python: SpecifierSet
    service_package: ServicePackage
    import_contracts: bool = False  # import-linter is configured: `nox -s lint` checks them

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def service_dir(self) -> Path:
        return self.root / self.config.service

    def path(self, configured: str) -> Path:
        """A configured path: absolute as given, else relative to pyproject.toml; ~ expanded."""
        return self.root / Path(configured).expanduser()


def load_project(root: Path) -> Project:
    """Load and validate the project at ``root``, or raise ConfigError listing every problem."""
    pyproject = root / "pyproject.toml"
    document = _read_toml(pyproject)
    table = document.get("tool", {}).get("shipway")
    if not isinstance(table, dict):
        problem = (
            f"no [{TABLE}] table; add one (at least `python = [...]`)"
            if table is None
            else f"{TABLE} must be a table, not {_show(table)}"
        )
        raise ConfigError(pyproject, [problem])
    try:
        config = ShipwayConfig.model_validate(table)
    except ValidationError as error:
        raise ConfigError(pyproject, [_describe(e) for e in error.errors()]) from None
    requires_python = _requires_python(pyproject, document)
    problems = _cross_check(config, requires_python)
    service_package = _service_package(root, document, config, problems)
    if problems:
        raise ConfigError(pyproject, problems)
    contracts = "importlinter" in document.get("tool", {}) or (root / ".importlinter").is_file()
    return Project(root, config, requires_python, service_package, contracts)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(path, ["file not found; run shipway from the project root"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(path, [f"cannot be read: {error}"]) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, [f"is not valid TOML: {error}"]) from None


def _requires_python(pyproject: Path, document: dict[str, Any]) -> SpecifierSet:
    raw = document.get("project", {}).get("requires-python", "")
    try:
        return SpecifierSet(str(raw))
    except InvalidSpecifier:
        raise ConfigError(
            pyproject,
            [f"project.requires-python = {_show(raw)}: not a version specifier like '>=3.11'"],
        ) from None


def _cross_check(config: ShipwayConfig, requires_python: SpecifierSet) -> list[str]:
    problems = [
        f"{TABLE}.python: {version} is outside project.requires-python '{requires_python}'"
        for version in config.python
        if not requires_python.contains(version)
    ]
    chosen = config.tests.integration_python
    if chosen is not None and chosen not in config.python:
        problems.append(
            f"{TABLE}.tests.integration_python = {_show(chosen)}: not a Python of the matrix; "
            f"allowed: one of {TABLE}.python ({', '.join(config.python)})"
        )
    return problems


def _service_package(
    root: Path, document: dict[str, Any], config: ShipwayConfig, problems: list[str]
) -> ServicePackage:
    """The service's artifact name and build facts, from its own files."""
    try:
        return read_service(root, document, config.service, config.name)
    except ServiceError as error:
        problems.append(
            f"{TABLE}.service = {_show(config.service)}: {error}; "
            "allowed: the directory of the service, relative to this file"
        )
        return ServicePackage("", None, None)


READ_ONLY_KEYS = {"kubernetes"}  # filled from environments, never written as such


def _describe(error: ErrorDetails) -> str:
    """One line for one pydantic error: key, value, what is wrong, what is allowed."""
    loc = error["loc"]
    # Kubernetes environments are read into their own table, but written among environments.
    written = ("environments", *loc[1:]) if loc[:1] == ("kubernetes",) else loc
    key = TABLE + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in written)
    value = _show(error["input"])
    if error["type"] == "extra_forbidden":
        allowed = ", ".join(sorted(set(_model_at(loc[:-1]).model_fields) - READ_ONLY_KEYS))
        return f"{key} = {value}: unknown key; allowed keys: {allowed}"
    reason = error["msg"]
    if error["type"] == "string_pattern_mismatch":
        reason = "not in the allowed form"
    elif error["type"] == "value_error":
        reason = str(error["ctx"]["error"])  # our own words, without pydantic's "Value error, "
    else:
        reason = reason[:1].lower() + reason[1:]
    description = _description_at(loc)
    return f"{key} = {value}: {reason}" + (f"; allowed: {description}" if description else "")


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel]:
    """The model of the table at ``loc``, looking through lists of tables."""
    model: type[BaseModel] = ShipwayConfig
    for part in loc:
        field = model.model_fields.get(str(part))
        annotation = field.annotation if field else None
        for candidate in (annotation, *get_args(annotation)):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                model = candidate
    return model


def _description_at(loc: tuple[int | str, ...]) -> str | None:
    names = [part for part in loc if isinstance(part, str)]
    if not names:
        return None
    field = _model_at(tuple(names[:-1])).model_fields.get(names[-1])
    return field.description if field else None


def _show(value: object) -> str:
    try:
        shown = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        shown = repr(value)
    return shown if len(shown) <= MAX_SHOWN_VALUE else shown[: MAX_SHOWN_VALUE - 1] + "…"
