import tomllib

import pytest

from shipway.config.model import ShipwayConfig
from shipway.decisions.init.adopt import (
    Adoption,
    Change,
    MypyFindings,
    RuffFindings,
    adopted_gitignore,
    adopted_pyproject,
    plan_files,
    render_groups,
    tolerated,
)
from shipway.errors import ShipwayError

GROUPS = '[dependency-groups]\nlint = ["ruff==1"]\ndev = ["$shipway"]\n'
ADOPTION = Adoption("notes", "notes:create_app()", ["3.12", "3.13"], "tests", 87)


def adopted(current: str | None, adoption: Adoption = ADOPTION, *, force: bool = False) -> str:
    return adopted_pyproject(current, adoption, render_groups(GROUPS, "shipway==9"), force=force)


def test_a_new_pyproject_holds_a_non_package_project_the_groups_and_a_valid_table() -> None:
    document = tomllib.loads(adopted(None))
    assert document["project"]["name"] == "notes"
    assert document["tool"]["uv"]["package"] is False
    assert document["dependency-groups"] == {"lint": ["ruff==1"], "dev": ["shipway==9"]}
    config = ShipwayConfig.model_validate(document["tool"]["shipway"])
    assert (config.app, config.python, config.gates.coverage) == (
        "notes:create_app()",
        ["3.12", "3.13"],
        87,
    )
    assert config.tests.unit == ["tests"]
    assert sorted(config.environments) == ["dev", "prod", "staging"]
    assert config.environments["prod"].approval


def test_an_existing_pyproject_keeps_its_comments_and_groups_and_gains_the_missing_ones() -> None:
    current = '[project]\nname = "x"  # ours\n\n[dependency-groups]\nlint = ["ruff==0.1"]\n'
    text = adopted(current)
    assert text.startswith('[project]\nname = "x"  # ours\n')
    assert tomllib.loads(text)["dependency-groups"] == {
        "lint": ["ruff==0.1"],
        "dev": ["shipway==9"],
    }


def test_an_adopted_project_is_refused_unless_forced_and_then_only_that_table_changes() -> None:
    once = adopted('[project]\nname = "x"\n')
    with pytest.raises(ShipwayError, match=r"already has a \[tool.shipway\] table"):
        adopted(once)
    again = Adoption("x", "x:app", ["3.13"], None, 0)
    forced = tomllib.loads(adopted(once, again, force=True))
    assert forced["tool"]["shipway"]["app"] == "x:app"
    assert forced["project"] == {"name": "x"}


def test_what_fails_today_is_tolerated_per_file_and_said() -> None:
    ruff = RuffFindings({"main.py": ["I001"]}, ["main.py"])
    mypy = MypyFindings(missing_imports=True, failing=["legacy/old.py"])
    adoption = Adoption("x", "main:app", ["3.13"], "tests", 50, ruff, mypy)
    tool = tomllib.loads(adopted(None, adoption))["tool"]
    assert tool["ruff"]["lint"]["per-file-ignores"] == {"main.py": ["I001"]}
    assert tool["ruff"]["format"]["exclude"] == ["main.py"]
    assert tool["mypy"] == {"ignore_missing_imports": True, "exclude": [r"^legacy/old\.py$"]}
    said = tolerated(ruff, mypy)
    assert said[0] == "ruff: main.py breaks I001 today: ignored there only"
    assert len(said) == 4


def test_gitignore_gains_only_missing_lines() -> None:
    assert adopted_gitignore(None) == ".venv/\n.nox/\nreports/\ndist/\n.shipway/\n"
    grown = adopted_gitignore("*.pyc\n.venv/\n")
    assert grown.startswith("*.pyc\n.venv/\n\n# shipway")
    assert adopted_gitignore(grown) == grown


def test_existing_files_are_compared_and_only_additive_ones_update() -> None:
    wanted = {"a": "new", "b": "same", "c": "theirs", "pyproject.toml": "more"}
    existing = {"a": None, "b": "same", "c": "mine", "pyproject.toml": "less"}
    planned = {f.path: f for f in plan_files(wanted, existing, ["pyproject.toml"])}
    assert [planned[p].change for p in wanted] == [
        Change.CREATE,
        Change.SAME,
        Change.CONFLICT,
        Change.UPDATE,
    ]
    assert "-mine" in planned["c"].diff
    assert "+theirs" in planned["c"].diff


def test_typed_code_is_checked_strictly_unless_the_project_says_otherwise() -> None:
    typed = Adoption("x", "main:app", ["3.13"], "tests", 50, typed=True)
    assert tomllib.loads(adopted(None, typed))["tool"]["mypy"] == {"strict": True}
    theirs = tomllib.loads(adopted("[tool.mypy]\nstrict = false\n", typed))["tool"]["mypy"]
    assert theirs == {"strict": False}
