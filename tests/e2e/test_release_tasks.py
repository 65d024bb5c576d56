"""`inv build`, `inv push` and `inv verify` as a release manager runs them, on a fixture repo."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.support.fixture_repo import commit, git, service_repo
from tests.support.processes import REPO, env_with, free_port


def inv(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "invoke", "--search-root", str(root), *args]
    return subprocess.run(
        argv, cwd=root, env=env_with(), capture_output=True, text=True, timeout=300
    )


def repo_with_tasks(tmp_path: Path) -> Path:
    root = service_repo(tmp_path / "repo")
    shutil.copy(REPO / "tasks.py", root / "tasks.py")
    git(root, "add", "tasks.py")
    commit(root, "tasks")
    return root


def test_build_push_verify_from_the_command_line(tmp_path: Path) -> None:
    root = repo_with_tasks(tmp_path)
    dry = inv(root, "build", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing was built or written" in dry.stdout
    assert not (root / "dist").exists()

    built = inv(root, "build")
    assert built.returncode == 0, built.stderr
    [version] = [p.name for p in (root / "dist" / "tiny-svc").iterdir()]
    pushed = inv(root, "push")
    assert pushed.returncode == 0, pushed.stderr
    assert f"pushed tiny-svc {version}" in pushed.stdout
    verified = inv(root, "verify", "--version", version)
    assert verified.returncode == 0, verified.stderr
    assert f"verified tiny-svc {version}: 4 files match the manifest" in verified.stdout


def test_refusals_are_one_message_and_exit_1(tmp_path: Path) -> None:
    root = repo_with_tasks(tmp_path)
    nothing = inv(root, "push")
    assert nothing.returncode == 1
    assert "no build of tiny-svc" in nothing.stderr
    git(root, "tag", "v1.0.0")
    (root / "svc" / "src" / "tiny_svc" / "__init__.py").write_text("changed = True\n")
    dirty = inv(root, "build")
    assert dirty.returncode == 1
    assert "a release must be built from a clean tree" in dirty.stderr.replace("\n", " ")
    missing = inv(root, "verify", "--version", "7.7.7")
    assert missing.returncode == 1
    for result in (nothing, dirty, missing):
        assert "Traceback" not in result.stdout + result.stderr


PROD = """
[tool.shipway.environments.prod]
port = {port}
approval = true
"""


def test_deploy_refusals_and_status_from_the_command_line(tmp_path: Path) -> None:
    root = service_repo(tmp_path / "repo", extra=PROD.format(port=free_port()))
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('service = "svc"', 'service = "svc"\napp = "tiny_svc:app"')
    )
    shutil.copy(REPO / "tasks.py", root / "tasks.py")
    git(root, "add", "-A")
    commit(root, "environments")
    assert inv(root, "build").returncode == 0
    assert inv(root, "push").returncode == 0
    [version] = [p.name for p in (root / "dist" / "tiny-svc").iterdir()]

    unapproved = inv(root, "deploy", "--env", "prod", "--version", version)
    assert unapproved.returncode == 1
    assert (
        f"environment prod requires approval for tiny-svc (nothing) → {version}: pass --yes"
        in " ".join(unapproved.stderr.split())
    )
    unknown = inv(root, "deploy", "--env", "nope", "--version", version)
    assert unknown.returncode == 1
    assert "unknown environment 'nope'; configured: prod" in unknown.stderr
    missing = inv(root, "deploy", "--env", "prod", "--version", "9.9.9", "--yes")
    assert missing.returncode == 1
    assert "tiny-svc 9.9.9 is not in the artifact store" in missing.stderr
    report = inv(root, "status", "--env", "prod", "--json")
    assert report.returncode == 0, report.stderr
    shown = json.loads(report.stdout)
    assert (shown["serving"], shown["healthy"], shown["releases"]) == (None, False, [])
    assert shown["url"].startswith("http://127.0.0.1:")
    assert shown["rollout"] is None
    promote, abort = inv(root, "promote", "--env", "prod"), inv(root, "abort", "--env", "prod")
    assert (promote.returncode, abort.returncode) == (1, 1)
    assert "no canary or post-promotion analysis is running in prod; nothing to promote" in (
        " ".join(promote.stderr.split())
    )
    assert "nothing to abort" in abort.stderr

    pyproject.write_text(pyproject.read_text().replace("approval = true", 'approval = "maybe"'))
    malformed = inv(root, "deploy", "--env", "prod")
    assert malformed.returncode == 2
    assert (
        'tool.shipway.environments.prod.approval = "maybe": input should be a valid boolean'
        in malformed.stderr
    )
    for result in (unapproved, unknown, missing, report, promote, abort, malformed):
        assert "Traceback" not in result.stdout + result.stderr
