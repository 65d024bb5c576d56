"""shipway as a tool others install: its wheel, served by a real index on 127.0.0.1, installed
with uvx, pip, ``uv add`` and plain nox (a noxfile's PEP 723 block), then run."""

import importlib.metadata
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from tests.support.package_index import PYPI, PackageIndex, installer_env
from tests.support.processes import REPO

PACKAGE = REPO / "src" / "shipway"
INSTALL_TIMEOUT = 240  # seconds: pip resolves and installs shipway's dependencies one by one
RUN_TIMEOUT = 120
INIT_OPTIONS = ("--dry-run", "--force", "--yes", "--app")
# Every module of the installed package, with only shipway's declared dependencies installed;
# not the built-in Locust user, which only Locust loads (from the perf group's environment).
IMPORT_ALL = """
import importlib, pkgutil, shipway
for module in pkgutil.walk_packages(shipway.__path__, "shipway."):
    if module.name != "shipway.effects.perf.builtin_user":
        importlib.import_module(module.name)
print("ok")
"""


def run(argv: list[str], cwd: Path, timeout: float = RUN_TIMEOUT, **env: str) -> str:
    """stdout of ``argv``; on failure, an assertion with both of its streams."""
    done = subprocess.run(
        argv, cwd=cwd, env=installer_env(env), capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"{argv} exited {done.returncode}:\n{done.stdout}{done.stderr}"
    return done.stdout


def uvx(index: PackageIndex, *args: str, cwd: Path) -> str:
    """``uvx --index <local> shipway ARGS``: the local index first, PyPI for the rest."""
    return run(["uv", "tool", "run", "--index", index.url, "shipway", *args], cwd)


def test_the_wheel_carries_every_file_the_package_has(shipway_index: PackageIndex) -> None:
    """Data files too: what shipway reads beside its modules at run time is in the wheel."""
    in_source = {
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    with zipfile.ZipFile(shipway_index.wheel) as wheel:
        names = set(wheel.namelist())
        (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
        scripts = wheel.read(entry_points).decode()
    in_wheel = {name for name in names if name.startswith("shipway/") and not name.endswith("/")}
    assert in_wheel == in_source
    assert {
        "shipway/effects/release/server-requirements.txt",  # importlib.resources
        "shipway/effects/perf/builtin_user.py",  # given to Locust by its path
        "shipway/effects/deploy/app_probe.py",  # its source runs in a release's venv
        "shipway/py.typed",
    } <= in_wheel
    assert "shipway = shipway.entry.cli:main" in scripts


def test_uvx_runs_shipway_from_the_index(shipway_index: PackageIndex, tmp_path: Path) -> None:
    version = uvx(shipway_index, "--version", cwd=tmp_path)
    assert version == f"shipway {shipway_index.version}\n"


def test_the_installed_tool_explains_init(shipway_index: PackageIndex, tmp_path: Path) -> None:
    shown = uvx(shipway_index, "init", "--help", cwd=tmp_path)
    assert shown.startswith("usage: shipway init")
    for option in INIT_OPTIONS:
        assert option in shown


def test_pip_installs_shipway_into_a_fresh_venv(
    shipway_index: PackageIndex, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    install = [
        str(venv / "bin" / "pip"),
        "install",
        "--quiet",
        "--no-compile",  # bytecode is not what this test is about, and takes seconds
        "--index-url",
        shipway_index.url,
        "--extra-index-url",
        PYPI,
        f"shipway=={shipway_index.version}",  # pip merges indexes: the pin says which build
    ]
    run(install, tmp_path, timeout=INSTALL_TIMEOUT)
    version = run([str(venv / "bin" / "shipway"), "--version"], tmp_path)
    assert version == f"shipway {shipway_index.version}\n"
    imported = run([str(venv / "bin" / "python"), "-c", IMPORT_ALL], tmp_path)
    assert imported.split() == ["ok"], "a module needs more than shipway's dependencies"


def test_uv_add_dev_shipway_to_a_new_project(shipway_index: PackageIndex, tmp_path: Path) -> None:
    run(["uv", "init", "--bare", "--no-workspace", "--name", "svc"], tmp_path)
    add = ["uv", "add", "--dev", "--index", f"local={shipway_index.url}", "shipway"]
    run(add, tmp_path, timeout=INSTALL_TIMEOUT)
    lock = tomllib.loads((tmp_path / "uv.lock").read_text(encoding="utf-8"))
    (locked,) = [p for p in lock["package"] if p["name"] == "shipway"]
    assert locked["source"] == {"registry": shipway_index.url}
    assert locked["version"] == shipway_index.version
    version = run(["uv", "run", "shipway", "--version"], tmp_path)
    assert version == f"shipway {shipway_index.version}\n"


def test_plain_nox_installs_the_noxfiles_script_dependencies(
    shipway_index: PackageIndex, tmp_path: Path
) -> None:
    """nox without shipway reads the noxfile's PEP 723 block, installs it into
    .nox/_nox_script_mode (with uv: UV_INDEX is the one variable it needs) and runs there."""
    (tmp_path / "noxfile.py").write_text(
        "# /// script\n"
        f'# dependencies = ["nox>=2026.10.20", "shipway=={shipway_index.version}"]\n'
        "# ///\n"
        "import nox\n"
        "\n"
        "import shipway.entry.cli\n"
        "\n"
        "\n"
        '@nox.session(venv_backend="none")\n'
        "def uses_shipway(session: nox.Session) -> None:\n"
        "    session.log(shipway.entry.cli.DISTRIBUTION)\n",
        encoding="utf-8",
    )
    nox = f"nox=={importlib.metadata.version('nox')}"  # nox alone, as this lock pins it
    argv = ["uv", "tool", "run", "--from", nox, "nox", "--list"]
    done = subprocess.run(
        argv,
        cwd=tmp_path,
        env=installer_env({"UV_INDEX": shipway_index.url}),
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "* uses_shipway" in done.stdout
    assert "Creating virtual environment (uv)" in done.stderr
    assert (tmp_path / ".nox" / "_nox_script_mode" / "bin" / "shipway").is_file()


def test_inv_list_does_not_load_the_command_line() -> None:
    """tasks.py imports invoke and shipway.entry.tasks only; the shipway command is apart."""
    loaded = run(
        [
            sys.executable,
            "-c",
            "import runpy, sys; runpy.run_path('tasks.py'); print(*sys.modules)",
        ],
        REPO,
    ).split()
    assert "invoke" in loaded
    assert "shipway.entry.tasks" in loaded
    assert "shipway.entry.cli" not in loaded
