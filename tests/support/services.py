"""Services shipway has never seen, written as their teams would write them: each a git
repository with only ``[tool.shipway]`` added, and two tagged releases built and pushed.

- ``flask-setup-py``: a Flask app factory with SQLite in its instance folder and an
  ``init-db`` command, packaged by setuptools from a bare ``setup.py`` (no ``[project]``),
  with a ``requirements.txt`` pinned by hand (no hashes, no uv.lock);
- ``django``: a project made by ``django-admin startproject`` plus one app and its migration,
  no packaging at all, a pinned ``requirements.txt``, settings and ``SECRET_KEY`` from the
  environment, static files served by WhiteNoise after ``collectstatic``;
- ``asgi-flit``: a Starlette app with no health endpoint, built by flit with its version in
  ``__version__``, locked by uv.
"""

import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shipway.config import load_project
from shipway.entry import release as release_tasks
from tests.support.fixture_repo import commit, git
from tests.support.processes import env_with, free_ports

V1, V2 = "1.0.0", "1.1.0"
DJANGO = "5.2.19"
SECRET_KEY_VARIABLE = "NOTES_DJANGO_SECRET_KEY"


@dataclass(frozen=True)
class Shape:
    name: str
    app: str
    server: str  # what shipway finds the app is
    write: Callable[[Path, str], None]  # the service's files at a version
    environment: str  # TOML lines every environment of the service gets
    paths: tuple[str, ...]  # what the load GETs
    stores_data: bool = False  # POST /notes keeps a note; GET /notes lists them
    secrets: Mapping[str, str] = field(default_factory=dict)


def shipway_table(shape: Shape, service_section: str = "") -> str:
    live, perf, *slots = free_ports(6)
    environments = []
    for name, port, (blue, green), delay in (
        ("live", live, slots[:2], "1s"),
        ("perf", perf, slots[2:4], "0s"),
    ):
        environments.append(
            f"[tool.shipway.environments.{name}]\nport = {port}\n"
            f"release_ports = [{blue}, {green}]\nworkers = 1\nscale_down_delay = {delay!r}\n"
            f"{shape.environment}\n"
        )
    return (
        f"{service_section}"
        f'[tool.shipway]\nservice = "."\napp = "{shape.app}"\n\n'
        "[tool.shipway.gates.perf]\nmin_rps = 1\n\n"
        '[tool.shipway.perf]\nenvironment = "perf"\n\n'
        "[tool.shipway.perf.profiles]\n"
        'load = { users = 4, spawn_rate = 4, duration = "6s", processes = 1 }\n\n'
        + "\n".join(environments)
    )


# -- a Flask app factory, setuptools, a bare setup.py -------------------------------------

FLASK_APP = '''\
import os
import sqlite3

from flask import Flask, current_app, g, request


def create_app(test_config=None):
    app = Flask(__name__)
    app.config["DATABASE"] = os.path.join(app.instance_path, "notes.sqlite")
    os.makedirs(app.instance_path, exist_ok=True)

    @app.get("/")
    def index():
        return "notes, version {version}\\n"

    @app.get("/notes")
    def list_notes():
        return [row[0] for row in db().execute("SELECT text FROM note ORDER BY id")]

    @app.post("/notes")
    def add_note():
        db().execute("INSERT INTO note (text) VALUES (?)", (request.get_json()["text"],))
        db().commit()
        return {{"saved": True}}, 201

    @app.cli.command("init-db")
    def init_db():
        """Create the table if it is not there (a deploy hook: run on every deploy)."""
        db().execute("CREATE TABLE IF NOT EXISTS note (id INTEGER PRIMARY KEY, text TEXT)")
        db().commit()

    app.teardown_appcontext(close_db)
    return app


def db():
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["DATABASE"])
    return g.db


def close_db(error=None):
    connection = g.pop("db", None)
    if connection is not None:
        connection.close()
'''


def write_flask(root: Path, version: str) -> None:
    (root / "notes").mkdir(exist_ok=True)
    (root / "notes" / "__init__.py").write_text(FLASK_APP.format(version=version))
    (root / "setup.py").write_text(
        "from setuptools import find_packages, setup\n\n"
        f'setup(name="notes", version="{version}", packages=find_packages(exclude=["tests"]), '
        'install_requires=["flask"])\n'
    )
    (root / "requirements.txt").write_text("flask==3.1.3\n")
    (root / "tests").mkdir(exist_ok=True)
    (root / "tests" / "test_notes.py").write_text(
        "from notes import create_app\n\n\ndef test_index():\n"
        "    assert create_app().test_client().get('/').status_code == 200\n"
    )


FLASK = Shape(
    name="flask-setup-py",
    app="notes:create_app()",
    server="wsgi",
    write=write_flask,
    environment=(
        'shared_paths = [".venv/var"]  # the instance folder of an installed Flask app\n'
        'hooks = { pre_deploy = ["flask --app notes init-db"] }\n'
    ),
    paths=("/", "/notes"),
    stores_data=True,
)


# -- a Django project without packaging -------------------------------------------------

DJANGO_SETTINGS = f'''

# -- set by the environment (shipway: settings and secrets) --
import os

SECRET_KEY = os.environ["{SECRET_KEY_VARIABLE}"]
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES["default"]["NAME"] = Path(os.environ.get("SHIPWAY_SHARED_DIR", BASE_DIR)) / "db.sqlite3"
INSTALLED_APPS += ["notes"]
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
'''

