import pytest
from pydantic import ValidationError

from shipway.config.deploy import Environment
from shipway.config.model import ShipwayConfig


def app_problem(app: str) -> str:
    with pytest.raises(ValidationError) as raised:
        ShipwayConfig(app=app)
    [error] = raised.value.errors()
    return str(error["ctx"]["error"]) if "ctx" in error else error["msg"]


@pytest.mark.parametrize(
    "app",
    [
        "chatbot.app:app",
        "mysite.wsgi:application",
        "flaskr:create_app()",
        "svc.main:make(\"prod\", workers=2, debug=False, extra={'a': [1]})",
    ],
)
def test_attributes_and_factories_with_literal_arguments_are_entry_points(app: str) -> None:
    assert ShipwayConfig(app=app).app == app


@pytest.mark.parametrize("app", ["flaskr", "flaskr:", "a-b:app", "svc:app.attr", "svc:f("])
def test_other_shapes_are_not(app: str) -> None:
    assert app_problem(app) == "not in the allowed form"


def test_a_factory_argument_must_be_a_literal() -> None:
    assert app_problem("svc:create(config)") == (
        "argument config of create(config) is not a literal "
        "(a string, number, boolean, None, or a list, tuple or dict of them)"
    )
    assert (
        app_problem("svc:create(**options)") == "create(**options): ** arguments are not literals"
    )
    assert app_problem("svc:create()()") == "create()() is not one call of a function by its name"


def test_the_server_is_detected_unless_configured() -> None:
    assert ShipwayConfig().server == "auto"
    assert ShipwayConfig(server="wsgi").server == "wsgi"
    with pytest.raises(ValidationError):
        ShipwayConfig.model_validate({"server": "uvicorn"})


def test_wsgi_workers_are_threaded_by_default() -> None:
    assert Environment(port=8000).threads == 4


def test_shared_paths_stay_inside_the_release_and_apart() -> None:
    assert Environment(port=8000, shared_paths=[".venv/var", "media"]).shared_paths == [
        ".venv/var",
        "media",
    ]
    for paths, problem in [
        (["../data"], "../data: not a path inside the release's directory"),
        (["/srv/data"], "/srv/data: not a path inside the release's directory"),
        (["."], ".: not a path inside the release's directory"),
        (["media", "media/thumbs"], "media and media/thumbs overlap"),
    ]:
        with pytest.raises(ValidationError, match=problem.replace(".", r"\.")):
            Environment(port=8000, shared_paths=paths)
