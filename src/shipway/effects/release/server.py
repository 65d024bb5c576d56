"""The server every release gets: shipway's pinned gunicorn and uvicorn-worker (this package's
``server-requirements.txt``, written from shipway's lock by ``scripts/pin_server.py``), less
the packages the service locks itself."""

from importlib import resources
from pathlib import Path

from shipway.decisions.deploy.server import server_requirements

SERVER_REQUIREMENTS = "server-requirements.txt"


def write_server_requirements(service_requirements: Path, destination: Path) -> Path:
    pinned = resources.files(__package__).joinpath(SERVER_REQUIREMENTS).read_text("utf-8")
    service = service_requirements.read_text(encoding="utf-8")
    destination.write_text(server_requirements(pinned, service), encoding="utf-8")
    return destination
