"""shipway's own wheel on a real package index on 127.0.0.1, to install it as its users do.

The wheel is built once per test process (``uv build --wheel``) and served by pypiserver with
its fallback (a redirect to PyPI for any package it does not have) disabled: it answers for
shipway and says 404 for everything else. Installers get two indexes, this one first and
PyPI for the rest: uv with ``--index`` (searched before the default index, and the first index
that has a package is the only one used for it), pip with ``--index-url`` and
``--extra-index-url``. shipway's dependencies so resolve from PyPI's own addresses, which the
shared uv cache already holds from this repository's lock; through the fallback they would be
cached under the local index's address, which changes with the port, and so be fetched again
on every run.

The index lives under the wheel's digest (pypiserver's ``--server-base-url``): a rebuilt wheel
of the same version has a new address, so no installer's cache can hand out an older build.
"""

import hashlib
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

import pytest

from tests.support.processes import REPO, answers, env_with, free_port, running, wait_until

PYPI = "https://pypi.org/simple/"
BUILD_TIMEOUT = 120  # seconds
START_TIMEOUT = 30

# What the environment may say about indexes and target environments: the tests say it.
INHERITED = (
    "VIRTUAL_ENV",
    "UV_PROJECT_ENVIRONMENT",
    "UV_INDEX",
    "UV_INDEX_URL",
    "UV_DEFAULT_INDEX",
    "UV_EXTRA_INDEX_URL",
    "UV_FIND_LINKS",
    "UV_OFFLINE",
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_FIND_LINKS",
    "PIP_NO_INDEX",
)


@dataclass(frozen=True)
class PackageIndex:
    url: str  # the simple API, ending in /simple/
    wheel: Path
    version: str


def build_wheel(output: Path) -> Path:
    """shipway's wheel, built from this checkout as a release would be."""
    argv = ["uv", "build", "--wheel", "--quiet", "--out-dir", str(output)]
    subprocess.run(argv, cwd=REPO, env=installer_env(), check=True, timeout=BUILD_TIMEOUT)
    (wheel,) = output.glob("shipway-*.whl")
    return wheel


def wheel_version(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        headers = HeaderParser().parsestr(archive.read(metadata).decode())
    return headers["Version"]


def installer_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment for uv, pip and nox: no inherited index or target venv, and pip reads
    no configuration file (so it sees exactly the indexes a test gives it)."""
    env = {k: v for k, v in env_with().items() if k not in INHERITED}
    env |= {"UV_PYTHON_DOWNLOADS": "never", "PIP_CONFIG_FILE": os.devnull}
    return env | dict(extra or {})


@pytest.fixture(scope="session")
def shipway_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PackageIndex]:
    """pypiserver serving the freshly built shipway wheel; stopped (by pid) at the end."""
    packages = tmp_path_factory.mktemp("index")
    wheel = build_wheel(packages)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()[:16]
    port = free_port()
    server = [
        sys.executable,
        "-m",
        "pypiserver",
        "run",
        "--interface",
        "127.0.0.1",
        "--port",
        str(port),
        "--authenticate",
        ".",
        "--passwords",
        ".",
        "--disable-fallback",
        "--server-base-url",
        f"/{digest}/",
        str(packages),
    ]
    url = f"http://127.0.0.1:{port}/{digest}/simple/"
    with running(server, env_with()):
        wait_until(answers(f"{url}shipway/"), timeout=START_TIMEOUT, what="pypiserver")
        yield PackageIndex(url=url, wheel=wheel, version=wheel_version(wheel))
