"""What the service's own files say about how it builds: read once, cheaply (no processes).

The artifact name is the first of: ``[project] name``, ``setup.cfg [metadata] name``,
``[tool.shipway] name``, the service directory's name (normalised, PEP 503). A build and a
deploy read it the same way, so both find the same name.
"""

import configparser
import fnmatch
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

SETUP_FILES = ("setup.py", "setup.cfg")
LOCK = "uv.lock"


@dataclass(frozen=True)
class ServicePackage:
    """Facts about the service the build turns into an artifact, from its files."""

    name: str
    version: str | None  # [project] version; None when there is none (dynamic, or not a table)
    requires_python: str | None
    name_source: str = "[project] name"
    has_build_system: bool = False  # a [build-system] table
    build_backend: str | None = None  # [build-system] build-backend
    build_requires: tuple[str, ...] = ()  # [build-system] requires
    setup_files: tuple[str, ...] = ()  # which of setup.py, setup.cfg exist
    uv_package: bool | None = None  # [tool.uv] package, when set
    pdm_version_source: str | None = None  # [tool.pdm.version] source
    uv_lock: Path | None = None  # the uv.lock that locks the service, if any
    has_project_table: bool = False  # a [project] table (uv can install the service itself)


class ServiceError(Exception):
    """The service's files cannot be read; the message names the file and the problem."""


def read_service(
    root: Path, root_document: dict[str, Any], service: str, configured_name: str | None
) -> ServicePackage:
    """The service at ``root / service``; raises ServiceError naming what is wrong."""
    directory = root / service
    if not directory.is_dir():
        raise ServiceError("no such directory")
    at_root = directory.resolve() == root.resolve()
    document = root_document if at_root else _service_pyproject(directory)
    project = _table(document, "project")
    build_system = _table(document, "build-system")
    requires = build_system.get("requires", [])
    name, source = _name(project, directory, configured_name)
    version = project.get("version")
    requires_python = project.get("requires-python")
    uv_package = _table(document, "tool", "uv").get("package")
    pdm_source = _table(document, "tool", "pdm", "version").get("source")
    return ServicePackage(
        name=name,
        version=version if isinstance(version, str) else None,
        requires_python=requires_python if isinstance(requires_python, str) else None,
        name_source=source,
        has_build_system=bool(build_system),
        build_backend=_string_or_none(build_system.get("build-backend")),
        build_requires=tuple(r for r in requires if isinstance(r, str)),
        setup_files=tuple(f for f in SETUP_FILES if (directory / f).is_file()),
        uv_package=uv_package if isinstance(uv_package, bool) else None,
        pdm_version_source=_string_or_none(pdm_source),
        uv_lock=service_lock(root, root_document, service, document),
        has_project_table=bool(project),
    )


def service_lock(
    root: Path, root_document: dict[str, Any], service: str, document: dict[str, Any]
) -> Path | None:
    """The uv.lock of the service's dependencies. A lock of a project that declares none and
    keeps them in requirements.txt (as shipway init leaves an application) locks only its
    tools: the requirements file is the service's then."""
    lock = uv_lock(root, root_document, service, document)
    keeps_requirements = (root / service / "requirements.txt").is_file()
    if (
        lock is not None
        and keeps_requirements
        and not _table(document, "project").get("dependencies")
    ):
        return None
    return lock


def uv_lock(
    root: Path, root_document: dict[str, Any], service: str, service_document: dict[str, Any]
) -> Path | None:
    """The service's own uv.lock, else the project root's when the service is a member of the
    root's uv workspace (as examples/chatbot is of this repository)."""
    own = root / service / LOCK
    if own.is_file():
        return own
    if _table(service_document, "tool", "uv").get("workspace") is not None:
        return None  # a workspace root of its own: its lock would be beside it
    shared = root / LOCK
    if not shared.is_file():
        return None
    workspace = _table(root_document, "tool", "uv", "workspace")
    return shared if is_workspace_member(service, workspace) else None


def is_workspace_member(service: str, workspace: dict[str, Any]) -> bool:
    """Whether ``service`` (relative to the workspace root) is one of its members."""
    path = PurePosixPath(service).as_posix()
    if path == ".":
        return True
    members, excluded = workspace.get("members", []), workspace.get("exclude", [])
    return any(_matches(path, glob) for glob in members) and not any(
        _matches(path, glob) for glob in excluded
    )


def normalised(name: str) -> str:
    """PEP 503: lower case, runs of '-', '_' and '.' as one '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _name(project: dict[str, Any], directory: Path, configured: str | None) -> tuple[str, str]:
    declared = project.get("name")
    if isinstance(declared, str) and declared:
        _agrees(configured, declared, "the service's [project] name")
        return declared, "[project] name"
    from_setup_cfg = _setup_cfg_name(directory / "setup.cfg")
    if from_setup_cfg:
        _agrees(configured, from_setup_cfg, "the service's setup.cfg [metadata] name")
        return from_setup_cfg, "setup.cfg [metadata] name"
    if configured:
        return configured, "[tool.shipway] name"
    return normalised(directory.resolve().name), "the service directory's name"


def _agrees(configured: str | None, declared: str, where: str) -> None:
    if configured is not None and normalised(configured) != normalised(declared):
        raise ServiceError(
            f"{where} is {declared!r}, but tool.shipway.name = {configured!r}; one artifact has "
            "one name: remove tool.shipway.name (it is for services whose files name none)"
        )


def _setup_cfg_name(path: Path) -> str | None:
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as error:
        raise ServiceError(f"{path.name} cannot be read: {error}") from None
    name = parser.get("metadata", "name", fallback="").strip()
    return name or None


def _service_pyproject(directory: Path) -> dict[str, Any]:
    path = directory / "pyproject.toml"
    return _toml(path) if path.exists() else {}


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ServiceError(f"{path.name} cannot be read: {error}") from None


def _table(document: dict[str, Any], *keys: str) -> dict[str, Any]:
    for key in keys:
        value = document.get(key)
        if not isinstance(value, dict):
            return {}
        document = value
    return document


def _string_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _matches(path: str, glob: object) -> bool:
    return isinstance(glob, str) and fnmatch.fnmatchcase(path, PurePosixPath(glob).as_posix())
