"""A git repository of the reference service with two released versions in its artifact store,
and environments on free ports: what the deploy tests deploy."""

import dataclasses
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from shipway.config import Project, load_project
from shipway.config.deploy import Environment
from shipway.entry import release as release_tasks
from tests.support.fixture_repo import commit, git
from tests.support.processes import REPO, env_with, free_ports, running, stop, wait_until

ENVIRONMENTS = (
    "canary-healthy",
    "canary-errors",
    "canary-latency",
    "canary-crash",
    "canary-never-ready",
    "canary-flapping",
    "canary-control",
    "blue-green-analysis",
    "perf-stage",
    "dast-stage",
    "load",
    "warm",
    "refuse",
    "lock",
    "bad",
    "secret",
    "hooks",
    "notify",
    "repair",
    "inspect",
    "plan",
    "defaults",
    "tls",
    "tls-bad",
    "maintenance",
    "maintenance-restart",
    "never",
    "unservable",
    "supervised",
    "supervised-secrets",
    "supervised-boot",
    "preview-abort",
    "preview-promote",
    "preview-detached",
)
# Environments with a preview port of their own (after the slot ports and the redirect port).
PREVIEWED = ("preview-abort", "preview-promote", "preview-detached")
VERSIONS = ("1.0.0", "2.0.0")


# Settings a few environments have in pyproject.toml itself, because a separate `inv deploy`
# process must see them: the fixture repository is never edited once built.
# The "tls" environment's certificate is made by its test, under the repository's ignored
# .shipway/ directory (TLS_FILES), before anything reads it.
TLS_FILES = ".shipway/test-tls"
FILE_SETTINGS = {
    "tls": {
        "tls": f'{{ cert = "file:{TLS_FILES}/server.pem", key = "file:{TLS_FILES}/server.key", '
        f'ca = "file:{TLS_FILES}/ca.pem" }}'
    },
    "warm": {"scale_down_delay": '"60s"'},
    "never": {
        "scale_down_delay": '"never"',
        "analysis": '{ window = "2s", interval = "1s" }',
    },
    "lock": {"ready_timeout": '"120s"', "settings": '{ CHATBOT_WARMUP_S = "120" }'},
    # Deployed by `inv deploy --detach`, a separate process: held before its switch.
    "preview-detached": {
        "pause": '"manual"',
        "analysis": '{ window = "4s", interval = "1s", min_requests = 10 }',
    },
}


def environments_toml() -> str:
    blocks = []
    ports = iter(free_ports(3 * len(ENVIRONMENTS) + 1 + len(PREVIEWED)))
    redirect = {"tls": {"http_redirect_port": str(next(ports))}}
    redirect |= {name: {"preview_port": str(next(ports))} for name in PREVIEWED}
    for name in ENVIRONMENTS:
        router, blue, green = (next(ports) for _ in range(3))
        settings = {
            "port": str(router),
            "release_ports": f"[{blue}, {green}]",
            "workers": "1",
            "ready_timeout": '"20s"',
            "ready_path": '"/ready"',
            "smoke": '[{ path = "/health/detailed" }]',
            "scale_down_delay": '"1s"',
            **FILE_SETTINGS.get(name, {}),
            **redirect.get(name, {}),
        }
        lines = "".join(f"{key} = {value}\n" for key, value in settings.items())
        blocks.append(f"[tool.shipway.environments.{name}]\n{lines}")
    return "\n".join(blocks)


def chatbot_repo(root: Path) -> Path:
    """Tags v1.0.0 and v2.0.0, both built and pushed to the repository's artifact store."""
    service = root / "chatbot"
    shutil.copytree(
        REPO / "examples" / "chatbot", service, ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(REPO / "tasks.py", root / "tasks.py")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "pipeline"\nversion = "0"\nrequires-python = ">=3.11"\n'
        '[tool.shipway]\nservice = "chatbot"\napp = "chatbot.app:app"\n\n' + environments_toml(),
        encoding="utf-8",
    )
    (root / ".gitignore").write_text("dist/\n.shipway/\nreports/\n")
    subprocess.run(["uv", "lock", "--quiet", "--project", str(service)], check=True, env=env_with())
    git(root, "init", "--quiet", "--initial-branch=main")
    for version in VERSIONS:
        (service / "RELEASE").write_text(version)
        git(root, "add", "-A")
        commit(root, f"release {version}")
        git(root, "tag", f"v{version}")
        project = load_project(root)
        release_tasks.build(project, allow_dirty=False, image=False, dry_run=False)
        release_tasks.push(project, version=version, dry_run=False)
    return root


def with_environment(project: Project, name: str, **changes: Any) -> Project:
    """The project with one environment's settings changed (as if pyproject.toml said so)."""
    environments = dict(project.config.environments)
    environments[name] = Environment.model_validate({**environments[name].model_dump(), **changes})
    config = project.config.model_copy(update={"environments": environments})
    return dataclasses.replace(project, config=config)


@contextmanager
def steady_load(
    url: str,
    results: Path,
    rps: int = 150,
    threads: int = 4,
    paths: Sequence[str] = (),
    ca: Path | None = None,
) -> Iterator[Callable[[], dict[str, Any]]]:
    """A load generator process through ``url``; call the yielded function to stop it and read.

    More ``threads`` keep the rate up when some requests are slow (a latency fault); ``paths``
    are GET in turn instead of the reference service's API; an https:// ``url`` is verified
    against ``ca``."""
    argv = [sys.executable, "-m", "tests.support.load", url, str(results), "--rps", str(rps)]
    argv += ["--threads", str(threads), *(arg for path in paths for arg in ("--path", path))]
    argv += ["--ca", str(ca)] if ca else []
    with running(argv, env_with()) as process:
        wait_until(results.with_suffix(".started").exists, timeout=20, what="the load generator")

        def finish() -> dict[str, Any]:
            stop(process)
            summary: dict[str, Any] = json.loads(results.read_text())
            return summary

        yield finish
