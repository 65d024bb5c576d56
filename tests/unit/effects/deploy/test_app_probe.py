import sys
from pathlib import Path

import pytest

from shipway.effects.deploy.app_probe import kind_of, load


def wsgi_function(environ: object, start_response: object) -> list[bytes]:
    return []


async def asgi_function(scope: object, receive: object, send: object) -> None:
    pass


class WsgiApp:  # Flask, Django's WSGIHandler
    def __call__(self, environ: object, start_response: object) -> list[bytes]:
        return []


class AsgiApp:  # Starlette, FastAPI, Django's ASGIHandler
    async def __call__(self, scope: object, receive: object, send: object) -> None:
        pass


def one_argument(request: object) -> None:
    pass


@pytest.mark.parametrize("app", [wsgi_function, WsgiApp()])
def test_a_callable_of_environ_and_start_response_is_wsgi(app: object) -> None:
    assert kind_of(app) == "wsgi"


@pytest.mark.parametrize("app", [asgi_function, AsgiApp()])
def test_an_async_callable_is_asgi(app: object) -> None:
    assert kind_of(app) == "asgi"


@pytest.mark.parametrize("app", [WsgiApp, one_argument, "settings", None])
def test_anything_else_is_neither(app: object) -> None:
    assert kind_of(app) is None


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A module in the working directory, imported as a release imports it."""
    (tmp_path / "svc.py").write_text(
        "def create_app(name='x'):\n"
        "    def app(environ, start_response):\n"
        "        return []\n"
        "    return app\n"
        "def broken():\n"
        "    raise RuntimeError('DATABASE_URL is not set')\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "svc", raising=False)
    return tmp_path


@pytest.mark.usefixtures("service")
def test_a_factory_is_called_with_its_literal_arguments() -> None:
    assert load("svc:create_app('y')") == {"kind": "wsgi"}


@pytest.mark.usefixtures("service")
def test_what_goes_wrong_is_one_line() -> None:
    assert load("svc:broken()") == {"error": "RuntimeError: DATABASE_URL is not set"}
    assert load("nosuch:app") == {"error": "ModuleNotFoundError: No module named 'nosuch'"}
    assert load("svc:missing") == {"error": "Failed to find attribute 'missing' in 'svc'."}
