import pytest

from shipway.decisions.init.detect import (
    AppCandidate,
    annotated_functions,
    app_candidates,
    check_defined,
    check_is_a_project,
    choose_app,
    directory_of_tests,
    is_typed,
    module_name,
    pythons,
)
from shipway.errors import ShipwayError


@pytest.mark.parametrize(
    ("path", "module"),
    [
        ("main.py", "main"),
        ("src/notes/__init__.py", "notes"),
        ("mysite/wsgi.py", "mysite.wsgi"),
        ("my-scripts/run.py", None),
    ],
)
def test_module_names_follow_src_layouts_and_packages(path: str, module: str | None) -> None:
    assert module_name(path) == module


def test_a_module_level_app_of_a_known_framework_is_found() -> None:
    source = "from fastapi import FastAPI\napp = FastAPI(title='x')\nother = dict()\n"
    assert app_candidates("svc.main", source) == [AppCandidate(1, "svc.main:app", "FastAPI")]


def test_a_factory_without_required_arguments_is_found_as_a_call() -> None:
    source = (
        "import flask\n"
        "def create_app(test_config=None):\n"
        "    app = flask.Flask(__name__)\n"
        "    return app\n"
        "def make_app(settings):\n"
        "    return flask.Flask(__name__)\n"
    )
    assert app_candidates("notes", source) == [
        AppCandidate(1, "notes:create_app()", "Flask factory")
    ]


def test_django_wsgi_ranks_before_asgi() -> None:
    wsgi = app_candidates("mysite.wsgi", "application = get_wsgi_application()\n")
    asgi = app_candidates("mysite.asgi", "application = get_asgi_application()\n")
    ranked = choose_app([*asgi, *wsgi], "/p")
    assert [c.entry_point for c in ranked] == ["mysite.wsgi:application", "mysite.asgi:application"]


def test_source_that_does_not_parse_finds_nothing() -> None:
    assert app_candidates("broken", "def (:\n") == []


def test_no_entry_point_says_what_was_searched_and_how_to_name_one() -> None:
    with pytest.raises(ShipwayError, match=r"no web entry point found in /p: looked for") as e:
        choose_app([], "/p")
    assert "--app module:attribute" in str(e.value)


def test_the_matrix_is_what_shipway_runs_that_the_project_allows() -> None:
    assert pythons(None) == ["3.11", "3.12", "3.13"]
    assert pythons(">=3.12") == ["3.12", "3.13"]
    assert pythons(">=3.11,<3.13") == ["3.11", "3.12"]


@pytest.mark.parametrize("specifier", ["<3.10", ">=3.14"])
def test_a_python_range_shipway_cannot_run_is_refused(specifier: str) -> None:
    with pytest.raises(ShipwayError, match=r"allows none of the Pythons shipway runs on"):
        pythons(specifier)


def test_a_directory_without_a_python_project_is_refused() -> None:
    check_is_a_project(["manage.py"], "/p")
    with pytest.raises(ShipwayError, match=r"/p holds no Python project: none of pyproject.toml"):
        check_is_a_project(["README.md"], "/p")


def test_tests_are_found_under_their_usual_names() -> None:
    assert directory_of_tests(["src", "tests"]) == "tests"
    assert directory_of_tests(["test"]) == "test"
    assert directory_of_tests(["src"]) is None


def test_an_app_given_must_be_defined_by_its_module() -> None:
    check_defined("svc:create_app()", "def create_app():\n    pass\n")
    check_defined("svc:app", "from svc.web import app\n")
    with pytest.raises(ShipwayError, match=r"--app svc:api: svc defines no api"):
        check_defined("svc:api", "app = 1\n")
    with pytest.raises(ShipwayError, match=r"--app nosuch:app: no module nosuch in the project"):
        check_defined("nosuch:app", None)


def test_annotated_functions_are_counted_without_self() -> None:
    source = (
        "class A:\n"
        "    def typed(self, x: int) -> int:\n        return x\n"
        "def untyped(x):\n    return x\n"
        "async def partly(x: int):\n    return x\n"
    )
    assert annotated_functions(source) == (1, 3)


def test_code_is_typed_with_a_marker_or_mostly_annotated_functions() -> None:
    assert is_typed([(8, 10)], marker=False)
    assert not is_typed([(7, 10)], marker=False)
    assert is_typed([], marker=True)
    assert not is_typed([], marker=False)  # no functions: nothing says it is typed
