from pathlib import Path

from shipway.decisions.stages.interpreters import extend_path, interpreter_dirs

PYENV = Path("/home/u/.pyenv/versions")
MISE = Path("/home/u/.local/share/mise/installs/python")


def test_picks_newest_final_release_of_each_wanted_version_in_wanted_order() -> None:
    installs = {
        PYENV: ["3.12.1", "3.12.10", "3.12.11rc1", "3.13.0", "3.13.0t", "3.11.7", "miniconda3"],
    }
    assert interpreter_dirs(["3.13", "3.12"], installs) == [
        PYENV / "3.13.0" / "bin",
        PYENV / "3.12.10" / "bin",
    ]


def test_searches_every_version_manager() -> None:
    installs = {PYENV: ["3.11.7"], MISE: ["3.11.9", "3.12.2"]}
    assert interpreter_dirs(["3.11", "3.12"], installs) == [
        MISE / "3.11.9" / "bin",
        MISE / "3.12.2" / "bin",
    ]


def test_missing_versions_are_left_for_nox_to_report() -> None:
    assert interpreter_dirs(["3.19"], {PYENV: ["3.11.7"]}) == []
    assert interpreter_dirs(["3.1"], {PYENV: ["3.11.7"]}) == []


def test_extend_path_appends_so_the_users_path_keeps_precedence() -> None:
    assert extend_path("/a:/b", [Path("/c"), Path("/a")]) == "/a:/b:/c"
    assert extend_path("", [Path("/c")]) == "/c"
