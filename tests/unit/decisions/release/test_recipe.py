import pytest

from shipway.config import ServicePackage
from shipway.decisions.release.recipe import (
    ArtifactKind,
    VersionSource,
    artifact_kind,
    build_requirement_names,
    recipe,
)


def package(
    version: str | None = None,
    requires: tuple[str, ...] = (),
    backend: str | None = "hatchling.build",
    setup_files: tuple[str, ...] = (),
    uv_package: bool | None = None,
    pdm: str | None = None,
) -> ServicePackage:
    return ServicePackage(
        "svc",
        version,
        None,
        has_build_system=backend is not None,
        build_backend=backend,
        build_requires=requires,
        setup_files=setup_files,
        uv_package=uv_package,
        pdm_version_source=pdm,
    )


def test_a_static_version_is_the_base_of_the_computed_one() -> None:
    how = recipe(package("1.2.0", ("hatchling", "hatch-vcs")))
    assert (how.kind, how.version_source, how.base_version) == (
        ArtifactKind.PACKAGE,
        VersionSource.STATIC,
        "1.2.0",
    )
    assert how.computes_version


@pytest.mark.parametrize(
    ("requires", "pdm", "variable"),
    [
        (("hatchling", "hatch-vcs>=0.4"), None, "SETUPTOOLS_SCM_PRETEND_VERSION"),
        (("setuptools>=64", "setuptools_scm[toml]>=8"), None, "SETUPTOOLS_SCM_PRETEND_VERSION"),
        (("Setuptools-SCM",), None, "SETUPTOOLS_SCM_PRETEND_VERSION"),
        (("pdm-backend",), "scm", "PDM_BUILD_SCM_VERSION"),
    ],
)
def test_vcs_plugins_get_the_computed_version_through_their_variable(
    requires: tuple[str, ...], pdm: str | None, variable: str
) -> None:
    how = recipe(package(requires=requires, pdm=pdm))
    assert (how.version_source, how.pretend_variable, how.base_version) == (
        VersionSource.PRETEND,
        variable,
        "0.0.0",
    )
    assert variable in how.describe_version()


@pytest.mark.parametrize(
    "service",
    [
        package(requires=("flit_core>=3.9",), backend="flit_core.buildapi"),
        package(requires=("poetry-core",), backend="poetry.core.masonry.api"),
        package(requires=("pdm-backend",), backend="pdm.backend", pdm="file"),
        package(backend=None, setup_files=("setup.py",)),
    ],
)
def test_any_other_dynamic_version_is_the_backends(service: ServicePackage) -> None:
    how = recipe(service)
    assert how.version_source is VersionSource.BACKEND
    assert not how.computes_version
    assert "read from the built wheel" in how.describe_version()


def test_a_bare_setup_py_is_built_by_setuptools() -> None:
    how = recipe(package("1.0", backend=None, setup_files=("setup.py",)))
    assert how.kind is ArtifactKind.PACKAGE
    assert how.backend == "setuptools (setup.py, no [build-system])"


def test_without_a_build_system_or_setup_files_it_is_an_application() -> None:
    assert artifact_kind(package(backend=None)) is ArtifactKind.APPLICATION
    assert artifact_kind(package(backend=None, setup_files=("setup.cfg",))) is ArtifactKind.PACKAGE
    assert artifact_kind(package(backend=None, uv_package=True)) is ArtifactKind.PACKAGE
    assert artifact_kind(package(uv_package=False)) is ArtifactKind.APPLICATION
    how = recipe(package(backend=None))
    assert (how.version_source, how.base_version, how.backend) == (
        VersionSource.COMPUTED,
        "0.0.0",
        None,
    )
    assert recipe(package("2.0", backend=None)).base_version == "2.0"


def test_build_requirement_names_are_normalised_and_bad_ones_skipped() -> None:
    assert build_requirement_names(("Hatch_VCS>=1", "not a requirement!")) == {"hatch-vcs"}