DJANGO_VIEWS = """\
import json

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from notes.models import Note


def index(request):
    return HttpResponse("notes, version {version}\\n")


@csrf_exempt
def notes(request):
    if request.method == "POST":
        Note.objects.create(text=json.loads(request.body)["text"])
        return JsonResponse({{"saved": True}}, status=201)
    return JsonResponse([note.text for note in Note.objects.order_by("id")], safe=False)
"""

DJANGO_MIGRATION = """\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("text", models.TextField()),
            ],
        ),
    ]
"""


def write_django(root: Path, version: str) -> None:
    if not (root / "manage.py").exists():
        startproject = ["uvx", "--from", f"django=={DJANGO}", "django-admin", "startproject"]
        subprocess.run([*startproject, "mysite", str(root)], check=True, env=env_with())
        with (root / "mysite" / "settings.py").open("a") as settings:
            settings.write(DJANGO_SETTINGS)
        urls = root / "mysite" / "urls.py"
        urls.write_text(
            urls.read_text().replace(
                "urlpatterns = [",
                "from notes import views\n\nurlpatterns = [\n    path('', views.index),\n"
                "    path('notes', views.notes),",
            )
        )
        (root / "notes" / "migrations").mkdir(parents=True)
        (root / "notes" / "__init__.py").write_text("")
        (root / "notes" / "migrations" / "__init__.py").write_text("")
        (root / "notes" / "migrations" / "0001_initial.py").write_text(DJANGO_MIGRATION)
        (root / "notes" / "models.py").write_text(
            "from django.db import models\n\n\nclass Note(models.Model):\n"
            "    text = models.TextField()\n"
        )
        (root / "static").mkdir()
        (root / "static" / "site.css").write_text("body { font-family: sans-serif; }\n")
        (root / "requirements.txt").write_text(f"Django=={DJANGO}\nwhitenoise==6.12.0\n")
        (root / "Procfile").write_text("web: gunicorn mysite.wsgi\n")
    (root / "notes" / "views.py").write_text(DJANGO_VIEWS.format(version=version))


DJANGO_SHAPE = Shape(
    name="django",
    app="mysite.wsgi:application",
    server="wsgi",
    write=write_django,
    environment=(
        'settings = { DJANGO_DEBUG = "0" }\n'
        f'secrets = {{ {SECRET_KEY_VARIABLE} = "env:{SECRET_KEY_VARIABLE}" }}\n'
        "hooks = { pre_deploy = ["
        '"python manage.py migrate --noinput", "python manage.py collectstatic --noinput"] }\n'
    ),
    paths=("/", "/notes", "/static/site.css"),
    stores_data=True,
    secrets={SECRET_KEY_VARIABLE: "django-insecure-but-secret-0123456789abcdefghij"},
)


# -- an ASGI app with no health endpoint, flit, a dynamic version ---------------------------

ASGI_APP = """\
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(request):
    return PlainTextResponse("hello\\n")


app = Starlette(routes=[Route("/hello", hello)])
"""

ASGI_PROJECT = """\
[project]
name = "hello-asgi"
dynamic = ["version", "description"]
requires-python = ">=3.11"
dependencies = ["starlette>=0.40"]

[build-system]
requires = ["flit_core>=3.11,<5"]
build-backend = "flit_core.buildapi"

"""


def write_asgi(root: Path, version: str) -> None:
    (root / "hello_asgi").mkdir(exist_ok=True)
    (root / "hello_asgi" / "__init__.py").write_text(
        f'"""Says hello."""\n\n__version__ = "{version}"\n'
    )
    (root / "hello_asgi" / "app.py").write_text(ASGI_APP)


ASGI = Shape(
    name="asgi-flit",
    app="hello_asgi.app:app",
    server="asgi",
    write=write_asgi,
    environment="",
    paths=("/hello",),  # "/" answers 404: below 500, so the release is ready there
)

SHAPES = (FLASK, DJANGO_SHAPE, ASGI)


def service_repo(shape: Shape, root: Path) -> Path:
    """The service at ``root``, with v1.0.0 and v1.1.0 tagged, built and pushed."""
    root.mkdir(parents=True)
    (root / ".gitignore").write_text(
        "dist/\n.shipway/\nreports/\n.venv/\n__pycache__/\nstaticfiles/\n"
    )
    git(root, "init", "--quiet", "--initial-branch=main")
    for version in (V1, V2):
        shape.write(root, version)
        project_table = ASGI_PROJECT if shape is ASGI else ""
        (root / "pyproject.toml").write_text(
            shipway_table(shape, project_table)
            if version == V1
            else (root / "pyproject.toml").read_text()
        )
        if shape is ASGI and version == V1:
            uv_lock = ["uv", "lock", "--quiet", "--project", str(root)]
            subprocess.run(uv_lock, check=True, env=env_with())
        git(root, "add", "-A")
        commit(root, f"release {version}")
        git(root, "tag", f"v{version}")
        project = load_project(root)
        release_tasks.build(project, allow_dirty=False, image=False, dry_run=False)
        release_tasks.push(project, version=None, dry_run=False)
    return root
