from pathlib import Path
from typing import Any

import pytest

from shipway.config.service import (
    ServiceError,
    is_workspace_member,
    normalised,
    read_service,
)


def service(tmp_path: Path, files: dict[str, str], name: str | None = None) -> Any:
    directory = tmp_path / "My_Service"
    directory.mkdir()
    for path, text in files.items():
        (directory / path).write_text(text)
    return read_service(tmp_path, {}, "My_Service", name)


def test_the_project_table_names_the_artifact_and_gives_the_build_facts(tmp_path: Path) -> None:
    package = service(
        tmp_path,
        {
            "pyproject.toml": '[project]\nname = "svc"\ndynamic = ["version"]\n'
            '[build-system]\nrequires = ["hatchling", "hatch-vcs>=0.4"]\n'
            'build-backend = "hatchling.build"\n'
        },
    )
    assert (package.name, package.name_source, package.version) == ("svc", "[project] name", None)
    assert package.has_build_system
    assert package.build_requires == ("hatchling", "hatch-vcs>=0.4")
    assert package.build_backend == "hatchling.build"
    assert package.uv_lock is None


def test_setup_cfg_names_a_bare_setuptools_project(tmp_path: Path) -> None:
    package = service(
        tmp_path, {"setup.cfg": "[metadata]\nname = legacy\n", "setup.py": "setup()\n"}
    )
    assert (package.name, package.name_source) == ("legacy", "setup.cfg [metadata] name")
    assert package.setup_files == ("setup.py", "setup.cfg")
    assert not package.has_build_system


def test_without_a_declared_name_the_configured_one_then_the_directory_name(
    tmp_path: Path,
) -> None:
    package = service(tmp_path, {"manage.py": ""}, name="shop")
    assert (package.name, package.name_source) == ("shop", "[tool.shipway] name")
    package = read_service(tmp_path, {}, "My_Service", None)
    assert (package.name, package.name_source) == ("my-service", "the service directory's name")


def test_a_configured_name_may_not_contradict_the_declared_one(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match=r"setup.cfg \[metadata\] name is 'legacy'"):
        service(tmp_path, {"setup.cfg": "[metadata]\nname = legacy\n"}, name="other")


def test_the_same_name_in_another_spelling_is_no_contradiction(tmp_path: Path) -> None:
    package = service(tmp_path, {"pyproject.toml": '[project]\nname = "My.Svc"\n'}, "my_svc")
    assert package.name == "My.Svc"


def test_an_unreadable_pyproject_is_named(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match=r"pyproject.toml cannot be read"):
        service(tmp_path, {"pyproject.toml": "[project\n"})


def test_the_service_at_the_root_reads_the_root_document(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text("")
    document = {"project": {"name": "root-svc", "version": "1.0"}}
    package = read_service(tmp_path, document, ".", None)
    assert (package.name, package.version) == ("root-svc", "1.0")
    assert package.uv_lock == tmp_path / "uv.lock"


def test_a_workspace_member_is_locked_by_the_root_lock(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text("")
    (tmp_path / "apps" / "web").mkdir(parents=True)
    workspace = {"tool": {"uv": {"workspace": {"members": ["apps/*"]}}}}
    assert read_service(tmp_path, workspace, "apps/web", "web").uv_lock == tmp_path / "uv.lock"
    assert read_service(tmp_path, {}, "apps/web", "web").uv_lock is None


def test_workspace_membership_follows_members_and_exclude() -> None:
    workspace = {"members": ["packages/*", "app"], "exclude": ["packages/legacy"]}
    assert is_workspace_member("packages/api", workspace)
    assert is_workspace_member("app", workspace)
    assert not is_workspace_member("packages/legacy", workspace)
    assert not is_workspace_member("tools", workspace)
    assert is_workspace_member(".", {})


def test_names_are_normalised_as_pep_503_says() -> None:
    assert normalised("My__Service.web") == "my-service-web"
