import pytest

from shipway.decisions.deploy.server import (
    AppReport,
    ServerKind,
    locked_names,
    serve_as,
    server_requirements,
    worker_options,
)
from shipway.errors import ShipwayError

PINNED = """\
click==8.5.1 \\
    --hash=sha256:aa
    # via uvicorn
gunicorn==27.0.1 \\
    --hash=sha256:bb \\
    --hash=sha256:cc
    # via uvicorn-worker
Uvicorn_Worker==0.4.0 \\
    --hash=sha256:dd
"""


def test_a_detected_kind_is_served_as_detected() -> None:
    assert serve_as("auto", AppReport(kind=ServerKind.WSGI), "m:app", "1.0") is ServerKind.WSGI
    assert serve_as("auto", AppReport(kind=ServerKind.ASGI), "m:app", "1.0") is ServerKind.ASGI


def test_a_configured_kind_wins_over_detection_even_when_nothing_was_recognised() -> None:
    assert serve_as("asgi", AppReport(kind=None), "m:app", "1.0") is ServerKind.ASGI
    assert serve_as("wsgi", AppReport(kind=ServerKind.ASGI), "m:app", "1.0") is ServerKind.WSGI


def test_an_app_that_cannot_be_loaded_is_an_error_with_its_reason() -> None:
    report = AppReport(error="ModuleNotFoundError: No module named 'svc'")
    with pytest.raises(ShipwayError, match=r"the app svc:app of 1.0 cannot be loaded: Module"):
        serve_as("wsgi", report, "svc:app", "1.0")


def test_neither_wsgi_nor_asgi_names_both_shapes_and_the_setting() -> None:
    with pytest.raises(ShipwayError, match="neither a WSGI app") as raised:
        serve_as("auto", AppReport(kind=None), "svc:settings", "1.0")
    assert "server = 'wsgi' or 'asgi'" in str(raised.value)


def test_asgi_runs_uvicorn_workers_and_wsgi_threaded_ones() -> None:
    assert worker_options(ServerKind.ASGI, 8) == ["--worker-class", "uvicorn_worker.UvicornWorker"]
    assert worker_options(ServerKind.WSGI, 8) == ["--worker-class", "gthread", "--threads", "8"]


def test_locked_names_are_canonical_and_skip_hashes_comments_and_options() -> None:
    text = "--index-url https://x\n# c\nDjango==5.2 \\\n    --hash=sha256:ab\nfoo[bar]==1 ; python_version >= '3.11'\n"
    assert locked_names(text) == {"django", "foo"}


def test_the_whole_server_is_added_when_the_service_locks_none_of_it() -> None:
    assert (
        server_requirements(PINNED, "flask==3.1\n")
        == "\n".join(line for line in PINNED.splitlines() if line) + "\n"
    )


def test_a_package_the_service_locks_keeps_the_services_version() -> None:
    kept = server_requirements(PINNED, "gunicorn==23.0.0 \\\n    --hash=sha256:ee\nclick==8.1\n")
    assert kept == "Uvicorn_Worker==0.4.0 \\\n    --hash=sha256:dd\n"


def test_nothing_is_added_when_the_service_locks_all_of_it() -> None:
    assert server_requirements(PINNED, "click==1\ngunicorn==2\nuvicorn-worker==3\n") == ""
