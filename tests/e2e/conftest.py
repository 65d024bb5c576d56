"""``service_url``: a deployed environment's URL (``--environment NAME``), or the reference
service started on 127.0.0.1 for the test run."""

import sys
from collections.abc import Iterator

import pytest

from shipway.config import load_project
from tests.support.processes import REPO, answers, env_with, free_port, running, wait_until


@pytest.fixture(scope="session")
def service_url(request: pytest.FixtureRequest) -> Iterator[str]:
    name = request.config.getoption("--environment")
    if name:
        environments = load_project(REPO).config.environments
        if name not in environments:
            pytest.exit(f"unknown environment {name!r}; configured: {', '.join(environments)}", 2)
        yield environments[name].url
        return
    port = free_port()
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "chatbot.app:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    with running(argv, env_with()):
        url = f"http://127.0.0.1:{port}"
        wait_until(answers(f"{url}/ready"), timeout=30, what="the reference service")
        yield url
