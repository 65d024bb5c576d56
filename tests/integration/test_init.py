"""`shipway init` in services that never heard of shipway (tests/support/services.py, plus a
plain FastAPI app with a requirements.txt): the generated pipeline passes with `uv run nox`,
`nox -l` lists it, and `uv run inv deploy --env dev` serves the service behind the router."""

import argparse
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from shipway.entry import init
from shipway.errors import ShipwayError
from tests.support.fixture_repo import commit, git
from tests.support.processes import REPO, env_with, free_ports
from tests.support.services import ASGI, ASGI_PROJECT, DJANGO_SHAPE, FLASK, V1, Shape

SHIPWAY = f"shipway @ {REPO.as_uri()}"  # this checkout, as a team would pin a release
TIMEOUT = 900

FASTAPI = Shape(
    name="fastapi",
    app="main:app",
    server="asgi",
    write=lambda root, version: write_fastapi(root),
    environment="",
    paths=("/",),
)

TESTS = {
    FLASK.name: None,  # writes its own tests/
    ASGI.name: (
        "from hello_asgi.app import app\n\n\n"
        "def test_routes() -> None:\n"
        '    assert [route.path for route in app.routes] == ["/hello"]\n'
    ),
    DJANGO_SHAPE.name: (
        "import os\n\n"
        'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
        'os.environ.setdefault("NOTES_DJANGO_SECRET_KEY", "for-tests-only")\n\n'
        "import django  # noqa: E402\n\n"
        "django.setup()\n\n"
        "from django.test import RequestFactory  # noqa: E402\n\n"
        "from notes.views import index  # noqa: E402\n\n\n"
        "def test_index() -> None:\n"
        '    assert index(RequestFactory().get("/")).status_code == 200\n'
    ),
    FASTAPI.name: (
        'from main import app\n\n\ndef test_app() -> None:\n    assert app.title == "FastAPI"\n'
    ),
}


def write_fastapi(root: Path) -> None:
    (root / "main.py").write_text(
        "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/")\ndef index() -> dict[str, str]:\n    return {"hello": "world"}\n'
    )
    (root / "requirements.txt").write_text("fastapi==0.121.0\n")


def bare_service(shape: Shape, root: Path) -> Path:
    """The service as its team keeps it: its code and tests, committed; no shipway."""
    root.mkdir(parents=True)
    shape.write(root, V1)
    if shape is ASGI:
        (root / "pyproject.toml").write_text(ASGI_PROJECT)
    if (test := TESTS[shape.name]) is not None:
        (root / "tests").mkdir(exist_ok=True)
        (root / "tests" / "test_service.py").write_text(test)
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "-A")
    commit(root, "the service")
    return root


def shipway_init(root: Path, *options: str) -> int:
    parser = argparse.ArgumentParser()
    init.add_arguments(parser)
    return init.run(parser.parse_args([str(root), "--shipway", SHIPWAY, *options]))


def on_free_ports(root: Path, shape: Shape) -> str:
    """The dev environment moved to free ports (the defaults, 8100+, may be taken here), with
    what the shape needs to run (hooks, settings, shared paths)."""
    port, blue, green = free_ports(3)
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    dev = "[tool.shipway.environments.dev]\nport = 8100\n"
    assert dev in text
    moved = (
        f"[tool.shipway.environments.dev]\nport = {port}\n"
        f"release_ports = [{blue}, {green}]\nscale_down_delay = 0\n{shape.environment}"
    )
    pyproject.write_text(text.replace(dev, moved))
    return f"http://127.0.0.1:{port}"


def run(argv: list[str], root: Path) -> subprocess.CompletedProcess[str]:
    environment = env_with({"UV_PYTHON_DOWNLOADS": "never"})
    for ours in ("VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT", "UV_PYTHON"):  # nox sets them
        environment.pop(ours, None)
    return subprocess.run(
        argv, cwd=root, env=environment, capture_output=True, text=True, timeout=TIMEOUT
    )


