"""The CI matrix from recorded `nox --list --json` output (this repository's noxfile)."""

import json
from pathlib import Path

import pytest

from shipway.decisions.ci.matrix import (
    github_output,
    nox_list_argv,
    parse_listing,
    session_matrix,
)
from shipway.errors import ShipwayError

RECORDED = Path(__file__).resolve().parents[3] / "fixtures" / "nox" / "list.json"


def listing() -> str:
    return RECORDED.read_text(encoding="utf-8")


def test_the_tests_tag_selects_one_job_per_configured_python() -> None:
    assert session_matrix(parse_listing(listing()), "tests") == {
        "include": [
            {"session": "tests-3.11", "python": "3.11"},
            {"session": "tests-3.12", "python": "3.12"},
            {"session": "tests-3.13", "python": "3.13"},
        ]
    }


def test_a_new_python_in_the_listing_is_a_new_job() -> None:
    entries = json.loads(listing())
    [newest] = [e for e in entries if e["session"] == "tests-3.13"]
    entries.append({**newest, "session": "tests-3.14", "python": "3.14"})
    matrix = session_matrix(parse_listing(json.dumps(entries)), "tests")
    assert matrix["include"][-1] == {"session": "tests-3.14", "python": "3.14"}


def test_a_session_can_be_selected_by_name_and_may_have_no_python() -> None:
    matrix = session_matrix(parse_listing(listing()), "lint")
    assert matrix == {"include": [{"session": "lint", "python": ""}]}


def test_selecting_nothing_is_an_error_listing_what_exists() -> None:
    with pytest.raises(ShipwayError, match=r"'e2e' \(sessions: lint, typecheck, tests-3.11"):
        session_matrix(parse_listing(listing()), "e2e")


def test_output_that_is_not_a_listing_says_so() -> None:
    with pytest.raises(ShipwayError, match=r"cannot read \(0.session: Field required\)"):
        parse_listing('[{"name": "lint"}]')
    with pytest.raises(ShipwayError, match="cannot read"):
        parse_listing("nox > Running session lint")


def test_github_output_is_one_compact_line() -> None:
    assert github_output("matrix", {"include": [{"session": "s"}]}) == (
        'matrix={"include":[{"session":"s"}]}\n'
    )


def test_nox_is_asked_through_the_interpreter_that_runs_shipway() -> None:
    assert nox_list_argv("/venv/bin/python", Path("/p/noxfile.py")) == [
        "/venv/bin/python",
        "-m",
        "nox",
        "--noxfile",
        "/p/noxfile.py",
        "--list",
        "--json",
    ]
