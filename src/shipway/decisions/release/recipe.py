"""How a service is built: the kind of artifact, and where its version comes from.

- A **package** (a ``[build-system]``, a ``setup.py`` or ``setup.cfg``, or ``[tool.uv] package =
  true``) is built by its PEP 517 backend with ``uv build``: a wheel and an sdist.
- Anything else is an **application** (``manage.py``, a Procfile, or a ``[project]`` without a
  build system, which uv does not package either): its tracked files, as a ``.tar.gz``.

Versions:

- ``[project] version``: the base of the version shipway computes from git tags, written into
  the build's copy of pyproject.toml (``STATIC``).
- setuptools-scm or hatch-vcs among ``[build-system] requires`` (or pdm-backend's ``scm``
  version source): the computed version reaches the backend through its pretend variable, no
  file is edited (``PRETEND``).
- Any other dynamic version (flit's ``__version__``, a literal in setup.py, ``[tool.poetry]
  version``, pdm's ``file`` source): the backend decides, shipway reads it from the wheel
  (``BACKEND``).
- Applications get the computed version, from ``[project] version`` or ``0.0.0`` as the base
  (``COMPUTED``).
"""

import enum
from dataclasses import dataclass

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from shipway.config import ServicePackage

BASE_VERSION = "0.0.0"  # the base of computed versions when the service states none
SETUPTOOLS_SCM = "SETUPTOOLS_SCM_PRETEND_VERSION"  # read by setuptools-scm, so by hatch-vcs
PDM_SCM = "PDM_BUILD_SCM_VERSION"  # read by pdm-backend's scm version source
SCM_PLUGINS = frozenset({"setuptools-scm", "hatch-vcs"})
LEGACY_BACKEND = "setuptools (setup.py, no [build-system])"


class ArtifactKind(enum.StrEnum):
    PACKAGE = "package"  # wheel and sdist
    APPLICATION = "application"  # the tracked source tree, as .tar.gz


class VersionSource(enum.StrEnum):
    STATIC = "static"
    PRETEND = "pretend"
    BACKEND = "backend"
    COMPUTED = "computed"


@dataclass(frozen=True)
class Recipe:
    kind: ArtifactKind
    backend: str | None  # the build backend of a package; None for an application
    version_source: VersionSource
    base_version: str  # the base of a computed version (unused when the backend decides)
    pretend_variable: str | None = None  # how a PRETEND version reaches the backend

    @property
    def computes_version(self) -> bool:
        return self.version_source is not VersionSource.BACKEND

    def describe_version(self) -> str:
        if self.version_source is VersionSource.STATIC:
            return (
                f"from git tags on [project] version {self.base_version}, written into the "
                "build's copy"
            )
        if self.version_source is VersionSource.PRETEND:
            return f"from git tags, passed to the backend as {self.pretend_variable}"
        if self.version_source is VersionSource.BACKEND:
            return f"decided by the build backend ({self.backend}), read from the built wheel"
        return f"from git tags (base {self.base_version})"


def recipe(package: ServicePackage) -> Recipe:
    if artifact_kind(package) is ArtifactKind.APPLICATION:
        base = package.version or BASE_VERSION
        return Recipe(ArtifactKind.APPLICATION, None, VersionSource.COMPUTED, base)
    backend = package.build_backend or LEGACY_BACKEND
    if package.version is not None:
        return Recipe(ArtifactKind.PACKAGE, backend, VersionSource.STATIC, package.version)
    variable = pretend_variable(package)
    if variable is not None:
        return Recipe(ArtifactKind.PACKAGE, backend, VersionSource.PRETEND, BASE_VERSION, variable)
    return Recipe(ArtifactKind.PACKAGE, backend, VersionSource.BACKEND, BASE_VERSION)


def artifact_kind(package: ServicePackage) -> ArtifactKind:
    if package.uv_package is not None:
        packaged = package.uv_package
    else:
        packaged = package.has_build_system or bool(package.setup_files)
    return ArtifactKind.PACKAGE if packaged else ArtifactKind.APPLICATION


def pretend_variable(package: ServicePackage) -> str | None:
    """The environment variable that sets the version of a VCS-versioned package, if any."""
    if SCM_PLUGINS & build_requirement_names(package.build_requires):
        return SETUPTOOLS_SCM
    if package.pdm_version_source == "scm":
        return PDM_SCM
    return None


def build_requirement_names(requires: tuple[str, ...]) -> set[str]:
    names: set[str] = set()
    for requirement in requires:
        try:
            names.add(canonicalize_name(Requirement(requirement).name))
        except InvalidRequirement:
            continue
    return names