@pytest.mark.parametrize("shape", [FLASK, DJANGO_SHAPE, ASGI, FASTAPI], ids=lambda s: s.name)
def test_init_then_the_pipeline_passes_and_dev_serves_it(
    shape: Shape, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in shape.secrets.items():
        monkeypatch.setenv(name, value)
    root = bare_service(shape, tmp_path / shape.name.replace("-", "_"))
    assert shipway_init(root, "--yes") == 0
    for written in ("noxfile.py", "tasks.py", ".pre-commit-config.yaml", "uv.lock"):
        assert (root / written).is_file(), written
    assert sorted(p.name for p in (root / ".github" / "workflows").iterdir()) == [
        "ci.yml",
        "deploy.yml",
        "perf.yml",
        "security.yml",
    ]
    url = on_free_ports(root, shape)
    nox = run(["uv", "run", "nox"], root)
    assert nox.returncode == 0, nox.stdout[-3000:] + nox.stderr[-3000:]
    listed = run([sys.executable, "-m", "nox", "-l"], root)
    assert "* tests-3.13" in listed.stdout, listed.stdout + listed.stderr
    git(root, "add", "-A")
    commit(root, "adopt shipway")
    try:
        deployed = run(["uv", "run", "inv", "deploy", "--env", "dev", "--yes"], root)
        assert deployed.returncode == 0, deployed.stdout[-3000:] + deployed.stderr[-3000:]
        answer = httpx.get(url, timeout=5)
        assert answer.status_code < 500
        assert answer.headers["x-shipway-release"]  # the router names the release
    finally:
        stopped = run(["uv", "run", "inv", "stop", "--env", "dev"], root)
    assert stopped.returncode == 0, stopped.stderr
    for secret in shape.secrets.values():
        assert secret not in deployed.stdout + deployed.stderr


def test_a_file_of_theirs_is_replaced_only_with_force_and_a_rerun_changes_nothing(
    tmp_path: Path,
) -> None:
    root = bare_service(FASTAPI, tmp_path / "fastapi")
    (root / "tasks.py").write_text("# our own tasks\n")
    before = snapshot(root)
    with pytest.raises(ShipwayError, match=r"1 file\(s\) exist with other content \(tasks.py\)"):
        shipway_init(root, "--yes")
    assert snapshot(root) == before  # nothing written
    assert shipway_init(root, "--yes", "--force") == 0
    assert (root / "tasks.py").read_text().startswith('"""The delivery stages')
    adopted = snapshot(root)
    for options in (["--yes"], ["--yes", "--dry-run"]):
        with pytest.raises(ShipwayError, match=r"already has a \[tool.shipway\] table"):
            shipway_init(root, *options)
        assert snapshot(root) == adopted


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}


@pytest.mark.parametrize(
    ("setup", "options", "problem"),
    [
        (lambda root: (root / "README.md").write_text("hi"), [], r"holds no Python project"),
        (
            lambda root: (root / "requirements.txt").write_text("flask==3.1.3\n"),
            [],
            r"no web entry point found in .*--app module:attribute",
        ),
        (write_fastapi, ["--app", "main:api"], r"--app main:api: main defines no api"),
        (write_fastapi, ["--app", "nowhere:app"], r"--app nowhere:app: no module nowhere"),
        (
            lambda root: (root / "pyproject.toml").write_text(
                '[project]\nname = "old"\nrequires-python = "<3.10"\n'
            ),
            [],
            r"allows none of the Pythons shipway runs on",
        ),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, setup: object, options: list[str], problem: str
) -> None:
    root = tmp_path / "service"
    root.mkdir()
    setup(root)  # type: ignore[operator]
    before = sorted(root.iterdir())
    with pytest.raises(ShipwayError, match=problem):
        shipway_init(root, "--yes", *options)
    assert sorted(root.iterdir()) == before
