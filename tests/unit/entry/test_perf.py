"""Which file Locust loads: a configured locustfile, or the built-in user shipway ships."""

import dataclasses
from pathlib import Path

import pytest

import shipway
from shipway.config import Project, load_project
from shipway.effects.perf.load_generator import BUILTIN_USER
from shipway.entry.perf import locust_load
from shipway.errors import ShipwayError
from tests.unit.entry.paths import REPO


def with_locustfile(locustfile: str | None) -> Project:
    project = load_project(REPO)
    perf = project.config.perf.model_copy(update={"locustfile": locustfile})
    return dataclasses.replace(project, config=project.config.model_copy(update={"perf": perf}))


def test_without_a_locustfile_locust_loads_the_built_in_user_inside_the_package() -> None:
    load = locust_load(with_locustfile(None))
    assert load.locustfile == BUILTIN_USER
    assert BUILTIN_USER.is_file()
    assert BUILTIN_USER.is_relative_to(Path(shipway.__file__).parent)  # in a wheel too
    assert load.workload.builtin
    assert load.workload.paths == ("/ready",)  # this repository's perf environment's ready_path


def test_a_configured_locustfile_is_loaded_and_a_missing_one_is_named() -> None:
    assert locust_load(with_locustfile("locust/locustfile.py")).locustfile == (
        REPO / "locust" / "locustfile.py"
    )
    with pytest.raises(ShipwayError, match=r"tool.shipway.perf.locustfile: .*/nope.py does not"):
        locust_load(with_locustfile("nope.py"))
